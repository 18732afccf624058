//! Replays the checked-in fuzz corpus and regressions of the `calendar_add_line` target
//! (`fuzz/corpus/calendar_add_line/`, `fuzz/regressions/calendar_add_line/`) through
//! `acikkapi::fuzzing::calendar_add_line` as part of `cargo test`.

use std::path::Path;

#[test]
fn calendar_add_line() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join("calendar_add_line")) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| acikkapi::fuzzing::calendar_add_line(&data));
        assert!(result.is_ok(), "{} panics", path.display());
    }
}
