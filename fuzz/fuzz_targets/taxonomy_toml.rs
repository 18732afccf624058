#![no_main]
//! Body: `acikkapi_core::fuzzing::taxonomy_toml` (replayed on the corpus by `cargo test`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| acikkapi_core::fuzzing::taxonomy_toml(data));
