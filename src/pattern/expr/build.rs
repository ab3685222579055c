//! From parsed calls to an [`Expr`] tree: each function in terms of the
//! primitives of `transform/`, following Tidal's definitions (cited per
//! function in docs/patterns.md), with its arguments checked.
//!
//! Control thread only, pure. A patterned argument builds one tree per
//! value (bounded by the argument pattern's distinct values) joined by an
//! [`Expr::Switch`]; after every call the events-per-cycle bound is checked.

use std::sync::Arc;

use super::super::frac::Frac;
use super::super::model::combination;
use super::super::parse::{error, PatternError};
use super::super::transform::{ArpMode, CycleTest, Expr, Keep, SlotPick, Val, ValueOp};
use super::{Arg, Call, NumArg, MAX_CYCLE_EVENTS};
use crate::kinds::controls::{Controls, MAX_GAIN, MAX_NUDGE_S, SPEED_RANGE};

/// Most combinations of patterned-argument values one call may take.
const MAX_COMBINATIONS: usize = 64;
/// Largest count argument (`ply`, `chop`, `iter`, `every`, `segment` ...).
const MAX_N: i64 = 1024;
/// Most copies `stut` / `echo` / `stutWith` make.
const MAX_ECHOES: i64 = 64;

/// Apply a composition (`f . g`: `g` first) to `x`.
pub(super) fn apply_chain(chain: &[Call], x: Arc<Expr>) -> Result<Arc<Expr>, PatternError> {
    let mut x = x;
    for call in chain.iter().rev() {
        x = apply(call, x)?;
        let bound = x.bound();
        if bound > MAX_CYCLE_EVENTS as f64 {
            return Err(error(
                call.column,
                format!(
                    "{} would play up to {} events per cycle; the limit is {MAX_CYCLE_EVENTS}",
                    call.name,
                    if bound.is_finite() && bound < 1e15 {
                        format!("{bound:.0}")
                    } else {
                        "unboundedly many".to_string()
                    }
                ),
            ));
        }
    }
    Ok(x)
}

fn apply(call: &Call, x: Arc<Expr>) -> Result<Arc<Expr>, PatternError> {
    // Patterned arguments: one tree per combination of their values.
    let mut pats = Vec::new();
    let mut radix = Vec::new();
    for arg in &call.args {
        if let Arg::Num(NumArg::Pat(p, values)) | Arg::Mode(NumArg::Pat(p, values)) = arg {
            pats.push(Arc::new(Expr::Base(p.clone())));
            radix.push(values.len().max(1));
        }
    }
    let combos = radix.iter().try_fold(1usize, |a, &r| a.checked_mul(r));
    match combos {
        Some(n) if n <= MAX_COMBINATIONS => {}
        _ => {
            return Err(error(
                call.column,
                format!("the patterned arguments of {} take more than {MAX_COMBINATIONS} combinations of values", call.name),
            ))
        }
    }
    let combos = combos.unwrap_or(1);
    let mut options = Vec::with_capacity(combos);
    for combo in 0..combos {
        let digits = combination(combo, &radix);
        let mut k = 0;
        let mut nums = Vec::new();
        for arg in &call.args {
            match arg {
                Arg::Num(n) | Arg::Mode(n) => nums.push(match n {
                    NumArg::Const(v) => *v,
                    NumArg::Pat(_, values) => {
                        let v = values.get(digits[k]).copied().unwrap_or(Frac::ZERO);
                        k += 1;
                        v
                    }
                }),
                Arg::Pair(a, b) => {
                    nums.push(*a);
                    nums.push(*b);
                }
                _ => {}
            }
        }
        options.push(build(call, &nums, x.clone())?);
    }
    if pats.is_empty() {
        return Ok(options.remove(0));
    }
    Ok(Arc::new(Expr::Switch {
        args: pats,
        radix,
        options,
    }))
}

fn func(call: &Call) -> Option<&[Call]> {
    call.args.iter().find_map(|a| match a {
        Arg::Func(f) => Some(f.as_slice()),
        _ => None,
    })
}

