//! The pattern model: [`Pattern`] as a tree of time transformations, and
//! [`Pattern::query`], which turns a span of cycles into note events.
//!
//! Control thread only; never used on the audio thread (queries allocate).
//! Parsing lives in `parse.rs`; this file knows nothing about syntax.

use std::sync::Arc;

use super::frac::{Frac, Span};

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
}

/// A parsed pattern: cheap to clone (the tree is shared), owns no borrowed
/// text, and can be queried from any thread.
#[derive(Clone, Debug)]
pub struct Pattern {
    root: Arc<Node>,
    steps: Frac,
}

impl Pattern {
    pub(crate) fn from_arc(root: Arc<Node>, steps: Frac) -> Pattern {
        Pattern { root, steps }
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
        let mut q = Query {
            out: Vec::new(),
            visits: 0,
        };
        if span.begin < span.end {
            q.node(&self.root, span.begin, span.end, &Map::IDENTITY);
        }
        // Stable: equal onsets stay in the order the tree produced them,
        // which is source order.
        q.out.sort_by_key(|e| e.whole.begin);
        q.out.truncate(MAX_EVENTS);
        q.out
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
    out: Vec<Event>,
    visits: usize,
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
                let mut c = b.ceil();
                while Frac::from_int(c) < e && !self.exhausted() {
                    let on = Frac::from_int(c);
                    self.out.push(Event {
                        whole: Span::new(map.apply(on), map.apply(on + Frac::ONE)),
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
        }
    }
}

/// A deterministic pseudo-random number in `[0, 1)` from a seed and a time.
fn unit_hash(seed: u64, t: Frac) -> f64 {
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
