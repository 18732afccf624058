#![no_main]
//! Body: `acikkapi_rules::fuzzing::rhai_rules` (replayed on the corpus by `cargo test`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| acikkapi_rules::fuzzing::rhai_rules(data));
