//! The Looper instrument: records N bars of a live input channel (or pair)
//! and plays them back in a loop, in time, with overdub and undo, as a
//! hardware looper does.
//!
//! [`Looper::new`] runs on the control thread and allocates the whole
//! buffer (6 s a bar), so the audio thread never allocates. Everything else runs on the audio thread. The commands
//! arrive on the bar line (the session sends them for the next bar), so a
//! loop starts on a bar and, being whole bars long, wraps on one.
//!
//! Undo keeps one layer: while overdubbing, each sample's value before the
//! overdub is kept in a second buffer, and undo swaps the two back for the
//! part overdubbed.

use super::{sane_values, Instrument};
use crate::engine::dsp::{db_to_gain, Smoother};
use crate::engine::input::InputFrames;
use crate::kinds::instrument::LOOPER_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

const P_BARS: usize = 0;
const P_CHANNEL: usize = 1;
const P_STEREO: usize = 2;
const P_MONITOR: usize = 3;
const P_LEVEL: usize = 4;

/// Seconds of buffer per bar: a 4/4 bar down to 40 BPM, a 6/8 bar down to
/// 60. A longer loop is cut at the buffer's end (and then wraps early).
const SECONDS_PER_BAR: f64 = 6.0;

/// What a `looper` action asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopCmd {
    /// Record `bars` from here, then play them.
    Record,
    /// Add the input to the loop as it plays.
    Overdub,
    /// Stop recording or overdubbing; play the loop.
    Play,
    /// Take the last overdub back.
    Undo,
    /// Empty the loop.
    Clear,
    /// The one footswitch: record when empty, overdub once a recording
    /// closes, and from then on switch between overdub and play.
    Press,
}

impl LoopCmd {
    pub const NAMES: &'static [&'static str] = crate::kinds::instrument::LOOPER_COMMANDS;

    pub fn from_index(i: u8) -> Option<LoopCmd> {
        [
            LoopCmd::Record,
            LoopCmd::Overdub,
            LoopCmd::Play,
            LoopCmd::Undo,
            LoopCmd::Clear,
            LoopCmd::Press,
        ]
        .get(i as usize)
        .copied()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Empty,
    Recording,
    Playing,
    Overdubbing,
}

pub struct Looper {
    values: [f32; 5],
    /// Interleaved stereo.
    buf: Box<[f32]>,
    undo: Box<[f32]>,
    /// The loop's length in frames (0: none yet) and the play position.
    len: usize,
    pos: usize,
    state: State,
    /// What a recording turns into when its loop closes.
    after_record: State,
    /// The part of the loop the last overdub touched, for undo: where it
    /// began and how many frames (at most the loop).
    touched: (usize, usize),
    monitor: Smoother,
    level: Smoother,
}

impl Looper {
    /// Control thread.
    pub fn new(values: &[f32], rate: f32) -> Self {
        let values: [f32; 5] = sane_values(PARAMS, values);
        let bars = values[P_BARS].round().max(1.0) as f64;
        let frames = (bars * SECONDS_PER_BAR * rate as f64) as usize;
        let mut s = Self {
            values,
            buf: vec![0.0; 2 * frames].into_boxed_slice(),
            undo: vec![0.0; 2 * frames].into_boxed_slice(),
            len: 0,
            pos: 0,
            state: State::Empty,
            after_record: State::Playing,
            touched: (0, 0),
            monitor: Smoother::new(0.0, 0.005, rate),
            level: Smoother::new(0.0, 0.005, rate),
        };
        s.retarget();
        s.monitor.value = s.monitor.target;
        s.level.value = s.level.target;
        s
    }

    fn retarget(&mut self) {
        let on = if self.values[P_MONITOR] >= 0.5 {
            1.0
        } else {
            0.0
        };
        self.monitor.set(on);
        self.level.set(db_to_gain(self.values[P_LEVEL]));
    }

    fn capacity(&self) -> usize {
        self.buf.len() / 2
    }

