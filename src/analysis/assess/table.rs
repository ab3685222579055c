//! The assessment's rules, described once: every check (its group, weight,
//! unit and thresholds) and what each role is expected to sound like. The
//! scoring reads these tables and docs/processing.md's tables are
//! generated from them.
//!
//! Control side, pure data.

use super::{Context, Role};

/// The four scores the overall score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    RoleMatch,
    MixReadiness,
    Perceptual,
    Stability,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::RoleMatch,
        Group::MixReadiness,
        Group::Perceptual,
        Group::Stability,
    ];

    /// The name in JSON and in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Group::RoleMatch => "role_match",
            Group::MixReadiness => "mix_readiness",
            Group::Perceptual => "perceptual_quality",
            Group::Stability => "stability",
        }
    }

    /// Its share of the overall score.
    pub fn weight(self) -> f64 {
        match self {
            Group::RoleMatch => 0.30,
            Group::MixReadiness => 0.35,
            Group::Perceptual => 0.20,
            Group::Stability => 0.15,
        }
    }
}

/// What crossing a threshold is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Violation,
}

/// How a value scores: 1 where it should be, falling linearly to 0, and
/// where a finding starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Scores 1 at or under `full`, 0 at or over `zero`; a finding over `flag`.
    AtMost {
        full: f64,
        zero: f64,
        flag: f64,
        severity: Severity,
    },
    /// Scores 1 at or over `full`, 0 at or under `zero`; a finding under `flag`.
    AtLeast {
        full: f64,
        zero: f64,
        flag: f64,
        severity: Severity,
    },
    /// Scores 1 from `lo` to `hi`, 0 at `falloff` outside (in octaves when
    /// `octaves`); a warning outside.
    Within {
        lo: f64,
        hi: f64,
        falloff: f64,
        octaves: bool,
    },
}

impl Rule {
    pub fn score(&self, v: f64) -> f64 {
        let ramp = |d: f64, span: f64| (1.0 - d / span.max(1e-12)).clamp(0.0, 1.0);
        match *self {
            Rule::AtMost { full, .. } if v <= full => 1.0,
            Rule::AtMost { full, zero, .. } => ramp(v - full, zero - full),
            Rule::AtLeast { full, .. } if v >= full => 1.0,
            Rule::AtLeast { full, zero, .. } => ramp(full - v, full - zero),
            Rule::Within {
                lo,
                hi,
                falloff,
                octaves,
            } => {
                let d = if octaves {
                    (lo.max(1e-9) / v.max(1e-9))
                        .log2()
                        .max((v / hi.max(1e-9)).log2())
                } else {
                    (lo - v).max(v - hi)
                };
                if d <= 0.0 {
                    1.0
                } else {
                    ramp(d, falloff)
                }
            }
        }
    }

    /// The finding a value makes, and the threshold it crossed.
    pub fn finding(&self, v: f64) -> Option<(Severity, f64)> {
        match *self {
            Rule::AtMost { flag, severity, .. } => (v > flag).then_some((severity, flag)),
            Rule::AtLeast { flag, severity, .. } => (v < flag).then_some((severity, flag)),
            Rule::Within { lo, .. } if v < lo => Some((Severity::Warning, lo)),
            Rule::Within { hi, .. } if v > hi => Some((Severity::Warning, hi)),
            Rule::Within { .. } => None,
        }
    }

    /// The thresholds in words, with `unit`.
    pub fn text(&self, unit: &str) -> String {
        let u = |v: f64| format!("{}{}{unit}", num(v), if unit.is_empty() { "" } else { " " });
        match *self {
            Rule::AtMost {
                full,
                zero,
                flag,
                severity,
            } => format!(
                "1 at ≤ {}, 0 at ≥ {}; {} over {}",
                u(full),
                u(zero),
                sev(severity),
                u(flag)
            ),
            Rule::AtLeast {
                full,
                zero,
                flag,
                severity,
            } => format!(
                "1 at ≥ {}, 0 at ≤ {}; {} under {}",
                u(full),
                u(zero),
                sev(severity),
                u(flag)
            ),
            Rule::Within {
                lo,
                hi,
                falloff,
                octaves,
            } => format!(
                "1 from {} to {}, 0 at {}{} outside; warning outside",
                num(lo),
                u(hi),
                num(falloff),
                if octaves { " octave" } else { "" }
            ),
        }
    }
}

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Warning => "warning",
        Severity::Violation => "violation",
    }
}

