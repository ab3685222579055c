//! Transformed patterns: [`Expr`], a tree of Tidal's pattern functions
//! (`fast`, `every`, `jux`, `arp` ...) over mini-notation patterns, and its
//! query, which follows Tidal's model of events (a whole and the part of it
//! inside the queried span; only a part that starts at its whole sounds).
//!
//! Control thread only (queries allocate). Pure and deterministic: every
//! random choice is a hash of a seed fixed at parse time and of a time (the
//! cycle number or an event's onset), so a render never varies. Trees are
//! built by `expr/` and bounded there (depth, events per cycle).

mod arp;
mod ops;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use arp::ArpMode;

use super::frac::{Frac, Span};
use super::model::{unit_hash, Hit, Pattern};
use crate::kinds::Controls;

/// What an event carries while it is being transformed: like [`Hit`], but
/// the note may be fractional (after `range`, `mul`, signals) until it is
/// rounded at the end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Val {
    pub note: Option<f64>,
    pub velocity: f32,
    pub controls: Controls,
    pub shift: i8,
}

impl Val {
    fn from_hit(h: Hit) -> Val {
        Val {
            note: h.note.map(f64::from),
            velocity: h.velocity,
            controls: h.controls,
            shift: h.shift,
        }
    }

    fn to_hit(self) -> Hit {
        Hit {
            note: self.note.map(|n| {
                if n.is_finite() {
                    n.round().clamp(0.0, 127.0) as i32
                } else {
                    0
                }
            }),
            velocity: self.velocity.clamp(0.0, 1.0),
            controls: self.controls.sane(),
            shift: self.shift,
        }
    }
}

/// A fragment: `whole` is `None` for a continuous signal's sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ev {
    pub whole: Option<Span>,
    pub part: Span,
    pub value: Val,
}

impl Ev {
    fn map_time(self, f: impl Fn(Frac) -> Frac) -> Ev {
        Ev {
            whole: self.whole.map(|w| Span::new(f(w.begin), f(w.end))),
            part: Span::new(f(self.part.begin), f(self.part.end)),
            value: self.value,
        }
    }

    /// The onset of a digital event, or the part's start for a signal.
    fn onset(&self) -> Frac {
        self.whole.map_or(self.part.begin, |w| w.begin)
    }
}

/// Which cycles a per-cycle choice ([`Expr::When`]) transforms.
#[derive(Clone, Copy, Debug)]
pub(crate) enum CycleTest {
    /// `cycle mod n == k` (`every`, `firstOf`, `lastOf`).
    Mod(i64, i64),
    /// `cycle mod n >= k` (`whenmod`).
    ModAtLeast(i64, i64),
    /// A seeded coin per cycle, true with this probability (`someCyclesBy`).
    Chance(f64, u64),
}

impl CycleTest {
    fn test(self, c: i64) -> bool {
        match self {
            CycleTest::Mod(n, k) => c.rem_euclid(n) == k,
            CycleTest::ModAtLeast(n, k) => c.rem_euclid(n) >= k,
            CycleTest::Chance(p, seed) => unit_hash(seed, Frac::from_int(c)) < p,
        }
    }
}

/// A change to each event's value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ValueOp {
    Add(f64),
    Mul(f64),
    /// `lo + v * (hi - lo)`.
    Range(f64, f64),
    Pan(f32),
    /// Multiply the level (not the velocity, so timbre stays).
    Gain(f32),
    /// Set the level factor (Tidal's `# gain`).
    SetGain(f32),
    /// The piece `[lo, hi)` of the sample window.
    Window(f32, f32),
    /// Multiply the sample playback rate.
    Speed(f32),
    /// Play later by seconds.
    Nudge(f32),
    /// Set the velocity.
    Velocity(f32),
}

/// Continuous signals (values 0..1), sampled in the middle of the queried span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Signal {
    Sine,
    Cosine,
    Saw,
    Isaw,
    Tri,
    Square,
    Rand(u64),
    /// Whole numbers `0..n`.
    Irand(u32, u64),
}

