//! Stereo and ping-pong feedback delay with free or tempo-synced times.
//!
//! Audio thread, except `new` (which allocates 4 s of line per side).
//! Parameters: time (s), feedback, sync (note value or off), mode.

use super::{Ctx, DelayLine, Fx};

/// Longest delay, seconds.
pub const MAX_TIME: f32 = 4.0;

/// The whole-note fraction of each entry of
/// [`crate::kinds::effect::DELAY_SYNC`]; index 0 is "off".
const SYNC_WHOLE: &[f32] = &[
    0.0,
    1.0 / 32.0,
    1.0 / 24.0,
    1.0 / 16.0,
    1.0 / 12.0,
    3.0 / 32.0,
    1.0 / 8.0,
    1.0 / 6.0,
    3.0 / 16.0,
    1.0 / 4.0,
    3.0 / 8.0,
    1.0 / 2.0,
    3.0 / 4.0,
    1.0,
];

/// Seconds for sync choice `index` at `bpm` (a whole note is 4 beats), or
/// `None` for "off".
pub fn synced_seconds(index: usize, bpm: f32) -> Option<f32> {
    let w = *SYNC_WHOLE.get(index)?;
    (w > 0.0).then(|| w * 4.0 * 60.0 / bpm.max(1.0))
}

pub struct Delay {
    l: DelayLine,
    r: DelayLine,
    /// Current and target delay, samples.
    d: f32,
    target: f32,
    feedback: f32,
    pingpong: bool,
    fresh: bool,
}

impl Delay {
    pub fn new(ctx: &Ctx) -> Self {
        let max = (MAX_TIME * ctx.rate) as usize + 4;
        Self {
            l: DelayLine::new(max),
            r: DelayLine::new(max),
            d: 1.0,
            target: 1.0,
            feedback: 0.0,
            pingpong: false,
            fresh: true,
        }
    }
}

impl Fx for Delay {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let &[time, feedback, sync, mode, ..] = v else {
            return;
        };
        let secs = synced_seconds(sync as usize, ctx.bpm).unwrap_or(time);
        self.target = (secs.min(MAX_TIME) * ctx.rate).clamp(1.0, self.l.capacity());
        if self.fresh {
            self.d = self.target;
            self.fresh = false;
        }
        self.feedback = feedback;
        self.pingpong = mode >= 0.5;
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().max(1);
        let step = (self.target - self.d) / n as f32;
        let fb = self.feedback;
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            self.d += step;
            let (ol, or) = (self.l.read(self.d), self.r.read(self.d));
            if self.pingpong {
                // Input enters on the left; each repeat crosses sides.
                self.l.write(0.5 * (*a + *b) + fb * or);
                self.r.write(fb * ol);
            } else {
                self.l.write(*a + fb * ol);
                self.r.write(*b + fb * or);
            }
            *a = ol;
            *b = or;
        }
        self.d = self.target;
    }
}
