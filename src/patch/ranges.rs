//! The serde checks of the session file's scalar fields, run while a file
//! is read (so an error points at the offending number), and their
//! defaults — all read from the field descriptors in [`super::field`].
//!
//! Control thread only, pure.

use std::collections::BTreeMap;

use serde::de;
use serde::{Deserialize, Deserializer};

use super::field::{self, Field};

/// A whole-number field's default as serde wants it.
fn whole<M>(f: &Field<M>) -> u32 {
    f.default as u32
}

pub(super) fn d_tempo() -> f64 {
    field::TEMPO.default
}
pub(super) fn d_swing_grid() -> u32 {
    whole(&field::SWING_GRID)
}
pub(super) fn is_default_swing_grid(v: &u32) -> bool {
    *v == whole(&field::SWING_GRID)
}
pub(super) fn de_swing_grid<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    field::SWING_GRID.de(d).map(|v| v as u32)
}
pub(super) fn d_ceiling() -> f64 {
    field::CEILING.default
}
pub(super) fn d_resolution() -> u32 {
    whole(&field::RESOLUTION)
}
pub(super) fn d_gate() -> f64 {
    field::GATE.default
}
pub(super) fn d_density() -> f64 {
    field::DENSITY.default
}
pub(super) fn is_default_density(v: &f64) -> bool {
    *v == field::DENSITY.default
}
pub(super) fn de_density<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::DENSITY.de(d)
}
pub(super) fn d_voices() -> u32 {
    whole(&field::VOICES)
}
pub(super) fn d_bend() -> f64 {
    field::BEND_RANGE.default
}
pub(super) fn is_default_resolution(v: &u32) -> bool {
    *v == whole(&field::RESOLUTION)
}
pub(super) fn is_default_gate(v: &f64) -> bool {
    *v == field::GATE.default
}
pub(super) fn is_default_voices(v: &u32) -> bool {
    *v == whole(&field::VOICES)
}
pub(super) fn is_default_bend(v: &f64) -> bool {
    *v == field::BEND_RANGE.default
}

pub(super) fn de_tempo<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::TEMPO.de(d)
}
pub(super) fn de_swing<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::SWING.de(d)
}
pub(super) fn de_master_volume<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::MASTER_VOLUME.de(d)
}
pub(super) fn de_ceiling<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::CEILING.de(d)
}
pub(super) fn de_bus_volume<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::BUS_VOLUME.de(d)
}
pub(super) fn de_bus_pan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::BUS_PAN.de(d)
}
pub(super) fn is_zero(v: &f64) -> bool {
    *v == 0.0
}
pub(super) fn de_volume<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::TRACK_VOLUME.de(d)
}
pub(super) fn de_pan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::PAN.de(d)
}
pub(super) fn de_gate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::GATE.de(d)
}
pub(super) fn de_bend<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    field::BEND_RANGE.de(d)
}
pub(super) fn de_voices<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    field::VOICES.de(d).map(|v| v as u32)
}
pub(super) fn de_resolution<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    field::RESOLUTION.de(d).map(|v| v as u32)
}
pub(super) fn de_sends<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let m = BTreeMap::<String, f64>::deserialize(d)?;
    let level = &field::TRACK_VOLUME;
    for (k, v) in &m {
        if level.check(*v).is_err() {
            return Err(de::Error::custom(format!(
                "send level to `{k}` must be between {} and {} dB, found {v}",
                level.min(),
                level.max()
            )));
        }
    }
    Ok(m)
}
