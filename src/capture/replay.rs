//! `termdaw replay DIR -o out.wav`: render a take again, offline, from its
//! log, bit for bit.
//!
//! Control side (the command's own thread); it runs an engine offline.
//! The log holds every command in the order the engine applied it and the
//! sample it landed on. The replay builds each payload again from the
//! session state it was built from, and schedules each command on its
//! sample, so the offline engine splits its blocks where the live one did
//! and hears the same thing at the same moment (see docs/recording.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::disk;
use crate::audio::wav::{StereoWav, WavFormat};
use crate::engine::capture::INPUT;
use crate::engine::command::Handoff;
use crate::engine::input::InputRing;
use crate::engine::sequencer::Clip;
use crate::engine::{
    EngineCmd, EngineConfig, FxTarget, Op, When, MAX_BLOCK, MAX_SCHEDULED, QUANTUM,
};
use crate::patch::SessionFile;
use crate::session::build::{self, SampleCache};
use crate::session::log::{take_log_path, Recipe, VERSION};

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:1: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Take(String),
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: hound::Error },
}

enum Cmd {
    Op(Op),
    Build(Recipe),
    /// A live block started here, off the engine's grid.
    Split,
}

/// A take's log, read.
struct Log {
    rate: f32,
    bpm: f64,
    base: Option<PathBuf>,
    states: HashMap<u32, SessionFile>,
    cmds: Vec<(u64, Cmd)>,
    start: u64,
    end: u64,
    format: WavFormat,
}

/// What a replay rendered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replayed {
    pub frames: u64,
    pub rate: u32,
    pub commands: usize,
}

/// Render the take in `dir` to `out`.
pub fn replay(dir: &Path, out: &Path) -> Result<Replayed, ReplayError> {
    let log = read(&take_log_path(dir))?;
    let mut wav = StereoWav::create(out, log.rate as u32, log.format).map_err(|source| {
        ReplayError::Write {
            path: out.into(),
            source,
        }
    })?;
    let input = recorded_input(dir, log.rate as u32)?;
    let commands = log
        .cmds
        .iter()
        .filter(|(_, c)| !matches!(c, Cmd::Split))
        .count();
    let mut failed = None;
    let (frames, rate) = (log.end - log.start, log.rate as u32);
    render(log, input, |l, r| {
        if failed.is_none() {
            failed = wav.write(l, r).err();
        }
    })?;
    let werr = |source| ReplayError::Write {
        path: out.into(),
        source,
    };
    if let Some(e) = failed {
        return Err(werr(e));
    }
    wav.finalize().map_err(werr)?;
    Ok(Replayed {
        frames,
        rate,
        commands,
    })
}

/// The live input a take recorded (as the engine read it), interleaved
/// by device channel from its first frame; none if it recorded none.
struct Recorded {
    channels: usize,
    frames: Vec<f32>,
}

fn recorded_input(dir: &Path, rate: u32) -> Result<Option<Recorded>, ReplayError> {
    let mut pairs = Vec::new();
    for k in 0.. {
        let path = dir.join(disk::file_name(INPUT + k, &HashMap::new()));
        if !path.exists() {
            break;
        }
        let read_err = |e: hound::Error| ReplayError::Take(format!("{}: {e}", path.display()));
        let mut r = hound::WavReader::open(&path).map_err(read_err)?;
        let spec = r.spec();
        if spec.channels != 2 || spec.sample_rate != rate {
            return Err(ReplayError::Take(format!(
                "{}: not a stereo WAV at {rate} Hz",
                path.display()
            )));
        }
        let v: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => r.samples::<f32>().collect::<Result<_, _>>(),
            hound::SampleFormat::Int => r
                .samples::<i32>()
                .map(|s| s.map(|s| s as f32 / 8_388_607.0))
                .collect::<Result<_, _>>(),
        }
        .map_err(read_err)?;
        pairs.push(v);
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let channels = 2 * pairs.len();
    let len = pairs.iter().map(|p| p.len() / 2).min().unwrap_or(0);
    let mut frames = Vec::with_capacity(len * channels);
    for i in 0..len {
        for p in &pairs {
            frames.extend_from_slice(&p[2 * i..2 * i + 2]);
        }
    }
    Ok(Some(Recorded { channels, frames }))
}

