//! Replays the checked-in fuzz corpus and regressions of the root crate's targets
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through their bodies in
//! `acikkapi::fuzzing` as part of `cargo test`: `calendar_add_line` and `config_files`.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn calendar_add_line() {
    replay("calendar_add_line", acikkapi::fuzzing::calendar_add_line);
}

#[test]
fn config_files() {
    replay("config_files", acikkapi::fuzzing::config_files);
}
