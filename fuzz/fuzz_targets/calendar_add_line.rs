#![no_main]
//! Body: `acikkapi::fuzzing::calendar_add_line` (replayed on the corpus by `cargo test`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| acikkapi::fuzzing::calendar_add_line(data));
