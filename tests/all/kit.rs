//! The starter kit's loops (samples/<name>-<tempo>bpm.wav): each is exactly
//! its stated bars at the tempo in its name, made from its source session,
//! ends clean so it loops without a seam, has its hits on its grid (onsets
//! within 1 ms) and, when tonal, plays its stated notes in tune (1%).
//! samples/README.md states the same figures for the musician.

use std::path::{Path, PathBuf};

use termdaw::analysis::{self, peak, spectral};

const RATE: usize = 48_000;
/// 1 ms, the most a hit may sit off its grid step.
const MS: usize = RATE / 1000;

struct Loop {
    file: &'static str,
    bpm: f64,
    bars: usize,
    /// Grid steps per bar.
    grid: usize,
    /// One character per grid step over the whole loop: `x` where a hit
    /// starts. Empty for textures, which swell rather than strike.
    hits: &'static str,
    /// Notes (first grid step, MIDI note) checked by their median pitch.
    notes: &'static [(usize, u8)],
    /// Chords (first and last grid step they span, MIDI notes) checked
    /// by the spectral peak of every note.
    chords: &'static [(usize, usize, &'static [u8])],
    /// Pitch of the whole file (MIDI note), as the one-shots are checked.
    root: Option<u8>,
    /// `slices: N` with `slice_by: hit` starts every slice on a hit.
    slices: usize,
    /// The file carries a slice marker at the start of each of its
    /// `slices` (rendered with `--cue-every`), so `slice_at: markers` cuts
    /// the same slices.
    markers: bool,
}

const LOOPS: &[Loop] = &[
    Loop {
        file: "beat-120bpm.wav",
        bpm: 120.0,
        bars: 2,
        grid: 16,
        hits: "x.x.x.x.x.x.x.x.x.x.x.xxx.x.x.x.",
        notes: &[],
        chords: &[],
        root: None,
        slices: 1,
        markers: false,
    },
    Loop {
        file: "break-96bpm.wav",
        bpm: 96.0,
        bars: 1,
        grid: 16,
        hits: "x.x.x.xxxxxxx.x.",
        notes: &[],
        chords: &[],
        root: None,
        slices: 8,
        markers: true,
    },
    Loop {
        file: "bass-120bpm.wav",
        bpm: 120.0,
        bars: 2,
        grid: 8,
        hits: "x.xx.xxxx.xx.xx.",
        notes: &[
            (0, 45),
            (2, 45),
            (3, 57),
            (5, 45),
            (6, 43),
            (7, 40),
            (8, 45),
            (10, 45),
            (11, 57),
            (13, 48),
            (14, 52),
        ],
        chords: &[],
        root: Some(45),
        slices: 1,
        markers: false,
    },
    Loop {
        file: "chords-120bpm.wav",
        bpm: 120.0,
        bars: 2,
        grid: 8,
        hits: "x..x..x.x..x..x.",
        notes: &[],
        chords: &[(0, 7, &[45, 57, 60, 64]), (8, 15, &[41, 53, 57, 60])],
        root: None,
        slices: 1,
        markers: false,
    },
    Loop {
        file: "pad-120bpm.wav",
        bpm: 120.0,
        bars: 2,
        grid: 16,
        hits: "",
        notes: &[],
        chords: &[],
        root: Some(45),
        slices: 1,
        markers: false,
    },
    Loop {
        file: "air-120bpm.wav",
        bpm: 120.0,
        bars: 1,
        grid: 16,
        hits: "",
        notes: &[],
        chords: &[],
        root: None,
        slices: 1,
        markers: false,
    },
];

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn hz(note: u8) -> f64 {
    440.0 * ((note as f64 - 69.0) / 12.0).exp2()
}

