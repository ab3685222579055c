//! The one vocabulary: every change any input source can make, described
//! once in [`ACTIONS`] (name, doc, arguments).
//!
//! Control side, pure data and conversions; no I/O. Keys, MIDI, OSC, the
//! chat tools and the file diff all translate into [`Action`]; the help
//! overlay, the chat tools' JSON schemas and docs/osc.md are generated from
//! the table. [`crate::session::Session::apply`] is the only consumer.

mod bind;
mod value;

pub use bind::{bind_named, words, Alias, Call};
pub use value::{ArgError, ArgType, ArgValue, FromArg};

use crate::patch::{
    field, Bus, CcMap, EffectDef, InstrumentDef, Lane, Macro, MidiSettings, Section, TimelineClip,
    Track,
};

/// One argument of an action.
#[derive(Debug, Clone, Copy)]
pub struct ArgSpec {
    pub name: &'static str,
    pub ty: ArgType,
    pub doc: &'static str,
}

/// One action as the table describes it.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: &'static [ArgSpec],
    /// Whether the action changes the session (and so can be undone and saved).
    pub edits: bool,
    /// Whether the chat's model may call it as a tool (live notes make no
    /// sense from a reply; toggles and nudges are for keys and knobs, the
    /// model sets the value, and every tool costs prompt the budget of
    /// docs/chat.md's 32k-token window has to hold).
    pub tool: bool,
    /// Added to the tool's description for the model.
    pub tool_note: &'static str,
    /// Whether MIDI learn offers it as something a knob moves (its last
    /// argument takes the controller's value).
    pub knob: bool,
    /// Chat slash commands that name it (`/tempo 128`, `/unmute bass`).
    pub slash: &'static [Alias],
    /// OSC short forms (`/termdaw/track/<track>/volume`), beside the
    /// `/termdaw/<name>` every action has.
    pub osc: &'static [Alias],
}

/// Why an action could not be built or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    #[error("unknown action `{0}`")]
    Unknown(String),
    #[error("{action}: expected {expected} argument(s) ({names}), got {got}")]
    ArgCount {
        action: &'static str,
        expected: usize,
        names: String,
        got: usize,
    },
    #[error("{action}: argument `{arg}`: {message}")]
    BadArg {
        action: &'static str,
        arg: &'static str,
        message: String,
    },
    #[error("no track named \"{0}\"")]
    NoTrack(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Value(#[from] crate::patch::ValueError),
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("nothing to redo")]
    NothingToRedo,
}

impl ActionError {
    /// The same error with every value it echoes cut to a window
    /// ([`crate::quote`]): a name or text from OSC or the chat may be
    /// megabytes, a message about it is not.
    pub fn bounded(self) -> ActionError {
        use crate::quote::{clip, MAX_QUOTE};
        const MAX: usize = crate::patch::error::MAX_MESSAGE;
        match self {
            ActionError::Unknown(s) => ActionError::Unknown(clip(&s, MAX_QUOTE)),
            ActionError::BadArg {
                action,
                arg,
                message,
            } => ActionError::BadArg {
                action,
                arg,
                message: clip(&message, MAX),
            },
            ActionError::NoTrack(s) => ActionError::NoTrack(clip(&s, MAX_QUOTE)),
            ActionError::Invalid(s) => ActionError::Invalid(clip(&s, MAX)),
            ActionError::Value(v) => ActionError::Invalid(clip(&v.to_string(), MAX)),
            other => other,
        }
    }
}

/// `$x` if given, else the default `$d`.
macro_rules! or_default {
    ($x:literal $d:literal) => {
        $x
    };
    ($d:literal) => {
        $d
    };
}

/// The alias list of one column: `"phrase" name="fixed value": "example"`.
macro_rules! aliases {
    ($( $phrase:literal $($fk:ident = $fv:literal)* $(: $eg:literal)? ),*) => {
        &[ $( Alias {
            phrase: $phrase,
            fixed: &[ $( (stringify!($fk), $fv) ),* ],
            example: or_default!($($eg)? ""),
        } ),* ]
    };
}

