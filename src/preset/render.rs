//! `termdaw preset render`: a preset playing its phrase in a context,
//! rendered offline and assessed against its own constraints.
//!
//! Control side (the command line, the chat worker): renders on the
//! calling thread through a private engine.

use crate::analysis::assess::{self, Assessment, Context};
use crate::audio::render::{self, Length, RenderError};

use super::phrase::{self, Setting};
use super::Preset;

/// Render `preset` in `setting` for `seconds` (default: its phrase, four
/// bars) at `rate`: planar stereo.
pub fn render(
    preset: &Preset,
    setting: &Setting,
    seconds: Option<f64>,
    rate: u32,
) -> Result<(Vec<f32>, Vec<f32>), RenderError> {
    let file = phrase::session(preset, setting);
    let length = match seconds {
        Some(s) => Length::Seconds(s),
        None => Length::Bars(phrase::BARS as f64),
    };
    render::render_buffers(file, None, length, rate)
}

/// The assessment context of `preset` in `setting`: its own loudness
/// target and true-peak limit, the setting's tempo, key and scale.
pub fn context(preset: &Preset, setting: &Setting) -> Context {
    Context {
        tempo: Some(setting.tempo),
        key: Some((setting.key, setting.scale)),
        target_lufs: preset.constraints.lufs_target,
        true_peak_limit: preset.constraints.true_peak_limit,
    }
}

/// Assess what [`render`] made.
pub fn assess(preset: &Preset, setting: &Setting, l: &[f32], r: &[f32], rate: u32) -> Assessment {
    assess::assess(l, r, rate as f32, preset.role, &context(preset, setting))
}
