//! Bundled sample application inputs (synthetic people, checksummed TCKNs that belong to no one):
//! used by the demo, the documentation and the tests.
//!
//! ```
//! use acikkapi_core::{samples, validate};
//! let (name, json) = samples::ALL[0];
//! let input: acikkapi_core::application::ApplicationInput = serde_json::from_str(json).unwrap();
//! assert!(name.starts_with("01_"));
//! assert_eq!(input.category.as_deref(), Some("YEREL.COP"));
//! ```

/// `(file name, JSON text)` of every bundled sample, in file-name order. Sample 05 is invalid on
/// purpose (several problems at once); the others are valid.
pub const ALL: [(&str, &str); 6] = [
    (
        "01_sikayet_edevlet_denizli.json",
        include_str!("../data/samples/01_sikayet_edevlet_denizli.json"),
    ),
    (
        "02_talep_banko_mihmandar_istanbul.json",
        include_str!("../data/samples/02_talep_banko_mihmandar_istanbul.json"),
    ),
    (
        "03_ihbar_web_istanbul.json",
        include_str!("../data/samples/03_ihbar_web_istanbul.json"),
    ),
    (
        "04_ozellikli_banko_yazili_denizli.json",
        include_str!("../data/samples/04_ozellikli_banko_yazili_denizli.json"),
    ),
    (
        "05_hatali_istanbul.json",
        include_str!("../data/samples/05_hatali_istanbul.json"),
    ),
    (
        "06_birime_dogrudan_denizli.json",
        include_str!("../data/samples/06_birime_dogrudan_denizli.json"),
    ),
];
