#![no_main]
//! Arbitrary text through the Turkish text functions and geography lookups: never a panic, and the
//! search key is idempotent and has no upper-case letters and no Turkish-specific letters.
use acikkapi_core::{geo, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let key = text::search_key(s);
    assert!(!key.contains(['ç', 'ğ', 'ı', 'ö', 'ş', 'ü', 'I', 'İ']));
    assert_eq!(text::search_key(&key), key);
    let _ = text::to_title_tr(s);
    let _ = text::collation_key(s);
    let g = geo::Geography::embedded();
    if let Some(p) = g.find_province(s) {
        let _ = g.district(p.plate, s);
    }
    let _ = s.parse::<geo::ProvincePlate>();
});
