//! Slice markers: `render --cue-every` writes them as a WAV `cue ` chunk,
//! the loader reads them back (at the engine's rate, bounded, ignoring
//! damage), and `Sample(slice_at: markers)` cuts its slices there.

use std::path::{Path, PathBuf};

use termdaw::audio::render::{self, Length, RenderOptions, WavFormat};
use termdaw::engine::instrument::{self, Instrument};
use termdaw::patch::{self, InstrumentDef};
use termdaw::sample::{self, cue, SampleData};

const SR: f32 = 48_000.0;

fn out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("termdaw-markers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A mono 16-bit WAV of `frames` frames at `rate`: a quiet bed (so a
/// slice's length can be measured) with a full-scale click at each of `clicks`.
fn clicks_wav(path: &Path, frames: usize, rate: u32, clicks: &[usize]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..frames {
        w.write_sample(if clicks.contains(&i) { i16::MAX } else { 300 })
            .unwrap();
    }
    w.finalize().unwrap();
}

fn sampler(params: &str, data: SampleData) -> Box<dyn Instrument> {
    let def: InstrumentDef = ron::from_str(&format!("Sample(file: \"x.wav\", {params})"))
        .unwrap_or_else(|e| panic!("{e}"));
    instrument::build(def.kind, &def.values, 4, SR, Some(data))
}

fn hit(inst: &mut dyn Instrument, note: f32, frames: usize) -> Vec<f32> {
    inst.note_on(note, 1.0);
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    for (a, b) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
        inst.render(a, b);
    }
    l
}

/// The slice sounds for `want` frames (its end fade may leave the very
/// last frame or two at zero).
fn assert_len(x: &[f32], want: usize, slice: usize) {
    let got = x.iter().rposition(|s| *s != 0.0).map_or(0, |i| i + 1);
    assert!(
        got <= want && got + 2 >= want,
        "slice {slice}: sounds {got} frames, want {want}"
    );
}

#[test]
fn rendered_cue_points_load_back_on_the_beat_grid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/demo.ron");
    let file = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
    for (rate, format) in [(48_000u32, WavFormat::Int24), (44_100, WavFormat::Float32)] {
        let o = out(&format!("cues-{rate}.wav"));
        let opts = RenderOptions {
            length: Length::Bars(2.0),
            rate,
            format,
            cue_every: Some(0.5),
            ..Default::default()
        };
        let (summary, _) =
            render::render_to_wav(file.clone(), Some(&path), opts, &o, |_, _| {}).unwrap();
        let step = 0.5 * 60.0 / file.tempo * rate as f64;
        let beats = 2 * file.time_signature.beats as usize;
        let want: Vec<u32> = (0..beats * 2)
            .map(|k| (k as f64 * step).round() as u32)
            .collect();
        // hound still reads every frame of the file...
        let r = hound::WavReader::open(&o).unwrap();
        assert_eq!(r.duration() as u64, summary.frames);
        // ...and the loader finds the markers at their exact offsets.
        let d = sample::load_wav(&o, rate as f32).unwrap();
        assert_eq!(d.left.len() as u64, summary.frames);
        assert_eq!(d.markers, want, "at {rate} Hz");
        // Loaded at another rate, they move with the audio.
        if rate == 44_100 {
            let d = sample::load(&o, 48_000.0).unwrap();
            let moved: Vec<u32> = want
                .iter()
                .map(|&m| (m as f64 * 48_000.0 / 44_100.0).round() as u32)
                .collect();
            assert_eq!(d.markers, moved);
        }
    }
    // Without the option the file has no cue chunk.
    let o = out("nocues.wav");
    let opts = RenderOptions {
        length: Length::Bars(1.0),
        ..Default::default()
    };
    render::render_to_wav(file, Some(&path), opts, &o, |_, _| {}).unwrap();
    assert!(sample::load_wav(&o, SR).unwrap().markers.is_empty());
}

#[test]
fn too_many_or_senseless_cue_spacings_are_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/demo.ron");
    let file = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
    for every in [0.0, -1.0, f64::NAN, 0.001] {
        let e = render::cue_points(&file, every, 48_000 * 60, 48_000).unwrap_err();
        assert!(
            e.to_string().contains("cue-every") || e.to_string().contains("at most 256"),
            "{e}"
        );
    }
}

#[test]
fn slices_start_exactly_at_unequal_markers() {
    let marks = [0usize, 700, 1_937, 5_000, 5_001 + 1_234];
    let len = 9_000;
    let f = out("unequal.wav");
    clicks_wav(&f, len, 48_000, &marks);
    let as_u32: Vec<u32> = marks.iter().map(|&m| m as u32).collect();
    cue::append(&f, &as_u32).unwrap();
    let data = sample::load(&f, SR).unwrap();
    assert_eq!(data.markers, as_u32);
    let ends: Vec<usize> = marks.iter().skip(1).copied().chain([len]).collect();

    // By hit: hit k plays from marker k to marker k + 1, the click at its
    // very first sample and no other (wrapping after the last).
    let mut inst = sampler("attack: 0, slice_at: markers, slice_by: hit", data.clone());
    for k in 0..marks.len() + 1 {
        let k = k % marks.len();
        let l = hit(inst.as_mut(), 60.0, len);
        assert!(l[0] > 0.99, "slice {k} starts on its click: {}", l[0]);
        assert_eq!(l.iter().filter(|x| x.abs() > 0.5).count(), 1, "slice {k}");
        assert_len(&l, ends[k] - marks[k], k);
    }
    // By note: note 60 + k plays slice k, at the original speed.
    let mut inst = sampler("attack: 0, slice_at: markers", data.clone());
    let l = hit(inst.as_mut(), 62.0, len);
    assert!(l[0] > 0.99);
    assert_len(&l, ends[2] - marks[2], 2);
    // `start` narrows the markers in play to those inside the region.
    let mut inst = sampler(
        "attack: 0, slice_at: markers, slice_by: hit, start: 0.5",
        data.clone(),
    );
    let l = hit(inst.as_mut(), 60.0, len);
    assert!(l[0] > 0.99);
    assert_len(&l, ends[3] - marks[3], 3);
    // The default ignores the markers: four equal slices.
    let mut inst = sampler("attack: 0, slices: 4, slice_by: hit", data);
    let _ = hit(inst.as_mut(), 60.0, len);
    let l = hit(inst.as_mut(), 60.0, len);
    assert_len(&l, len / 4, 1);
}

