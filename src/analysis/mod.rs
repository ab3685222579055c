//! Offline audio analysis: levels (sample peak, true peak, RMS), loudness
//! (EBU R128 integrated, short-term, momentary, range), spectral centroid,
//! onsets, tempo and a pitch track, plus a mastering check against a
//! loudness target.
//!
//! Control side only: pure functions over whole buffers (this module may
//! not touch the engine, a device or the audio thread). `termdaw analyze`
//! is a thin wrapper over [`analyze`], [`Report::text`] and [`Report::json`].

pub mod assess;
pub mod bands;
pub mod loudness;
pub mod peak;
pub mod pitch;
pub mod spectral;

use std::fmt::Write as _;

pub use loudness::Loudness;
pub use pitch::PitchPoint;

/// Everything `termdaw analyze` reports about a stereo signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub rate: f32,
    pub seconds: f64,
    /// dBFS, highest of both sides.
    pub sample_peak: f64,
    /// dBTP (4× oversampled), highest of both sides.
    pub true_peak: f64,
    /// dBFS, both sides together.
    pub rms: f64,
    pub loudness: Loudness,
    /// Hz.
    pub centroid: f64,
    /// Seconds.
    pub onsets: Vec<f64>,
    /// BPM.
    pub tempo: Option<f64>,
    pub pitch: Vec<PitchPoint>,
}

/// Analyse a stereo signal (left and right of equal length) at `rate` Hz.
pub fn analyze(l: &[f32], r: &[f32], rate: f32) -> Report {
    let n = l.len().min(r.len());
    let (l, r) = (&l[..n], &r[..n]);
    let mono: Vec<f32> = l.iter().zip(r).map(|(a, b)| 0.5 * (a + b)).collect();
    let onsets = spectral::onsets(&mono, rate);
    let ms = (peak::rms(l).powi(2) + peak::rms(r).powi(2)) / 2.0;
    Report {
        rate,
        seconds: n as f64 / rate as f64,
        sample_peak: peak::to_db(peak::sample_peak(l).max(peak::sample_peak(r)) as f64),
        true_peak: peak::to_db(peak::true_peak(l).max(peak::true_peak(r)) as f64),
        rms: peak::to_db(ms.sqrt()),
        loudness: loudness::measure(l, r, rate as f64),
        centroid: spectral::centroid(&mono, rate),
        onsets: onsets.times,
        tempo: onsets.tempo,
        pitch: pitch::track(&mono, rate, 2048),
    }
}

/// What a mastering check found: each line is one thing to change (empty
/// when the signal meets the target).
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub target: f64,
    pub true_peak_limit: f64,
    /// Gain that brings the integrated loudness to the target, dB.
    pub gain: f64,
    pub ok: bool,
    pub lines: Vec<String>,
}

impl Report {
    /// Compare with a loudness target (LUFS) and a true-peak limit (dBTP):
    /// integrated within ±1 LU and the true peak at or under the limit.
    pub fn check(&self, target: f64, true_peak_limit: f64) -> Advice {
        let i = self.loudness.integrated;
        let mut lines = Vec::new();
        let gain = if i.is_finite() { target - i } else { 0.0 };
        if !i.is_finite() {
            lines.push("the signal is silent: nothing to measure".to_string());
        } else if gain.abs() > 1.0 {
            let dir = if gain > 0.0 { "raise" } else { "lower" };
            lines.push(format!(
                "integrated loudness {i:.1} LUFS is {:.1} LU {} the {target:.1} LUFS target: {dir} the master by {:.1} dB",
                gain.abs(),
                if gain > 0.0 { "under" } else { "over" },
                gain.abs()
            ));
        }
        let peak_after = self.true_peak + gain.max(0.0);
        if self.true_peak > true_peak_limit {
            let over = self.true_peak - true_peak_limit;
            lines.push(format!(
                "true peak {:.1} dBTP is {over:.1} dB over the {true_peak_limit:.1} dBTP limit: set the master limiter's ceiling to {:.1} dBFS{}",
                self.true_peak,
                true_peak_limit - 0.2,
                if gain > 0.0 {
                    " (it then also catches the peaks of the raised level)"
                } else {
                    " or lower the level"
                }
            ));
        } else if peak_after > true_peak_limit {
            let over = peak_after - true_peak_limit;
            lines.push(format!(
                "raising by {gain:.1} dB would put the true peak at {peak_after:.1} dBTP, {over:.1} dB over {true_peak_limit:.1} dBTP: add a limiter (e.g. master ceiling {:.1}) to take {over:.1} dB off the peaks",
                true_peak_limit - 0.2
            ));
        }
        Advice {
            target,
            true_peak_limit,
            gain,
            ok: lines.is_empty(),
            lines,
        }
    }

