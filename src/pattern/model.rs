//! The pattern model: [`Pattern`] as a tree of time transformations, and
//! [`Pattern::query`], which turns a span of cycles into note events.
//!
//! Control thread only; never used on the audio thread (queries allocate).
//! Parsing lives in `parse.rs`; this file knows nothing about syntax.

use std::sync::Arc;

use super::frac::{Frac, Span};
use super::transform::Expr;
use crate::kinds::Controls;

/// Most events one query returns; anything beyond is dropped. A guard
/// against patterns like `c3*1000*1000`, not a musical limit.
pub const MAX_EVENTS: usize = 100_000;

/// Most tree nodes one query visits before it gives up, so that a query
/// over a huge span (or of a huge subdivision) always finishes quickly.
const MAX_VISITS: usize = 2_000_000;

/// What sounds at an onset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// MIDI note number; `None` means the instrument's default pitch (drum steps).
    pub note: Option<i32>,
    /// 0.0..=1.0.
    pub velocity: f32,
    /// What the pattern functions ask of this note beyond pitch and
    /// velocity (`jux`'s pan, `stut`'s gain, `chop`'s piece of a sample...).
    pub controls: Controls,
    /// Semitones added after a scale degree becomes a note (`2#` in a
    /// `Degrees` pattern); 0 elsewhere.
    pub shift: i8,
}

impl Hit {
    pub(crate) const fn new(note: Option<i32>, velocity: f32) -> Hit {
        Hit {
            note,
            velocity,
            controls: Controls::NONE,
            shift: 0,
        }
    }
}

/// An event fragment as the transformations see it (Tidal's model): `whole`
/// is the event, `part` the piece of it inside the queried span. Only a
/// fragment whose part starts at its whole's onset sounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Frag {
    pub whole: Span,
    pub part: Span,
    pub value: Hit,
}

/// One note: `whole.begin` is its onset, `whole.end` its nominal end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    pub whole: Span,
    pub value: Hit,
}

/// A node of the pattern tree. Every node is a function from cycles to
/// events; in its own time an atom plays once per cycle, `[0,1)`, `[1,2)`...
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Silence,
    Atom(Hit),
    /// Children side by side within each cycle; `(child, begin, end)` with
    /// `0 <= begin < end <= 1`, sorted, non-overlapping. Each child plays its
    /// own cycle `c` squeezed into its slot of cycle `c`.
    Seq(Vec<(Arc<Node>, Frac, Frac)>),
    /// Children at the same time (chords, polyrhythms).
    Stack(Vec<Arc<Node>>),
    /// One child per cycle; `(child, cycles)` plays that child for that many
    /// consecutive cycles. `total` is the sum of the cycle counts.
    Alt {
        items: Vec<(Arc<Node>, i64)>,
        total: i64,
    },
    /// Child time runs `factor` times faster (`factor > 0`).
    Fast(Arc<Node>, Frac),
    /// Drop each event with probability `prob`, decided by a hash of `seed`
    /// and the event's onset in pattern time, so the same pattern always
    /// plays the same way.
    Degrade {
        child: Arc<Node>,
        prob: f64,
        seed: u64,
    },
    /// Patterned arguments (`c3*<2 3>`): each `args` pattern's events carry
    /// an index (in `note`) into its list of values; the piece of time under
    /// each combination of values plays `options[mixed-radix index]`
    /// (Tidal's inner join). `radix[i]` is how many values `args[i]` has.
    Switch {
        args: Vec<Arc<Node>>,
        radix: Vec<usize>,
        options: Vec<Arc<Node>>,
    },
    /// `a | b | c`: one option per cycle, picked by a hash of `seed` and
    /// the cycle number.
    Choose {
        options: Vec<Arc<Node>>,
        seed: u64,
    },
}

