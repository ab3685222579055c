//! The master limiter: a stereo-linked look-ahead peak limiter that holds a
//! ceiling (default -0.3 dBFS) without clipping.
//!
//! Audio thread (built anywhere; never allocates after `new`). The required
//! gain for each incoming sample goes through a sliding minimum over the
//! look-ahead window and then a moving average of the same length, so the gain
//! reaches what a peak needs exactly when that peak leaves the delay line,
//! ramping down smoothly instead of stepping. Release is a one-pole glide.

const MAX_LOOKAHEAD: usize = 1024;

#[derive(Debug, Clone)]
pub struct Limiter {
    ceiling: f32,
    lookahead: usize,
    delay_l: Box<[f32]>,
    delay_r: Box<[f32]>,
    pos: usize,
    // Sliding minimum (monotonic deque of (time, gain)).
    dq_t: Box<[u64]>,
    dq_v: Box<[f32]>,
    dq_head: usize,
    dq_len: usize,
    // Moving average of the sliding minimum.
    box_buf: Box<[f32]>,
    box_pos: usize,
    box_sum: f64,
    t: u64,
    gain: f32,
    release_coef: f32,
    /// Lowest gain applied since last read, for the meters.
    pub min_gain: f32,
}

impl Limiter {
    /// Control thread. `ceiling` is linear; look-ahead 1.5 ms, release 80 ms.
    pub fn new(ceiling: f32, rate: f32) -> Self {
        let lookahead = ((rate * 0.0015) as usize).clamp(1, MAX_LOOKAHEAD - 2);
        let cap = MAX_LOOKAHEAD;
        Self {
            ceiling,
            lookahead,
            delay_l: vec![0.0; cap].into_boxed_slice(),
            delay_r: vec![0.0; cap].into_boxed_slice(),
            pos: 0,
            dq_t: vec![0; cap].into_boxed_slice(),
            dq_v: vec![1.0; cap].into_boxed_slice(),
            dq_head: 0,
            dq_len: 0,
            box_buf: vec![1.0; cap].into_boxed_slice(),
            box_pos: 0,
            box_sum: lookahead as f64,
            t: 0,
            gain: 1.0,
            release_coef: 1.0 - (-1.0 / (0.08 * rate)).exp(),
            min_gain: 1.0,
        }
    }

    pub fn set_ceiling(&mut self, ceiling: f32) {
        if ceiling.is_finite() && ceiling > 0.0 {
            self.ceiling = ceiling;
        }
    }

    pub fn ceiling(&self) -> f32 {
        self.ceiling
    }

    /// Latency in samples.
    pub fn latency(&self) -> usize {
        self.lookahead
    }

    /// Audio thread: limit in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let cap = self.delay_l.len();
        let la = self.lookahead;
        let window = la as u64 + 1;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let peak = l.abs().max(r.abs());
            let need = if peak > self.ceiling {
                self.ceiling / peak
            } else {
                1.0
            };

            // Sliding minimum over the last `window` samples.
            while self.dq_len > 0 {
                let back = (self.dq_head + self.dq_len - 1) % cap;
                if self.dq_v.get(back).is_some_and(|&v| v >= need) {
                    self.dq_len -= 1;
                } else {
                    break;
                }
            }
            let slot = (self.dq_head + self.dq_len) % cap;
            if let (Some(t), Some(v)) = (self.dq_t.get_mut(slot), self.dq_v.get_mut(slot)) {
                *t = self.t;
                *v = need;
            }
            self.dq_len += 1;
            let expired =
                |dq_t: &[u64], head: usize| dq_t.get(head).is_some_and(|&t| t + window <= self.t);
            while self.dq_len > 0 && expired(&self.dq_t, self.dq_head) {
                self.dq_head = (self.dq_head + 1) % cap;
                self.dq_len -= 1;
            }
            let min = self.dq_v.get(self.dq_head).copied().unwrap_or(need);

            // Moving average over `la` samples.
            if let Some(b) = self.box_buf.get_mut(self.box_pos) {
                self.box_sum += (min - *b) as f64;
                *b = min;
            }
            self.box_pos = (self.box_pos + 1) % la;
            let target = (self.box_sum / la as f64) as f32;

            self.gain = if target < self.gain {
                target
            } else {
                self.gain + (target - self.gain) * self.release_coef
            };
            self.min_gain = self.min_gain.min(self.gain);

            // Delay line: write now, read `la` samples ago.
            let read = (self.pos + cap - la) % cap;
            if let (Some(dl), Some(dr)) = (
                self.delay_l.get_mut(self.pos),
                self.delay_r.get_mut(self.pos),
            ) {
                *dl = *l;
                *dr = *r;
            }
            let c = self.ceiling;
            let (dl, dr) = (self.delay_l.get(read), self.delay_r.get(read));
            // The clamp only catches float rounding; the gain already holds the ceiling.
            *l = (dl.copied().unwrap_or(0.0) * self.gain).clamp(-c, c);
            *r = (dr.copied().unwrap_or(0.0) * self.gain).clamp(-c, c);
            self.pos = (self.pos + 1) % cap;
            self.t += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_ceiling_on_a_hot_sine_without_touching_quiet_signal() {
        let ceiling = 10f32.powf(-0.3 / 20.0);
        let mut lim = Limiter::new(ceiling, 48000.0);
        let mut l: Vec<f32> = (0..48000)
            .map(|i| 10.0 * (i as f32 * 440.0 * std::f32::consts::TAU / 48000.0).sin())
            .collect();
        let mut r = l.clone();
        lim.process(&mut l, &mut r);
        let peak = l.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(peak <= ceiling + 1e-6, "peak {peak}");
        assert!(peak > ceiling * 0.9, "limiter should not crush: {peak}");

        let mut lim = Limiter::new(ceiling, 48000.0);
        let mut q: Vec<f32> = (0..4800).map(|i| 0.5 * (i as f32 * 0.05).sin()).collect();
        let orig = q.clone();
        let mut q2 = q.clone();
        lim.process(&mut q, &mut q2);
        let la = lim.latency();
        for i in la..q.len() {
            assert!((q[i] - orig[i - la]).abs() < 1e-6);
        }
    }
}
