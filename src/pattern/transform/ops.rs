//! The queries of the transformations that rearrange time within a cycle:
//! `cat`, `rev`, patterned arguments, `compress`, `ply`, `linger`,
//! structure from another pattern, `rot`, `shuffle`/`scramble`, `press`.
//!
//! Control thread only, pure. Each follows Tidal's documented semantics on
//! wholes and parts (see docs/patterns.md); none loops over more than the
//! cycles of its span times a bounded count.

use std::sync::Arc;

use super::super::frac::{Frac, Span};
use super::super::model::unit_hash;
use super::{cycle_pieces, sect, Ev, Expr, Keep, SlotPick};

pub(super) fn cat(items: &[Arc<Expr>], span: Span) -> Vec<Ev> {
    let n = items.len() as i64;
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (c, piece) in cycle_pieces(span) {
        let i = c.rem_euclid(n);
        // Item i plays its own cycle (c - i) / n: Tidal's `cat`.
        let offset = Frac::from_int(c.saturating_sub(c.saturating_sub(i).div_euclid(n)));
        let inner = Span::new(piece.begin - offset, piece.end - offset);
        out.extend(
            items[i as usize]
                .q(inner)
                .into_iter()
                .map(|e| e.map_time(|t| t + offset)),
        );
    }
    out
}

pub(super) fn rev(child: &Expr, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    for (c, piece) in cycle_pieces(span) {
        // Reflect about the middle of cycle c.
        // In exact arithmetic: 2c + 1 overflows i64 for far-away cycles.
        let axis = Frac::from_int(c) + Frac::from_int(c) + Frac::ONE;
        let inner = Span::new(axis - piece.end, axis - piece.begin);
        out.extend(child.q(inner).into_iter().map(|e| Ev {
            whole: e.whole.map(|w| Span::new(axis - w.end, axis - w.begin)),
            part: Span::new(axis - e.part.end, axis - e.part.begin),
            value: e.value,
        }));
    }
    out
}

/// Tidal's inner join over patterned arguments.
pub(super) fn switch(
    args: &[Arc<Expr>],
    radix: &[usize],
    options: &[Arc<Expr>],
    span: Span,
) -> Vec<Ev> {
    let mut pieces = vec![(span, 0usize)];
    for (arg, &r) in args.iter().zip(radix) {
        let mut next = Vec::new();
        for &(piece, index) in &pieces {
            for e in arg.q(piece) {
                let v = e.value.note.unwrap_or(0.0).max(0.0) as usize;
                next.push((e.part, index * r + v.min(r.saturating_sub(1))));
            }
        }
        pieces = next;
    }
    let mut out = Vec::new();
    for (piece, index) in pieces {
        if let Some(option) = options.get(index) {
            out.extend(option.q(piece));
        }
    }
    out
}

pub(super) fn compress(child: &Expr, b: Frac, e: Frac, span: Span) -> Vec<Ev> {
    let w = e - b;
    let mut out = Vec::new();
    if w <= Frac::ZERO {
        return out;
    }
    for (c, piece) in cycle_pieces(span) {
        let cf = Frac::from_int(c);
        let Some(sub) = sect(piece, Span::new(cf + b, cf + e)) else {
            continue;
        };
        let to_inner = |t: Frac| cf + (t - cf - b) / w;
        let inner = Span::new(to_inner(sub.begin), to_inner(sub.end));
        out.extend(
            child
                .q(inner)
                .into_iter()
                .map(|ev| ev.map_time(|t| cf + b + (t - cf) * w)),
        );
    }
    out
}

pub(super) fn ply(child: &Expr, n: u32, chop: bool, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    for e in child.q(span) {
        let Some(w) = e.whole else {
            out.push(e);
            continue;
        };
        let d = w.duration() / Frac::from_int(n as i64);
        for i in 0..n as i64 {
            let b = w.begin + d * Frac::from_int(i);
            let wi = Span::new(b, b + d);
            if let Some(part) = sect(wi, e.part) {
                let mut value = e.value;
                if chop {
                    let piece = |k: i64| k as f32 / n as f32;
                    value.controls = value.controls.window(piece(i), piece(i + 1));
                }
                out.push(Ev {
                    whole: Some(wi),
                    part,
                    value,
                });
            }
        }
    }
    out
}

