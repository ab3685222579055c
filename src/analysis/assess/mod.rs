//! `termdaw assess`: a quality score for a sound in its role. Measures a
//! stereo signal ([`measure`]), scores every check of [`table::CHECKS`]
//! against the role's profile and the context (tempo, key, loudness
//! target), and lists violations (hard limits crossed) and warnings, each
//! with its measured value and threshold.
//!
//! Control side, pure functions over whole buffers. Used by the command
//! line, `termdaw preset render` and the chat's `assess` tool; the tables
//! in docs/processing.md are generated from [`table`].

mod chroma;
pub mod measure;
pub mod table;

use serde_json::{json, Value};

use crate::patch::{Key, Scale};

pub use measure::Measures;
use table::{num, Group, Severity, CHECKS};

/// What a sound is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Pad,
    Bass,
    Lead,
    Drum,
    Fx,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Pad, Role::Bass, Role::Lead, Role::Drum, Role::Fx];

    pub fn name(self) -> &'static str {
        match self {
            Role::Pad => "pad",
            Role::Bass => "bass",
            Role::Lead => "lead",
            Role::Drum => "drum",
            Role::Fx => "fx",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown role `{}`; expected one of pad, bass, lead, drum, fx",
                    crate::quote::clip(s, crate::quote::MAX_QUOTE)
                )
            })
    }
}

/// The musical and loudness context a sound is assessed in.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub tempo: Option<f64>,
    /// The key and scale tonal roles are checked against.
    pub key: Option<(Key, Scale)>,
    pub target_lufs: f64,
    pub true_peak_limit: f64,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            tempo: None,
            key: None,
            target_lufs: DEFAULT_TARGET_LUFS,
            true_peak_limit: DEFAULT_TRUE_PEAK_LIMIT,
        }
    }
}

/// The loudness target without `--target-lufs` (streaming services' -14).
pub const DEFAULT_TARGET_LUFS: f64 = -14.0;
pub const DEFAULT_TRUE_PEAK_LIMIT: f64 = -1.0;
/// An overall score with any violation is at most this.
pub const VIOLATION_CAP: f64 = 0.5;

/// One scored check.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub name: &'static str,
    pub group: Group,
    pub value: f64,
    pub unit: &'static str,
    pub score: f64,
    pub threshold: String,
}

/// A threshold crossed.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub message: String,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub role: Role,
    pub context: Context,
    pub overall: f64,
    /// Each group's score (`None` when none of its checks applied).
    pub groups: Vec<(Group, Option<f64>)>,
    pub checks: Vec<Scored>,
    pub violations: Vec<Finding>,
    pub warnings: Vec<Finding>,
    pub measures: Measures,
}

/// Assess planar stereo at `rate` as `role` in `context`.
pub fn assess(l: &[f32], r: &[f32], rate: f32, role: Role, context: &Context) -> Assessment {
    let profile = table::profile(role);
    let scale = context.key.map(|(k, s)| s.pitch_classes(k));
    let m = measure::measure(l, r, rate, scale.as_deref(), profile, context.tempo);
    let mut checks = Vec::new();
    let (mut violations, mut warnings) = (Vec::new(), Vec::new());
    if !m.integrated_lufs.is_finite() {
        violations.push(Finding {
            check: "loudness",
            value: m.integrated_lufs,
            threshold: context.target_lufs,
            message: "silent: nothing above the loudness gate".into(),
        });
    }
    for c in CHECKS {
        let (Some(rule), Some(value)) = ((c.rule)(profile, context), value_of(c.name, &m, context))
        else {
            continue;
        };
        let score = rule.score(value);
        if let Some((severity, threshold)) = rule.finding(value) {
            let f = Finding {
                check: c.name,
                value,
                threshold,
                message: message(c.name, value, threshold, c.unit, &m, context),
            };
            match severity {
                Severity::Violation => violations.push(f),
                Severity::Warning => warnings.push(f),
            }
        }
        checks.push(Scored {
            name: c.name,
            group: c.group,
            value,
            unit: c.unit,
            score,
            threshold: rule.text(c.unit),
        });
    }
    let groups: Vec<(Group, Option<f64>)> = Group::ALL
        .iter()
        .map(|g| {
            let s: Vec<f64> = checks
                .iter()
                .filter(|c| c.group == *g)
                .map(|c| c.score)
                .collect();
            (
                *g,
                (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64),
            )
        })
        .collect();
    let (sum, weight) = groups.iter().fold((0.0, 0.0), |(s, w), (g, v)| match v {
        Some(v) => (s + g.weight() * v, w + g.weight()),
        None => (s, w),
    });
    let mut overall = if weight > 0.0 { sum / weight } else { 0.0 };
    if !violations.is_empty() {
        overall = overall.min(VIOLATION_CAP);
    }
    Assessment {
        role,
        context: context.clone(),
        overall,
        groups,
        checks,
        violations,
        warnings,
        measures: m,
    }
}

