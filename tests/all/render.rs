//! Offline render: exact lengths, both sample formats, identical bytes.

use std::path::{Path, PathBuf};

use termdaw::audio::render::{self, Length, RenderOptions, WavFormat};
use termdaw::patch;

fn out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("termdaw-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn demo() -> (patch::SessionFile, PathBuf) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/demo.ron");
    (
        patch::load(&p).unwrap_or_else(|e| panic!("{}", e.report())),
        p,
    )
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let (file, path) = demo();
    let opts = RenderOptions {
        length: Length::Bars(4.0),
        ..Default::default()
    };
    let a = out("a.wav");
    let b = out("b.wav");
    render::render_to_wav(file.clone(), Some(&path), opts, &a, |_, _| {}).unwrap();
    render::render_to_wav(file, Some(&path), opts, &b, |_, _| {}).unwrap();
    let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(x.len() > 100_000);
    assert!(x == y, "renders differ");
}

#[test]
fn length_rate_and_format_are_what_was_asked() {
    let (file, path) = demo();
    let bars = 2.0;
    for (rate, format) in [
        (44100, WavFormat::Int24),
        (96000, WavFormat::Float32),
        (48000, WavFormat::Float32),
    ] {
        let o = out(&format!("len-{rate}.wav"));
        let opts = RenderOptions {
            length: Length::Bars(bars),
            rate,
            block: 128,
            format,
            cue_every: None,
        };
        let (summary, _) =
            render::render_to_wav(file.clone(), Some(&path), opts, &o, |_, _| {}).unwrap();
        let r = hound::WavReader::open(&o).unwrap();
        let spec = r.spec();
        assert_eq!(spec.sample_rate, rate);
        assert_eq!(spec.channels, 2);
        let expected = (bars * file.time_signature.beats as f64 * 60.0 / file.tempo * rate as f64)
            .round() as u32;
        assert_eq!(r.duration(), expected);
        assert_eq!(summary.frames, expected as u64);
        match format {
            WavFormat::Int24 => assert_eq!(
                (spec.bits_per_sample, spec.sample_format),
                (24, hound::SampleFormat::Int)
            ),
            WavFormat::Float32 => {
                assert_eq!(
                    (spec.bits_per_sample, spec.sample_format),
                    (32, hound::SampleFormat::Float)
                )
            }
        }
        assert!(
            summary.peak > 0.05 && summary.peak <= 1.0,
            "peak {}",
            summary.peak
        );
    }
}

#[test]
fn seconds_length_and_no_leftover_temp_file() {
    let (file, path) = demo();
    let o = out("secs.wav");
    let opts = RenderOptions {
        length: Length::Seconds(1.5),
        ..Default::default()
    };
    let (s, _) = render::render_to_wav(file, Some(&path), opts, &o, |_, _| {}).unwrap();
    assert_eq!(s.frames, 72000);
    assert!(!o.with_extension("wav.part").exists());
    assert!(!termdaw::files::temp_path(&o).exists());
}