pub(super) fn linger(child: &Expr, f: Frac, span: Span) -> Vec<Ev> {
    let len = if f < Frac::ZERO { -f } else { f };
    let mut out = Vec::new();
    if len <= Frac::ZERO {
        return out;
    }
    for (c, piece) in cycle_pieces(span) {
        let cf = Frac::from_int(c);
        let source = if f < Frac::ZERO {
            cf + Frac::ONE - len
        } else {
            cf
        };
        let mut k = 0i64;
        loop {
            let slot_b = cf + len * Frac::from_int(k);
            if slot_b >= piece.end || slot_b >= cf + Frac::ONE {
                break;
            }
            let slot = Span::new(slot_b, (slot_b + len).min(cf + Frac::ONE));
            if let Some(sub) = sect(slot, piece) {
                let shift = slot_b - source;
                let inner = Span::new(sub.begin - shift, sub.end - shift);
                out.extend(
                    child
                        .q(inner)
                        .into_iter()
                        .map(|e| e.map_time(|t| t + shift)),
                );
            }
            k += 1;
        }
    }
    out
}

pub(super) fn app_left(left: &Expr, right: &Expr, keep: Keep, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    for l in left.q(span) {
        let over = l.whole.unwrap_or(l.part);
        for r in right.q(over) {
            let Some(part) = sect(l.part, r.part) else {
                continue;
            };
            out.push(Ev {
                whole: l.whole,
                part,
                value: match keep {
                    Keep::Right => super::Val {
                        velocity: r.value.velocity,
                        ..r.value
                    },
                    Keep::Left => l.value,
                },
            });
        }
    }
    out
}

pub(super) fn rot(child: &Expr, n: i64, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    for (c, piece) in cycle_pieces(span) {
        let mut evs: Vec<Ev> = child
            .q(Span::cycle(c))
            .into_iter()
            .filter(|e| e.whole.is_some())
            .collect();
        evs.sort_by_key(|e| e.onset());
        let len = evs.len() as i64;
        if len == 0 {
            continue;
        }
        let values: Vec<_> = evs.iter().map(|e| e.value).collect();
        for (i, mut e) in evs.into_iter().enumerate() {
            e.value = values[(i as i64 + n).rem_euclid(len) as usize];
            if let Some(part) = sect(e.part, piece) {
                e.part = part;
                out.push(e);
            }
        }
    }
    out
}

/// A permutation of `0..n` from a seed and a cycle (Fisher–Yates).
fn permutation(n: u32, seed: u64, c: i64) -> Vec<u32> {
    let mut p: Vec<u32> = (0..n).collect();
    for i in (1..n as usize).rev() {
        let t = Frac::from_int(c) + Frac::new(i as i64, n as i64 + 1);
        let j = (unit_hash(seed, t) * (i + 1) as f64) as usize;
        p.swap(i, j.min(i));
    }
    p
}

pub(super) fn slots(child: &Expr, n: u32, pick: SlotPick, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    let nf = Frac::from_int(n as i64);
    for (c, piece) in cycle_pieces(span) {
        let cf = Frac::from_int(c);
        let perm = match pick {
            SlotPick::Shuffle(seed) => permutation(n, seed, c),
            SlotPick::Scramble(_) => Vec::new(),
        };
        for k in 0..n {
            let kb = cf + Frac::from_int(k as i64) / nf;
            let slot = Span::new(kb, kb + Frac::ONE / nf);
            let Some(sub) = sect(slot, piece) else {
                continue;
            };
            let j = match pick {
                SlotPick::Shuffle(_) => perm[k as usize],
                SlotPick::Scramble(seed) => {
                    ((unit_hash(seed, slot.begin) * n as f64) as u32).min(n - 1)
                }
            };
            let shift = Frac::from_int(k as i64 - j as i64) / nf;
            let inner = Span::new(sub.begin - shift, sub.end - shift);
            for e in child.q(inner) {
                let mut e = e.map_time(|t| t + shift);
                // The part stays inside the slot; a whole may reach outside.
                if let Some(part) = sect(e.part, sub) {
                    e.part = part;
                    out.push(e);
                }
            }
        }
    }
    out
}

pub(super) fn press(child: &Expr, r: Frac, span: Span) -> Vec<Ev> {
    let mut out = Vec::new();
    for e in child.q(span) {
        let Some(w) = e.whole else {
            out.push(e);
            continue;
        };
        let nw = Span::new(w.begin + w.duration() * r, w.end);
        if let Some(part) = sect(nw, e.part) {
            out.push(Ev {
                whole: Some(nw),
                part,
                value: e.value,
            });
        }
    }
    out
}