    /// Audio thread: a looper command, on the bar it was sent for;
    /// `bar` is the length of a bar in frames now.
    pub fn command(&mut self, cmd: LoopCmd, bar: f64) {
        match cmd {
            LoopCmd::Record => {
                let bars = self.values[P_BARS].round().max(1.0) as f64;
                self.len = ((bars * bar).round() as usize).clamp(1, self.capacity().max(1));
                self.buf.fill(0.0);
                self.pos = 0;
                self.touched = (0, 0);
                self.state = State::Recording;
                self.after_record = State::Playing;
            }
            LoopCmd::Overdub if self.len > 0 => {
                self.touched = (self.pos, 0);
                self.state = State::Overdubbing;
            }
            LoopCmd::Play if self.len > 0 => self.state = State::Playing,
            LoopCmd::Undo => self.undo_layer(),
            LoopCmd::Clear => {
                self.state = State::Empty;
                self.len = 0;
            }
            LoopCmd::Overdub | LoopCmd::Play => {}
            LoopCmd::Press => match self.state {
                State::Empty => self.command(LoopCmd::Record, bar),
                State::Recording => self.after_record = State::Overdubbing,
                State::Playing => self.command(LoopCmd::Overdub, bar),
                State::Overdubbing => self.state = State::Playing,
            },
        }
    }

    fn undo_layer(&mut self) {
        let (from, count) = self.touched;
        // The touched span, wrapping at the loop's end.
        for k in 0..count {
            let i = (from + k) % self.len.max(1);
            for c in 0..2 {
                if let (Some(x), Some(u)) = (self.buf.get_mut(2 * i + c), self.undo.get(2 * i + c))
                {
                    *x = *u;
                }
            }
        }
        self.touched = (0, 0);
        if self.state == State::Overdubbing {
            self.state = State::Playing;
        }
    }
}

impl Instrument for Looper {
    fn note_on_with(&mut self, _: f32, _: f32, _: &Controls) {}
    fn note_off(&mut self, _: f32) {}
    fn all_notes_off(&mut self) {}

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn apply_param(&mut self, index: usize, value: f32) {
        if let Some(v) = self.values.get_mut(index) {
            *v = value;
        }
        self.retarget();
    }

    fn render(&mut self, _: &mut [f32], _: &mut [f32]) {}

    fn render_input(&mut self, input: &InputFrames, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let (a, b) = input.pair(self.values[P_CHANNEL], self.values[P_STEREO] >= 0.5, n);
        let frames = left.iter_mut().zip(right.iter_mut()).zip(a.iter().zip(b));
        for ((l, r), (x, y)) in frames {
            let (m, g) = (self.monitor.next(), self.level.next());
            let (mut ol, mut or) = (x * m, y * m);
            if self.state != State::Empty && self.len > 0 {
                let i = 2 * self.pos;
                if let (Some(bl), Some(br)) =
                    (self.buf.get(i).copied(), self.buf.get(i + 1).copied())
                {
                    let (nl, nr) = match self.state {
                        State::Recording => (*x, *y),
                        State::Overdubbing => {
                            if let Some(u) = self.undo.get_mut(i) {
                                *u = bl;
                            }
                            if let Some(u) = self.undo.get_mut(i + 1) {
                                *u = br;
                            }
                            (bl + x, br + y)
                        }
                        _ => (bl, br),
                    };
                    if self.state != State::Recording {
                        ol += bl;
                        or += br;
                    }
                    if let Some(v) = self.buf.get_mut(i) {
                        *v = nl;
                    }
                    if let Some(v) = self.buf.get_mut(i + 1) {
                        *v = nr;
                    }
                }
                if self.state == State::Overdubbing {
                    self.touched.1 = (self.touched.1 + 1).min(self.len);
                }
                self.pos += 1;
                if self.pos >= self.len {
                    self.pos = 0;
                    if self.state == State::Recording {
                        self.state = self.after_record;
                        self.touched = (0, 0);
                    }
                }
            }
            *l += ol * g;
            *r += or * g;
        }
    }

    fn active_voices(&self) -> usize {
        usize::from(self.state != State::Empty)
    }

    fn looper(&mut self, cmd: LoopCmd, bar: f64) {
        self.command(cmd, bar);
    }
}
