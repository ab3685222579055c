//! Exact rational time ([`Frac`]) and time spans ([`Span`]) in cycles.
//!
//! Pure arithmetic, usable on any thread, never allocates. Pattern time is
//! kept exact so that subdivisions like thirds never drift or round an onset
//! into the wrong cycle; floats appear only at the edge (`to_f64`).

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// An exact rational number, always normalised (lowest terms, denominator
/// > 0). Magnitudes are kept within ±`i64::MAX` so negation never overflows.
///
/// Results that would not fit in `i64` are approximated rather than
/// overflowing: pathological nesting (say forty `*7`s) stays panic-free at
/// the cost of precision nobody could hear.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frac {
    n: i64,
    d: i64,
}

fn gcd(a: u128, b: u128) -> u128 {
    // Pattern times are small fractions: the 64-bit binary gcd is several
    // times faster than 128-bit division, which is done in software.
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        return gcd64(a, b) as u128;
    }
    let (mut a, mut b) = (a, b);
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// Stein's binary gcd: no division, and quick for the power-of-two
/// denominators most pattern times have.
fn gcd64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Frac {
    /// Zero.
    pub const ZERO: Frac = Frac { n: 0, d: 1 };
    /// One.
    pub const ONE: Frac = Frac { n: 1, d: 1 };

    /// `n / d`, normalised.
    ///
    /// # Panics
    /// If `d == 0`, like integer division.
    pub fn new(n: i64, d: i64) -> Frac {
        assert!(d != 0, "Frac with a zero denominator");
        if d > 0 {
            return Frac::from_i64(n, d);
        }
        Frac::from_i128(n as i128, d as i128)
    }

    /// The integer `n` (`i64::MIN` is held as `-i64::MAX`, as every
    /// magnitude is).
    pub fn from_int(n: i64) -> Frac {
        Frac {
            n: n.max(-i64::MAX),
            d: 1,
        }
    }

    /// Numerator (sign carrier) of the normalised fraction.
    pub fn numer(self) -> i64 {
        self.n
    }

    /// Denominator of the normalised fraction (always > 0).
    pub fn denom(self) -> i64 {
        self.d
    }

    /// Largest integer <= self.
    pub fn floor(self) -> i64 {
        self.n.div_euclid(self.d)
    }

    /// Smallest integer >= self.
    pub fn ceil(self) -> i64 {
        -((-self.n).div_euclid(self.d))
    }

    /// Nearest `f64`.
    pub fn to_f64(self) -> f64 {
        self.n as f64 / self.d as f64
    }

    /// Division that returns `None` instead of panicking on a zero divisor.
    pub fn checked_div(self, rhs: Frac) -> Option<Frac> {
        if rhs.n == 0 {
            None
        } else {
            Some(self / rhs)
        }
    }

    /// `n / d` with `d > 0` in 64 bits: the common case of every
    /// operation, kept free of 128-bit arithmetic.
    #[inline]
    fn from_i64(n: i64, d: i64) -> Frac {
        if n == 0 {
            return Frac::ZERO;
        }
        if d == 1 {
            return Frac { n, d };
        }
        if n == i64::MIN {
            return Frac::from_i128(n.into(), d.into());
        }
        // Most pattern times have power-of-two denominators: their gcd with
        // anything is the smaller power of two dividing both.
        if d & (d - 1) == 0 {
            let k = n.trailing_zeros().min(d.trailing_zeros());
            return Frac {
                n: n >> k,
                d: d >> k,
            };
        }
        let g = gcd64(n.unsigned_abs(), d as u64);
        if g <= 1 {
            return Frac { n, d };
        }
        let g = g as i64;
        Frac { n: n / g, d: d / g }
    }

    /// `d` must be non-zero; every caller in this module guarantees it.
    fn from_i128(n: i128, d: i128) -> Frac {
        let (mut n, mut d) = if d < 0 { (-n, -d) } else { (n, d) };
        // Fast path, nearly always taken: both terms fit in 64 bits, so no
        // 128-bit division (a slow software routine) is needed.
        if let (Ok(n64), Ok(d64)) = (i64::try_from(n), i64::try_from(d)) {
            if d64 == 1 || n64 == 0 {
                return Frac {
                    n: n64,
                    d: if n64 == 0 { 1 } else { d64 },
                };
            }
            if n64 != i64::MIN {
                let g = gcd64(n64.unsigned_abs(), d64 as u64);
                if g <= 1 {
                    return Frac { n: n64, d: d64 };
                }
                if g.is_power_of_two() {
                    let k = g.trailing_zeros();
                    return Frac {
                        n: n64 >> k,
                        d: d64 >> k,
                    };
                }
                let g = g as i64;
                return Frac {
                    n: n64 / g,
                    d: d64 / g,
                };
            }
        }
        let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        n /= g;
        d /= g;
        let limit = i64::MAX as i128;
        if n.abs() <= limit && d <= limit {
            return Frac {
                n: n as i64,
                d: d as i64,
            };
        }
        // Too big to represent: drop low bits of both terms, which keeps the
        // value to ~63 significant bits.
        while n.abs() > limit || d > limit {
            n >>= 1;
            d >>= 1;
            if d == 0 {
                let n = if n < 0 { -i64::MAX } else { i64::MAX };
                return Frac { n, d: 1 };
            }
        }
        let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        Frac {
            n: (n / g) as i64,
            d: (d / g) as i64,
        }
    }
}

