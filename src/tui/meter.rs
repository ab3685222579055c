//! Level meters as the eye sees them: fast attack, steady fall, a peak hold.
//!
//! Control thread (UI). Fed with the engine's `Feedback::Meter` reports
//! (peak and RMS since the previous report) and advanced by the UI clock.

use std::time::Duration;

/// Lowest level a meter shows.
pub const FLOOR_DB: f32 = -60.0;
/// How fast a displayed level falls.
const FALL_DB_PER_S: f32 = 24.0;
/// How long the peak mark stays before it falls.
const HOLD: Duration = Duration::from_millis(1500);

pub fn gain_to_db(g: f32) -> f32 {
    if g <= 1e-6 {
        -120.0
    } else {
        20.0 * g.log10()
    }
}

/// One stereo meter (shown as the louder channel).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meter {
    /// Displayed peak, dBFS.
    pub peak: f32,
    /// Displayed RMS, dBFS.
    pub rms: f32,
    /// The highest recent peak, dBFS.
    pub hold: f32,
    /// How long the hold has been held.
    held: Duration,
    /// Voices sounding (tracks).
    pub voices: u16,
}

impl Default for Meter {
    fn default() -> Self {
        Meter {
            peak: -120.0,
            rms: -120.0,
            hold: -120.0,
            held: Duration::ZERO,
            voices: 0,
        }
    }
}

impl Meter {
    /// A report from the engine.
    pub fn report(&mut self, peak: [f32; 2], rms: [f32; 2], voices: u16) {
        let p = gain_to_db(peak[0].max(peak[1]));
        let r = gain_to_db(rms[0].max(rms[1]));
        self.peak = self.peak.max(p);
        self.rms = self.rms.max(r);
        if p >= self.hold {
            self.hold = p;
            self.held = Duration::ZERO;
        }
        self.voices = voices;
    }

    /// Let time pass. Returns whether anything visible changed.
    pub fn tick(&mut self, dt: Duration) -> bool {
        if self.is_silent() {
            return false;
        }
        let fall = FALL_DB_PER_S * dt.as_secs_f32();
        self.peak = (self.peak - fall).max(-120.0);
        self.rms = (self.rms - fall).max(-120.0);
        self.held += dt;
        if self.held > HOLD {
            self.hold = (self.hold - fall).max(self.peak);
        }
        true
    }

    /// Whether the meter shows nothing (so it needs no redraws).
    pub fn is_silent(&self) -> bool {
        self.peak <= FLOOR_DB && self.rms <= FLOOR_DB && self.hold <= FLOOR_DB
    }
}

/// Where a level falls on a meter `width` cells wide: 0..=width.
pub fn cells(db: f32, width: u16) -> u16 {
    let f = ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0);
    (f * width as f32).round() as u16
}