/// A number as the tables print it: no trailing zeros.
pub fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What a role is expected to sound like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub role: Role,
    /// Spectral centroid, Hz.
    pub centroid: (f64, f64),
    /// Onsets a second.
    pub onsets: (f64, f64),
    /// Share of 50 ms blocks within 10 dB of the loudest tenth.
    pub sustain: (f64, f64),
    /// Share of the energy under 150 Hz.
    pub low: (f64, f64),
    /// Most share of the energy over 6 kHz before it is harsh.
    pub high_max: f64,
    /// Least crest factor (dB) before it sounds squashed.
    pub crest_min: f64,
    /// Whether its level should hold (a riser's should not).
    pub steady: bool,
    /// Whether it plays pitches that should be in key.
    pub tonal: bool,
    /// Whether it plays chords (read by spectral peaks) rather than a line
    /// of single notes (read by pitch).
    pub chords: bool,
    /// Where its notes lie, Hz (a line's pitch outside is a misreading).
    pub register: (f64, f64),
    /// Whether its hits should be on the grid.
    pub rhythmic: bool,
}

pub const PROFILES: [Profile; 5] = [
    Profile {
        role: Role::Pad,
        centroid: (200.0, 3000.0),
        onsets: (0.0, 2.0),
        sustain: (0.5, 1.0),
        low: (0.0, 0.25),
        high_max: 0.25,
        crest_min: 4.0,
        steady: true,
        tonal: true,
        chords: true,
        register: (6e+01, 2e+03),
        rhythmic: false,
    },
    Profile {
        role: Role::Bass,
        centroid: (40.0, 700.0),
        onsets: (0.5, 12.0),
        sustain: (0.2, 1.0),
        low: (0.2, 1.0),
        high_max: 0.1,
        crest_min: 5.0,
        steady: true,
        tonal: true,
        chords: false,
        register: (2e+01, 4e+02),
        rhythmic: false,
    },
    Profile {
        role: Role::Lead,
        centroid: (400.0, 5000.0),
        onsets: (0.5, 12.0),
        sustain: (0.2, 1.0),
        low: (0.0, 0.3),
        high_max: 0.3,
        crest_min: 5.0,
        steady: true,
        tonal: true,
        chords: false,
        register: (1e+02, 2e+03),
        rhythmic: false,
    },
    Profile {
        role: Role::Drum,
        centroid: (50.0, 12000.0),
        onsets: (0.5, 20.0),
        sustain: (0.0, 0.6),
        low: (0.0, 0.95),
        high_max: 1.0,
        crest_min: 8.0,
        steady: true,
        tonal: false,
        chords: false,
        register: (2e+01, 5e+03),
        rhythmic: true,
    },
    Profile {
        role: Role::Fx,
        centroid: (50.0, 12000.0),
        onsets: (0.0, 4.0),
        sustain: (0.0, 1.0),
        low: (0.0, 0.9),
        high_max: 0.7,
        crest_min: 3.0,
        steady: false,
        tonal: false,
        chords: false,
        register: (2e+01, 5e+03),
        rhythmic: false,
    },
];

pub fn profile(role: Role) -> &'static Profile {
    PROFILES
        .iter()
        .find(|p| p.role == role)
        .unwrap_or(&PROFILES[0])
}

/// One check: what it measures and how that scores for a role in a context
/// (`None`: not scored here, e.g. the key without a key given).
#[derive(Clone, Copy)]
pub struct Check {
    pub name: &'static str,
    pub group: Group,
    pub unit: &'static str,
    pub what: &'static str,
    pub rule: fn(&Profile, &Context) -> Option<Rule>,
}

const fn warn_over(full: f64, zero: f64, flag: f64) -> Rule {
    Rule::AtMost {
        full,
        zero,
        flag,
        severity: Severity::Warning,
    }
}