/// A check's measured value (`None`: not measurable here, e.g. the noise
/// floor of audio without rests).
fn value_of(name: &str, m: &Measures, c: &Context) -> Option<f64> {
    Some(match name {
        "centroid" => m.centroid_hz,
        "onset_rate" => m.onsets_per_second,
        "sustain" => m.sustain,
        "in_key" => m.in_key?,
        "on_grid" => m.on_grid?,
        "loudness" if m.integrated_lufs.is_finite() => (m.integrated_lufs - c.target_lufs).abs(),
        "true_peak" if m.true_peak_dbtp.is_finite() => m.true_peak_dbtp,
        "headroom" if m.sample_peak_dbfs.is_finite() => -m.sample_peak_dbfs,
        "crest_factor" => m.crest_db,
        "correlation" => m.correlation,
        "mono_loss" => m.mono_loss_db,
        "dc_offset" => m.dc_dbfs.max(-120.0),
        "low_share" => m.low_share,
        "low_end" => m.rumble_share,
        "clipping" => m.clipped_share,
        "harshness" => m.high_share,
        "noise_floor" => m.noise_floor_dbfs?,
        "non_finite" => m.non_finite as f64,
        "level_drift" => m.drift_db.abs(),
        _ => return None,
    })
}

fn message(name: &str, v: f64, t: f64, unit: &str, m: &Measures, c: &Context) -> String {
    let u = |x: f64| format!("{} {unit}", num(x));
    match name {
        "loudness" => format!(
            "integrated loudness {} LUFS is {} LU from the {} LUFS target",
            num(m.integrated_lufs),
            num(v),
            num(c.target_lufs)
        ),
        "true_peak" => format!("true peak {} is over the {} limit", u(v), u(t)),
        "clipping" => format!("{} of the samples are clipped (runs at full scale)", pct(v)),
        "non_finite" => format!("{} NaN or infinite samples", v as u64),
        "in_key" | "on_grid" | "sustain" | "low_share" | "low_end" | "harshness" => {
            format!("{name} {} (threshold {})", pct(v), pct(t))
        }
        _ => format!("{name} {} (threshold {})", u(v), u(t)),
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Rounded for output, so the JSON is stable across tiny float noise.
fn r3(v: f64) -> Value {
    if v.is_finite() {
        json!((v * 1000.0).round() / 1000.0)
    } else {
        Value::Null
    }
}

impl Assessment {
    pub fn group(&self, g: Group) -> Option<f64> {
        self.groups
            .iter()
            .find(|(k, _)| *k == g)
            .and_then(|(_, v)| *v)
    }

    /// The JSON documented in docs/processing.md.
    pub fn json(&self) -> Value {
        let findings = |v: &[Finding]| -> Vec<Value> {
            v.iter()
                .map(|f| json!({"check": f.check, "value": r3(f.value), "threshold": r3(f.threshold), "message": f.message}))
                .collect()
        };
        let m = &self.measures;
        let c = &self.context;
        let mut out = json!({
            "role": self.role.name(),
            "overall_score": r3(self.overall),
            "context": {
                "tempo": c.tempo,
                "key": c.key.map(|k| k.0.name()),
                "scale": c.key.map(|k| k.1.name()),
                "target_lufs": c.target_lufs,
                "true_peak_limit": c.true_peak_limit,
            },
            "measures": {
                "seconds": r3(m.seconds),
                "integrated_lufs": r3(m.integrated_lufs),
                "true_peak_dbtp": r3(m.true_peak_dbtp),
                "sample_peak_dbfs": r3(m.sample_peak_dbfs),
                "rms_dbfs": r3(m.rms_dbfs),
            },
            "checks": self.checks.iter().map(|s| json!({
                "name": s.name,
                "group": s.group.name(),
                "value": r3(s.value),
                "unit": s.unit,
                "score": r3(s.score),
                "threshold": s.threshold,
            })).collect::<Vec<_>>(),
            "violations": findings(&self.violations),
            "warnings": findings(&self.warnings),
        });
        for (g, v) in &self.groups {
            out[g.name()] = v.map_or(Value::Null, r3);
        }
        out
    }

    /// A few lines for a person.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = format!(
            "assessed as {}: overall {:.2}\n",
            self.role.name(),
            self.overall
        );
        for (g, v) in &self.groups {
            let v = v.map_or("–".to_string(), |v| format!("{v:.2}"));
            let _ = writeln!(s, "  {:<19} {v}", g.name());
        }
        for c in &self.checks {
            let _ = writeln!(
                s,
                "  {:<13} {:>9} {:<7} score {:.2}  ({})",
                c.name,
                num(c.value),
                c.unit,
                c.score,
                c.threshold
            );
        }
        for (what, list) in [("violation", &self.violations), ("warning", &self.warnings)] {
            for f in list {
                let _ = writeln!(s, "{what}: {}", f.message);
            }
        }
        if self.violations.is_empty() && self.warnings.is_empty() {
            s.push_str("no violations, no warnings\n");
        }
        s
    }
}

