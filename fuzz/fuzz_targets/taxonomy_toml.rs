#![no_main]
//! Arbitrary bytes as a taxonomy file: an error or a valid taxonomy, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(tax) = acikkapi_core::taxonomy::Taxonomy::from_toml(text) {
            let _ = tax.suggest_categories(text);
        }
    }
});
