//! What a save does to the file on disk: a symlinked session updates its
//! target and stays a link, permissions stay, the previous text is kept.

use std::os::unix::fs::PermissionsExt;

use termdaw::patch;

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("termdaw-save-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn saving_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let d = dir("link");
    std::fs::create_dir_all(d.join("real")).unwrap();
    let target = d.join("real/song.ron");
    std::fs::write(&target, "Session(tempo: 100)\n").unwrap();
    let link = d.join("song.ron");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut s = patch::load(&link).unwrap();
    s.tempo = 128.0;
    patch::save(&link, &s).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(
        patch::load(&target).unwrap().tempo,
        128.0,
        "its target changed"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("real/song.ron.bak")).unwrap(),
        "Session(tempo: 100)\n",
        "the previous text beside the target"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_save_keeps_the_files_permissions_and_leaves_no_temporary_file() {
    let d = dir("perm");
    let p = d.join("song.ron");
    std::fs::write(&p, "Session(tempo: 100)\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut s = patch::load(&p).unwrap();
    s.tempo = 90.0;
    patch::save(&p, &s).unwrap();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "permissions {mode:o}");
    assert_eq!(patch::load(&p).unwrap().tempo, 90.0);
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_file_that_no_longer_reads_is_not_overwritten_by_a_save() {
    let d = dir("broken");
    let p = d.join("song.ron");
    std::fs::write(&p, "// mine\nSession(tempo: 100)\n").unwrap();
    let mut s = patch::load(&p).unwrap();
    s.tempo = 90.0;
    // The musician saves a typo in their editor meanwhile.
    let typo = "// mine\nSession(tempo: 100,, swing: 0.1)\n";
    std::fs::write(&p, typo).unwrap();
    let e = patch::save(&p, &s).unwrap_err().to_string();
    assert!(
        e.contains("not saved") && e.contains("song.ron:2:"),
        "says why and where: {e}"
    );
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        typo,
        "the file is as it was"
    );
    // Fixed, the save goes through and keeps the comment.
    std::fs::write(&p, "// mine\nSession(tempo: 100, swing: 0.1)\n").unwrap();
    s.swing = 0.1;
    patch::save(&p, &s).unwrap();
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "// mine\nSession(tempo: 90, swing: 0.1)\n"
    );
    let _ = std::fs::remove_dir_all(d);
}