/// How [`Expr::Slots`] picks which part of the cycle plays in each slot.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SlotPick {
    /// A random permutation per cycle (`shuffle`).
    Shuffle(u64),
    /// Any part, with replacement (`scramble`).
    Scramble(u64),
}

/// How [`Expr::AppLeft`] combines the value of an event of the left
/// (structure) pattern with the one of the right pattern under it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Keep {
    /// `struct`, `segment`: the right value in the left structure.
    Right,
    /// `mask`: the left event, cut to where the right has events.
    Left,
}

/// A transformed pattern. Time arguments are exact.
#[derive(Debug)]
pub(crate) enum Expr {
    Silence,
    /// Mini-notation.
    Base(Pattern),
    /// One event per cycle.
    Pure(Val),
    Signal(Signal),
    Stack(Vec<Arc<Expr>>),
    /// Tidal's `cat`: one item per cycle, each playing its own cycles in turn.
    Cat(Vec<Arc<Expr>>),
    /// Time runs `k` times faster, `k > 0`.
    Fast(Arc<Expr>, Frac),
    /// Later by `t` cycles (earlier when negative).
    Shift(Arc<Expr>, Frac),
    /// Each cycle backwards.
    Rev(Arc<Expr>),
    /// Per cycle: `then` where the test holds, else `child`.
    When {
        test: CycleTest,
        then: Arc<Expr>,
        child: Arc<Expr>,
    },
    /// Patterned arguments: `args[i]` are patterns of indexes (`radix[i]`
    /// values each); under each combination plays `options[mixed index]`.
    Switch {
        args: Vec<Arc<Expr>>,
        radix: Vec<usize>,
        options: Vec<Arc<Expr>>,
    },
    /// Drop events whose seeded coin is below `prob` (`keep_below`: keep
    /// only those, Tidal's `unDegradeBy`).
    Degrade {
        child: Arc<Expr>,
        prob: f64,
        seed: u64,
        keep_below: bool,
    },
    /// Each cycle squeezed into `[b, e)` of itself.
    Compress(Arc<Expr>, Frac, Frac),
    /// Each event split into `n` (`ply`, `chop`).
    /// Each event repeated n times in its span; `true`: each repeat plays
    /// its own piece of the sample (chop).
    Ply(Arc<Expr>, u32, bool),
    /// The first `f` of each cycle repeated (the last `-f` when negative).
    Linger(Arc<Expr>, Frac),
    /// Structure from `left`, values per [`Keep`].
    AppLeft {
        left: Arc<Expr>,
        right: Arc<Expr>,
        keep: Keep,
    },
    /// Shift values `n` events along within each cycle.
    Rot(Arc<Expr>, i64),
    /// The cycle cut in `n` parts, rearranged.
    Slots {
        child: Arc<Expr>,
        n: u32,
        pick: SlotPick,
    },
    /// Events whose onset's position in its cycle is (or, `inside` false,
    /// is not) within `[b, e)`.
    Within {
        child: Arc<Expr>,
        b: Frac,
        e: Frac,
        inside: bool,
    },
    Arp(Arc<Expr>, ArpMode),
    /// Each event moved to the last `1 - r` of its own span.
    Press(Arc<Expr>, Frac),
    Map(Arc<Expr>, ValueOp),
}

/// The pieces of `span` in each cycle, in order.
pub(crate) fn cycle_pieces(span: Span) -> Vec<(i64, Span)> {
    let mut out = Vec::new();
    let mut c = span.begin.floor();
    loop {
        let cb = Frac::from_int(c);
        if cb >= span.end {
            break;
        }
        let ce = cb + Frac::ONE;
        out.push((c, Span::new(span.begin.max(cb), span.end.min(ce))));
        if c == i64::MAX || out.len() > 1 << 16 {
            break;
        }
        c += 1;
    }
    out
}

/// `a ∩ b` when it is not empty.
pub(crate) fn sect(a: Span, b: Span) -> Option<Span> {
    let s = Span::new(a.begin.max(b.begin), a.end.min(b.end));
    (s.begin < s.end).then_some(s)
}