/// The table of checks for docs/processing.md.
pub fn checks_markdown() -> String {
    let ctx = Context::default();
    let mut s = String::from("| check | group | weight | unit | what it measures | how it scores |\n| --- | --- | --- | --- | --- | --- |\n");
    for c in CHECKS {
        let rules: Vec<String> = table::PROFILES
            .iter()
            .filter_map(|p| {
                (c.rule)(
                    p,
                    &Context {
                        key: Some((Key(0), Scale::Major)),
                        tempo: Some(120.0),
                        ..ctx.clone()
                    },
                )
                .map(|r| r.text(c.unit))
            })
            .collect();
        let how = if rules.windows(2).all(|w| w[0] == w[1]) {
            rules.first().cloned().unwrap_or_default()
        } else {
            "by role (table below)".to_string()
        };
        // Equal shares of the group (when every check of it applies).
        let n = CHECKS.iter().filter(|k| k.group == c.group).count();
        let weight = format!("1/{n} of {}", num(c.group.weight()));
        s.push_str(&format!(
            "| `{}` | {} | {weight} | {} | {} | {} |\n",
            c.name,
            c.group.name(),
            c.unit,
            c.what,
            how
        ));
    }
    s.push_str("\n| group | weight |\n| --- | --- |\n");
    for g in Group::ALL {
        s.push_str(&format!("| `{}` | {} |\n", g.name(), num(g.weight())));
    }
    s
}

/// The table of what each role is expected to sound like.
pub fn roles_markdown() -> String {
    let range = |(a, b): (f64, f64)| format!("{} – {}", num(a), num(b));
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut s = String::from("| role | centroid Hz | onsets /s | sustain | low_share | harshness at most | crest factor at least dB | level holds | in key | notes read by | register Hz | on grid |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for p in &table::PROFILES {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p.role.name(),
            range(p.centroid),
            range(p.onsets),
            range(p.sustain),
            range(p.low),
            num(p.high_max),
            num(p.crest_min),
            yes(p.steady),
            yes(p.tonal),
            if p.chords { "spectral peaks" } else { "pitch" },
            range(p.register),
            yes(p.rhythmic),
        ));
    }
    s
}
