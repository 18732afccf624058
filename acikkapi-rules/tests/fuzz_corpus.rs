//! Replays the checked-in fuzz corpus and regressions of the `rhai_rules` target
//! (`fuzz/corpus/rhai_rules/`, `fuzz/regressions/rhai_rules/`) through
//! `acikkapi_rules::fuzzing::rhai_rules` as part of `cargo test`.

use std::path::Path;

#[test]
fn rhai_rules() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    acikkapi_core::fuzzing::replay(&fuzz, "rhai_rules", acikkapi_rules::fuzzing::rhai_rules);
}
