//! Offline render: play a session through the engine as fast as the CPU
//! allows and write a WAV file.
//!
//! Control thread; it drives `Engine::process` itself, block by block, so
//! the sound is exactly what the live path would play. The same input
//! renders to the same bytes every time. On request the file carries slice
//! markers (a RIFF `cue ` chunk) on a beat grid of the session's tempo.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::engine::{Engine, EngineConfig};
use crate::patch::SessionFile;
use crate::session::Session;

/// How much to render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Bars(f64),
    Seconds(f64),
    /// The song order to its end, then [`SONG_TAIL_SECONDS`] for releases
    /// and effect tails.
    Song,
}

/// What a render of the whole song adds after its last bar.
pub const SONG_TAIL_SECONDS: f64 = 3.0;

pub use super::wav::WavFormat;

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub length: Length,
    pub rate: u32,
    pub block: usize,
    pub format: WavFormat,
    /// Write a slice marker every this many beats (from frame 0).
    pub cue_every: Option<f64>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            length: Length::Bars(16.0),
            rate: 48000,
            block: 256,
            format: WavFormat::Int24,
            cue_every: None,
        }
    }
}

/// What a render did.
#[derive(Debug, Clone, Copy)]
pub struct RenderSummary {
    pub frames: u64,
    pub rate: u32,
    pub peak: f32,
    pub wall: Duration,
}

impl RenderSummary {
    pub fn seconds(&self) -> f64 {
        self.frames as f64 / self.rate as f64
    }

    pub fn peak_dbfs(&self) -> f32 {
        crate::engine::dsp::gain_to_db(self.peak)
    }

    pub fn realtime_factor(&self) -> f64 {
        self.seconds() / self.wall.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for RenderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.2} s at {} Hz, peak {:.1} dBFS, {:.1}x real time",
            self.seconds(),
            self.rate,
            self.peak_dbfs(),
            self.realtime_factor()
        )
    }
}

/// Frames that `length` lasts for `file` at `rate`.
pub fn frames_for(file: &SessionFile, length: Length, rate: u32) -> u64 {
    let seconds = match length {
        Length::Seconds(s) => s,
        Length::Bars(b) => b * file.time_signature.beats as f64 * 60.0 / file.tempo,
        Length::Song if file.song.is_empty() => 16.0 * file.beats_per_bar() * 60.0 / file.tempo,
        Length::Song => {
            // Each section at its own tempo, in whole frames, as the engine
            // counts them, so the tail starts on the song's last sample.
            let r = rate as f64;
            let song: f64 = file
                .timeline()
                .iter()
                .map(|&(i, _, bars)| {
                    let tempo = file.sections[i].tempo.unwrap_or(file.tempo);
                    bars as f64 * file.beats_per_bar() * 60.0 / tempo
                })
                .sum();
            return (song * r).round() as u64 + (SONG_TAIL_SECONDS * r).round() as u64;
        }
    };
    (seconds.max(0.0) * rate as f64).round() as u64
}

/// Render `length` of a session into memory (planar stereo), on the calling
/// thread with its own engine; the caller's session and engine are untouched.
pub fn render_buffers(
    file: SessionFile,
    path: Option<&Path>,
    length: Length,
    rate: u32,
) -> Result<(Vec<f32>, Vec<f32>), RenderError> {
    let frames = frames_for(&file, length, rate);
    check_length(frames, rate, crate::units::MAX_ANALYZE_SECONDS)?;
    let span = span_for(&file, length, rate);
    let (mut s, mut e) = prepare(file, path, rate);
    let (mut l, mut r) = (
        Vec::with_capacity(frames as usize),
        Vec::with_capacity(frames as usize),
    );
    run_span(
        &mut s,
        &mut e,
        span,
        256,
        |_, _| {},
        |a, b| {
            l.extend_from_slice(a);
            r.extend_from_slice(b);
        },
    );
    Ok((l, r))
}

/// The one bound on a render's length, checked before a frame is made.
fn check_length(frames: u64, rate: u32, max_seconds: f64) -> Result<(), RenderError> {
    if frames as f64 > max_seconds * f64::from(rate) {
        return Err(RenderError::TooLong {
            seconds: frames as f64 / f64::from(rate),
            max: max_seconds,
        });
    }
    Ok(())
}

/// A session wired to a fresh engine at `rate`, transport started.
pub fn prepare(file: SessionFile, path: Option<&Path>, rate: u32) -> (Session, Engine) {
    let (handle, engine) = crate::handle::connect(EngineConfig::new(rate as f32, file.tempo));
    let mut session = Session::new(file, path.map(Path::to_path_buf), rate as f32, Some(handle));
    let _ = session.apply(crate::action::Action::Play {});
    (session, engine)
}

/// How long a render runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Span {
    Frames(u64),
    /// Until the song order ends (where the engine stops: tempo lanes move
    /// it), then `tail` frames; never beyond `limit`.
    SongThenTail {
        tail: u64,
        limit: u64,
    },
}

/// The span that renders `length` of `file` at `rate`: a song to where it
/// really ends, anything else its frames.
pub fn span_for(file: &SessionFile, length: Length, rate: u32) -> Span {
    let frames = frames_for(file, length, rate);
    if length != Length::Song || file.song.is_empty() || file.loop_bars.is_some() {
        return Span::Frames(frames);
    }
    Span::SongThenTail {
        tail: (SONG_TAIL_SECONDS * rate as f64).round() as u64,
        // However slow a tempo lane makes it: four times the plain length.
        limit: 4 * frames + 60 * rate as u64,
    }
}

