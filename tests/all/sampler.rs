//! The sample player's features, measured: rate, pitch, reverse, loop
//! points, slices, fades; decoding FLAC, and MP3 and Ogg Vorbis from real encoders; and clear errors for bad files
//! while the rest of the session keeps playing.

use termdaw::engine::instrument;
use termdaw::kinds::InstrumentKind;
use termdaw::patch::InstrumentDef;
use termdaw::sample::{self, SampleData};

use crate::common::{peak_frequency, prepare, render_with, Audio, RATE};

const SR: f32 = RATE as f32;

/// Play `note` for `held` frames (then note-off), render `frames`.
fn play(params: &str, data: SampleData, note: f32, held: usize, frames: usize) -> Vec<f32> {
    let def: InstrumentDef = ron::from_str(&format!("Sample(file: \"x.wav\", {params})"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(def.kind, InstrumentKind::Sample);
    let mut inst = instrument::build(def.kind, &def.values, 4, SR, Some(data));
    inst.note_on(note, 1.0);
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    let mut done = 0;
    while done < frames {
        let n = 64.min(frames - done);
        if done <= held && held < done + n {
            inst.note_off(note);
        }
        inst.render(&mut l[done..done + n], &mut r[done..done + n]);
        done += n;
    }
    l
}

fn mono(x: Vec<f32>) -> SampleData {
    SampleData {
        left: x.clone(),
        right: x,
        markers: Vec::new(),
    }
}

fn sine(freq: f32, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| 0.5 * (std::f32::consts::TAU * freq * i as f32 / SR).sin())
        .collect()
}

fn noise(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

fn sounding_len(x: &[f32]) -> usize {
    x.iter().rposition(|s| *s != 0.0).map_or(0, |i| i + 1)
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| (*p * *q) as f64).sum::<f64>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

#[test]
fn rate_two_halves_the_length() {
    let src = vec![0.5f32; 4800];
    assert!((sounding_len(&play("", mono(src.clone()), 60.0, 0, 12000)) as i64 - 4800).abs() <= 2);
    let got = sounding_len(&play("rate: 2", mono(src.clone()), 60.0, 0, 12000));
    assert!((got as i64 - 2400).abs() <= 2, "{got}");
    let got = sounding_len(&play("rate: 0.5", mono(src), 60.0, 0, 12000));
    assert!((got as i64 - 9600).abs() <= 2, "{got}");
}

#[test]
fn plus_twelve_semitones_doubles_the_pitch() {
    let src = sine(220.0, 48000);
    let base = play("", mono(src.clone()), 60.0, 0, 20000);
    let up = play("pitch: 12", mono(src.clone()), 60.0, 0, 20000);
    let f0 = peak_frequency(&base[1000..17384], SR);
    let f1 = peak_frequency(&up[1000..17384], SR);
    assert!((f0 / 220.0 - 1.0).abs() < 0.003, "{f0}");
    assert!((f1 / 440.0 - 1.0).abs() < 0.003, "{f1}");
    let down = play("pitch: -7, rate: 1.5", mono(src), 60.0, 0, 20000);
    let f2 = peak_frequency(&down[1000..17384], SR);
    let want = 220.0 * 1.5 * 2f32.powf(-7.0 / 12.0);
    assert!((f2 / want - 1.0).abs() < 0.003, "{f2} vs {want}");
}

#[test]
fn reverse_plays_the_sample_backwards() {
    let src = noise(4800, 7);
    let out = play("reverse: on", mono(src.clone()), 60.0, 0, 6000);
    let mut rev = src.clone();
    rev.reverse();
    // Skip the attack ramp and the 3 ms end fade.
    let c = correlation(&out[200..4500], &rev[200..4500]);
    assert!(c > 0.999, "correlation with the reversed source {c}");
    assert!(correlation(&out[200..4500], &src[200..4500]).abs() < 0.1);
    assert!((sounding_len(&out) as i64 - 4800).abs() <= 2);
}

#[test]
fn loop_points_loop_until_the_key_is_released() {
    // Loop the second quarter (1200..2400) of a noise burst; hold 0.5 s.
    let src = noise(4800, 3);
    let out = play(
        "loop: on, loop_start: 0.25, loop_end: 0.5",
        mono(src.clone()),
        60.0,
        24000,
        30000,
    );
    // Plays past the sample's own length while held...
    assert!(Audio::rms(&out[20000..23000]) > 0.1);
    // ...repeating the loop region exactly.
    // (Away from the 5 ms crossfade before the seam.)
    let (a, b) = (10800, 10800 + 900);
    let want: Vec<f32> = (a..b).map(|t| src[1200 + (t - 1200) % 1200]).collect();
    let c = correlation(&out[a..b], &want);
    assert!(c > 0.999, "loop region repeats: {c}");
    // The seam is crossfaded: the biggest step across it is no bigger than
    // the noise's own steps.
    let sine: Vec<f32> = (0..4800)
        .map(|i| 0.5 * (std::f32::consts::TAU * 100.0 * i as f32 / SR).sin())
        .collect();
    // Loop 1000..3000 of a 100 Hz sine: the seam cuts it mid-cycle.
    let looped = play(
        "loop: on, loop_start: 0.2083, loop_end: 0.625",
        mono(sine),
        60.0,
        24000,
        24000,
    );
    let step = looped[200..23000]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    let own = std::f32::consts::TAU * 100.0 / SR * 0.5;
    assert!(
        step < own * 1.5,
        "largest step {step} (the sine's own {own})"
    );
    let c = correlation(&out[5000..8000], &out[6200..9200]);
    assert!(c > 0.999, "period 1200: {c}");
    // ...and stops soon after the key-up.
    assert!(Audio::rms(&out[25000..]) < 1e-6);
}

#[test]
fn slices_cut_the_sample_into_steps() {
    // Four 1200-frame steps at levels 0.1, 0.2, 0.3, 0.4.
    let src: Vec<f32> = (0..4800).map(|i| 0.1 * (1 + i / 1200) as f32).collect();
    for (note, level) in [
        (60.0, 0.1f32),
        (61.0, 0.2),
        (62.0, 0.3),
        (63.0, 0.4),
        (64.0, 0.1),
    ] {
        let out = play("slices: 4", mono(src.clone()), note, 0, 3000);
        assert!((sounding_len(&out) as i64 - 1200).abs() <= 2, "note {note}");
        assert!((out[600] - level).abs() < 1e-3, "note {note}: {}", out[600]);
    }
    // By hit: each trigger plays the next slice, whatever the note.
    let def: InstrumentDef =
        ron::from_str("Sample(file: \"x.wav\", slices: 4, slice_by: hit)").unwrap();
    let mut inst = instrument::build(def.kind, &def.values, 4, SR, Some(mono(src.clone())));
    for want in [0.1f32, 0.2, 0.3, 0.4, 0.1] {
        inst.note_on(60.0, 1.0);
        let (mut l, mut r) = (vec![0.0; 1300], vec![0.0; 1300]);
        inst.render(&mut l, &mut r);
        assert!((l[600] - want).abs() < 1e-3, "{want}: {}", l[600]);
    }
    inst.all_notes_off();
    let (mut l, mut r) = (vec![0.0; 1300], vec![0.0; 1300]);
    inst.render(&mut l, &mut r);
    inst.note_on(60.0, 1.0);
    inst.render(&mut l, &mut r);
    assert!(
        (l[600] - 0.1).abs() < 1e-3,
        "stop starts from slice 1 again"
    );
    // start/end narrow the played region.
    let out = play("start: 0.5, end: 0.75", mono(src), 60.0, 0, 3000);
    assert!((sounding_len(&out) as i64 - 1200).abs() <= 2);
    assert!((out[600] - 0.3).abs() < 1e-3);
}

#[test]
fn fades_shape_the_ends() {
    let src = vec![0.5f32; 48000];
    let out = play("attack: 0.1, fade_out: 0.2", mono(src), 60.0, 0, 50000);
    assert!(
        (out[2400] - 0.25).abs() < 0.01,
        "half way through the fade-in: {}",
        out[2400]
    );
    assert!((out[24000] - 0.5).abs() < 1e-3);
    let near_end = out[48000 - 4800];
    assert!(
        (near_end - 0.25).abs() < 0.02,
        "half way through the fade-out: {near_end}"
    );
}

/// A minimal FLAC file (verbatim subframes, 16-bit mono) for decode tests.
fn write_flac(path: &std::path::Path, x: &[i16], rate: u32) {
    fn crc8(b: &[u8]) -> u8 {
        let mut c = 0u8;
        for &v in b {
            c ^= v;
            for _ in 0..8 {
                c = if c & 0x80 != 0 {
                    (c << 1) ^ 0x07
                } else {
                    c << 1
                };
            }
        }
        c
    }
    fn crc16(b: &[u8]) -> u16 {
        let mut c = 0u16;
        for &v in b {
            c ^= (v as u16) << 8;
            for _ in 0..8 {
                c = if c & 0x8000 != 0 {
                    (c << 1) ^ 0x8005
                } else {
                    c << 1
                };
            }
        }
        c
    }
    const BLOCK: usize = 4096;
    let mut out = b"fLaC".to_vec();
    out.push(0x80); // last metadata block, STREAMINFO
    out.extend_from_slice(&[0, 0, 34]);
    out.extend_from_slice(&(BLOCK as u16).to_be_bytes());
    out.extend_from_slice(&(BLOCK as u16).to_be_bytes());
    out.extend_from_slice(&[0; 6]); // min/max frame size unknown
    let total = x.len() as u64;
    // rate (20) | channels-1 (3) | bps-1 (5) | total samples (36)
    let packed: u64 = ((rate as u64) << 44) | (15u64 << 36) | total; // 1 channel: 0 in bits 41..44
    out.extend_from_slice(&packed.to_be_bytes());
    out.extend_from_slice(&[0; 16]); // MD5 unknown
    for (n, chunk) in x.chunks(BLOCK).enumerate() {
        let mut f = vec![0xFF, 0xF8];
        // block size: 0111 = 16-bit (size-1) at end of header; rate: from STREAMINFO (0000)
        f.push(0x70);
        // mono (0000), 16 bit (100), reserved 0
        f.push(0x08);
        // frame number, UTF-8 coded (small numbers only)
        assert!(n < 128);
        f.push(n as u8);
        f.extend_from_slice(&((chunk.len() - 1) as u16).to_be_bytes());
        let c = crc8(&f);
        f.push(c);
        f.push(0x02); // subframe: verbatim, no wasted bits
        for s in chunk {
            f.extend_from_slice(&s.to_be_bytes());
        }
        let c = crc16(&f);
        f.extend_from_slice(&c.to_be_bytes());
        out.extend_from_slice(&f);
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn flac_decodes_and_bad_files_give_clear_errors() {
    let dir = std::env::temp_dir().join(format!("termdaw-sampler-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flac = dir.join("tone.flac");
    let x: Vec<i16> = (0..44100)
        .map(|i| ((std::f32::consts::TAU * 441.0 * i as f32 / 44100.0).sin() * 16000.0) as i16)
        .collect();
    write_flac(&flac, &x, 44100);
    let d = sample::load_audio(&flac).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.rate, 44100.0);
    assert_eq!(d.left.len(), 44100);
    assert!((d.left[1000] - x[1000] as f32 / 32768.0).abs() < 1e-4);
    // Resampled to the engine rate off the audio thread.
    let at48 = sample::load(&flac, 48000.0).unwrap();
    assert_eq!(at48.left.len(), 48000);
    let f = peak_frequency(&at48.left[4000..36768], 48000.0);
    assert!((f / 441.0 - 1.0).abs() < 0.003, "{f}");

    let missing = sample::load(&dir.join("nope.ogg"), 48000.0)
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("not found") && missing.contains("nope.ogg"),
        "{missing}"
    );
    for (name, bytes) in [
        (
            "junk.mp3",
            b"definitely not an mp3 stream, just text".to_vec(),
        ),
        ("junk.flac", b"fLaC but then nonsense follows here".to_vec()),
        ("junk.ogg", vec![0u8; 64]),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = sample::load(&p, 48000.0).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }

    // A session with a broken sample track still plays its other tracks.
    let text = format!(
        "Session(tempo: 120, tracks: [\n  Track(name: \"bad\", instrument: Sample(file: {:?}), pattern: Steps(\"x\")),\n  Track(name: \"ok\", instrument: Sample(file: {:?}), pattern: Steps(\"x\"), resolution: 1),\n])",
        dir.join("junk.mp3").display().to_string(),
        flac.display().to_string()
    );
    let (mut s, mut e) = prepare(&text);
    let notices = s.take_notices();
    assert!(
        notices
            .iter()
            .any(|n| n.starts_with("bad:") && n.contains("junk.mp3")),
        "{notices:?}"
    );
    let a = render_with(&mut s, &mut e, 24000, |_, _| {});
    assert!(a.peak() > 0.2, "the good track plays: {}", a.peak());
    let _ = std::fs::remove_dir_all(dir);
}

/// Real encoders' files (tests/fixtures, see its README): LAME's MP3 and
/// libvorbis's Ogg Vorbis decode to the tone they were made from.
#[test]
fn mp3_and_ogg_vorbis_from_real_encoders_decode_to_their_tones() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    // Mono MP3 at 44.1 kHz, 0.5 s of A4 at -6 dBFS, played at 48 kHz.
    let mp3 = sample::load_audio(&fixtures.join("a440.mp3")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mp3.rate, 44100.0);
    let secs = mp3.left.len() as f32 / 44100.0;
    // MP3 frames pad the ends (encoder delay): a little longer, never shorter.
    assert!((0.49..0.6).contains(&secs), "{secs} s");
    let at48 = sample::load(&fixtures.join("a440.mp3"), 48000.0).unwrap();
    let mid = &at48.left[4800..19200];
    let f = peak_frequency(mid, 48000.0);
    assert!((f / 440.0 - 1.0).abs() < 0.005, "mp3 pitch {f}");
    assert!(
        (rms(mid) - 0.5 / 2f32.sqrt()).abs() < 0.02,
        "mp3 level {}",
        rms(mid)
    );
    assert_eq!(at48.left, at48.right, "mono plays on both sides");
    // Stereo Ogg Vorbis at 48 kHz: A4 left, E5 right.
    let ogg = sample::load_audio(&fixtures.join("a440-e660.ogg")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ogg.rate, 48000.0);
    let secs = ogg.left.len() as f32 / 48000.0;
    assert!((0.49..0.52).contains(&secs), "{secs} s");
    let (l, r) = (&ogg.left[4800..19200], &ogg.right[4800..19200]);
    let (fl, fr) = (peak_frequency(l, 48000.0), peak_frequency(r, 48000.0));
    assert!((fl / 440.0 - 1.0).abs() < 0.005, "ogg left {fl}");
    assert!((fr / 660.0 - 1.0).abs() < 0.005, "ogg right {fr}");
    assert!(
        (rms(l) - 0.5 / 2f32.sqrt()).abs() < 0.02,
        "ogg level {}",
        rms(l)
    );
}
