//! Numbers from users, checked at the edge: one checker per kind of value
//! (seconds, bars, sample rates, loudness, true peak), so a flag, a config
//! field and a library entry point refuse `inf`, `NaN`, zero or a huge
//! value the same way and with the same words, before anything is sized
//! from them.
//!
//! Pure, any thread. Session fields have their own descriptors
//! (`patch::field`); this is for the command line, the config files and
//! the lengths the library is asked to render.

/// Longest render to a file, seconds (a 96 kHz float WAV of an hour is
/// 2.8 GB; a WAV cannot pass 4 GB).
pub const MAX_RENDER_SECONDS: f64 = 3600.0;
/// Longest render into memory (`analyze`, the chat's `analyse_mix`), seconds.
pub const MAX_ANALYZE_SECONDS: f64 = 600.0;
/// Longest `--seconds` a live run takes (a week).
pub const MAX_RUN_SECONDS: f64 = 7.0 * 86_400.0;
/// Most bars `render --bars` and `analyze --bars` take (the length is then
/// also held to the seconds above).
pub const MAX_BARS: f64 = 4096.0;
/// Device sample rates `--rate` and the config take, Hz.
pub const DEVICE_RATES: (u32, u32) = (8_000, 384_000);
/// Loudness targets, LUFS.
pub const LUFS: (f64, f64) = (-70.0, 0.0);
/// True-peak limits, dBTP.
pub const DBTP: (f64, f64) = (-20.0, 0.0);

/// A number in `lo..=hi` (above `lo` when `open_low`), from text.
fn number(s: &str, what: &str, lo: f64, hi: f64, open_low: bool) -> Result<f64, String> {
    let x: f64 = s.trim().parse().map_err(|_| {
        format!(
            "{what} needs a number, got \"{}\"",
            crate::quote::clip(s, 40)
        )
    })?;
    check(x, what, lo, hi, open_low)
}

/// The same check for a number already read.
pub fn check(x: f64, what: &str, lo: f64, hi: f64, open_low: bool) -> Result<f64, String> {
    let low_ok = if open_low { x > lo } else { x >= lo };
    if x.is_finite() && low_ok && x <= hi {
        return Ok(x);
    }
    Err(if open_low {
        format!("{what} must be more than {lo} and at most {hi}, got {x}")
    } else {
        format!("{what} goes from {lo} to {hi}, got {x}")
    })
}

/// `--seconds` of a render.
pub fn render_seconds(s: &str) -> Result<f64, String> {
    number(s, "--seconds", 0.0, MAX_RENDER_SECONDS, true)
}

/// `--seconds` of a live run.
pub fn run_seconds(s: &str) -> Result<f64, String> {
    number(s, "--seconds", 0.0, MAX_RUN_SECONDS, true)
}

/// `--bars`.
pub fn bars(s: &str) -> Result<f64, String> {
    number(s, "--bars", 0.0, MAX_BARS, true)
}

/// A device sample rate, Hz.
pub fn device_rate(s: &str) -> Result<u32, String> {
    let (lo, hi) = DEVICE_RATES;
    number(s, "the sample rate", lo.into(), hi.into(), false).map(|r| r.round() as u32)
}

/// A tempo, BPM (the session's range).
pub fn tempo(s: &str) -> Result<f64, String> {
    number(s, "the tempo", 20.0, 999.0, false)
}

/// A loudness target, LUFS.
pub fn lufs(s: &str) -> Result<f64, String> {
    number(s, "the loudness target", LUFS.0, LUFS.1, false)
}

/// A true-peak limit, dBTP.
pub fn dbtp(s: &str) -> Result<f64, String> {
    number(s, "the true-peak limit", DBTP.0, DBTP.1, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inf_nan_zero_and_huge_are_refused_with_the_range() {
        for bad in ["inf", "NaN", "-1", "0", "1e9", "x"] {
            let e = bars(bad).unwrap_err();
            assert!(e.starts_with("--bars"), "{e}");
        }
        assert_eq!(bars("16").unwrap(), 16.0);
        assert_eq!(device_rate("44100").unwrap(), 44100);
        assert!(device_rate("0").is_err());
        assert!(lufs("-14").is_ok() && lufs("5").is_err());
        assert!(render_seconds("3600").is_ok() && render_seconds("3601").is_err());
    }
}
