#![no_main]
//! Body: `acikkapi_core::fuzzing::application_json` (replayed on the corpus by `cargo test`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| acikkapi_core::fuzzing::application_json(data));
