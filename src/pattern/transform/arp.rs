//! `arp`: the notes of each chord (events sharing one whole) played one
//! after another within it, in the order of a mode (Tidal's names).
//!
//! Control thread only, pure.

use super::super::frac::{Frac, Span};
use super::{sect, Ev, Expr};

/// Tidal's arpeggio modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArpMode {
    Up,
    Down,
    UpDown,
    DownUp,
    UpAndDown,
    DownAndUp,
    Converge,
    Diverge,
    Disconverge,
    PinkyUp,
    PinkyUpDown,
    ThumbUp,
    ThumbUpDown,
}

impl ArpMode {
    /// The names, in the order of [`ArpMode::ALL`].
    pub(crate) const NAMES: &'static [&'static str] = &[
        "up",
        "down",
        "updown",
        "downup",
        "up&down",
        "down&up",
        "converge",
        "diverge",
        "disconverge",
        "pinkyup",
        "pinkyupdown",
        "thumbup",
        "thumbupdown",
    ];
    pub(crate) const ALL: [ArpMode; 13] = [
        ArpMode::Up,
        ArpMode::Down,
        ArpMode::UpDown,
        ArpMode::DownUp,
        ArpMode::UpAndDown,
        ArpMode::DownAndUp,
        ArpMode::Converge,
        ArpMode::Diverge,
        ArpMode::Disconverge,
        ArpMode::PinkyUp,
        ArpMode::PinkyUpDown,
        ArpMode::ThumbUp,
        ArpMode::ThumbUpDown,
    ];

    /// The order in which a chord's notes (given low to high, as written)
    /// are played, as indexes.
    fn order(self, n: usize) -> Vec<usize> {
        let up: Vec<usize> = (0..n).collect();
        let down: Vec<usize> = (0..n).rev().collect();
        let init = |v: &[usize]| v[..v.len().saturating_sub(1)].to_vec();
        let converge = |v: &[usize]| {
            // First, last, second, second to last ...
            let (mut lo, mut hi) = (0usize, v.len());
            let mut out = Vec::with_capacity(v.len());
            let mut from_front = true;
            while lo < hi {
                if from_front {
                    out.push(v[lo]);
                    lo += 1;
                } else {
                    hi -= 1;
                    out.push(v[hi]);
                }
                from_front = !from_front;
            }
            out
        };
        let cat = |a: Vec<usize>, b: Vec<usize>| a.into_iter().chain(b).collect::<Vec<_>>();
        let pinkyup = |v: &[usize]| -> Vec<usize> {
            let Some(&last) = v.last() else {
                return Vec::new();
            };
            init(v).into_iter().flat_map(|x| [x, last]).collect()
        };
        let thumbup = |v: &[usize]| -> Vec<usize> {
            let Some(&first) = v.first() else {
                return Vec::new();
            };
            v[1..].iter().flat_map(|&x| [first, x]).collect()
        };
        let rev = |v: Vec<usize>| v.into_iter().rev().collect::<Vec<_>>();
        match self {
            ArpMode::Up => up,
            ArpMode::Down => down,
            ArpMode::UpDown => cat(init(&up), init(&down)),
            ArpMode::DownUp => cat(init(&down), init(&up)),
            ArpMode::UpAndDown => cat(up, down),
            ArpMode::DownAndUp => cat(down, up),
            ArpMode::Converge => converge(&up),
            ArpMode::Diverge => rev(converge(&up)),
            ArpMode::Disconverge => {
                let c = converge(&up);
                let tail: Vec<usize> = rev(c.clone()).into_iter().skip(1).collect();
                cat(c, tail)
            }
            ArpMode::PinkyUp => pinkyup(&up),
            ArpMode::PinkyUpDown => {
                let p = pinkyup(&up);
                cat(init(&p), init(&rev(p.clone())))
            }
            ArpMode::ThumbUp => thumbup(&up),
            ArpMode::ThumbUpDown => {
                let t = thumbup(&up);
                cat(init(&t), init(&rev(t.clone())))
            }
        }
    }
}

pub(super) fn arp(child: &Expr, mode: ArpMode, span: Span) -> Vec<Ev> {
    let mut evs: Vec<Ev> = child
        .q(span)
        .into_iter()
        .filter(|e| e.whole.is_some())
        .collect();
    // Stable, so a chord's notes keep their written order.
    evs.sort_by_key(|e| e.whole.map(|w| (w.begin, w.end)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < evs.len() {
        let w = evs[i].whole;
        let mut j = i;
        while j < evs.len() && evs[j].whole == w {
            j += 1;
        }
        let group = &evs[i..j];
        let order = mode.order(group.len());
        if let (Some(w), false) = (w, order.is_empty()) {
            let d = w.duration() / Frac::from_int(order.len() as i64);
            for (k, &idx) in order.iter().enumerate() {
                let b = w.begin + d * Frac::from_int(k as i64);
                let nw = Span::new(b, b + d);
                let src = group[idx];
                if let Some(part) = sect(nw, src.part) {
                    out.push(Ev {
                        whole: Some(nw),
                        part,
                        value: src.value,
                    });
                }
            }
        }
        i = j;
    }
    out
}