/// A parsed pattern: cheap to clone (the tree is shared), owns no borrowed
/// text, and can be queried from any thread.
#[derive(Clone, Debug)]
pub struct Pattern {
    root: Arc<Node>,
    steps: Frac,
    /// Transformations (`fast 2 $ ...`) over `root`, when the source has any.
    expr: Option<Arc<Expr>>,
}

impl Pattern {
    pub(crate) fn from_arc(root: Arc<Node>, steps: Frac) -> Pattern {
        Pattern {
            root,
            steps,
            expr: None,
        }
    }

    /// A transformed pattern; `steps` is the step count of the
    /// mini-notation it transforms (transformations keep the cycle length).
    pub(crate) fn from_expr(expr: Arc<Expr>, steps: Frac) -> Pattern {
        Pattern {
            root: Arc::new(Node::Silence),
            steps,
            expr: Some(expr),
        }
    }

    /// Every fragment overlapping `span` (Tidal's query), parts clipped to
    /// `span`. At most [`MAX_EVENTS`]; not sorted.
    pub(crate) fn query_frags(&self, span: Span) -> Vec<Frag> {
        if let Some(expr) = &self.expr {
            return expr.query(span);
        }
        let mut q = Query {
            out: Vec::new(),
            visits: 0,
            overlap: true,
        };
        if span.begin < span.end {
            q.node(&self.root, span.begin, span.end, &Map::IDENTITY);
        }
        q.out.truncate(MAX_EVENTS);
        q.out
    }

    /// A pattern with no events and no steps.
    pub fn silence() -> Pattern {
        Pattern::from_arc(Arc::new(Node::Silence), Frac::ZERO)
    }

    /// How many steps one cycle of this pattern lasts: the number of
    /// top-level elements, counting `@n` / `_` lengths. Zero for an empty
    /// pattern.
    pub fn steps(&self) -> Frac {
        self.steps
    }

    /// Every event whose onset lies in `[span.begin, span.end)`, sorted by
    /// onset (ties keep source order). At most [`MAX_EVENTS`] are returned.
    pub fn query(&self, span: Span) -> Vec<Event> {
        let mut out: Vec<Event> = if let Some(expr) = &self.expr {
            if span.begin >= span.end {
                return Vec::new();
            }
            expr.query(span)
                .into_iter()
                .filter(|f| f.part.begin == f.whole.begin)
                .map(|f| Event {
                    whole: f.whole,
                    value: f.value,
                })
                .collect()
        } else {
            let mut q = Query {
                out: Vec::new(),
                visits: 0,
                overlap: false,
            };
            if span.begin < span.end {
                q.node(&self.root, span.begin, span.end, &Map::IDENTITY);
            }
            q.out
                .into_iter()
                .map(|f| Event {
                    whole: f.whole,
                    value: f.value,
                })
                .collect()
        };
        // Stable: equal onsets stay in the order the tree produced them,
        // which is source order.
        out.sort_by_key(|e| e.whole.begin);
        out.truncate(MAX_EVENTS);
        out
    }

    /// An upper bound on the onsets one cycle can hold, used to refuse
    /// transformed patterns that would flood a cycle.
    pub(crate) fn bound(&self) -> f64 {
        match &self.expr {
            Some(e) => e.bound(),
            None => node_bound(&self.root, 0),
        }
    }
}

/// Most onsets per cycle `node` can produce (an over-estimate).
pub(crate) fn node_bound(node: &Node, depth: usize) -> f64 {
    if depth > 400 {
        return f64::INFINITY;
    }
    let d = depth + 1;
    match node {
        Node::Silence => 0.0,
        Node::Atom(_) => 1.0,
        Node::Seq(ch) => ch.iter().map(|(c, _, _)| node_bound(c, d)).sum(),
        Node::Stack(ch) => ch.iter().map(|c| node_bound(c, d)).sum(),
        Node::Alt { items, .. } => items
            .iter()
            .map(|(c, _)| node_bound(c, d))
            .fold(0.0, f64::max),
        Node::Fast(c, k) => k.to_f64().ceil().max(1.0) * node_bound(c, d),
        Node::Degrade { child, .. } => node_bound(child, d),
        Node::Switch { options, .. } | Node::Choose { options, .. } => {
            options.iter().map(|c| node_bound(c, d)).fold(0.0, f64::max)
        }
    }
}

