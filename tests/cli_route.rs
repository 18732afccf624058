//! `acikkapi route …` and `acikkapi org …` through the real binary.

mod common;
use common::{acikkapi, acikkapi_with_stdin};

const REQ: &str = r#"{"category":"SAGLIK.DIGER","district":"Merkezefendi","date":"2026-11-23"}"#;

#[test]
fn route_prints_decision_and_trace_as_json() {
    let out = acikkapi_with_stdin(&["route", "--province", "20", "-"], REQ);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["target"]["kind"], "route");
    assert_eq!(v["registered_by"], "20.MERKEZEFENDI.ACIK_KAPI");
    assert_eq!(v["deadline_days"], 7);
    assert_eq!(v["decided_by"]["kind"], "native");
    assert!(v["trace"].as_array().unwrap().len() >= 4);
    assert_eq!(
        v["escalation"].as_array().unwrap().last().unwrap(),
        "20.VALILIK"
    );
}

#[test]
fn route_reads_a_file_and_a_province_name() {
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-route-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("req.json");
    std::fs::write(
        &path,
        r#"{"category":"SAGLIK.DIGER","province":"34","district":"kadikoy","date":"2026-11-23","ohal":true}"#,
    )
    .unwrap();
    let out = acikkapi(&["route", "--province", "İstanbul", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["target"]["unit"], "34.OHAL");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn route_rejects_bad_input_with_exit_1() {
    let out = acikkapi_with_stdin(&["route", "--province", "20", "-"], "{not json");
    assert_eq!(out.code, 1);
    let out = acikkapi_with_stdin(
        &["route", "--province", "20", "-"],
        r#"{"category":"SAGLIK.DIGER","district":"Atlantis","date":"2026-11-23"}"#,
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Atlantis"), "{}", out.stderr);
    let out = acikkapi_with_stdin(
        &["route", "--province", "20", "-"],
        r#"{"district":"Tavas"}"#,
    );
    assert_eq!(out.code, 1);
    // A request for another province than --province is a usage error.
    let out = acikkapi_with_stdin(
        &["route", "--province", "20", "-"],
        r#"{"category":"SAGLIK.DIGER","province":34,"district":"Kadıköy","date":"2026-11-23"}"#,
    );
    assert_eq!(out.code, 2);
}

#[test]
fn org_check_accepts_the_embedded_files() {
    for f in ["20-denizli.toml", "34-istanbul.toml"] {
        let path = format!("{}/acikkapi-core/data/org/{f}", env!("CARGO_MANIFEST_DIR"));
        let out = acikkapi(&["org", "check", &path]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("geçerli"));
    }
}

#[test]
fn org_check_lists_every_problem() {
    let text = r#"
schema = 1
province = 20
version = "x"
[[unit]]
id = "20.VALILIK"
kind = "valilik"
name = "Denizli Valiliği"
[[unit]]
id = "20.SAGLIK"
kind = "institution"
name = "Sağlık"
handles = ["YOK"]
escalates_to = "20.SAGLIK"
"#;
    let out = acikkapi_with_stdin(&["org", "check", "-"], text);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needle in [
        "unknown institution type YOK",
        "escalation cycle: 20.SAGLIK → 20.SAGLIK",
        "no officer with role vali",
        "no Açık Kapı Şube Müdürlüğü",
        "no OHAL İşlemleri Bürosu",
        "kaymakamlık for district Merkezefendi",
        "20.SAGLIK has no substitute",
    ] {
        assert!(out.stdout.contains(needle), "{needle}:\n{}", out.stdout);
    }
    let out = acikkapi_with_stdin(&["org", "check", "-"], "schema = ");
    assert_eq!(out.code, 1);
}

#[test]
fn org_coverage_lists_gaps() {
    let out = acikkapi(&["org", "coverage", "20", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "category,institution,level,district");
    // Denizli's file leaves out regional bodies seated outside the province (see its header).
    let omitted = [
        ",DSI,",
        ",GUMRUK,",
        ",KARAYOLLARI,",
        ",KYK,",
        ",TCDD,",
        ",TOKI,",
        ",UAB,",
        ",VAKIFLAR,",
    ];
    assert!(lines.len() > 1);
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|l| omitted.iter().any(|o| l.contains(o))),
        "{}",
        out.stdout
    );
    assert!(lines.iter().any(|l| l.ends_with(",Merkezefendi")));
    let out = acikkapi(&["org", "coverage", "Ankara"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(" 0 boşluk"), "{}", out.stdout);
    let out = acikkapi(&["org", "coverage", "34", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["plate"], "34");
}

fn sample(name: &str) -> String {
    format!(
        "{}/acikkapi-core/data/samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn route_accepts_validated_application_inputs() {
    // Asked to apply to the Göç İdaresi directly: redirected there.
    let out = acikkapi(&[
        "route",
        "--province",
        "20",
        &sample("06_birime_dogrudan_denizli.json"),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["target"]["kind"], "redirect");
    assert_eq!(v["target"]["unit"], "20.GOC");
    // A special application from Denizli goes to a governor's office.
    let out = acikkapi(&[
        "route",
        "--province",
        "Denizli",
        &sample("04_ozellikli_banko_yazili_denizli.json"),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let unit = v["target"]["unit"].as_str().unwrap();
    assert!(
        unit == "20.VALILIK" || unit.ends_with(".KAYMAKAMLIK"),
        "{unit}"
    );
    assert_eq!(v["priority"], "high");
    // Every valid İstanbul sample routes; the faulty one is rejected with its reasons.
    for s in [
        "02_talep_banko_mihmandar_istanbul.json",
        "03_ihbar_web_istanbul.json",
    ] {
        let out = acikkapi(&["route", "--province", "34", &sample(s)]);
        assert_eq!(out.code, 0, "{s}: {}{}", out.stdout, out.stderr);
    }
    let out = acikkapi(&[
        "route",
        "--province",
        "34",
        &sample("05_hatali_istanbul.json"),
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!out.stdout.trim().is_empty());
}

#[test]
fn org_generate_writes_a_file_that_checks_clean() {
    let out = acikkapi(&["org", "generate", "Rize"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("name = \"Rize Valiliği\""));
    let check = acikkapi_with_stdin(&["org", "check", "-"], &out.stdout);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_misspelt_key_is_not_ignored() {
    // A routing request with a stray key: refused, the key named, the value not echoed.
    let req = r#"{"category":"SAGLIK.DIGER","district":"Merkezefendi","date":"2026-11-23","tckno":"10000000146"}"#;
    let out = acikkapi_with_stdin(&["route", "--province", "20", "-"], req);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let shown = format!("{}{}", out.stdout, out.stderr);
    assert!(
        shown.contains("bilinmeyen alan") && shown.contains("tckno"),
        "{shown}"
    );
    assert!(!shown.contains("10000000146"), "{shown}");
    // An application whose `tckn` and `received_at` are misspelt is still validated.
    let app = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/acikkapi-core/data/samples/01_sikayet_edevlet_denizli.json"
    ))
    .unwrap()
    .replace("\"tckn\"", "\"tc\"")
    .replace("\"received_at\"", "\"recieved_at\"");
    let out = acikkapi_with_stdin(&["route", "--province", "20", "-"], &app);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("T.C. Kimlik No girilmemiş"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(out.stdout.contains("recieved_at"), "{}", out.stdout);
}

#[test]
fn parser_errors_do_not_echo_identifiers() {
    for req in [
        r#"{"category":"SAGLIK.DIGER","district":10000000146,"date":"2026-11-23"}"#,
        r#"{"category":"SAGLIK.DIGER","district":"Merkezefendi","date":"2026-11-23","importance":10000000146}"#,
        "{\"category\":\"SAGLIK.DIGER\",\"district\":\"05321234567\",\"date\":10000000146}",
    ] {
        let out = acikkapi_with_stdin(&["route", "--province", "20", "-"], req);
        assert_eq!(out.code, 1, "{req}: {}{}", out.stdout, out.stderr);
        let shown = format!("{}{}", out.stdout, out.stderr);
        assert!(!shown.contains("0000001"), "{req}: {shown}");
        assert!(!shown.contains("1234567"), "{req}: {shown}");
    }
}

#[test]
fn route_reads_a_byte_order_mark_and_refuses_endless_input() {
    let out = acikkapi_with_stdin(
        &["route", "--province", "20", "-"],
        &format!("\u{feff}{REQ}"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let start = std::time::Instant::now();
    let out = acikkapi(&["route", "--province", "20", "/dev/zero"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("MiB"), "{}", out.stderr);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
