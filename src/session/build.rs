//! Turning the session model into things the engine plays: clips from
//! patterns, instruments (with their samples), effect chains, whole tracks.
//!
//! Control thread only: this is where the audio thread's objects are
//! allocated, so the audio thread never has to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::engine::dsp::db_to_gain;
use crate::engine::effect::EffectChain;
use crate::engine::instrument::{self, sampler::SampleData, Instrument};
use crate::engine::sequencer::{Clip, ClipEvent};
use crate::engine::track::TrackDsp;
use crate::kinds::InstrumentKind;
use crate::kinds::{Controls, EffectSpec};
use crate::patch::{EffectDef, InstrumentDef, Notation, SessionFile, Track};
use crate::pattern::DEGREE_ZERO;
use crate::pattern::{Frac, Span};

/// One cycle's events: onset and length in cycles, note, velocity.
/// (onset, length, note, velocity, shift) of each event of one cycle.
type CycleEvents = Vec<(f64, f64, Option<i32>, f32, i8, Controls)>;

/// Longest repeat period searched for patterns that change from cycle to cycle.
const MAX_CYCLES: i64 = 16;

/// The shortest multiple of `period` cycles that is a whole number of swing
/// pairs, so every repeat of the clip swings in the same places (clips are
/// locked to the song from beat 0); `period` itself if none fits.
fn swung_period(period: usize, cycle_beats: f64, pair: f64) -> usize {
    (period..=MAX_CYCLES as usize)
        .step_by(period.max(1))
        .find(|k| {
            let pairs = *k as f64 * cycle_beats / pair;
            (pairs - pairs.round()).abs() < 1e-9
        })
        .unwrap_or(period)
}

/// Build the clip a track plays, or `None` when it has no pattern.
pub fn clip(track: &Track, file: &SessionFile) -> Option<Clip> {
    let def = track.pattern.as_ref()?;
    let pat = &def.pattern;
    let steps = pat.steps();
    let steps_f = steps.to_f64();
    if steps_f <= 0.0 {
        return None;
    }
    let step_beats = file.time_signature.step_beats(track.resolution);
    let cycle_beats = steps_f * step_beats;
    // Find the shortest number of cycles after which the pattern repeats
    // (alternations `<a b>` and chance `?` vary per cycle).
    // One query over all the cycles, sorted by onset, shared out by the
    // cycle each onset falls in: the same events as a query per cycle
    // (a pattern is a function of time), at a fraction of the tree walks.
    let mut cycles: Vec<CycleEvents> = vec![Vec::new(); MAX_CYCLES as usize];
    let all = pat.query(Span {
        begin: Frac::ZERO,
        end: Frac::from_int(MAX_CYCLES),
    });
    for e in all {
        let c = e.whole.begin.floor();
        let Some(cycle) = usize::try_from(c).ok().and_then(|c| cycles.get_mut(c)) else {
            continue;
        };
        let on = (e.whole.begin - Frac::from_int(c)).to_f64();
        let len = (e.whole.end - e.whole.begin).to_f64();
        let v = e.value;
        cycle.push((on, len, v.note, v.velocity, v.shift, v.controls.sane()));
    }
    let period = (1..=MAX_CYCLES as usize)
        .find(|&p| (0..cycles.len()).all(|c| cycles[c] == cycles[c % p]))
        .unwrap_or(MAX_CYCLES as usize);
    // Swing works by position on the session's grid, whatever the track's
    // resolution or grouping: everything in the second step of a pair of
    // grid steps is late by the same amount (Tidal's `swingBy`, MPC swing).
    let grid = file.time_signature.step_beats(file.swing_grid);
    // Whole pairs of grid steps in a clip, so the lags stay in place on
    // every pass whatever the swing is now (a lane may move it).
    let period = swung_period(period, cycle_beats, 2.0 * grid);
    let mut events = Vec::new();
    for (c, evs) in cycles.iter().take(period).enumerate() {
        for (k, &(on, len, note, velocity, shift, controls)) in evs.iter().enumerate() {
            let beat = (c as f64 + on) * cycle_beats;
            let phase = (beat / grid + 1e-9).rem_euclid(2.0);
            let lag = if phase >= 1.0 { grid } else { 0.0 };
            let length = (len * cycle_beats * track.gate).max(1e-4);
            let note = match def.notation {
                Notation::Degrees => note.map(|n| file.degree_note(n - DEGREE_ZERO, shift)),
                _ => note,
            };
            events.push(ClipEvent {
                beat,
                length,
                note: note.map(|n| n as f32).unwrap_or(f32::NAN),
                velocity: velocity.clamp(0.0, 1.0),
                rank: keep_share(c, k, on) as f32,
                lag: lag as f32,
                controls,
            });
        }
    }
    let length = period as f64 * cycle_beats;
    // A timeline clip's pattern starts from its beginning on the clip's
    // first beat: clips are phase-locked to the song, so turn it there.
    if track.phase != 0.0 && length > 0.0 {
        for e in &mut events {
            e.beat = (e.beat + track.phase).rem_euclid(length);
        }
    }
    Some(Clip::new(events, length))
}