macro_rules! actions {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:literal edits=$edits:literal
            $(tool=$tool:literal)? $(note=$note:literal)? $(knob=$knob:literal)?
            $(slash=[$($slash:tt)*])? $(osc=[$($osc:tt)*])? {
            $( $arg:ident : $ty:ty = $aty:expr, $adoc:literal ),* $(,)?
        }
    )*) => {
        /// A change to the session or the transport. See [`ACTIONS`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Action {
            $( $(#[doc = $doc])* $variant { $( $arg: $ty ),* } ),*
        }

        /// Every action, in the order the help overlay and docs list them.
        pub const ACTIONS: &[ActionSpec] = &[
            $( ActionSpec {
                name: $name,
                doc: concat!($($doc),*),
                edits: $edits,
                tool: or_default!($($tool)? true),
                tool_note: or_default!($($note)? ""),
                knob: or_default!($($knob)? false),
                slash: aliases!($($($slash)*)?),
                osc: aliases!($($($osc)*)?),
                args: &[ $( ArgSpec { name: stringify!($arg), ty: $aty, doc: $adoc } ),* ],
            } ),*
        ];

        impl Action {
            /// The action's name in the table.
            pub fn name(&self) -> &'static str {
                match self { $( Action::$variant { .. } => $name ),* }
            }

            /// Build an action from its name and positional arguments, checking
            /// each against the table (types and ranges).
            pub fn from_args(name: &str, args: &[ArgValue]) -> Result<Action, ActionError> {
                let spec = spec(name).ok_or_else(|| ActionError::Unknown(name.to_string()).bounded())?;
                if args.len() != spec.args.len() {
                    return Err(ActionError::ArgCount {
                        action: spec.name,
                        expected: spec.args.len(),
                        names: spec.args.iter().map(|a| a.name).collect::<Vec<_>>().join(", "),
                        got: args.len(),
                    });
                }
                #[allow(unused_variables, unused_mut)]
                let mut it = spec.args.iter().zip(args);
                match name {
                    $( $name => Ok(Action::$variant { $( $arg: {
                        let (a, v) = it.next().expect("argument count checked above");
                        <$ty as FromArg>::from_arg(v, &a.ty).map_err(|e| ActionError::BadArg {
                            action: spec.name, arg: a.name, message: e.to_string(),
                        }.bounded())?
                    } ),* }), )*
                    _ => Err(ActionError::Unknown(name.to_string()).bounded()),
                }
            }

            /// The action's arguments, in table order.
            pub fn args(&self) -> Vec<ArgValue> {
                match self {
                    $( #[allow(unused_variables)] Action::$variant { $( $arg ),* } => vec![ $( FromArg::to_arg($arg) ),* ] ),*
                }
            }
        }
    };
}

/// The table entry for `name`.
pub fn spec(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == name)
}

impl Action {
    pub fn spec(&self) -> &'static ActionSpec {
        spec(self.name()).expect("every action is in the table")
    }

    /// Whether this action changes the session (undoable, saved).
    pub fn edits(&self) -> bool {
        self.spec().edits
    }
}

use ArgType::*;

/// The argument type of a session field's value: the range and unit its
/// descriptor gives, so a key, a knob, OSC and the chat accept what the
/// file accepts.
pub const fn field_arg<M>(f: &field::Field<M>) -> ArgType {
    match f.range {
        field::Range::Number { min, max } => Number {
            min,
            max,
            unit: f.unit,
        },
        field::Range::Int { min, max } => Int { min, max },
        field::Range::OneOf(_) => Int {
            min: f.min() as i64,
            max: f.max() as i64,
        },
        field::Range::Bool => Bool,
    }
}

const BPM: ArgType = field_arg(&field::TEMPO);
const DB: ArgType = field_arg(&field::TRACK_VOLUME);