/// Affine time map from a node's local time to pattern time: `t * scale + offset`.
#[derive(Clone, Copy)]
struct Map {
    scale: Frac,
    offset: Frac,
}

impl Map {
    const IDENTITY: Map = Map {
        scale: Frac::ONE,
        offset: Frac::ZERO,
    };

    fn apply(&self, t: Frac) -> Frac {
        t * self.scale + self.offset
    }

    /// `self` after `inner`: first map by `inner`, then by `self`.
    fn then(&self, inner: Map) -> Map {
        Map {
            scale: inner.scale * self.scale,
            offset: self.apply(inner.offset),
        }
    }
}

struct Query {
    out: Vec<Frag>,
    visits: usize,
    /// Tidal's query (every event overlapping the span, with its part)
    /// rather than onsets only.
    overlap: bool,
}

impl Query {
    fn exhausted(&mut self) -> bool {
        self.visits += 1;
        self.visits > MAX_VISITS || self.out.len() >= MAX_EVENTS
    }

    /// Emit the events of `node` with local onsets in `[b, e)`, mapped to
    /// pattern time by `map`. Recursion depth is bounded by the tree depth,
    /// which the parser caps.
    fn node(&mut self, node: &Node, b: Frac, e: Frac, map: &Map) {
        if self.exhausted() {
            return;
        }
        match node {
            Node::Silence => {}
            Node::Atom(hit) => {
                let mut c = if self.overlap { b.floor() } else { b.ceil() };
                while Frac::from_int(c) < e && !self.exhausted() {
                    let on = Frac::from_int(c);
                    let whole = Span::new(map.apply(on), map.apply(on + Frac::ONE));
                    let part = if self.overlap {
                        Span::new(map.apply(on.max(b)), map.apply((on + Frac::ONE).min(e)))
                    } else {
                        whole
                    };
                    self.out.push(Frag {
                        whole,
                        part,
                        value: *hit,
                    });
                    c = c.saturating_add(1);
                }
            }
            Node::Seq(children) => {
                let mut c = b.floor();
                while Frac::from_int(c) < e {
                    let cf = Frac::from_int(c);
                    let lb = (b - cf).max(Frac::ZERO);
                    let le = (e - cf).min(Frac::ONE);
                    let first = children.partition_point(|(_, _, end)| *end <= lb);
                    for (child, sb, se) in &children[first..] {
                        if *sb >= le || self.exhausted() {
                            break;
                        }
                        if matches!(**child, Node::Silence) {
                            continue;
                        }
                        let width = *se - *sb;
                        // Local slot time u in [sb, se) of cycle c is child time
                        // c + (u - sb) / width.
                        let to_child = |u: Frac| cf + (u - *sb) / width;
                        let inner = Map {
                            scale: width,
                            offset: cf + *sb - cf * width,
                        };
                        let (qb, qe) = (to_child(lb.max(*sb)), to_child(le.min(*se)));
                        self.node(child, qb, qe, &map.then(inner));
                    }
                    if c == i64::MAX || self.exhausted() {
                        break;
                    }
                    c += 1;
                }
            }
            Node::Stack(children) => {
                for child in children {
                    self.node(child, b, e, map);
                }
            }
            Node::Alt { items, total } => {
                let mut c = b.floor();
                while Frac::from_int(c) < e {
                    let k = c.rem_euclid(*total);
                    let rep = c.div_euclid(*total);
                    let mut start = 0;
                    for (child, len) in items {
                        if k < start + len {
                            // The child plays its own consecutive cycles, so
                            // `<a <b c>>` gives a b a c.
                            let child_cycle = rep.saturating_mul(*len).saturating_add(k - start);
                            let shift = Frac::from_int(c) - Frac::from_int(child_cycle);
                            let cb = b.max(Frac::from_int(c)) - shift;
                            let ce = e.min(Frac::from_int(c) + Frac::ONE) - shift;
                            let inner = Map {
                                scale: Frac::ONE,
                                offset: shift,
                            };
                            self.node(child, cb, ce, &map.then(inner));
                            break;
                        }
                        start += len;
                    }
                    if c == i64::MAX || self.exhausted() {
                        break;
                    }
                    c += 1;
                }
            }
            Node::Fast(child, factor) => {
                let inner = Map {
                    scale: Frac::ONE / *factor,
                    offset: Frac::ZERO,
                };
                self.node(child, b * *factor, e * *factor, &map.then(inner));
            }
            Node::Degrade { child, prob, seed } => {
                let from = self.out.len();
                self.node(child, b, e, map);
                // The coin is tossed on the onset in pattern time, so each
                // position of each cycle gets its own (repeatable) decision.
                let mut kept = from;
                for i in from..self.out.len() {
                    let ev = self.out[i];
                    if unit_hash(*seed, ev.whole.begin) >= *prob {
                        self.out[kept] = ev;
                        kept += 1;
                    }
                }
                self.out.truncate(kept);
            }
            Node::Switch {
                args,
                radix,
                options,
            } => self.switch(args, radix, options, b, e, map),
            Node::Choose { options, seed } => {
                let mut c = b.floor();
                while Frac::from_int(c) < e && !options.is_empty() {
                    let cf = Frac::from_int(c);
                    let pick = unit_hash(*seed, cf) * options.len() as f64;
                    let child = &options[(pick as usize).min(options.len() - 1)];
                    self.node(child, b.max(cf), e.min(cf + Frac::ONE), map);
                    if c == i64::MAX || self.exhausted() {
                        break;
                    }
                    c += 1;
                }
            }
        }
    }

