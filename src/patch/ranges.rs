//! The ranges of the session file's scalar fields, and the checks that
//! serde runs on them while a file is read (so an error points at the
//! offending number), with their defaults.
//!
//! Control thread only, pure.

use std::collections::BTreeMap;

use serde::de;
use serde::{Deserialize, Deserializer};

pub const TEMPO_RANGE: (f64, f64) = (20.0, 999.0);
pub const VOLUME_RANGE: (f64, f64) = (-120.0, 12.0);
pub const CEILING_RANGE: (f64, f64) = (-24.0, 0.0);
pub const SWING_RANGE: (f64, f64) = (0.0, 0.5);
pub const GATE_RANGE: (f64, f64) = (0.01, 16.0);
pub const VOICES_RANGE: (u32, u32) = (1, 256);
pub const RESOLUTIONS: &[u32] = &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

pub(super) fn d_tempo() -> f64 {
    120.0
}
pub(super) fn d_ceiling() -> f64 {
    -0.3
}
pub(super) fn d_resolution() -> u32 {
    16
}
pub(super) fn d_gate() -> f64 {
    0.9
}
pub(super) fn d_voices() -> u32 {
    8
}
pub(super) fn d_bend() -> f64 {
    2.0
}
pub(super) fn is_default_bend(v: &f64) -> bool {
    *v == 2.0
}
pub(super) fn de_bend<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, (0.0, 24.0), "bend_range", " semitones")
}

pub(super) fn ranged<'de, D: Deserializer<'de>>(
    d: D,
    (min, max): (f64, f64),
    what: &str,
    unit: &str,
) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if !(v.is_finite() && v >= min && v <= max) {
        return Err(de::Error::custom(format!(
            "{what} must be between {min} and {max}{unit}, found {v}"
        )));
    }
    Ok(v)
}

pub(super) fn de_tempo<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, TEMPO_RANGE, "tempo", " BPM")
}
pub(super) fn de_swing<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, SWING_RANGE, "swing", " of a step")
}
pub(super) fn de_volume<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, VOLUME_RANGE, "volume", " dB")
}
pub(super) fn de_ceiling<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, CEILING_RANGE, "ceiling", " dBFS")
}
pub(super) fn de_pan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, (-1.0, 1.0), "pan", " (-1 left, 1 right)")
}
pub(super) fn de_gate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    ranged(d, GATE_RANGE, "gate", " steps")
}
pub(super) fn de_voices<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = i64::deserialize(d)?;
    if v < VOICES_RANGE.0 as i64 || v > VOICES_RANGE.1 as i64 {
        return Err(de::Error::custom(format!(
            "voices must be between {} and {}, found {v}",
            VOICES_RANGE.0, VOICES_RANGE.1
        )));
    }
    Ok(v as u32)
}
pub(super) fn de_resolution<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = i64::deserialize(d)?;
    if !RESOLUTIONS.contains(&(v as u32)) || v < 0 {
        return Err(de::Error::custom(format!(
            "resolution must be one of {:?} (steps per whole note; 16 = sixteenths), found {v}",
            RESOLUTIONS
        )));
    }
    Ok(v as u32)
}
pub(super) fn de_sends<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let m = BTreeMap::<String, f64>::deserialize(d)?;
    for (k, v) in &m {
        if !(v.is_finite() && *v >= VOLUME_RANGE.0 && *v <= VOLUME_RANGE.1) {
            return Err(de::Error::custom(format!(
                "send level to `{k}` must be between {} and {} dB, found {v}",
                VOLUME_RANGE.0, VOLUME_RANGE.1
            )));
        }
    }
    Ok(m)
}