/// Render `frames` frames, calling `between` before each block (at the frame
/// index it starts on) so callers can apply actions mid-render, and `sink`
/// with each block's audio.
pub fn run(
    session: &mut Session,
    engine: &mut Engine,
    frames: u64,
    block: usize,
    between: impl FnMut(&mut Session, u64),
    sink: impl FnMut(&[f32], &[f32]),
) -> f32 {
    run_span(session, engine, Span::Frames(frames), block, between, sink).0
}

/// [`run`] for a [`Span`]: the peak and how many frames it rendered.
pub fn run_span(
    session: &mut Session,
    engine: &mut Engine,
    span: Span,
    block: usize,
    mut between: impl FnMut(&mut Session, u64),
    mut sink: impl FnMut(&[f32], &[f32]),
) -> (f32, u64) {
    let mut frames = match span {
        Span::Frames(f) => f,
        Span::SongThenTail { limit, .. } => limit,
    };
    let block = block.clamp(1, crate::engine::MAX_BLOCK);
    let mut l = vec![0.0f32; block];
    let mut r = vec![0.0f32; block];
    let mut done = 0u64;
    let mut peak = 0f32;
    // Pre-roll the look-ahead so frame 0 of the output is song sample 0.
    let mut skip = engine.latency();
    while skip > 0 {
        let n = skip.min(block);
        engine.process(&mut l[..n], &mut r[..n]);
        skip -= n;
    }
    while done < frames {
        session.tick();
        between(session, done);
        let n = ((frames - done) as usize).min(block);
        engine.process(&mut l[..n], &mut r[..n]);
        for i in 0..n {
            peak = peak.max(l[i].abs()).max(r[i].abs());
        }
        sink(&l[..n], &r[..n]);
        if let Some(h) = session.engine_mut() {
            h.collect_garbage();
        }
        done += n as u64;
        if let Span::SongThenTail { tail, limit } = span {
            if !engine.transport().playing && frames == limit {
                // Frame 0 is song sample 0: the song ended on this one.
                frames = (engine.transport().song_sample.max(0) as u64 + tail).min(limit);
            }
        }
    }
    (peak, done)
}

/// Why a render could not be written (the file, never the session: a
/// session that loaded always renders).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Wav(#[from] hound::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Output(#[from] crate::files::OutputError),
    #[error("that is {seconds:.0} s of audio; termdaw renders at most {max} s at a time (render less, in parts)")]
    TooLong { seconds: f64, max: f64 },
    #[error("--cue-every must be a positive number of beats, not {0}")]
    CueEvery(f64),
    #[error("a marker every {every} beats gives {count} markers; at most {max} fit in a file (mark less often or render less)")]
    TooManyCues { every: f64, count: u64, max: usize },
}

/// Frame offsets of a marker every `beats` beats of `file`'s tempo at
/// `rate`, from frame 0 to before `frames`.
pub fn cue_points(
    file: &SessionFile,
    beats: f64,
    frames: u64,
    rate: u32,
) -> Result<Vec<u32>, RenderError> {
    if !(beats.is_finite() && beats > 0.0) {
        return Err(RenderError::CueEvery(beats));
    }
    let step = beats * 60.0 / file.tempo * rate as f64;
    let max = crate::sample::cue::MAX_MARKERS;
    let count = (frames as f64 / step).ceil();
    if count.is_nan() || count > max as f64 {
        return Err(RenderError::TooManyCues {
            every: beats,
            count: count.min(u64::MAX as f64) as u64,
            max,
        });
    }
    Ok((0..max as u64)
        .map(|k| (k as f64 * step).round() as u64)
        .take_while(|&f| f < frames)
        .filter_map(|f| u32::try_from(f).ok())
        .collect())
}

/// Render a session to a WAV file. `progress` gets (frames done, total).
pub fn render_to_wav(
    file: SessionFile,
    path: Option<&Path>,
    opts: RenderOptions,
    out: &Path,
    mut progress: impl FnMut(u64, u64),
) -> Result<(RenderSummary, Vec<String>), RenderError> {
    let inputs = crate::session::samples::inputs(path, &file);
    crate::files::check(
        out,
        &inputs
            .iter()
            .map(|(p, what)| crate::files::Input { path: p, what })
            .collect::<Vec<_>>(),
    )?;
    let frames = frames_for(&file, opts.length, opts.rate);
    check_length(frames, opts.rate, crate::units::MAX_RENDER_SECONDS)?;
    let span = span_for(&file, opts.length, opts.rate);
    let cues = match opts.cue_every {
        Some(beats) => cue_points(&file, beats, frames, opts.rate)?,
        None => Vec::new(),
    };
    let (mut session, mut engine) = prepare(file, path, opts.rate);
    let notices = session.take_notices();
    let tmp = crate::files::Temp::beside(out);
    let mut writer = super::wav::StereoWav::create(tmp.path(), opts.rate, opts.format)?;
    let mut err: Option<hound::Error> = None;
    let start = Instant::now();
    let (peak, frames) = run_span(
        &mut session,
        &mut engine,
        span,
        opts.block,
        |_, done| progress(done.min(frames), frames),
        |l, r| {
            if err.is_some() {
                return;
            }
            if let Err(e) = writer.write(l, r) {
                err = Some(e);
            }
        },
    );
    let wall = start.elapsed();
    progress(frames, frames);
    if let Some(e) = err {
        return Err(e.into());
    }
    writer.finalize()?;
    if opts.cue_every.is_some() {
        crate::sample::cue::append(tmp.path(), &cues)?;
    }
    tmp.commit(out)?;
    Ok((
        RenderSummary {
            frames,
            rate: opts.rate,
            peak,
            wall,
        },
        notices,
    ))
}