    /// Median of the voiced pitch estimates, Hz.
    pub fn median_pitch(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.pitch.iter().filter_map(|p| p.hz).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }

    /// Human-readable summary.
    pub fn text(&self, advice: Option<&Advice>) -> String {
        let l = &self.loudness;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "length           {:.2} s at {} Hz",
            self.seconds, self.rate
        );
        let _ = writeln!(s, "sample peak      {} dBFS", num(self.sample_peak));
        let _ = writeln!(s, "true peak        {} dBTP", num(self.true_peak));
        let _ = writeln!(s, "RMS              {} dBFS", num(self.rms));
        let _ = writeln!(s, "integrated       {} LUFS", num(l.integrated));
        let _ = writeln!(s, "short-term max   {} LUFS", num(l.short_term_max));
        let _ = writeln!(s, "momentary max    {} LUFS", num(l.momentary_max));
        let _ = writeln!(s, "loudness range   {:.1} LU", l.range);
        let _ = writeln!(s, "centroid         {:.0} Hz", self.centroid);
        let _ = writeln!(s, "onsets           {}", self.onsets.len());
        let _ = writeln!(
            s,
            "tempo            {}",
            self.tempo
                .map(|t| format!("{t:.1} BPM"))
                .unwrap_or_else(|| "–".into())
        );
        let _ = writeln!(
            s,
            "median pitch     {}",
            self.median_pitch()
                .map(|p| format!("{p:.1} Hz"))
                .unwrap_or_else(|| "–".into())
        );
        if let Some(a) = advice {
            let _ = writeln!(
                s,
                "\ncheck against {:.1} LUFS / {:.1} dBTP: {}",
                a.target,
                a.true_peak_limit,
                if a.ok { "ok" } else { "change needed" }
            );
            for line in &a.lines {
                let _ = writeln!(s, "  - {line}");
            }
        }
        s
    }

    /// The report as JSON (numbers that are −inf become null).
    pub fn json(&self, advice: Option<&Advice>) -> String {
        let l = &self.loudness;
        let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
        let mut s = String::from("{");
        let _ = write!(
            s,
            "\"rate\":{},\"seconds\":{},\"sample_peak_dbfs\":{},\"true_peak_dbtp\":{},\"rms_dbfs\":{},",
            self.rate,
            jnum(self.seconds),
            jnum(self.sample_peak),
            jnum(self.true_peak),
            jnum(self.rms)
        );
        let _ = write!(
            s,
            "\"loudness\":{{\"integrated_lufs\":{},\"short_term_max_lufs\":{},\"momentary_max_lufs\":{},\"range_lu\":{},\"short_term_lufs\":[{}]}},",
            jnum(l.integrated),
            jnum(l.short_term_max),
            jnum(l.momentary_max),
            jnum(l.range),
            list(&mut l.short_term.iter().map(|v| jnum(*v)))
        );
        let _ = write!(
            s,
            "\"centroid_hz\":{},\"onsets_s\":[{}],\"tempo_bpm\":{},\"median_pitch_hz\":{},\"pitch\":[{}]",
            jnum(self.centroid),
            list(&mut self.onsets.iter().map(|v| jnum(*v))),
            self.tempo.map(jnum).unwrap_or_else(|| "null".into()),
            self.median_pitch().map(jnum).unwrap_or_else(|| "null".into()),
            list(&mut self.pitch.iter().map(|p| format!(
                "[{},{}]",
                jnum(p.time),
                p.hz.map(jnum).unwrap_or_else(|| "null".into())
            )))
        );
        if let Some(a) = advice {
            let _ = write!(
                s,
                ",\"check\":{{\"target_lufs\":{},\"true_peak_limit_dbtp\":{},\"gain_db\":{},\"ok\":{},\"advice\":[{}]}}",
                jnum(a.target),
                jnum(a.true_peak_limit),
                jnum(a.gain),
                a.ok,
                list(&mut a.lines.iter().map(|l| jstr(l)))
            );
        }
        s.push('}');
        s
    }
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "-inf".into()
    }
}

fn jnum(v: f64) -> String {
    if v.is_finite() {
        let r = (v * 1e4).round() / 1e4;
        format!("{r}")
    } else {
        "null".into()
    }
}

fn jstr(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
