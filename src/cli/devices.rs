//! `termdaw devices`: the audio outputs and inputs and the MIDI inputs
//! and outputs this machine has, each with the index the flags take.
//!
//! Runs on the main thread of a short-lived command; it opens nothing but
//! the probes the backends need to list their ports.

use termdaw::audio::{device, input};
use termdaw::midi;

pub fn print() -> anyhow::Result<()> {
    // ALSA and JACK print their probing failures to stderr: keep them in the log.
    let _log = termdaw::log::redirect_stderr();
    let names = |v: Vec<(usize, String)>| v.into_iter().map(|(_, n)| n).collect();
    section("audio outputs:", Ok(names(device::list_outputs())));
    section("audio inputs (--input):", Ok(names(input::list_inputs())));
    section(
        "MIDI inputs:",
        midi::list_inputs().map_err(|e| format!("no MIDI system: {e}")),
    );
    section(
        "MIDI outputs (--midi-out):",
        midi::out::list_outputs().map_err(|e| e.to_string()),
    );
    Ok(())
}

/// A title, then each name with its index, `(none)`, or why there is no list.
fn section(title: &str, list: Result<Vec<String>, String>) {
    println!("{title}");
    match list {
        Ok(v) if v.is_empty() => println!("  (none)"),
        Ok(v) => {
            for (i, name) in v.iter().enumerate() {
                println!("  {i}: {name}");
            }
        }
        Err(e) => println!("  ({e})"),
    }
}