#[test]
fn without_markers_slice_at_markers_cuts_equal_slices() {
    let f = out("plain.wav");
    clicks_wav(&f, 4_800, 48_000, &[0, 1_200, 2_400, 3_600]);
    let data = sample::load(&f, SR).unwrap();
    assert!(data.markers.is_empty());
    for note in [60.0, 61.0, 63.0] {
        let a = hit(
            sampler("slices: 4, slice_at: markers", data.clone()).as_mut(),
            note,
            4_800,
        );
        let b = hit(sampler("slices: 4", data.clone()).as_mut(), note, 4_800);
        assert_eq!(a, b, "note {note}");
        assert_len(&a, 1_200, 0);
    }
}

/// `wav` with `chunk` appended and the RIFF size fixed to cover it.
fn with_chunk(wav: &[u8], chunk: &[u8]) -> Vec<u8> {
    let mut b = wav.to_vec();
    b.extend_from_slice(chunk);
    let riff = (b.len() - 8) as u32;
    b[4..8].copy_from_slice(&riff.to_le_bytes());
    b
}

fn cue_chunk(declared: u32, points: &[(u32, [u8; 4])], size: Option<u32>) -> Vec<u8> {
    let mut body = declared.to_le_bytes().to_vec();
    for (i, (off, fcc)) in points.iter().enumerate() {
        body.extend_from_slice(&(i as u32).to_le_bytes());
        body.extend_from_slice(&off.to_le_bytes());
        body.extend_from_slice(fcc);
        body.extend_from_slice(&[0; 8]);
        body.extend_from_slice(&off.to_le_bytes());
    }
    let mut c = b"cue ".to_vec();
    c.extend_from_slice(&size.unwrap_or(body.len() as u32).to_le_bytes());
    c.extend_from_slice(&body);
    c
}

#[test]
fn damaged_or_oversized_cue_chunks_load_without_markers() {
    let f = out("base.wav");
    clicks_wav(&f, 1_000, 48_000, &[0]);
    let wav = std::fs::read(&f).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Claims more points than it carries.
        ("short", cue_chunk(3, &[(10, *b"data")], None)),
        // Claims 100 000 points (and a body to match) — over the limit.
        (
            "huge",
            cue_chunk(100_000, &[(10, *b"data")], Some(2_400_004)),
        ),
        // A chunk size running past the end of the file.
        ("past-eof", cue_chunk(1, &[(10, *b"data")], Some(u32::MAX))),
        // Too small to hold even a count.
        ("tiny", b"cue \x02\x00\x00\x00\x01\x00".to_vec()),
        // Over the 256-point limit, honestly sized.
        ("many", cue_chunk(300, &vec![(10, *b"data"); 300], None)),
    ];
    for (name, chunk) in cases {
        let p = out(&format!("bad-{name}.wav"));
        std::fs::write(&p, with_chunk(&wav, &chunk)).unwrap();
        let d = sample::load(&p, SR).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.left.len(), 1_000, "{name}: the audio is all there");
        assert!(d.markers.is_empty(), "{name}: {:?}", d.markers);
    }
    // Points past the audio, or into another chunk than data, are dropped;
    // the rest are kept, sorted, without repeats.
    let p = out("mixed.wav");
    let chunk = cue_chunk(
        5,
        &[
            (900, *b"data"),
            (5_000, *b"data"),
            (20, *b"data"),
            (30, *b"slnt"),
            (20, *b"data"),
        ],
        None,
    );
    std::fs::write(&p, with_chunk(&wav, &chunk)).unwrap();
    assert_eq!(sample::load(&p, SR).unwrap().markers, vec![20, 900]);
}

#[test]
fn a_session_asking_for_missing_markers_is_told() {
    let plain = out("notice-plain.wav");
    clicks_wav(&plain, 4_800, 48_000, &[0]);
    let marked = out("notice-marked.wav");
    clicks_wav(&marked, 4_800, 48_000, &[0]);
    cue::append(&marked, &[0, 2_000]).unwrap();
    for (wav, told) in [(&plain, true), (&marked, false)] {
        let session = out("notice.ron");
        std::fs::write(
            &session,
            format!(
                "Session(tempo: 120, tracks: [Track(name: \"chop\", instrument: Sample(file: {:?}, slices: 4, slice_at: markers), pattern: Steps(\"x\"))])",
                wav.file_name().unwrap().to_str().unwrap()
            ),
        )
        .unwrap();
        let file = patch::load(&session).unwrap_or_else(|e| panic!("{}", e.report()));
        let (mut s, _engine) = render::prepare(file, Some(&session), 48_000);
        let notices = s.take_notices();
        assert_eq!(
            notices.iter().any(|n| n.contains("no slice markers")),
            told,
            "{}: {notices:?}",
            wav.display()
        );
    }
}
