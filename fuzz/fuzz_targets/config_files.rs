#![no_main]
//! Body: `acikkapi::fuzzing::config_files` (replayed on the corpus by `cargo test`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| acikkapi::fuzzing::config_files(data));