/// Where the hit the onset detector found near `t` seconds really starts,
/// to the sample: the first sample within 10 ms of `t` that jumps by more
/// than twice any jump of the 20 ms before it (and by more than 0.1% of
/// the hit's biggest jump, the slope of a saw just starting). The detector's own times are only as fine as its
/// 5.3 ms hop.
fn attack_start(x: &[f32], t: f64) -> Option<usize> {
    let jump = |n: usize| (x[n] - x[n.saturating_sub(1)]).abs();
    let at = (t * RATE as f64).round() as usize;
    let (lo, hi) = (at.saturating_sub(10 * MS), (at + 10 * MS).min(x.len()));
    let biggest = (lo..(at + 30 * MS).min(x.len()))
        .map(jump)
        .fold(0.0, f32::max);
    (lo..hi).find(|&n| {
        let before = (n.saturating_sub(20 * MS)..n).map(jump).fold(0.0, f32::max);
        jump(n) > 0.001 * biggest && jump(n) > 2.0 * before
    })
}

/// The frequency of the strongest spectral peak within 3% of `f` in `x`
/// (Hann window, zero-padded, parabolic interpolation), and its level
/// relative to the strongest peak anywhere.
fn peak_near(x: &[f32], f: f64) -> (f64, f64) {
    use rustfft::{num_complex::Complex, FftPlanner};
    let size = 1 << 18;
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = (0..size)
        .map(|i| {
            let w = if i < n {
                0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos()
            } else {
                0.0
            };
            Complex::new(x.get(i).map_or(0.0, |v| *v as f64) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(size).process(&mut buf);
    let mag: Vec<f64> = buf[..size / 2].iter().map(|c| c.norm()).collect();
    let bin = RATE as f64 / size as f64;
    let (lo, hi) = ((f * 0.97 / bin) as usize, (f * 1.03 / bin) as usize);
    let k = (lo..=hi)
        .max_by(|a, b| mag[*a].total_cmp(&mag[*b]))
        .unwrap();
    let (a, b, c) = (mag[k - 1], mag[k], mag[k + 1]);
    let den = a - 2.0 * b + c;
    let delta = if den.abs() > 1e-12 {
        0.5 * (a - c) / den
    } else {
        0.0
    };
    let top = mag.iter().cloned().fold(0.0, f64::max);
    ((k as f64 + delta) * bin, b / top)
}

#[test]
fn every_loop_is_its_stated_bars_at_the_tempo_in_its_name_from_its_source() {
    let dir = samples();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for lp in LOOPS {
        let path = dir.join(lp.file);
        let d = termdaw::sample::load_audio(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.rate as usize, RATE, "{}", lp.file);
        // The tempo in the name is the stated tempo and the source's.
        let stem = lp.file.trim_end_matches(".wav");
        let named: f64 = stem
            .rsplit('-')
            .next()
            .unwrap()
            .trim_end_matches("bpm")
            .parse()
            .unwrap();
        assert_eq!(named, lp.bpm, "{}", lp.file);
        let src = dir.join("sources").join(format!("{stem}.ron"));
        let file = termdaw::patch::load(&src).unwrap_or_else(|e| panic!("{}", e.report()));
        assert_eq!(file.tempo, lp.bpm, "{}'s source", lp.file);
        let text = std::fs::read_to_string(&src).unwrap();
        let cue_every = lp.bars as f64 * 4.0 / lp.slices as f64;
        let cues = if lp.markers {
            format!(" --cue-every {cue_every}")
        } else {
            String::new()
        };
        let command = format!(
            "// Rendered with: termdaw render samples/sources/{stem}.ron --bars {}{cues} -o samples/{}",
            lp.bars, lp.file
        );
        assert!(
            text.contains(&command),
            "{} says how it was made",
            src.display()
        );
        // Exactly its bars, to the sample, so it loops in time.
        let frames = lp.bars as f64 * 4.0 * 60.0 / lp.bpm * RATE as f64;
        assert_eq!(frames.fract(), 0.0);
        // Its markers (if any) start its equal slices, to the sample.
        let markers = termdaw::sample::load_wav(&path, RATE as f32)
            .unwrap()
            .markers;
        let want: Vec<u32> = if lp.markers {
            (0..lp.slices)
                .map(|k| (k as f64 * frames / lp.slices as f64) as u32)
                .collect()
        } else {
            Vec::new()
        };
        assert_eq!(markers, want, "{} slice markers", lp.file);
        assert_eq!(d.left.len(), frames as usize, "{} length", lp.file);
        assert_eq!(d.right.len(), frames as usize, "{} length", lp.file);
        let top = peak::sample_peak(&d.left).max(peak::sample_peak(&d.right));
        assert!(top > 0.1, "{} is audible: peak {top}", lp.file);
        // Clean end: whatever was playing has died away in the last 5 ms,
        // so the jump back to the start cuts no tail.
        let n = d.left.len();
        let tail =
            peak::sample_peak(&d.left[n - 5 * MS..]).max(peak::sample_peak(&d.right[n - 5 * MS..]));
        eprintln!(
            "{}: {} frames, last 5 ms {:.1} dB under the peak",
            lp.file,
            n,
            peak::to_db((tail / top) as f64)
        );
        assert!(
            tail < 0.003 * top,
            "{} ends clean: last 5 ms at {:.1} dB under its peak",
            lp.file,
            peak::to_db((tail / top) as f64)
        );
        assert!(
            readme.contains(&format!("`{}`", lp.file)),
            "README documents {}",
            lp.file
        );
    }
}

#[test]
fn every_loop_has_its_hits_on_its_grid_within_1_ms() {
    for lp in LOOPS.iter().filter(|l| !l.hits.is_empty()) {
        let d = termdaw::sample::load_audio(&samples().join(lp.file)).unwrap();
        let mono: Vec<f32> = d
            .left
            .iter()
            .zip(&d.right)
            .map(|(a, b)| 0.5 * (a + b))
            .collect();
        assert_eq!(lp.hits.len(), lp.grid * lp.bars, "{} hits", lp.file);
        let step = mono.len() / (lp.grid * lp.bars);
        let (found, worst) = hits_on_grid(&mono, step, lp.file);
        let want: Vec<usize> = lp
            .hits
            .char_indices()
            .filter(|(_, c)| *c == 'x')
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, want, "{}: grid steps with hits", lp.file);
        // Every slice of a break cut for `slice_by: hit` starts on a hit.
        for s in 0..lp.slices {
            let start = s * mono.len() / lp.slices;
            assert!(
                found.iter().any(|k| k * step == start),
                "{}: slice {} of {} starts on a hit",
                lp.file,
                s + 1,
                lp.slices
            );
        }
        eprintln!(
            "{}: {} hits, worst {} samples off the grid",
            lp.file,
            found.len(),
            worst
        );
    }
}

#[test]
fn the_tonal_loops_play_their_notes_in_tune() {
    for lp in LOOPS {
        let d = termdaw::sample::load_audio(&samples().join(lp.file)).unwrap();
        let mono: Vec<f32> = d
            .left
            .iter()
            .zip(&d.right)
            .map(|(a, b)| 0.5 * (a + b))
            .collect();
        let step = mono.len() / (lp.grid * lp.bars);
        if let Some(root) = lp.root {
            let p = analysis::analyze(&d.left, &d.right, d.rate)
                .median_pitch()
                .unwrap();
            assert!((p / hz(root) - 1.0).abs() < 0.01, "{}: {p} Hz", lp.file);
            eprintln!("{}: median {p:.2} Hz (want {:.2})", lp.file, hz(root));
        }
        for &(at, note) in lp.notes {
            // The note's own stretch, from 10 ms in to its step's end.
            let seg = &mono[at * step + 10 * MS..(at + 1) * step];
            let track = termdaw::analysis::pitch::track(seg, RATE as f32, 512);
            let mut v: Vec<f64> = track.iter().filter_map(|p| p.hz).collect();
            assert!(!v.is_empty(), "{}: note at step {at} is voiced", lp.file);
            v.sort_by(f64::total_cmp);
            let p = v[v.len() / 2];
            assert!(
                (p / hz(note) - 1.0).abs() < 0.01,
                "{}: step {at} plays {p:.2} Hz, want {:.2}",
                lp.file,
                hz(note)
            );
        }
        // Each stab of a chord on its own (a window over several stabs would
        // see their repetition as a comb of spectral lines).
        for &(from, to, notes) in lp.chords {
            for k in (from..=to).filter(|k| lp.hits.as_bytes()[*k] == b'x') {
                let seg = &mono[k * step + 5 * MS..k * step + 150 * MS];
                for &note in notes {
                    let (f, level) = peak_near(seg, hz(note));
                    assert!(
                        (f / hz(note) - 1.0).abs() < 0.01 && level > 0.05,
                        "{}: chord at step {k}, note {note}: peak at {f:.2} Hz ({:.1} dB), want {:.2}",
                        lp.file,
                        peak::to_db(level),
                        hz(note)
                    );
                    eprintln!(
                        "{}: step {k} note {note}: {f:.2} Hz (want {:.2}, {:.1} dB)",
                        lp.file,
                        hz(note),
                        peak::to_db(level)
                    );
                }
            }
        }
    }
}

/// Onsets of `x` located to the sample, as grid steps of `step` frames;
/// panics when one is more than 1 ms off its step. Returns the steps and the
/// worst distance in frames.
fn hits_on_grid(x: &[f32], step: usize, what: &str) -> (Vec<usize>, usize) {
    let mut found = Vec::new();
    let mut worst = 0;
    for t in spectral::onsets(x, RATE as f32).times {
        let at = attack_start(x, t)
            .unwrap_or_else(|| panic!("{what}: no attack near the onset at {t:.4} s"));
        let k = (at + step / 2) / step;
        let off = at.abs_diff(k * step);
        assert!(
            off <= MS,
            "{what}: a hit at {:.4} s is {:.2} ms off grid step {k}",
            at as f64 / RATE as f64,
            off as f64 * 1000.0 / RATE as f64
        );
        worst = worst.max(off);
        found.push(k);
    }
    (found, worst)
}

/// patches/loops.ron keeps the drum loops in time at 120 BPM, bar after
/// bar: the beat retriggered every two bars repeats without a seam, and the
/// 96 BPM break, sliced by hit at `rate: 1.25`, lands every hit on the
/// session's 16th grid.
#[test]
fn loops_ron_plays_the_drum_loops_in_time_at_120_bpm() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/loops.ron");
    let solo = |name: &str| {
        let mut file = termdaw::patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
        assert_eq!(file.tempo, 120.0);
        file.tracks.retain(|t| t.name.0 == name);
        assert_eq!(file.tracks.len(), 1, "loops.ron has a {name} track");
        let (l, r) = termdaw::audio::render::render_buffers(
            file,
            Some(&path),
            termdaw::audio::render::Length::Bars(4.0),
            48000,
        )
        .unwrap();
        let mono: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
        mono
    };
    let step = RATE / 8; // a 16th at 120 BPM
    let beat = solo("beat");
    let (found, worst) = hits_on_grid(&beat, step, "loops.ron beat");
    let want: Vec<usize> = LOOPS[0]
        .hits
        .repeat(2)
        .char_indices()
        .filter(|(_, c)| *c == 'x')
        .map(|(i, _)| i)
        .collect();
    assert_eq!(found, want, "the beat's hits over 4 bars");
    let half = beat.len() / 2;
    let seam = beat[..half]
        .iter()
        .zip(&beat[half..])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        seam < 1e-4,
        "the second pass differs from the first by {seam}"
    );
    eprintln!(
        "loops.ron beat: {} hits, worst {worst} samples off",
        found.len()
    );

    let brk = solo("break");
    let (found, worst) = hits_on_grid(&brk, step, "loops.ron break");
    for k in (0..64).step_by(2) {
        assert!(
            found.contains(&k),
            "slice on 16th {k} of 4 bars plays on time: {found:?}"
        );
    }
    eprintln!(
        "loops.ron break: {} hits, worst {worst} samples off",
        found.len()
    );
}