    /// The inner join of [`Node::Switch`]: cut `[b, e)` into the pieces
    /// under each combination of argument values, and query each piece.
    fn switch(
        &mut self,
        args: &[Arc<Node>],
        radix: &[usize],
        options: &[Arc<Node>],
        b: Frac,
        e: Frac,
        map: &Map,
    ) {
        let mut pieces = vec![(b, e, 0usize)];
        for (arg, &r) in args.iter().zip(radix) {
            let mut next = Vec::new();
            for &(pb, pe, index) in &pieces {
                let mut sub = Query {
                    out: Vec::new(),
                    visits: self.visits,
                    overlap: true,
                };
                sub.node(arg, pb, pe, &Map::IDENTITY);
                self.visits = sub.visits;
                for f in sub.out {
                    let v = f.value.note.unwrap_or(0).max(0) as usize;
                    next.push((f.part.begin, f.part.end, index * r + v.min(r - 1)));
                }
            }
            pieces = next;
        }
        for (pb, pe, index) in pieces {
            if let Some(option) = options.get(index) {
                if pb < pe {
                    self.node(option, pb, pe, map);
                }
            }
        }
    }
}

/// A deterministic pseudo-random number in `[0, 1)` from a seed and a time.
pub(crate) fn unit_hash(seed: u64, t: Frac) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= (t.numer() as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = x.rotate_left(29) ^ (t.denom() as u64).wrapping_mul(0x94D0_49BB_1331_11EB);
    // splitmix64 finaliser.
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The `index`-th combination of patterned arguments, one digit per
/// argument (the last argument varies fastest): how a patterned call or a
/// patterned euclid is expanded into its fixed versions.
pub(crate) fn combination(index: usize, radix: &[usize]) -> Vec<usize> {
    let mut digits = vec![0usize; radix.len()];
    let mut rest = index;
    for (d, r) in digits.iter_mut().zip(radix).rev() {
        *d = rest % (*r).max(1);
        rest /= (*r).max(1);
    }
    digits
}
