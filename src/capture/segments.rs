//! A gated take's segments: a pair of the input's channels (1 and 2
//! unless `channels=` says otherwise) written to
//! `gate-NN.wav` only while the gate ([`super::gate`]) is open, each from
//! its pre-roll, and `gates.txt` listing where each lies in engine samples.
//!
//! The disk thread's: it may block on the disk, never touches the audio
//! thread. The last few hundred milliseconds of input stay in memory for
//! the pre-roll.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::disk::Status;
use super::gate::{Gate, GateConfig, GateEvent};
use crate::audio::wav::{StereoWav, WavFormat};

pub struct Segments {
    dir: PathBuf,
    rate: u32,
    gate: Gate,
    /// Recent input frames and the engine sample of the first.
    recent: VecDeque<[f32; 2]>,
    recent_at: u64,
    keep: usize,
    open: Option<(StereoWav, u64)>,
    /// Next engine sample the open segment writes.
    next: u64,
    /// Each segment's first and end sample.
    done: Vec<(u64, u64)>,
    events: Vec<GateEvent>,
}

impl Segments {
    pub fn new(dir: PathBuf, rate: u32, cfg: GateConfig) -> Segments {
        let gate = Gate::new(cfg, rate as f64);
        let keep = gate.preroll_frames() as usize + rate as usize / 10;
        Segments {
            dir,
            rate,
            gate,
            recent: VecDeque::with_capacity(keep + 8192),
            recent_at: 0,
            keep,
            open: None,
            next: 0,
            done: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The input's frames (interleaved pair) from engine sample `clock`.
    pub fn feed(&mut self, clock: u64, frames: &[f32], status: &Status) -> hound::Result<()> {
        if self.recent.is_empty() {
            self.recent_at = clock;
        }
        let (l, r): (Vec<f32>, Vec<f32>) = frames.chunks_exact(2).map(|f| (f[0], f[1])).unzip();
        self.recent.extend(l.iter().zip(&r).map(|(a, b)| [*a, *b]));
        let end = clock + l.len() as u64;
        self.events.clear();
        self.gate.feed(clock, &l, &r, &mut self.events);
        for i in 0..self.events.len() {
            match self.events[i] {
                GateEvent::Open { from, .. } => {
                    let n = self.done.len() + 1;
                    let path = self.dir.join(format!("gate-{n:02}.wav"));
                    let wav = StereoWav::create(&path, self.rate, WavFormat::Float32)?;
                    let from = from.max(self.recent_at);
                    self.open = Some((wav, from));
                    self.next = from;
                    status.gate_open.store(true, Ordering::Relaxed);
                }
                GateEvent::Close { at, .. } => {
                    self.write_to(at)?;
                    self.close()?;
                    status.gate_open.store(false, Ordering::Relaxed);
                }
            }
        }
        self.write_to(end)?;
        status
            .gate_level
            .store(self.gate.level_db.to_bits(), Ordering::Relaxed);
        while self.recent.len() > self.keep {
            self.recent.pop_front();
            self.recent_at += 1;
        }
        status
            .gate_segments
            .store(self.done.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Write the open segment up to (not including) engine sample `until`.
    fn write_to(&mut self, until: u64) -> hound::Result<()> {
        let Some((wav, _)) = self.open.as_mut() else {
            return Ok(());
        };
        while self.next < until {
            let i = (self.next - self.recent_at) as usize;
            let Some([l, r]) = self.recent.get(i).copied() else {
                break;
            };
            wav.frame(l, r)?;
            self.next += 1;
        }
        Ok(())
    }

    fn close(&mut self) -> hound::Result<()> {
        if let Some((wav, from)) = self.open.take() {
            wav.finalize()?;
            self.done.push((from, self.next));
        }
        Ok(())
    }

    /// The take ended: close the open segment and write `gates.txt`.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.close().map_err(std::io::Error::other)?;
        let mut f = std::fs::File::create(self.dir.join("gates.txt"))?;
        writeln!(
            f,
            "# segment  first-sample  end-sample  (engine samples at {} Hz)",
            self.rate
        )?;
        for (i, (a, b)) in self.done.iter().enumerate() {
            writeln!(f, "gate-{:02}.wav {a} {b}", i + 1)?;
        }
        Ok(())
    }
}
