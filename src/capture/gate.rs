//! The input gate: level-based voice (or instrument) activity detection
//! that opens and closes the recording of an input by itself, keeping a
//! pre-roll so a phrase's first consonant or pick attack is in the file.
//!
//! Pure and deterministic: frames in, events out, stamped with engine
//! samples. The disk thread runs it on the input as the engine read it
//! (`disk.rs`); nothing here touches the audio thread.
//!
//! The level is measured in 10 ms windows (RMS, dBFS, the loudest channel).
//! With the adaptive floor on, the threshold is the higher of the set one
//! and the noise floor plus [`FLOOR_MARGIN_DB`]. The floor starts at the
//! first window's level (the room as the take begins) and then follows
//! quiet windows, quickly down and slowly up, so a hum or a fan raises it
//! and a note does not.

/// Measurement window, seconds.
pub const WINDOW_S: f64 = 0.010;
/// How far above the noise floor the adaptive threshold sits.
pub const FLOOR_MARGIN_DB: f32 = 10.0;

/// How a gate opens and closes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateConfig {
    /// Level that counts as activity, dBFS.
    pub threshold_db: f32,
    /// Activity must last this long before the gate opens.
    pub start_ms: f32,
    /// Quiet must last this long before the gate closes.
    pub end_ms: f32,
    /// Audio kept from before the activity began.
    pub preroll_ms: f32,
    /// Raise the threshold above a noisy floor.
    pub adaptive: bool,
    /// The input pair the gate listens to and writes: 0 for channels 1–2,
    /// 1 for 3–4, and so on.
    pub pair: usize,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            threshold_db: -40.0,
            start_ms: 30.0,
            end_ms: 300.0,
            preroll_ms: 200.0,
            adaptive: true,
            pair: 0,
        }
    }
}

impl GateConfig {
    /// `threshold=-40,start=30,end=300,preroll=200,adaptive=on,channels=1-2`, any subset
    /// (the rest at their defaults); empty is all defaults.
    pub fn parse(spec: &str) -> Result<GateConfig, String> {
        let mut g = GateConfig::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("\"{part}\": expected name=value"))?;
            let num = |lo: f32, hi: f32| {
                v.parse::<f32>()
                    .ok()
                    .filter(|x| (lo..=hi).contains(x))
                    .ok_or_else(|| format!("{k}: \"{v}\" is not a number from {lo} to {hi}"))
            };
            match k {
                "threshold" => g.threshold_db = num(-100.0, 0.0)?,
                "start" => g.start_ms = num(0.0, 10_000.0)?,
                "end" => g.end_ms = num(0.0, 60_000.0)?,
                "preroll" => g.preroll_ms = num(0.0, 10_000.0)?,
                "adaptive" => {
                    g.adaptive = match v {
                        "on" | "true" => true,
                        "off" | "false" => false,
                        _ => return Err(format!("adaptive: \"{v}\" is not on or off")),
                    }
                }
                "channels" => {
                    let max = crate::engine::input::MAX_INPUT_CHANNELS;
                    g.pair = v
                        .split_once('-')
                        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))
                        .filter(|(a, b)| a % 2 == 1 && *b == a + 1 && *b <= max)
                        .map(|(a, _)| a / 2)
                        .ok_or_else(|| {
                            format!("channels: \"{v}\" is not a pair of input channels (1-2, 3-4 … {}-{max})", max - 1)
                        })?;
                }
                _ => {
                    return Err(format!(
                        "unknown gate setting \"{k}\" (threshold, start, end, preroll, adaptive, channels)"
                    ))
                }
            }
        }
        Ok(g)
    }
}

/// What the gate decided, with engine samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GateEvent {
    /// Activity began at `onset` and lasted the start debounce (decided at
    /// `at`); the recording starts at `from` (the onset less the pre-roll).
    Open { onset: u64, at: u64, from: u64 },
    /// Quiet since `quiet`, for the end debounce: the recording ends at `at`.
    Close { quiet: u64, at: u64 },
}

pub struct Gate {
    cfg: GateConfig,
    rate: f64,
    window: usize,
    /// Sum of squares per channel in the window so far, and its length.
    acc: [f64; 2],
    filled: usize,
    open: bool,
    /// Where the current run of loud (closed) or quiet (open) windows began.
    run_start: Option<u64>,
    /// The noise floor (`None` until the first window: it starts there).
    floor_db: Option<f32>,
    /// The last window's level.
    pub level_db: f32,
}

impl Gate {
    pub fn new(cfg: GateConfig, rate: f64) -> Gate {
        Gate {
            cfg,
            rate,
            window: ((rate * WINDOW_S) as usize).max(1),
            acc: [0.0; 2],
            filled: 0,
            open: false,
            run_start: None,
            floor_db: None,
            level_db: -120.0,
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The threshold in force now.
    pub fn threshold_db(&self) -> f32 {
        if let (true, Some(floor)) = (self.cfg.adaptive, self.floor_db) {
            self.cfg.threshold_db.max(floor + FLOOR_MARGIN_DB)
        } else {
            self.cfg.threshold_db
        }
    }

    pub fn preroll_frames(&self) -> u64 {
        (self.cfg.preroll_ms as f64 / 1000.0 * self.rate) as u64
    }

    fn ms(&self, ms: f32) -> u64 {
        (ms as f64 / 1000.0 * self.rate).round() as u64
    }

    /// Frames of a stereo pair starting at engine sample `clock`; events
    /// in order.
    pub fn feed(&mut self, clock: u64, left: &[f32], right: &[f32], out: &mut Vec<GateEvent>) {
        for (i, (l, r)) in left.iter().zip(right).enumerate() {
            self.acc[0] += (*l as f64) * (*l as f64);
            self.acc[1] += (*r as f64) * (*r as f64);
            self.filled += 1;
            if self.filled == self.window {
                let end = clock + i as u64 + 1;
                self.window_done(end - self.window as u64, end, out);
            }
        }
    }

    /// A window `[start, end)` is measured.
    fn window_done(&mut self, start: u64, end: u64, out: &mut Vec<GateEvent>) {
        let ms = self.acc[0].max(self.acc[1]) / self.filled as f64;
        self.level_db = (10.0 * ms.max(1e-12).log10()) as f32;
        self.acc = [0.0; 2];
        self.filled = 0;
        let floor = *self.floor_db.get_or_insert(self.level_db);
        let loud = self.level_db >= self.threshold_db();
        if !self.open && !loud && self.cfg.adaptive {
            // Down fast, up slowly: the floor is what quiet sounds like.
            let k = if self.level_db < floor { 0.5 } else { 0.02 };
            self.floor_db = Some(floor + k * (self.level_db - floor));
        }
        // A run of windows that would change the state.
        let changing = loud != self.open;
        if !changing {
            self.run_start = None;
            return;
        }
        let since = *self.run_start.get_or_insert(start);
        if self.open {
            let at = since + self.ms(self.cfg.end_ms);
            if end >= at {
                self.open = false;
                self.run_start = None;
                out.push(GateEvent::Close {
                    quiet: since,
                    at: end,
                });
            }
        } else {
            let at = since + self.ms(self.cfg.start_ms);
            if end >= at {
                self.open = true;
                self.run_start = None;
                let from = since.saturating_sub(self.preroll_frames());
                out.push(GateEvent::Open {
                    onset: since,
                    at: end,
                    from,
                });
            }
        }
    }
}