/// Every check, in report order. Each weighs the same within its group.
pub const CHECKS: &[Check] = &[
    Check {
        name: "centroid",
        group: Group::RoleMatch,
        unit: "Hz",
        what: "spectral centroid: where the energy sits",
        rule: |p, _| Some(Rule::Within { lo: p.centroid.0, hi: p.centroid.1, falloff: 1.0, octaves: true }),
    },
    Check {
        name: "onset_rate",
        group: Group::RoleMatch,
        unit: "/s",
        what: "note and hit onsets a second",
        rule: |p, _| Some(Rule::Within { lo: p.onsets.0, hi: p.onsets.1, falloff: 4.0, octaves: false }),
    },
    Check {
        name: "sustain",
        group: Group::RoleMatch,
        unit: "",
        what: "share of 50 ms blocks within 10 dB of the loudest tenth (held or percussive)",
        rule: |p, _| Some(Rule::Within { lo: p.sustain.0, hi: p.sustain.1, falloff: 0.3, octaves: false }),
    },
    Check {
        name: "low_share",
        group: Group::RoleMatch,
        unit: "",
        what: "share of the energy under 150 Hz: the role's register",
        rule: |p, _| Some(Rule::Within { lo: p.low.0, hi: p.low.1, falloff: 0.25, octaves: false }),
    },
    Check {
        name: "in_key",
        group: Group::RoleMatch,
        unit: "",
        what: "share of pitched energy on the scale's pitch classes (tonal roles, given a key): pads by spectral peaks, overtones counted with their notes; bass and lead by their pitch, frame by frame",
        rule: |p, c| (p.tonal && c.key.is_some()).then_some(Rule::AtLeast { full: 0.9, zero: 0.5, flag: 0.9, severity: Severity::Warning }),
    },
    Check {
        name: "on_grid",
        group: Group::RoleMatch,
        unit: "",
        what: "share of onsets within 15 ms of the 16th-note grid (drums, given a tempo)",
        rule: |p, c| (p.rhythmic && c.tempo.is_some()).then_some(Rule::AtLeast { full: 0.9, zero: 0.5, flag: 0.9, severity: Severity::Warning }),
    },
    Check {
        name: "loudness",
        group: Group::MixReadiness,
        unit: "LU",
        what: "integrated loudness (EBU R128) minus the target, either way",
        rule: |_, _| Some(warn_over(1.0, 6.0, 2.0)),
    },
    Check {
        name: "true_peak",
        group: Group::MixReadiness,
        unit: "dBTP",
        what: "true peak (4× oversampled)",
        rule: |_, c| Some(Rule::AtMost { full: c.true_peak_limit, zero: c.true_peak_limit + 3.0, flag: c.true_peak_limit, severity: Severity::Violation }),
    },
    Check {
        name: "headroom",
        group: Group::MixReadiness,
        unit: "dB",
        what: "distance from the sample peak to full scale",
        rule: |_, _| Some(Rule::AtLeast { full: 1.0, zero: 0.0, flag: 0.5, severity: Severity::Warning }),
    },
    Check {
        name: "crest_factor",
        group: Group::MixReadiness,
        unit: "dB",
        what: "sample peak over RMS: low is squashed",
        rule: |p, _| Some(Rule::AtLeast { full: p.crest_min, zero: p.crest_min - 6.0, flag: p.crest_min - 3.0, severity: Severity::Warning }),
    },
    Check {
        name: "correlation",
        group: Group::MixReadiness,
        unit: "",
        what: "left/right correlation: negative cancels in mono",
        rule: |_, _| Some(Rule::AtLeast { full: 0.0, zero: -1.0, flag: 0.0, severity: Severity::Warning }),
    },
    Check {
        name: "mono_loss",
        group: Group::MixReadiness,
        unit: "dB",
        what: "how much quieter the mono sum is (mono compatibility)",
        rule: |_, _| Some(warn_over(3.0, 9.0, 3.0)),
    },
    Check {
        name: "dc_offset",
        group: Group::MixReadiness,
        unit: "dBFS",
        what: "mean of the larger side",
        rule: |_, _| Some(warn_over(-50.0, -30.0, -50.0)),
    },
    Check {
        name: "low_end",
        group: Group::MixReadiness,
        unit: "",
        what: "share of the energy under 30 Hz: rumble that takes headroom and is not heard",
        rule: |_, _| Some(warn_over(0.05, 0.3, 0.1)),
    },
    Check {
        name: "clipping",
        group: Group::Perceptual,
        unit: "",
        what: "share of samples in runs of 3 or more at full scale",
        rule: |_, _| Some(Rule::AtMost { full: 0.0, zero: 0.001, flag: 0.0, severity: Severity::Violation }),
    },
    Check {
        name: "harshness",
        group: Group::Perceptual,
        unit: "",
        what: "share of the energy over 6 kHz (harshness, aliasing)",
        rule: |p, _| Some(warn_over(p.high_max, p.high_max + 0.3, p.high_max)),
    },
    Check {
        name: "noise_floor",
        group: Group::Perceptual,
        unit: "dBFS",
        what: "level of the quietest tenth of 50 ms blocks, when there are rests (40 dB under the loudest tenth)",
        rule: |_, _| Some(warn_over(-70.0, -40.0, -60.0)),
    },
    Check {
        name: "non_finite",
        group: Group::Stability,
        unit: "samples",
        what: "NaN or infinite samples",
        rule: |_, _| Some(Rule::AtMost { full: 0.0, zero: 1.0, flag: 0.0, severity: Severity::Violation }),
    },
    Check {
        name: "level_drift",
        group: Group::Stability,
        unit: "dB",
        what: "level of the last third against the first, either way (not for fx: a riser rises)",
        rule: |p, _| p.steady.then_some(warn_over(3.0, 12.0, 6.0)),
    },
];