impl Expr {
    /// Every fragment overlapping `span`, parts within `span`.
    pub(crate) fn query(&self, span: Span) -> Vec<super::model::Frag> {
        self.q(span)
            .into_iter()
            .filter_map(|e| {
                Some(super::model::Frag {
                    whole: e.whole?,
                    part: e.part,
                    value: e.value.to_hit(),
                })
            })
            .collect()
    }

    pub(crate) fn q(&self, span: Span) -> Vec<Ev> {
        if span.begin >= span.end {
            return Vec::new();
        }
        match self {
            Expr::Silence => Vec::new(),
            Expr::Base(p) => p
                .query_frags(span)
                .into_iter()
                .map(|f| Ev {
                    whole: Some(f.whole),
                    part: f.part,
                    value: Val::from_hit(f.value),
                })
                .collect(),
            Expr::Pure(v) => cycle_pieces(span)
                .into_iter()
                .map(|(_, part)| Ev {
                    whole: Some(Span::cycle(part.begin.floor())),
                    part,
                    value: *v,
                })
                .collect(),
            Expr::Signal(s) => vec![Ev {
                whole: None,
                part: span,
                value: Val {
                    note: Some(s.at(span)),
                    velocity: 0.8,
                    controls: Controls::NONE,
                    shift: 0,
                },
            }],
            Expr::Stack(items) => items.iter().flat_map(|i| i.q(span)).collect(),
            Expr::Cat(items) => ops::cat(items, span),
            Expr::Fast(child, k) => {
                let k = *k;
                child
                    .q(Span::new(span.begin * k, span.end * k))
                    .into_iter()
                    .map(|e| e.map_time(|t| t / k))
                    .collect()
            }
            Expr::Shift(child, t) => {
                let t = *t;
                child
                    .q(Span::new(span.begin - t, span.end - t))
                    .into_iter()
                    .map(|e| e.map_time(|x| x + t))
                    .collect()
            }
            Expr::Rev(child) => ops::rev(child, span),
            Expr::When { test, then, child } => cycle_pieces(span)
                .into_iter()
                .flat_map(|(c, piece)| {
                    if test.test(c) {
                        then.q(piece)
                    } else {
                        child.q(piece)
                    }
                })
                .collect(),
            Expr::Switch {
                args,
                radix,
                options,
            } => ops::switch(args, radix, options, span),
            Expr::Degrade {
                child,
                prob,
                seed,
                keep_below,
            } => child
                .q(span)
                .into_iter()
                .filter(|e| (unit_hash(*seed, e.onset()) < *prob) == *keep_below)
                .collect(),
            Expr::Compress(child, b, e) => ops::compress(child, *b, *e, span),
            Expr::Ply(child, n, chop) => ops::ply(child, *n, *chop, span),
            Expr::Linger(child, f) => ops::linger(child, *f, span),
            Expr::AppLeft { left, right, keep } => ops::app_left(left, right, *keep, span),
            Expr::Rot(child, n) => ops::rot(child, *n, span),
            Expr::Slots { child, n, pick } => ops::slots(child, *n, *pick, span),
            Expr::Within {
                child,
                b,
                e,
                inside,
            } => child
                .q(span)
                .into_iter()
                .filter(|ev| {
                    let t = ev.onset();
                    let pos = t - Frac::from_int(t.floor());
                    (pos >= *b && pos < *e) == *inside
                })
                .collect(),
            Expr::Arp(child, mode) => arp::arp(child, *mode, span),
            Expr::Press(child, r) => ops::press(child, *r, span),
            Expr::Map(child, op) => child
                .q(span)
                .into_iter()
                .map(|mut e| {
                    e.value = op.apply(e.value);
                    e
                })
                .collect(),
        }
    }

    /// An over-estimate of the onsets one cycle holds.
    pub(crate) fn bound(&self) -> f64 {
        self.bound_in(&mut HashMap::new())
    }