fn render(
    meta: Log,
    input: Option<Recorded>,
    mut out: impl FnMut(&[f32], &[f32]),
) -> Result<(), ReplayError> {
    let (mut handle, mut engine) = crate::handle::connect(EngineConfig::new(meta.rate, meta.bpm));
    // The take's input, fed to the engine piece by piece as it read it.
    let mut feed = input.map(|rec| {
        let (tx, rx) = rtrb::RingBuffer::new(rec.channels * 4 * MAX_BLOCK);
        let ring = InputRing {
            rx,
            channels: rec.channels,
            prime: 0,
            exact: true,
            block: Default::default(),
        };
        handle.send(EngineCmd::now(Op::SetInput {
            ring: Handoff::new(Box::new(ring)),
        }));
        (tx, rec)
    });
    let mut cache = SampleCache::default();
    let (mut l, mut r) = (vec![0.0f32; MAX_BLOCK], vec![0.0f32; MAX_BLOCK]);
    let states = meta.states;
    let mut cmds = meta.cmds.into_iter().peekable();
    let base = meta.base.as_deref();
    while engine.clock() < meta.end {
        let t = engine.clock();
        // To the next multiple of the engine's quantum: pieces end there or
        // on a command's sample, as they did live.
        let mut window = (t - t % QUANTUM as u64 + QUANTUM as u64).min(meta.end);
        let mut scheduled = 0;
        while let Some((c, next)) = cmds.peek() {
            if *c >= window {
                break;
            }
            if matches!(next, Cmd::Split) && *c > t {
                // The live block ended here: so does this one.
                window = *c;
                break;
            }
            let Some((c, cmd)) = cmds.next() else { break };
            if c < t {
                return Err(ReplayError::Take(format!(
                    "the log goes back in time at sample {c}"
                )));
            }
            scheduled += 1;
            if scheduled > MAX_SCHEDULED / 2 {
                return Err(ReplayError::Take(format!(
                    "more than {} commands within {QUANTUM} samples at {t}: too dense to replay",
                    MAX_SCHEDULED / 2
                )));
            }
            let op = match cmd {
                Cmd::Op(op) => op,
                Cmd::Build(recipe) => build_op(&recipe, &states, meta.rate, base, &mut cache)?,
                Cmd::Split => continue,
            };
            if !handle.send(EngineCmd::at(op, When::Sample(c))) {
                return Err(ReplayError::Take(format!(
                    "the engine's queue overflowed at sample {c}"
                )));
            }
        }
        let n = (window - t) as usize;
        if let Some((tx, rec)) = feed.as_mut() {
            let w = rec.channels;
            let from = t.saturating_sub(meta.start) as usize;
            for i in 0..n {
                let at = (t + i as u64 >= meta.start).then_some((from + i) * w);
                for c in 0..w {
                    let v = at
                        .and_then(|a| rec.frames.get(a + c).copied())
                        .unwrap_or(0.0);
                    let _ = tx.push(v);
                }
            }
        }
        engine.process(&mut l[..n], &mut r[..n]);
        handle.collect_garbage();
        let (a, b) = (t.max(meta.start), window);
        if b > a {
            let (i, j) = ((a - t) as usize, (b - t) as usize);
            out(&l[i..j], &r[i..j]);
        }
    }
    Ok(())
}

fn build_op(
    recipe: &Recipe,
    states: &HashMap<u32, SessionFile>,
    rate: f32,
    base: Option<&Path>,
    cache: &mut SampleCache,
) -> Result<Op, ReplayError> {
    let state = |id: &u32| {
        states.get(id).ok_or_else(|| {
            ReplayError::Take(format!("the log names state {id} but never gives it"))
        })
    };
    let missing = |what: &str, name: &str| {
        ReplayError::Take(format!("the log's state has no {what} \"{name}\""))
    };
    Ok(match recipe {
        Recipe::Track {
            state: id,
            slot,
            name,
        } => {
            let f = state(id)?;
            let t = f.track(name).ok_or_else(|| missing("track", name))?;
            let (dsp, _) = build::track(t, f, rate, base, cache);
            Op::InstallTrack {
                slot: *slot,
                track: Handoff::new(Box::new(dsp)),
            }
        }
        Recipe::Instrument {
            state: id,
            slot,
            name,
        } => {
            let t = state(id)?
                .track(name)
                .ok_or_else(|| missing("track", name))?;
            let (inst, _) = build::instrument(&t.instrument, t.voices, rate, base, cache);
            Op::ReplaceInstrument {
                slot: *slot,
                instrument: Handoff::new(inst),
            }
        }
        Recipe::Clip {
            state: id,
            slot,
            name,
        } => {
            let f = state(id)?;
            let t = f.track(name).ok_or_else(|| missing("track", name))?;
            let clip = build::clip(t, f).unwrap_or_else(|| Clip::new(Vec::new(), 1.0));
            Op::SetClip {
                slot: *slot,
                clip: Handoff::new(Box::new(clip)),
            }
        }
        Recipe::Effects {
            state: id,
            chain,
            name,
        } => {
            let f = state(id)?;
            let defs = match chain {
                FxTarget::Master => &f.master.effects,
                FxTarget::Track(_) => &f.track(name).ok_or_else(|| missing("track", name))?.effects,
                FxTarget::Bus(_) => {
                    &f.buses
                        .iter()
                        .find(|b| b.name.as_str() == name)
                        .ok_or_else(|| missing("bus", name))?
                        .effects
                }
            };
            let chain_dsp = Handoff::new(Box::new(build::effects(defs, rate, f.tempo)));
            match chain {
                FxTarget::Master => Op::MasterEffects { chain: chain_dsp },
                FxTarget::Track(slot) => Op::TrackEffects {
                    slot: *slot,
                    chain: chain_dsp,
                },
                FxTarget::Bus(bus) => Op::BusEffects {
                    bus: *bus,
                    chain: chain_dsp,
                },
            }
        }
        Recipe::Bus {
            state: id,
            bus,
            name,
        } => {
            let f = state(id)?;
            let b = f
                .buses
                .iter()
                .find(|b| b.name.as_str() == name)
                .ok_or_else(|| missing("bus", name))?;
            let dsp = build::bus(b, rate, f.tempo);
            Op::InstallBus {
                bus: *bus,
                dsp: Handoff::new(Box::new(dsp)),
            }
        }
        Recipe::Automation { lanes } => Op::Automation {
            lanes: Handoff::new(Box::new(crate::engine::automation::Automation::new(
                lanes.clone(),
            ))),
        },
    })
}

