//! The TUI's own configuration: `keys.ron` in the config directory
//! (`crate::config::dir`), optional.
//!
//! Control thread, read once at start-up. A broken file is reported and the
//! default keys used, so a typo never keeps the music from starting. The
//! app-wide settings (`config.ron`, `midi.ron`) are in `crate::config`.

use std::path::Path;

use super::keymap::Keymap;

/// The default keys with `keys.ron` from `dir` merged over them.
pub fn load_keymap(dir: Option<&Path>) -> (Keymap, Vec<String>) {
    let mut keys = Keymap::defaults();
    let Some(path) = dir.map(|d| d.join("keys.ron")) else {
        return (keys, Vec::new());
    };
    match crate::files::read_text(&path, crate::files::MAX_CONFIG_BYTES) {
        Ok(text) => match keys.merge_ron(&path.display().to_string(), &text) {
            Ok(problems) => (keys, problems),
            Err(e) => (
                Keymap::defaults(),
                vec![format!("{e} (using the default keys)")],
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (keys, Vec::new()),
        Err(e) => (keys, vec![format!("{}: {e}", path.display())]),
    }
}
