//! End to end in a real terminal: the real binary inside tmux plays the
//! demo, a track is muted from the keyboard, the screen text is checked,
//! termdaw quits, and the terminal is back as it was (main screen, cursor
//! shown, mouse reporting off, cooked mode, exit status 0).
//!
//! No sound card is needed: ALSA is pointed at a configuration that does not
//! exist, so termdaw plays on its silent sink, paced in real time.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::rig::{self, TempDir};

/// A tmux server of our own (its own socket in a temp dir, no user
/// config), killed on drop.
struct Tmux {
    socket: std::path::PathBuf,
    _home: TempDir,
}

impl Tmux {
    /// A detached 100×30 session running `command` (through tmux's shell).
    fn start(command: &str) -> Option<Tmux> {
        if !rig::have("tmux") {
            println!(
                "SKIPPED e2e: tmux is not installed (Debian/Ubuntu: `sh .ci/setup`, or apt-get install tmux)"
            );
            return None;
        }
        let home = TempDir::new("termdaw-e2e");
        let socket = home.join("tmux.sock");
        let me = Tmux {
            socket,
            _home: home,
        };
        // The server's environment is the shell's, and so termdaw's: its
        // config, state and logs stay in the temp dir, and ALSA finds no device.
        let h = me._home.path();
        let o = me
            .cmd()
            .args([
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
                "-s",
                "e2e",
                "-c",
            ])
            .arg(env!("CARGO_MANIFEST_DIR"))
            .arg(command)
            .env("ENV", "/dev/null")
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("ALSA_CONFIG_PATH", h.join("no-such-asound.conf"))
            .env_remove("TMUX")
            .output()
            .expect("running tmux");
        assert!(o.status.success(), "tmux new-session: {}", text(&o));
        Some(me)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket).args(["-f", "/dev/null"]);
        c
    }

    fn send(&self, keys: &[&str]) {
        let o = self
            .cmd()
            .args(["send-keys", "-t", "e2e"])
            .args(keys)
            .output()
            .unwrap();
        assert!(o.status.success(), "tmux send-keys: {}", text(&o));
    }

    /// Send text literally (no key-name lookup), then Enter.
    fn type_line(&self, line: &str) {
        let o = self
            .cmd()
            .args(["send-keys", "-t", "e2e", "-l", line])
            .output()
            .unwrap();
        assert!(o.status.success(), "tmux send-keys: {}", text(&o));
        self.send(&["Enter"]);
    }

    fn screen(&self) -> String {
        let o = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let o = self
            .cmd()
            .args(["display-message", "-p", "-t", "e2e", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }

    /// Wait until the screen satisfies `ok`; panics with the screen if it never does.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if t.elapsed() > Duration::from_secs(30) {
                panic!("waited 30 s for {what}; the screen shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The transport's bar:beat:tick, e.g. "3:1:167".
fn position(screen: &str) -> Option<String> {
    let top = screen.lines().next()?;
    top.split_whitespace()
        .find(|w| w.split(':').count() == 3 && w.split(':').all(|p| p.parse::<u32>().is_ok()))
        .map(str::to_string)
}

/// The flags column (mute, solo, armed) of a track's row in the tracks pane.
fn track_flags(screen: &str, track: &str) -> Option<String> {
    let row = screen.lines().find(|l| {
        l.trim_start_matches('│')
            .trim_start_matches('▸')
            .trim_start()
            .starts_with(&format!("{track} "))
    })?;
    // "│▸kick    Kick      M · ·  ███▒··││kick ...": name, instrument, 3 flags.
    let words: Vec<&str> = row.trim_start_matches('│').split_whitespace().collect();
    let i = words
        .iter()
        .position(|w| w.trim_start_matches('▸') == track)?;
    Some(words.get(i + 2..i + 5)?.join(" "))
}

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/patches/demo.ron");

#[test]
fn the_real_binary_in_tmux_plays_mutes_quits_and_restores_the_terminal() {
    // A plain shell with a known prompt (dash forgets an inherited PS1 for
    // root unless it is set this way).
    let Some(tmux) = Tmux::start("env PS1='rig$ ' sh -i") else {
        return;
    };
    let before = std::fs::read_to_string(DEMO).unwrap();
    tmux.wait_for("the shell prompt", |s| s.contains("rig$"));
    let bin = env!("CARGO_BIN_EXE_termdaw");
    tmux.type_line(&format!("'{bin}' patches/demo.ron --no-osc --midi none"));

    // It plays: the transport says so and the position moves.
    let s = tmux.wait_for("the transport to play", |s| {
        s.lines().next().is_some_and(|l| l.contains("▶ PLAY")) && position(s).is_some()
    });
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "UI on the alternate screen"
    );
    assert!(s.contains("demo.ron"), "{s}");
    assert!(
        s.contains("silent"),
        "no device: the silent sink, said so:\n{s}"
    );
    assert_eq!(track_flags(&s, "kick").as_deref(), Some("· · ·"), "{s}");
    let p0 = position(&s).unwrap();
    tmux.wait_for("the playhead to move", |s| {
        position(s).is_some_and(|p| p != p0)
    });

    // Mute the selected (first) track from the keyboard.
    tmux.send(&["m"]);
    let s = tmux.wait_for("kick to show its mute flag", |s| {
        track_flags(s, "kick").is_some_and(|f| f.starts_with('M'))
    });
    println!("e2e: the screen after muting kick:\n{s}");
    assert_eq!(track_flags(&s, "kick").as_deref(), Some("M · ·"), "{s}");
    assert_eq!(track_flags(&s, "snare").as_deref(), Some("· · ·"), "{s}");
    assert!(s.contains("kick mute on"), "the status line says it:\n{s}");
    assert!(
        s.lines().next().unwrap().contains("demo.ron*"),
        "unsaved changes are marked:\n{s}"
    );

    // The mute is heard: the kick hits every beat, yet once its meters have
    // fallen (24 dB/s in the UI) they stay dark for three more beats, while
    // the master keeps moving.
    let row = |s: &str, name: &str| {
        s.lines()
            .find(|l| l.contains(&format!("│{name} ")) || l.contains(&format!("▸{name} ")))
            .unwrap_or_default()
            .to_string()
    };
    let lit = |row: String| row.contains('█') || row.contains('▒');
    tmux.wait_for("the muted kick's meters to fall", |s| !lit(row(s, "kick")));
    let (mut frames, mut master_moving) = (0, 0);
    let t = Instant::now();
    while t.elapsed() < Duration::from_millis(1600) {
        let s = tmux.screen();
        assert!(!lit(row(&s, "kick")), "the muted kick meters again:\n{s}");
        if lit(row(&s, "master")) {
            master_moving += 1;
        }
        frames += 1;
        std::thread::sleep(Duration::from_millis(40));
    }
    assert!(
        master_moving * 2 > frames,
        "the master meter moved in {master_moving} of {frames} captures"
    );

    // Quit: there are unsaved changes, so it asks; leave without saving.
    tmux.send(&["q"]);
    tmux.wait_for("the quit question", |s| s.contains("y quit without saving"));
    tmux.send(&["y"]);
    let s = tmux.wait_for("the shell to come back", |s| {
        !s.contains("▶ PLAY") && s.lines().filter(|l| l.starts_with("rig$")).count() >= 2
    });
    assert!(
        s.contains("termdaw' patches/demo.ron"),
        "the main screen (with the command line) is back:\n{s}"
    );
    let t = Instant::now();
    while tmux.display("#{pane_current_command}") != "sh" && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor shown");
    assert_eq!(
        tmux.display("#{mouse_any_flag}"),
        "0",
        "mouse reporting off"
    );

    // Exit status 0, and the terminal is in cooked mode with echo again.
    tmux.type_line("echo \"exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' '; echo '<'");
    let s = tmux.wait_for("the shell's answer", |s| s.contains(" <"));
    assert!(s.contains("exit=0"), "termdaw's exit status:\n{s}");
    println!("e2e: the shell after quitting:\n{s}");
    let modes = s.lines().find(|l| l.ends_with(" <")).unwrap();
    assert_eq!(modes.trim(), "icanon echo <", "terminal modes:\n{s}");

    let after = std::fs::read_to_string(DEMO).unwrap();
    assert!(
        after == before,
        "quitting without saving left the demo file alone"
    );
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[test]
fn closing_the_terminal_under_termdaw_ends_it() {
    let bin = env!("CARGO_BIN_EXE_termdaw");
    let Some(tmux) = Tmux::start(&format!(
        "exec '{bin}' patches/demo.ron --no-osc --midi none"
    )) else {
        return;
    };
    tmux.wait_for("the transport to play", |s| s.contains("▶ PLAY"));
    let pid: u32 = tmux.display("#{pane_pid}").parse().unwrap();
    assert!(!ended(pid));
    // The terminal goes away (as when its window is closed or ssh drops).
    drop(tmux);
    let t = Instant::now();
    while !ended(pid) && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = ended(pid);
    if !gone {
        // SAFETY: kill(2); the pid was termdaw's a moment ago.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
    }
    assert!(
        gone,
        "termdaw kept running for 5 s after its terminal closed"
    );
}
