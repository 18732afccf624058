//! `acikkapi validate` and the interim `acikkapi demo` through the real binary.

mod common;
use common::{acikkapi, acikkapi_with_stdin};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/acikkapi-core/data/samples");

#[test]
fn valid_sample_prints_normalised_masked_json() {
    let out = acikkapi(&[
        "validate",
        &format!("{SAMPLES}/01_sikayet_edevlet_denizli.json"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["category"], "YEREL.COP");
    assert_eq!(v["location"]["district"], "Pamukkale");
    assert!(
        !out.stdout.contains("10000000146"),
        "TCKN must be masked by default"
    );
    let full = acikkapi(&[
        "validate",
        "--full",
        &format!("{SAMPLES}/01_sikayet_edevlet_denizli.json"),
    ]);
    assert_eq!(full.code, 0);
    assert!(full.stdout.contains("10000000146"));
}

#[test]
fn invalid_sample_lists_every_problem_one_per_line() {
    let out = acikkapi(&["validate", &format!("{SAMPLES}/05_hatali_istanbul.json")]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("T.C. Kimlik No")));
    assert!(lines.iter().any(|l| l.contains("SAGLIK.RANDVU")));
    assert!(lines.iter().any(|l| l.contains("Karşıyaka")));
}

#[test]
fn malformed_json_from_stdin_is_a_rejection_not_a_crash() {
    let out = acikkapi_with_stdin(&["validate", "-"], "{\"tckn\": 1234,");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("JSON"), "{}", out.stdout);
    let unknown = acikkapi_with_stdin(&["validate", "-"], "{\"tckno\": \"1\"}");
    assert_eq!(unknown.code, 1);
    assert!(unknown.stdout.contains("tckno"), "{}", unknown.stdout);
}

#[test]
fn missing_file_is_an_error() {
    let out = acikkapi(&["validate", "/nonexistent/x.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("okunamadı"));
}

#[test]
fn demo_runs_on_embedded_defaults() {
    let html = std::env::temp_dir().join(format!("acikkapi-demo-{}.html", std::process::id()));
    let out = acikkapi(&["demo", "--count", "200", "--html", html.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Toplam Başvuru Sayısı"));
    assert!(html.is_file());
    let _ = std::fs::remove_file(html);
}