/// The part of an argument's range a knob sweeps when its mapping names no
/// `min`/`max`: a level's bottom 60 dB are all but silent and a tempo knob
/// is for playing tempos, so those two sweep less than they accept.
pub fn sweep(ty: &ArgType) -> Option<(f64, f64)> {
    match *ty {
        DB => Some((-60.0, 6.0)),
        BPM => Some((60.0, 180.0)),
        Number { min, max, .. } => Some((min, max)),
        Int { min, max } => Some((min as f64, max as f64)),
        Bool => Some((0.0, 1.0)),
        _ => None,
    }
}

actions! {
    /// Start the transport.
    Play "play" edits=false {}
    /// Stop the transport and release every note.
    Stop "stop" edits=false {}
    /// Start if stopped, stop if playing.
    TogglePlay "toggle_play" edits=false tool=false {}
    /// Start or stop recording a take (docs/recording.md).
    Record "record" edits=false { at: String = Choice(&["bar", "now"]), "bar or now", on: bool = Bool, "recording" }
    /// Start recording a take on the next bar, or stop the one recording.
    ToggleRecord "toggle_record" edits=false tool=false {}
    /// Drive a Looper track: record (from the next bar), overdub, play, undo the last overdub, clear, or press (one footswitch: record, then overdub and play in turn).
    Looper "looper" edits=false tool=true osc=["track/<track>/looper"] { track: String = TrackName, "track", command: String = Choice(crate::kinds::instrument::LOOPER_COMMANDS), "what the looper does" }
    /// Move the playhead to a beat (0 = the start).
    Locate "locate" edits=false { beat: f64 = Number { min: 0.0, max: 1.0e6, unit: "beats" }, "beat to jump to" }
    /// Loop between two beats; an end at or before the start turns looping off.
    SetLoop "set_loop" edits=false {
        start: f64 = Number { min: 0.0, max: 1.0e6, unit: "beats" }, "loop start",
        end: f64 = Number { min: 0.0, max: 1.0e6, unit: "beats" }, "loop end",
    }
    /// Launch a section: it starts on the next bar and the song order stops leading (live mode).
    LaunchSection "launch_section" edits=false slash=["section": "chorus", "launch": "chorus"] osc=["section/<section>"] { section: String = Text, "section name" }
    /// Follow the song order again from where the playhead is (song mode).
    PlaySong "play_song" edits=false slash=["song"] {}
    /// Jump to a marker, or to where a section first plays in the song order, on the next bar.
    JumpTo "jump_to" edits=false slash=["jump": "drop"] osc=["marker/<place>"] { place: String = Text, "marker or section name" }
    /// Jump to the next marker, on the next bar.
    NextMarker "next_marker" edits=false tool=false {}
    /// Jump to the previous marker (the one before the bar playing), on the next bar.
    PrevMarker "prev_marker" edits=false tool=false {}
    /// Loop the bars of the section playing now; again turns the loop off.
    LoopSection "loop_section" edits=true tool=false {}
    /// Loop whole bars, counted from 1 (0 0 turns the loop off); the file keeps it.
    SetLoopBars "set_loop_bars" edits=true {
        first: i64 = Int { min: 0, max: 100_000 }, "first bar",
        last: i64 = Int { min: 0, max: 100_000 }, "last bar (looped through its end)",
    }
    /// Add a section, or replace the one of the same name (RON, e.g. Section(name: "drop", bars: 8, tracks: {"bass": Part(set: {"cutoff": 3000})})).
    SetSection "set_section" edits=true { section: Section = Ron, "the whole section" }
    /// Add a section that plays what plays now (every track's pattern, level and mute).
    CaptureSection "capture_section" edits=true {
        name: String = Text, "section name",
        bars: i64 = Int { min: 1, max: 256 }, "its length",
    }
    /// Remove a section (and its entries in the song order).
    RemoveSection "remove_section" edits=true { section: String = Text, "section name" }
    /// Set the song order (RON list of (section, times), e.g. [("intro", 1), ("verse", 2)]).
    SetSong "set_song" edits=true { song: Vec<(String, u32)> = Ron, "the song order" }
    /// Set a marker at a bar (counted from 1), or move it.
    SetMarker "set_marker" edits=true {
        name: String = Text, "marker name",
        bar: f64 = Number { min: 1.0, max: 100_000.0, unit: "bars" }, "where, from bar 1",
    }
    /// Remove a marker.
    RemoveMarker "remove_marker" edits=true { name: String = Text, "marker name" }
    /// Add an automation lane on the song's timeline, or replace the one moving the same thing (RON, e.g. Lane(action: "set_param", args: ["bass", "cutoff"], points: [(1, 200), (9, 4000, Exp)]); bars from 1).
    SetLane "set_lane" edits=true { lane: Lane = Ron, "the lane" }
    /// Remove the song's automation lane that moves this (the action and its other arguments, e.g. set_volume pad).
    RemoveLane "remove_lane" edits=true { lane: String = Text, "what the lane moves" }
    /// Arm a track for recording automation: while playing, its knob moves become breakpoints of its lanes (the lanes play again when disarmed).
    ArmAutomation "arm_automation" edits=false tool=false slash=["arm" on="true": "bass", "disarm" on="false": "bass"] { track: String = TrackName, "track", on: bool = Bool, "armed" }
    /// Turn a macro (0 – 10): each of its targets moves between its two ends; intensity is built in.
    SetMacro "set_macro" edits=true knob=true slash=["macro": "intensity 7"] osc=["macro/<name>"] {
        name: String = Text, "macro name",
        value: f64 = Number { min: 0.0, max: 10.0, unit: "" }, "0 – 10",
    }
    /// Set the intensity, 0 – 10 (the built-in macro).
    SetIntensity "set_intensity" edits=true tool=false knob=true slash=["intensity": "7"] osc=["intensity"] {
        level: f64 = Number { min: 0.0, max: 10.0, unit: "" }, "0 – 10",
    }
    /// Replace the macros (RON list, e.g. [Macro(name: "lift", targets: [Target(action: "set_volume", args: ["pad"], from: -30, to: 0)])]).
    SetMacros "set_macros" edits=true tool=false { macros: Vec<Macro> = Ron, "the macros" }
    /// Set the tempo.
    SetTempo "set_tempo" edits=true knob=true slash=["tempo": "128", "bpm": "128"] osc=["tempo"] { bpm: f64 = BPM, "beats per minute" }
    /// Change the tempo by an amount (negative slows down).
    NudgeTempo "nudge_tempo" edits=true tool=false { delta: f64 = Number { min: -100.0, max: 100.0, unit: "BPM" }, "change in BPM" }
    /// Set the time signature.
    SetTimeSignature "set_time_signature" edits=true {
        beats: i64 = Int { min: 1, max: 32 }, "beats per bar",
        unit: i64 = Int { min: 1, max: 32 }, "note value of a beat (4 = quarter)",
    }
    /// Set the swing: how late the second step of every pair of swing-grid steps plays, as a share of a grid step.
    SetSwing "set_swing" edits=true knob=true { amount: f64 = field_arg(&field::SWING), "0 straight, 0.33 shuffle" }
    /// Set the grid swing works on (16: 16th notes, 8: 8th notes).
    SetSwingGrid "set_swing_grid" edits=true { steps: i64 = field_arg(&field::SWING_GRID), "steps per whole note: 4, 8, 16 or 32" }
    /// Set where reloaded and chat changes land: immediate, beat or bar.
    SetQuantum "set_quantum" edits=true { quantum: String = Choice(&["immediate", "beat", "bar"]), "boundary" }
    /// Set the key's tonic (C, F#, Bb...).
    SetKey "set_key" edits=true slash=["key": "F#"] { key: String = Text, "note name" }
    /// Set the scale (major, minor, dorian...).
    SetScale "set_scale" edits=true slash=["scale": "dorian"] { scale: String = Text, "scale name" }
    /// Set the master volume.
    SetMasterVolume "set_master_volume" edits=true knob=true { db: f64 = field_arg(&field::MASTER_VOLUME), "level" }
    /// Set the master limiter's ceiling.
    SetCeiling "set_ceiling" edits=true { db: f64 = field_arg(&field::CEILING), "highest peak let through" }
    /// Set the master effect chain (RON list, e.g. [Reverb(mix: 0.2)]).
    SetMasterEffects "set_master_effects" edits=true { effects: Vec<EffectDef> = Ron, "effect list" }
    /// Set a track's fader.
    SetVolume "set_volume" edits=true knob=true slash=["volume": "bass -6", "vol": "bass -6"] osc=["track/<track>/volume"] { track: String = TrackName, "track", db: f64 = DB, "level" }
    /// Change a track's fader by an amount.
    NudgeVolume "nudge_volume" edits=true tool=false { track: String = TrackName, "track", delta: f64 = Number { min: -24.0, max: 24.0, unit: "dB" }, "change" }
    /// Set a track's pan.
    SetPan "set_pan" edits=true knob=true slash=["pan": "bass -0.5"] osc=["track/<track>/pan"] { track: String = TrackName, "track", pan: f64 = field_arg(&field::PAN), "-1 left, 0 centre, 1 right" }
    /// Mute or unmute a track.
    SetMute "set_mute" edits=true slash=["mute" on="true": "bass", "unmute" on="false": "bass"] osc=["track/<track>/mute"] { track: String = TrackName, "track", on: bool = field_arg(&field::MUTE), "muted" }
    /// Solo or unsolo a track (when any track is soloed, only soloed tracks play).
    SetSolo "set_solo" edits=true slash=["solo" on="true": "kick", "unsolo" on="false": "kick"] osc=["track/<track>/solo"] { track: String = TrackName, "track", on: bool = field_arg(&field::SOLO), "soloed" }
    /// Toggle a track's mute.
    ToggleMute "toggle_mute" edits=true tool=false { track: String = TrackName, "track" }
    /// Toggle a track's solo.
    ToggleSolo "toggle_solo" edits=true tool=false { track: String = TrackName, "track" }
    /// Set an instrument parameter (a number, or a name for choices like wave).
    SetParam "set_param" edits=true knob=true osc=["track/<track>/param/<param>"] {
        track: String = TrackName, "track",
        param: String = Text, "parameter name",
        value: ArgValue = Any, "new value",
    }
    /// Set a track's pattern, in drum steps, notes or scale degrees.
    SetPattern "set_pattern" edits=true osc=["track/<track>/pattern" notation="notes", "track/<track>/steps" notation="steps", "track/<track>/degrees" notation="degrees"] {
        track: String = TrackName, "track",
        notation: String = Choice(&["steps", "notes", "degrees"]), "steps: x..x / notes: c3 e3 / degrees: 0 2 4",
        pattern: String = Text, "pattern text",
    }
    /// Set how many steps make a whole note for a track's pattern (16 = sixteenths).
    SetResolution "set_resolution" edits=true { track: String = TrackName, "track", steps: i64 = field_arg(&field::RESOLUTION), "steps per whole note" }
    /// Set how long notes last as a share of their step.
    SetGate "set_gate" edits=true { track: String = TrackName, "track", gate: f64 = field_arg(&field::GATE), "note length" }
    /// Set the share of a track's notes that play (1 all, 0.5 half; the same ones each time).
    SetDensity "set_density" edits=true knob=true { track: String = TrackName, "track", density: f64 = field_arg(&field::DENSITY), "0 – 1" }
    /// Set a track's polyphony.
    SetVoices "set_voices" edits=true { track: String = TrackName, "track", voices: i64 = field_arg(&field::VOICES), "voice limit" }
    /// Replace a track's instrument (RON, e.g. Synth(cutoff: 800)).
    SetInstrument "set_instrument" edits=true { track: String = TrackName, "track", instrument: InstrumentDef = Ron, "instrument" }
    /// Put a preset from the library on a track: its instrument, effect chain and level (the track's pattern, pan and sends stay; `termdaw preset list` names them).
    LoadPreset "load_preset" edits=true slash=["preset": "bass acid-bass"] osc=["track/<track>/preset"] { track: String = TrackName, "track", preset: String = Text, "preset name, e.g. warm-pad" }
    /// Replace a track's effect chain (RON list).
    SetEffects "set_effects" edits=true { track: String = TrackName, "track", effects: Vec<EffectDef> = Ron, "effect list" }
    /// Set a track's timeline clips (RON list, e.g. [Clip(bar: 9, bars: 4, pattern: Notes("a2*4"))]; bars from 1): each replaces the track's pattern for its bars.
    SetClips "set_clips" edits=true { track: String = TrackName, "track", clips: Vec<TimelineClip> = Ron, "the clips" }
    /// Set one parameter of one effect while it plays (it glides; nothing is rebuilt, so tails keep ringing).
    SetEffectParam "set_effect_param" edits=true knob=true {
        chain: String = Text, "a track name, bus:NAME or master",
        effect: i64 = Int { min: 0, max: 63 }, "position in the chain, from 0",
        param: String = Text, "parameter name (mix and bypass work on every effect)",
        value: ArgValue = Any, "new value: a number, or a name for choices",
    }
    /// Insert one effect into a chain at a position (0 = first; the chain's length = last); the other effects keep playing as they are.
    AddEffect "add_effect" edits=true {
        chain: String = Text, "a track name, bus:NAME or master",
        position: i64 = Int { min: 0, max: 63 }, "where it goes, from 0",
        effect: EffectDef = Ron, "the effect (RON, e.g. Delay(time: 0.375, mix: 0.3))",
    }
    /// Remove one effect from a chain; the other effects keep playing as they are.
    RemoveEffect "remove_effect" edits=true {
        chain: String = Text, "a track name, bus:NAME or master",
        position: i64 = Int { min: 0, max: 63 }, "which effect, from 0",
    }
    /// Process a Sample track's file offline (speed, reverse, fades, echo, loudness) into a new WAV in the data directory and play that instead once it is written; undo goes back to the original file.
    ProcessSample "process_sample" edits=true {
        track: String = TrackName, "Sample track",
        ops: String = Text, "operations as for `termdaw process`, e.g. --speed 1.5 --reverse --fade-out 0.2 --echo medium --normalize -14",
    }
    /// Set a track's send level to a bus.
    SetSend "set_send" edits=true knob=true { track: String = TrackName, "track", bus: String = Text, "bus", db: f64 = DB, "send level (-120 removes the send)" }
    /// Set a track's pitch-wheel range.
    SetBendRange "set_bend_range" edits=true { track: String = TrackName, "track", semitones: f64 = field_arg(&field::BEND_RANGE), "range each way" }
    /// Replace the MIDI settings (RON, e.g. Midi(channels: {10: "drums"}, cc: [Cc(cc: 74, action: "set_param", args: ["bass", "cutoff"], curve: Exp)])).
    SetMidi "set_midi" edits=true { midi: MidiSettings = Ron, "MIDI routing and controller mappings" }
    /// Add a controller mapping, or replace the one of the same controller and channel (RON, e.g. Cc(cc: 74, action: "set_param", args: ["bass", "cutoff"], curve: Exp)); other mappings, learned ones too, stay.
    MapController "map_controller" edits=true { mapping: CcMap = Ron, "the mapping" }
    /// Remove the mapping of one controller (channel 0: the one that listens on any channel).
    UnmapController "unmap_controller" edits=true {
        cc: i64 = Int { min: 0, max: 127 }, "controller number",
        channel: i64 = Int { min: 0, max: 16 }, "its channel, 0 for any",
    }
    /// Route a MIDI channel's notes to a track (an empty name removes the route: the channel plays the selected track).
    RouteChannel "route_channel" edits=true {
        channel: i64 = Int { min: 1, max: 16 }, "MIDI channel",
        track: String = Text, "track name, or empty",
    }
    /// Follow incoming MIDI clock (tempo and beat, start, stop, song position) or not.
    SetMidiClock "set_midi_clock" edits=true { on: bool = Bool, "follow the clock" }
    /// Add a return bus (RON, e.g. Bus(name: "verb", effects: [Reverb(mix: 1)])).
    AddBus "add_bus" edits=true { bus: Bus = Ron, "the whole bus" }
    /// Remove a return bus (and every send to it).
    RemoveBus "remove_bus" edits=true { bus: String = Text, "bus name" }
    /// Set a bus's return level.
    SetBusVolume "set_bus_volume" edits=true knob=true { bus: String = Text, "bus name", db: f64 = field_arg(&field::BUS_VOLUME), "level" }
    /// Set a bus's return balance.
    SetBusPan "set_bus_pan" edits=true knob=true { bus: String = Text, "bus name", pan: f64 = field_arg(&field::BUS_PAN), "-1 left, 0 centre, 1 right" }
    /// Mute or unmute a bus's return.
    SetBusMute "set_bus_mute" edits=true { bus: String = Text, "bus name", on: bool = field_arg(&field::BUS_MUTE), "muted" }
    /// Replace a bus's effect chain (RON list).
    SetBusEffects "set_bus_effects" edits=true { bus: String = Text, "bus name", effects: Vec<EffectDef> = Ron, "effect list" }
    /// Add a track (RON, e.g. Track(name: "pad", instrument: Synth())).
    AddTrack "add_track" edits=true { track: Track = Ron, "the whole track" }
    /// Remove a track.
    RemoveTrack "remove_track" edits=true { track: String = TrackName, "track" }
    /// Rename a track.
    RenameTrack "rename_track" edits=true { track: String = TrackName, "track", name: String = Text, "new name" }
    /// Play a note on a track now.
    NoteOn "note_on" edits=false tool=false {
        track: String = TrackName, "track",
        note: f64 = Number { min: 0.0, max: 127.0, unit: "MIDI note" }, "pitch (60 = C4)",
        velocity: f64 = Number { min: 0.0, max: 1.0, unit: "" }, "loudness",
    }
    /// Play a note for a length in beats (it releases by itself).
    PlayNote "play_note" edits=false tool=false osc=["track/<track>/note"] {
        track: String = TrackName, "track",
        note: f64 = Number { min: 0.0, max: 127.0, unit: "MIDI note" }, "pitch (60 = C4)",
        velocity: f64 = Number { min: 0.0, max: 1.0, unit: "" }, "loudness",
        beats: f64 = Number { min: 0.001, max: 64.0, unit: "beats" }, "length",
    }
    /// Release a note on a track.
    NoteOff "note_off" edits=false tool=false { track: String = TrackName, "track", note: f64 = Number { min: 0.0, max: 127.0, unit: "MIDI note" }, "pitch" }
    /// Release every note on every track.
    AllNotesOff "all_notes_off" edits=false tool=false {}
    /// Undo the last change.
    Undo "undo" edits=false
        note=" (the last change before this reply; within a reply, set the old value instead)"
        slash=["undo"] {}
    /// Undo only the last single change, even one inside the latest chat
    /// reply or file reload (its other changes stay, and still undo as one step).
    UndoChange "undo_change" edits=false tool=false slash=["undo change", "undo step"] {}
    /// Redo the last undone change.
    Redo "redo" edits=false tool=false slash=["redo"] {}
}