fn frac(n: i64, d: i64) -> Frac {
    Frac::new(n, d)
}

fn stack(items: Vec<Arc<Expr>>) -> Arc<Expr> {
    Arc::new(Expr::Stack(items))
}

fn shift(x: Arc<Expr>, t: Frac) -> Arc<Expr> {
    if t == Frac::ZERO {
        return x;
    }
    Arc::new(Expr::Shift(x, t))
}

fn fast(x: Arc<Expr>, k: Frac) -> Arc<Expr> {
    if k == Frac::ZERO {
        Arc::new(Expr::Silence)
    } else if k < Frac::ZERO {
        Arc::new(Expr::Rev(Arc::new(Expr::Fast(x, -k))))
    } else if k == Frac::ONE {
        x
    } else {
        Arc::new(Expr::Fast(x, k))
    }
}

fn within(x: Arc<Expr>, f: Arc<Expr>, b: Frac, e: Frac) -> Arc<Expr> {
    stack(vec![
        Arc::new(Expr::Within {
            child: f,
            b,
            e,
            inside: true,
        }),
        Arc::new(Expr::Within {
            child: x,
            b,
            e,
            inside: false,
        }),
    ])
}

/// Tidal's `_euclid` (and its inverse): each chosen step plays the cycle
/// squeezed into it.
fn euclid(x: &Arc<Expr>, k: i64, n: i64, invert: bool) -> Arc<Expr> {
    let (k, invert) = if k < 0 { (-k, !invert) } else { (k, invert) };
    let bools = crate::pattern::parse::bjorklund(k as usize, n as usize);
    let slots = bools
        .iter()
        .enumerate()
        .filter(|(_, &b)| b != invert)
        .map(|(i, _)| {
            Arc::new(Expr::Compress(
                x.clone(),
                frac(i as i64, n),
                frac(i as i64 + 1, n),
            ))
        })
        .collect();
    stack(slots)
}

