//! The real binary, as a musician runs it.

use std::process::Command;

fn termdaw() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn render_writes_a_wav_and_prints_a_summary() {
    let out = std::env::temp_dir().join(format!("termdaw-cli-{}.wav", std::process::id()));
    let o = termdaw()
        .args(["render", "patches/demo.ron", "--bars", "1", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("peak") && stdout.contains("x real time"),
        "{stdout}"
    );
    assert!(std::fs::metadata(&out).unwrap().len() > 10_000);
    let _ = std::fs::remove_file(out);
}

#[test]
fn check_reports_file_line_and_column() {
    let bad = std::env::temp_dir().join(format!("termdaw-bad-{}.ron", std::process::id()));
    std::fs::write(&bad, "Session(\n  tempo: 5,\n)").unwrap();
    let o = termdaw().arg("check").arg(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:2:", bad.display())), "{err}");
    assert!(
        err.contains("tempo must be between 20 and 999 BPM"),
        "{err}"
    );
    let _ = std::fs::remove_file(bad);
}

#[test]
fn playing_without_a_sound_card_says_so_once_and_keeps_running() {
    let o = termdaw()
        .args(["patches/demo.ron", "--seconds", "1"])
        .env("ALSA_CONFIG_PATH", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("no audio device"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].contains("running silent"), "{stdout}");
}