fn read(path: &Path) -> Result<Log, ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Read {
        path: path.into(),
        source,
    })?;
    let bad = |line: usize, message: String| ReplayError::Line {
        path: path.into(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate();
    if lines.next().map(|(_, l)| l) != Some(VERSION) {
        return Err(bad(
            1,
            format!("not a take's log (the first line is not \"{VERSION}\")"),
        ));
    }
    let mut log = Log {
        rate: 0.0,
        bpm: 120.0,
        base: None,
        states: HashMap::new(),
        cmds: Vec::new(),
        start: 0,
        end: 0,
        format: WavFormat::Int24,
    };
    let (mut take, mut end) = (None, None);
    for (i, line) in lines {
        let n = i + 1;
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let num = |s: &str| s.parse::<f64>().map_err(|e| bad(n, format!("{s}: {e}")));
        match word {
            "rate" => log.rate = num(rest)? as f32,
            "bpm" => log.bpm = num(rest)?,
            "base" => log.base = (!rest.is_empty()).then(|| PathBuf::from(rest)),
            "state" => {
                let (id, ron) = rest.split_once(' ').unwrap_or((rest, ""));
                let id = num(id)? as u32;
                let f: SessionFile = ron::from_str(ron).map_err(|e| bad(n, e.to_string()))?;
                log.states.insert(id, f);
            }
            "take" => {
                let mut p = rest.split(' ');
                let s = num(p.next().unwrap_or(""))? as u64;
                let f = p.next().and_then(WavFormat::parse).unwrap_or_default();
                take = Some((s, f));
            }
            "end" => end = Some(num(rest)? as u64),
            w if w.starts_with('@') => {
                let clock = w[1..]
                    .parse::<u64>()
                    .map_err(|e| bad(n, format!("{w}: {e}")))?;
                let (kind, body) = rest.split_once(' ').unwrap_or((rest, ""));
                let cmd = match kind {
                    "op" => Cmd::Op(ron::from_str(body).map_err(|e| bad(n, e.to_string()))?),
                    "build" => Cmd::Build(ron::from_str(body).map_err(|e| bad(n, e.to_string()))?),
                    "action" => continue,
                    "split" => Cmd::Split,
                    k => return Err(bad(n, format!("unknown entry \"{k}\""))),
                };
                log.cmds.push((clock, cmd));
            }
            w => return Err(bad(n, format!("unknown line \"{w}\""))),
        }
    }
    let Some((start, format)) = take else {
        return Err(ReplayError::Take(format!(
            "{}: the take never started (no \"take\" line)",
            path.display()
        )));
    };
    let Some(end) = end else {
        return Err(ReplayError::Take(format!(
            "{}: the take did not end cleanly (no \"end\" line): it cannot be replayed exactly",
            path.display()
        )));
    };
    if log.rate <= 0.0 {
        return Err(ReplayError::Take(format!("{}: no rate", path.display())));
    }
    log.start = start;
    log.end = end.max(start);
    log.format = format;
    Ok(log)
}