/// Where an event ranks for `density` (0..1): a hash of its cycle, its
/// place and its onset, so the same notes stay as the density moves (a
/// lower density leaves out more of the same ones) and renders repeat.
fn keep_share(cycle: usize, index: usize, onset: f64) -> f64 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64 ^ (cycle as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= (index as u64).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= onset.to_bits();
    h ^= h >> 31;
    h = h.wrapping_mul(0xd6e8_feb8_6659_fd93);
    h ^= h >> 32;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Samples no track plays any more stay decoded up to this many bytes (an
/// undo brings them back at once); beyond it they are dropped.
pub const MAX_UNUSED_SAMPLE_BYTES: usize = 256 << 20;

/// Decoded samples, so a rebuilt instrument does not decode its file again.
#[derive(Default)]
pub struct SampleCache {
    samples: HashMap<PathBuf, SampleData>,
}

fn bytes(s: &SampleData) -> usize {
    (s.left.len() + s.right.len()) * std::mem::size_of::<f32>()
}

impl SampleCache {
    pub fn contains(&self, path: &Path) -> bool {
        self.samples.contains_key(path)
    }

    pub fn insert(&mut self, path: PathBuf, data: SampleData) {
        self.samples.insert(path, data);
    }

    /// Drop samples outside `keep` while they hold more than
    /// [`MAX_UNUSED_SAMPLE_BYTES`], the biggest first.
    pub fn trim(&mut self, keep: &std::collections::BTreeSet<PathBuf>) {
        let mut unused: Vec<(usize, PathBuf)> = self
            .samples
            .iter()
            .filter(|(p, _)| !keep.contains(*p))
            .map(|(p, s)| (bytes(s), p.clone()))
            .collect();
        let mut total: usize = unused.iter().map(|u| u.0).sum();
        unused.sort_unstable();
        while total > MAX_UNUSED_SAMPLE_BYTES {
            let Some((n, p)) = unused.pop() else { break };
            self.samples.remove(&p);
            total -= n;
        }
    }

    fn get(&mut self, path: &Path, rate: f32) -> Result<SampleData, crate::sample::SampleError> {
        if let Some(s) = self.samples.get(path) {
            return Ok(s.clone());
        }
        let s = crate::sample::load(path, rate)?;
        self.samples.insert(path.to_path_buf(), s.clone());
        Ok(s)
    }
}

/// Where a sample path in a session points: relative paths are relative to
/// the session file's folder.
pub fn resolve(base: Option<&Path>, p: &str) -> PathBuf {
    let path = Path::new(p);
    match base {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

/// Build an instrument. A sample that cannot be loaded gives a silent
/// instrument and a notice: the rest of the session keeps playing.
pub fn instrument(
    def: &InstrumentDef,
    voices: u32,
    rate: f32,
    base: Option<&Path>,
    cache: &mut SampleCache,
) -> (Box<dyn Instrument>, Option<String>) {
    let mut notice = None;
    let sample = if def.kind == InstrumentKind::Sample {
        let p = def.path.as_deref().unwrap_or("");
        match cache.get(&resolve(base, p), rate) {
            Ok(s) => {
                if s.markers.is_empty() && wants_markers(def) {
                    notice = Some(format!(
                        "{p} has no slice markers: `slice_at: markers` cuts it into `slices` equal slices"
                    ));
                }
                Some(s)
            }
            Err(e) => {
                notice = Some(format!(
                    "{e} (the track stays silent until the file is fixed)"
                ));
                Some(SampleData::default())
            }
        }
    } else {
        None
    };
    (
        instrument::build(def.kind, &def.values, voices as usize, rate, sample),
        notice,
    )
}

/// Whether a Sample asks to be sliced at its file's markers.
fn wants_markers(def: &InstrumentDef) -> bool {
    crate::kinds::instrument::SAMPLE_PARAMS
        .iter()
        .position(|p| p.name == "slice_at")
        .and_then(|i| def.values.get(i))
        .is_some_and(|v| *v >= 0.5)
}

pub fn effects(defs: &[EffectDef], rate: f32, bpm: f64) -> EffectChain {
    let specs: Vec<EffectSpec> = defs.iter().map(|d| d.kind.spec(&d.values)).collect();
    EffectChain::with_tempo(&specs, rate, bpm as f32)
}

/// The parameter changes `(effect, parameter, value)` that take the chain
/// `old` to `new` in place, or `None` when the chain must be rebuilt (an
/// effect added, removed, reordered or replaced, or a parameter changed that
/// cannot change while running).
pub fn live_effect_changes(old: &[EffectDef], new: &[EffectDef]) -> Option<Vec<(u8, u8, f32)>> {
    if old.len() != new.len() {
        return None;
    }
    let mut out = Vec::new();
    for (i, (a, b)) in old.iter().zip(new).enumerate() {
        if a.kind != b.kind {
            return None;
        }
        for (p, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
            if x != y {
                if !a.kind.is_live(p) {
                    return None;
                }
                out.push((i as u8, p as u8, *y));
            }
        }
    }
    Some(out)
}

/// Build a bus for the engine.
pub fn bus(b: &crate::patch::Bus, rate: f32, bpm: f64) -> crate::engine::bus::Bus {
    crate::engine::bus::Bus::new(
        effects(&b.effects, rate, bpm),
        db_to_gain(b.volume as f32),
        b.pan as f32,
        b.mute,
        rate,
    )
}

/// Build a whole track for the engine.
pub fn track(
    t: &Track,
    file: &SessionFile,
    rate: f32,
    base: Option<&Path>,
    cache: &mut SampleCache,
) -> (TrackDsp, Option<String>) {
    let (inst, notice) = instrument(&t.instrument, t.voices, rate, base, cache);
    let mut dsp = TrackDsp::new(
        inst,
        clip(t, file),
        effects(&t.effects, rate, file.tempo),
        db_to_gain(t.volume as f32),
        t.pan as f32,
        t.mute,
        t.solo,
        rate,
    );
    dsp.default_note = 60.0;
    dsp.set_density(t.density as f32);
    (dsp, notice)
}