fn build(call: &Call, n: &[Frac], x: Arc<Expr>) -> Result<Arc<Expr>, PatternError> {
    let col = call.column;
    let name = call.name;
    let seed = call.seed;
    let f = |x: Arc<Expr>| -> Result<Arc<Expr>, PatternError> {
        match func(call) {
            Some(chain) => super::build::apply_chain(chain, x),
            None => Ok(x),
        }
    };
    let whole = |i: usize, lo: i64, hi: i64| -> Result<i64, PatternError> {
        let v = n[i];
        if v.denom() != 1 || v.numer() < lo || v.numer() > hi {
            return Err(error(
                col,
                format!("{name} takes a whole number from {lo} to {hi} here, found {v}"),
            ));
        }
        Ok(v.numer())
    };
    let chance = |i: usize| -> Result<f64, PatternError> {
        let v = n[i];
        if v < Frac::ZERO || v > Frac::ONE {
            return Err(error(
                col,
                format!("{name} takes a probability from 0 to 1, found {v}"),
            ));
        }
        Ok(v.to_f64())
    };
    let sometimes = |p: f64, x: Arc<Expr>| -> Result<Arc<Expr>, PatternError> {
        let kept = Arc::new(Expr::Degrade {
            child: x.clone(),
            prob: p,
            seed,
            keep_below: false,
        });
        let changed = Arc::new(Expr::Degrade {
            child: x,
            prob: p,
            seed,
            keep_below: true,
        });
        Ok(stack(vec![kept, f(changed)?]))
    };
    let when = |test: CycleTest, x: Arc<Expr>| -> Result<Arc<Expr>, PatternError> {
        Ok(Arc::new(Expr::When {
            test,
            then: f(x.clone())?,
            child: x,
        }))
    };
    let map = |x: Arc<Expr>, op: ValueOp| Arc::new(Expr::Map(x, op));
    Ok(match name {
        "fast" => fast(x, n[0]),
        "slow" => match Frac::ONE.checked_div(n[0]) {
            Some(k) => fast(x, k),
            None => Arc::new(Expr::Silence),
        },
        "hurry" => {
            if n[0] <= Frac::ZERO {
                return Err(error(
                    col,
                    format!("hurry takes a number above 0, found {}", n[0]),
                ));
            }
            map(fast(x, n[0]), ValueOp::Speed(n[0].to_f64() as f32))
        }
        "rev" => Arc::new(Expr::Rev(x)),
        "palindrome" => Arc::new(Expr::Cat(vec![x.clone(), Arc::new(Expr::Rev(x))])),
        "iter" | "iter'" => {
            let k = whole(0, 1, MAX_N)?;
            let sign = if name == "iter" { -1 } else { 1 };
            Arc::new(Expr::Cat(
                (0..k)
                    .map(|i| shift(x.clone(), frac(sign * i, k)))
                    .collect(),
            ))
        }
        "every" | "firstOf" => {
            let k = whole(0, 0, MAX_N)?;
            if k == 0 {
                x
            } else {
                when(CycleTest::Mod(k, 0), x)?
            }
        }
        "every'" => {
            let k = whole(0, 1, MAX_N)?;
            let o = whole(1, 0, k - 1)?;
            when(CycleTest::Mod(k, o), x)?
        }
        "lastOf" => {
            let k = whole(0, 1, MAX_N)?;
            when(CycleTest::Mod(k, k - 1), x)?
        }
        "whenmod" => {
            let a = whole(0, 1, MAX_N)?;
            let b = whole(1, 0, MAX_N)?;
            when(CycleTest::ModAtLeast(a, b), x)?
        }
        "sometimesBy" => sometimes(chance(0)?, x)?,
        "sometimes" => sometimes(0.5, x)?,
        "often" => sometimes(0.75, x)?,
        "rarely" => sometimes(0.25, x)?,
        "almostNever" => sometimes(0.1, x)?,
        "almostAlways" => sometimes(0.9, x)?,
        "always" => f(x)?,
        "never" | "id" => x,
        "degradeBy" | "unDegradeBy" | "degrade" => {
            let p = if name == "degrade" { 0.5 } else { chance(0)? };
            Arc::new(Expr::Degrade {
                child: x,
                prob: p,
                seed,
                keep_below: name == "unDegradeBy",
            })
        }
        "someCyclesBy" => when(CycleTest::Chance(chance(0)?, seed), x)?,
        "someCycles" => when(CycleTest::Chance(0.5, seed), x)?,
        "off" => stack(vec![x.clone(), f(shift(x, n[0]))?]),
        "superimpose" => stack(vec![x.clone(), f(x)?]),
        "layer" => {
            let mut items = Vec::new();
            for arg in &call.args {
                if let Arg::Funcs(list) = arg {
                    for chain in list {
                        items.push(apply_chain(chain, x.clone())?);
                    }
                }
            }
            stack(items)
        }
        "jux" => stack(vec![
            map(x.clone(), ValueOp::Pan(-1.0)),
            map(f(x)?, ValueOp::Pan(1.0)),
        ]),
        "ply" => Arc::new(Expr::Ply(x, whole(0, 1, MAX_N)? as u32, false)),
        // The same timing as ply; each piece plays its own part of the sample.
        "chop" => Arc::new(Expr::Ply(x, whole(0, 1, MAX_N)? as u32, true)),
        "striate" => {
            let k = whole(0, 1, MAX_N)?;
            let piece = |i: i64| (i as f32 / k as f32, (i + 1) as f32 / k as f32);
            stack(
                (0..k)
                    .map(|i| {
                        let (lo, hi) = piece(i);
                        let squeezed =
                            Arc::new(Expr::Compress(x.clone(), frac(i, k), frac(i + 1, k)));
                        map(squeezed, ValueOp::Window(lo, hi))
                    })
                    .collect(),
            )
        }
        "linger" => {
            let v = n[0];
            if v == Frac::ZERO
                || v > Frac::ONE
                || v < -Frac::ONE
                || (Frac::ONE / v).to_f64().abs() > MAX_N as f64
            {
                return Err(error(col, format!("linger takes a fraction of a cycle from -1 to 1 (not 0, at least 1/{MAX_N}), found {v}")));
            }
            Arc::new(Expr::Linger(x, v))
        }
        "segment" => {
            let k = whole(0, 1, MAX_N)?;
            let unit = Arc::new(Expr::Pure(Val {
                note: None,
                velocity: 0.8,
                controls: Controls::NONE,
                shift: 0,
            }));
            Arc::new(Expr::AppLeft {
                left: fast(unit, Frac::from_int(k)),
                right: x,
                keep: Keep::Right,
            })
        }
        "range" => map(x, ValueOp::Range(n[0].to_f64(), n[1].to_f64())),
        "rot" => Arc::new(Expr::Rot(x, whole(0, -MAX_N, MAX_N)?)),
        "shuffle" | "scramble" => {
            let k = whole(0, 1, MAX_N)? as u32;
            let pick = if name == "shuffle" {
                SlotPick::Shuffle(seed)
            } else {
                SlotPick::Scramble(seed)
            };
            Arc::new(Expr::Slots {
                child: x,
                n: k,
                pick,
            })
        }
        "euclid" | "euclidInv" | "euclidOff" | "eoff" => {
            let steps = whole(1, 1, MAX_N)?;
            let k = whole(0, -steps, steps)?;
            let e = euclid(&x, k, steps, name == "euclidInv");
            if n.len() > 2 {
                let r = whole(2, -MAX_N, MAX_N)?;
                shift(e, -frac(r, steps))
            } else {
                e
            }
        }
        "struct" | "mask" => {
            let bools = call.args.iter().find_map(|a| match a {
                Arg::Bools(p) => Some(p.clone()),
                _ => None,
            });
            let b = Arc::new(bools.map_or(Expr::Silence, Expr::Base));
            if name == "struct" {
                Arc::new(Expr::AppLeft {
                    left: b,
                    right: x,
                    keep: Keep::Right,
                })
            } else {
                Arc::new(Expr::AppLeft {
                    left: x,
                    right: b,
                    keep: Keep::Left,
                })
            }
        }
        "inside" | "outside" => {
            let k = if name == "inside" {
                n[0]
            } else {
                Frac::ONE.checked_div(n[0]).unwrap_or(Frac::ZERO)
            };
            if k <= Frac::ZERO {
                return Err(error(
                    col,
                    format!("{name} takes a number above 0, found {}", n[0]),
                ));
            }
            fast(f(fast(x, Frac::ONE / k))?, k)
        }
        "within" => {
            let (b, e) = (n[0], n[1]);
            within(x.clone(), f(x)?, b, e)
        }
        "swingBy" | "swing" => {
            let (amount, k) = if name == "swing" {
                (frac(1, 3), n[0])
            } else {
                (n[0], n[1])
            };
            if k <= Frac::ZERO {
                return Err(error(
                    col,
                    format!("{name} takes a number of parts above 0, found {k}"),
                ));
            }
            // Tidal: inside n (within (0.5, 1) (x ~>)).
            let slowed = fast(x, Frac::ONE / k);
            let swung = within(slowed.clone(), shift(slowed, amount), frac(1, 2), Frac::ONE);
            fast(swung, k)
        }
        "nudge" => {
            let t = n[0].to_f64();
            if t.abs() > MAX_NUDGE_S as f64 {
                return Err(error(
                    col,
                    format!(
                        "nudge moves a note at most {MAX_NUDGE_S} s either way, found {}",
                        n[0]
                    ),
                ));
            }
            map(x, ValueOp::Nudge(t as f32))
        }
        "late" => shift(x, n[0]),
        "early" => shift(x, -n[0]),
        "stut" => {
            let count = whole(0, 1, MAX_ECHOES)?;
            let fb = n[1].to_f64();
            let t = n[2];
            let mut items = vec![x.clone()];
            for i in 1..count {
                let g = fb + (1.0 - fb) * ((count - i) as f64 / count as f64);
                items.push(map(
                    shift(x.clone(), t * Frac::from_int(i)),
                    ValueOp::Gain(g as f32),
                ));
            }
            stack(items)
        }
        "echo" => {
            let count = whole(0, 1, MAX_ECHOES)?;
            let t = n[1];
            let fb = n[2].to_f64();
            let mut items = vec![x.clone()];
            for i in 1..count {
                items.push(map(
                    shift(x.clone(), t * Frac::from_int(i)),
                    ValueOp::Gain(fb.powi(i as i32) as f32),
                ));
            }
            stack(items)
        }
        "stutWith" | "echoWith" => {
            let count = whole(0, 1, MAX_ECHOES)?;
            let t = n[1];
            let mut e = x.clone();
            for _ in 1..count {
                e = stack(vec![f(shift(e, t))?, x.clone()]);
            }
            e
        }
        "arp" => {
            let i = n[0].numer().clamp(0, ArpMode::ALL.len() as i64 - 1) as usize;
            Arc::new(Expr::Arp(x, ArpMode::ALL[i]))
        }
        "add" => map(x, ValueOp::Add(n[0].to_f64())),
        "sub" => map(x, ValueOp::Add(-n[0].to_f64())),
        "mul" => map(x, ValueOp::Mul(n[0].to_f64())),
        "chunk" | "chunk'" => {
            let k = whole(0, 1, MAX_N)?;
            let mut items = Vec::with_capacity(k as usize);
            for i in 0..k {
                let i = if name == "chunk" { i } else { k - 1 - i };
                items.push(within(x.clone(), f(x.clone())?, frac(i, k), frac(i + 1, k)));
            }
            Arc::new(Expr::Cat(items))
        }
        "brak" => {
            // Tidal: when odd cycle, ((1/4) ~>) . (\x -> fastcat [x, silence]).
            let squashed = Arc::new(Expr::Compress(x.clone(), Frac::ZERO, frac(1, 2)));
            Arc::new(Expr::When {
                test: CycleTest::Mod(2, 1),
                then: shift(squashed, frac(1, 4)),
                child: x,
            })
        }
        "press" | "pressBy" => {
            let r = if name == "press" { frac(1, 2) } else { n[0] };
            if r < Frac::ZERO || r >= Frac::ONE {
                return Err(error(
                    col,
                    format!("pressBy takes a fraction from 0 to just below 1, found {r}"),
                ));
            }
            Arc::new(Expr::Press(x, r))
        }
        "pan" => {
            let p = n[0].to_f64();
            if !(-1.0..=1.0).contains(&p) {
                return Err(error(
                    col,
                    format!("pan goes from -1 (left) to 1 (right), found {}", n[0]),
                ));
            }
            map(x, ValueOp::Pan(p as f32))
        }
        "velocity" => {
            let v = n[0];
            if v < Frac::ZERO || v > Frac::ONE {
                return Err(error(col, format!("velocity goes from 0 to 1, found {v}")));
            }
            map(x, ValueOp::Velocity(v.to_f64() as f32))
        }
        "gain" => {
            let g = n[0].to_f64();
            if !(0.0..=MAX_GAIN as f64).contains(&g) {
                return Err(error(
                    col,
                    format!("gain goes from 0 to {MAX_GAIN}, found {}", n[0]),
                ));
            }
            map(x, ValueOp::SetGain(g as f32))
        }
        "speed" => {
            let (lo, hi) = SPEED_RANGE;
            let v = n[0].to_f64();
            if !(lo as f64..=hi as f64).contains(&v) {
                return Err(error(
                    col,
                    format!("speed goes from 1/64 to {hi} (a sample played that many times as fast), found {}", n[0]),
                ));
            }
            map(x, ValueOp::Speed(v as f32))
        }
        other => return Err(error(col, format!("{other} is not implemented"))),
    })
}
