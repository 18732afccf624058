//! Replays the checked-in fuzz corpus and regressions of the root crate's targets
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through their bodies in
//! `acikkapi::fuzzing` as part of `cargo test`: `calendar_add_line` and `config_files`.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    acikkapi::core::fuzzing::replay(&fuzz, target, body);
}

#[test]
fn calendar_add_line() {
    replay("calendar_add_line", acikkapi::fuzzing::calendar_add_line);
}

#[test]
fn config_files() {
    replay("config_files", acikkapi::fuzzing::config_files);
}