    /// [`Expr::bound`], each shared sub-expression counted once: `every`,
    /// `off` and `superimpose` hold their child twice, so a walk without
    /// the memo doubles with each level (a pattern of forty nested
    /// `every`s took hours to check).
    fn bound_in(&self, memo: &mut HashMap<*const Expr, f64>) -> f64 {
        let mut b = |e: &Arc<Expr>| {
            let key = Arc::as_ptr(e);
            if let Some(v) = memo.get(&key) {
                return *v;
            }
            let v = e.bound_in(memo);
            memo.insert(key, v);
            v
        };
        match self {
            Expr::Silence => 0.0,
            Expr::Base(p) => p.bound(),
            Expr::Pure(_) | Expr::Signal(_) => 1.0,
            Expr::Stack(items) => items.iter().map(b).sum(),
            Expr::Cat(items) => items.iter().map(b).fold(0.0, f64::max),
            Expr::Fast(c, k) => k.to_f64().ceil().max(1.0) * b(c),
            Expr::Shift(c, _)
            | Expr::Rev(c)
            | Expr::Degrade { child: c, .. }
            | Expr::Compress(c, _, _)
            | Expr::Rot(c, _)
            | Expr::Within { child: c, .. }
            | Expr::Press(c, _)
            | Expr::Map(c, _) => b(c),
            Expr::Slots { child, n, .. } => b(child) + *n as f64,
            Expr::When { then, child, .. } => {
                let t = b(then);
                t.max(b(child))
            }
            Expr::Switch { options, .. } => options.iter().map(b).fold(0.0, f64::max),
            Expr::Ply(c, n, _) => *n as f64 * b(c),
            Expr::Linger(c, f) => (1.0 / f.to_f64().abs()).ceil() * b(c),
            Expr::AppLeft { left, right, keep } => match keep {
                Keep::Right => {
                    let l = b(left);
                    l + b(right)
                }
                Keep::Left => b(left),
            },
            Expr::Arp(c, _) => 2.0 * b(c),
        }
    }
}

impl ValueOp {
    fn apply(self, mut v: Val) -> Val {
        let note = |v: &mut Val, f: &dyn Fn(f64) -> f64| v.note = v.note.map(f);
        match self {
            ValueOp::Add(x) => note(&mut v, &|n| n + x),
            ValueOp::Mul(x) => note(&mut v, &|n| n * x),
            ValueOp::Range(lo, hi) => note(&mut v, &|n| lo + n * (hi - lo)),
            ValueOp::Pan(p) => v.controls.pan = Some(p),
            ValueOp::Gain(g) => v.controls.gain *= g,
            ValueOp::SetGain(g) => v.controls.gain = g,
            ValueOp::Window(lo, hi) => v.controls = v.controls.window(lo, hi),
            ValueOp::Speed(x) => v.controls.speed *= x,
            ValueOp::Nudge(s) => v.controls.nudge += s,
            ValueOp::Velocity(x) => v.velocity = x,
        }
        v
    }
}

impl Signal {
    fn at(self, span: Span) -> f64 {
        let mid = (span.begin + span.end) / Frac::from_int(2);
        let t = mid.to_f64();
        let pos = (mid - Frac::from_int(mid.floor())).to_f64();
        match self {
            Signal::Sine => ((std::f64::consts::TAU * t).sin() + 1.0) / 2.0,
            Signal::Cosine => ((std::f64::consts::TAU * (t - 0.25)).sin() + 1.0) / 2.0,
            Signal::Saw => pos,
            Signal::Isaw => 1.0 - pos,
            Signal::Tri => {
                if pos < 0.5 {
                    pos * 2.0
                } else {
                    2.0 - pos * 2.0
                }
            }
            Signal::Square => {
                if pos < 0.5 {
                    0.0
                } else {
                    1.0
                }
            }
            Signal::Rand(seed) => unit_hash(seed, mid),
            Signal::Irand(n, seed) => (unit_hash(seed, mid) * n as f64).floor(),
        }
    }
}
