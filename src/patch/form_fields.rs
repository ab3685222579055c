//! The docs tables of the song's form in the file: `Section`, `Part`,
//! `Lane`, `Macro` and its `Target`, and a track's timeline `Clip`. These
//! hold no scalar fields of their own; [`super::field`] re-exports them
//! beside the tables of the other owners.
//!
//! Control thread only; plain data.

use super::field::{other, Entry, NAME_RANGE};
use super::song::{Part, Section};

/// `Section(...)`.
pub const SECTION: &[Entry<Section>] = &[
    Entry::Other(other(
        "name",
        "",
        NAME_RANGE,
        "(required)",
        "what the song order, `launch_section` and `then` refer to",
    )),
    Entry::Other(other(
        "bars",
        "bars",
        "1 – 256",
        "4",
        "how long the section lasts",
    )),
    Entry::Other(other(
        "tracks",
        "map of track name → `Part(...)`",
        "tracks of the session",
        "`{}`",
        "what changes per track while the section plays; tracks not named play as the session says",
    )),
    Entry::Other(other(
        "tempo",
        "BPM",
        "20 – 999",
        "none",
        "the tempo while the section plays",
    )),
    Entry::Other(other(
        "then",
        "section name",
        "a section of the session",
        "none",
        "live mode: the section that follows when this one's bars are over",
    )),
    Entry::Other(other(
        "automation",
        "list of `Lane(...)`",
        "at most 64; points from bar 1 to bars + 1",
        "`[]`",
        "automation inside the section: bar 1 is its first bar, and it plays on every pass",
    )),
];

/// `Macro(...)`.
pub const MACRO: &[Entry<super::Macro>] = &[
    Entry::Other(other("name", "", NAME_RANGE, "(required)", "what `set_macro` names; `intensity` is the built-in one")),
    Entry::Other(other("value", "", "0 – 10", "0", "where the knob stands; turning it writes its targets' values into the file")),
    Entry::Other(other("targets", "list of `Target(...)`", "at most 64; `intensity` may have none", "`[]`", "what it moves; `intensity` with none opens every instrument `cutoff` from 300 Hz at 0 to 8 kHz at 10")),
];

/// `Target(...)` of a macro.
pub const MACRO_TARGET: &[Entry<super::MacroTarget>] = &[
    Entry::Other(other("action", "action name", "an action whose last argument is a value: `set_volume`, `set_param`, `set_effect_param`, `set_send`, `set_mute`, …", "(required)", "what the target moves")),
    Entry::Other(other("args", "list", "the action's other arguments, in order", "`[]`", "which track, parameter, effect or bus")),
    Entry::Other(other("from", "", "the target's range", "(required)", "its value with the macro at 0")),
    Entry::Other(other("to", "", "the target's range", "(required)", "its value with the macro at 10")),
    Entry::Other(other("curve", "", "`Linear`, `Exp`, `Log`", "`Linear`", "how it travels between the two (`Exp` for frequencies)")),
];

/// `Lane(...)`.
pub const LANE: &[Entry<super::Lane>] = &[
    Entry::Other(other("action", "action name", "an action whose last argument is a number: `set_volume`, `set_pan`, `set_param`, `set_effect_param` (parameters that glide), `set_send`, `set_bus_volume`, `set_bus_pan`, `set_master_volume`, `set_tempo`, `set_swing`, `set_density`, `set_macro`, `set_intensity`", "(required)", "what the lane moves (a macro's lane moves all its targets)")),
    Entry::Other(other("args", "list", "the action's other arguments, in order", "`[]`", "which track, parameter, effect or bus, e.g. `[\"bass\", \"cutoff\"]`")),
    Entry::Other(other("points", "list of (bar, value) or (bar, value, shape)", "1 – 1024 points, in order; bars from 1, fractions allowed; values in the target's range", "(required)", "the breakpoints, e.g. `[(1, 200), (9, 4000, Exp)]`; before the first and after the last, the lane holds that point's value")),
    Entry::Other(other("shape", "", "`Step`, `Linear`, `Exp`, `Smooth`", "`Linear`", "how values travel between points that name no shape of their own")),
];

/// `Part(...)`.
pub const PART: &[Entry<Part>] = &[
    Entry::Other(other("pattern", "`Steps(\"...\")`, `Notes(\"...\")` or `Degrees(\"...\")`", "see [patterns.md](patterns.md)", "the track's own", "what the track plays in the section")),
    Entry::Other(other("set", "map of name → number or `true`/`false`", "a track field (`volume`, `pan`, `mute`, …) or a parameter of the track's instrument, in its range", "`{}`", "values while the section plays, e.g. `{\"mute\": true, \"cutoff\": 800}`")),
];

/// `Clip(...)` on a track's timeline.
pub const CLIP: &[Entry<super::TimelineClip>] = &[
    Entry::Other(other(
        "bar",
        "bar",
        "from 1",
        "(required)",
        "where the clip starts",
    )),
    Entry::Other(other(
        "bars",
        "bars",
        "from 1",
        "(required)",
        "how long it plays",
    )),
    Entry::Other(other(
        "pattern",
        "`Steps(\"...\")`, `Notes(\"...\")` or `Degrees(\"...\")`",
        "see [patterns.md](patterns.md)",
        "none (a rest)",
        "what the track plays there, from the pattern's beginning on the clip's first bar",
    )),
];