impl Default for Frac {
    fn default() -> Self {
        Frac::ZERO
    }
}

impl From<i64> for Frac {
    fn from(n: i64) -> Self {
        Frac::from_int(n)
    }
}

// Magnitudes are <= i64::MAX, so each product below is < 2^126 and a sum of
// two of them still fits in i128.
impl Add for Frac {
    type Output = Frac;
    fn add(self, rhs: Frac) -> Frac {
        // Adding a whole number to p/q in lowest terms stays in lowest
        // terms (gcd(p + mq, q) = gcd(p, q)): no gcd needed. Cycle numbers
        // make this the common case.
        if self.d == 1 || rhs.d == 1 {
            let (whole, frac) = if self.d == 1 {
                (self, rhs)
            } else {
                (rhs, self)
            };
            let n = whole.n as i128 * frac.d as i128 + frac.n as i128;
            if n.abs() <= i64::MAX as i128 {
                return Frac {
                    n: n as i64,
                    d: frac.d,
                };
            }
        }
        if self.d == rhs.d {
            if let Some(n) = self.n.checked_add(rhs.n) {
                return Frac::from_i64(n, self.d);
            }
        }
        if let (Some(a), Some(b), Some(d)) = (
            self.n.checked_mul(rhs.d),
            rhs.n.checked_mul(self.d),
            self.d.checked_mul(rhs.d),
        ) {
            if let Some(n) = a.checked_add(b) {
                return Frac::from_i64(n, d);
            }
        }
        let n = self.n as i128 * rhs.d as i128 + rhs.n as i128 * self.d as i128;
        Frac::from_i128(n, self.d as i128 * rhs.d as i128)
    }
}

impl Sub for Frac {
    type Output = Frac;
    fn sub(self, rhs: Frac) -> Frac {
        self + (-rhs)
    }
}

impl Neg for Frac {
    type Output = Frac;
    fn neg(self) -> Frac {
        Frac {
            n: -self.n,
            d: self.d,
        }
    }
}

impl Mul for Frac {
    type Output = Frac;
    fn mul(self, rhs: Frac) -> Frac {
        if let (Some(n), Some(d)) = (self.n.checked_mul(rhs.n), self.d.checked_mul(rhs.d)) {
            return Frac::from_i64(n, d);
        }
        Frac::from_i128(
            self.n as i128 * rhs.n as i128,
            self.d as i128 * rhs.d as i128,
        )
    }
}

impl Div for Frac {
    type Output = Frac;
    /// # Panics
    /// On division by zero, like integer division.
    fn div(self, rhs: Frac) -> Frac {
        assert!(rhs.n != 0, "Frac division by zero");
        // Dividing by n/d is multiplying by d/n, sign carried on top.
        let (rn, rd) = if rhs.n < 0 {
            (rhs.d.checked_neg(), rhs.n.checked_neg())
        } else {
            (Some(rhs.d), Some(rhs.n))
        };
        if let (Some(rn), Some(rd)) = (rn, rd) {
            if let (Some(n), Some(d)) = (self.n.checked_mul(rn), self.d.checked_mul(rd)) {
                return Frac::from_i64(n, d);
            }
        }
        Frac::from_i128(
            self.n as i128 * rhs.d as i128,
            self.d as i128 * rhs.n as i128,
        )
    }
}

impl Ord for Frac {
    fn cmp(&self, other: &Frac) -> Ordering {
        if self.d == other.d {
            return self.n.cmp(&other.n);
        }
        (self.n as i128 * other.d as i128).cmp(&(other.n as i128 * self.d as i128))
    }
}

impl PartialOrd for Frac {
    fn partial_cmp(&self, other: &Frac) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Frac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Frac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.d == 1 {
            write!(f, "{}", self.n)
        } else {
            write!(f, "{}/{}", self.n, self.d)
        }
    }
}

/// A half-open time span `[begin, end)` in cycles.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Span {
    pub begin: Frac,
    pub end: Frac,
}

impl Span {
    /// `[begin, end)`.
    pub fn new(begin: Frac, end: Frac) -> Span {
        Span { begin, end }
    }

    /// The whole of cycle `c`: `[c, c + 1)`.
    pub fn cycle(c: i64) -> Span {
        Span::new(Frac::from_int(c), Frac::from_int(c) + Frac::ONE)
    }

    /// `end - begin`.
    pub fn duration(self) -> Frac {
        self.end - self.begin
    }
}
