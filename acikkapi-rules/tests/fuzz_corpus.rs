//! Replays the checked-in fuzz corpus and regressions of the `rhai_rules` target
//! (`fuzz/corpus/rhai_rules/`, `fuzz/regressions/rhai_rules/`) through
//! `acikkapi_rules::fuzzing::rhai_rules` as part of `cargo test`.

use std::path::Path;

#[test]
fn rhai_rules() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join("rhai_rules")) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| acikkapi_rules::fuzzing::rhai_rules(&data));
        assert!(result.is_ok(), "{} panics", path.display());
    }
}
