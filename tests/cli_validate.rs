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

/// A scratch file under the temporary directory, removed on drop.
struct Scratch(std::path::PathBuf);
impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Scratch {
        let path = std::env::temp_dir().join(format!(
            "acikkapi-cli-validate-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, bytes).unwrap();
        Scratch(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn sample_01() -> String {
    std::fs::read_to_string(format!("{SAMPLES}/01_sikayet_edevlet_denizli.json")).unwrap()
}

#[test]
fn a_json_file_starting_with_a_byte_order_mark_is_read() {
    let file = Scratch::new("bom.json", format!("\u{feff}{}", sample_01()).as_bytes());
    let out = acikkapi(&["validate", file.path()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let stdin = acikkapi_with_stdin(&["validate", "-"], &format!("\u{feff}{}", sample_01()));
    assert_eq!(stdin.code, 0, "{}{}", stdin.stdout, stdin.stderr);
}

#[test]
fn misspelt_keys_are_listed_with_every_other_problem() {
    let json = sample_01()
        .replace("\"tckn\"", "\"tckno\"")
        .replace("\"gender\"", "\"gendre\"");
    let out = acikkapi_with_stdin(&["validate", "-"], &json);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("bilinmeyen alan"), "{}", out.stdout);
    assert!(
        out.stdout.contains("tckno") && out.stdout.contains("gendre"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("T.C. Kimlik No girilmemiş"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("10000000146"), "{}", out.stdout);
}

#[test]
fn an_oversized_input_is_refused_before_it_is_read_whole() {
    // 20 MB of spaces around a valid application: over the cap, refused as too large.
    let mut big = sample_01().into_bytes();
    big.extend(std::iter::repeat_n(b' ', 20 << 20));
    let file = Scratch::new("big.json", &big);
    let out = acikkapi(&["validate", file.path()]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("MiB"), "{}", out.stderr);
    // An endless input ends quickly with the same error.
    let start = std::time::Instant::now();
    let zero = acikkapi(&["validate", "/dev/zero"]);
    assert_eq!(zero.code, 2, "{}", zero.stderr);
    assert!(zero.stderr.contains("MiB"), "{}", zero.stderr);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_large_field_is_not_echoed_back() {
    let json = sample_01().replace("\"kadın\"", &format!("\"{}\"", "9".repeat(1 << 20)));
    let file = Scratch::new("field.json", json.as_bytes());
    let out = acikkapi(&["validate", file.path()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.len() < 1000, "{} bytes echoed", out.stdout.len());
    assert!(out.stdout.contains("1048576"), "{}", out.stdout);
}
