//! `acikkapi rules test|check|diff` on the bundled scripts and on scratch files.

mod common;

use std::path::PathBuf;

use common::acikkapi;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("acikkapi-rules/rules")
}

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("acikkapi-cli-rules-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bundled_scripts_pass_their_tests_with_full_coverage() {
    let out = acikkapi(&["rules", "test", rules_dir().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("20-denizli.rhai"), "{}", out.stdout);
    assert!(out.stdout.contains("34-istanbul.rhai"), "{}", out.stdout);
    assert!(!out.stdout.contains("FAIL"), "{}", out.stdout);
    assert!(!out.stdout.contains("MISSED"), "{}", out.stdout);
    assert!(out.stdout.contains("(100%)"), "{}", out.stdout);
    assert!(
        out.stdout.contains("categories exercised: "),
        "{}",
        out.stdout
    );
}

#[test]
fn a_failing_case_exits_1_and_says_what_happened() {
    let dir = scratch("fail");
    std::fs::write(
        dir.join("20-deneme.rhai"),
        "if app.heading == \"EGITIM\" { route_to(\"20.MEB\") }",
    )
    .unwrap();
    std::fs::write(
        dir.join("20-deneme.tests.toml"),
        "[[case]]\nname = \"okul\"\nexpect = \"20.SGK\"\napp = { category = \"EGITIM.DIGER\", district = \"Honaz\" }\n\
         [[case]]\nname = \"başka\"\nexpect = \"default\"\napp = { category = \"SAGLIK.DIGER\", district = \"Honaz\" }\n",
    )
    .unwrap();
    let out = acikkapi(&[
        "rules",
        "test",
        dir.join("20-deneme.rhai").to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("FAIL  okul: expected route:20.SGK, got route:20.MEB"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ok    başka"), "{}", out.stdout);
    assert!(
        out.stdout.contains("coverage: 2/2 branches"),
        "{}",
        out.stdout
    );
}

#[test]
fn check_reports_file_line_col_and_exits_1() {
    let dir = scratch("check");
    let f = dir.join("20-hatali.rhai");
    std::fs::write(
        &f,
        "if app.category == \"YEREL.UCAN_HALI\" {\n    route_to(\"Olmayan Müdürlük\")\n} else if false { () }\n",
    )
    .unwrap();
    let out = acikkapi(&["rules", "check", f.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let name = f.display().to_string();
    assert!(
        out.stderr.contains(&format!(
            "{name}:1:20: error: unknown category code \"YEREL.UCAN_HALI\""
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "{name}:2:14: error: unknown unit \"Olmayan Müdürlük\""
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("warning: condition is always false"),
        "{}",
        out.stderr
    );

    std::fs::write(&f, "let x = ;\n").unwrap();
    let out = acikkapi(&["rules", "check", f.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(&format!("{name}:1:")),
        "{}",
        out.stderr
    );

    let ok = rules_dir().join("34-istanbul.rhai");
    let out = acikkapi(&["rules", "check", ok.to_str().unwrap(), "--province", "34"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("0 error(s)"), "{}", out.stdout);
    assert!(out.stdout.contains("decisions cached"), "{}", out.stdout);
}

#[test]
fn diff_lists_the_applications_routed_differently() {
    let dir = scratch("diff");
    let old = rules_dir().join("20-denizli.rhai");
    let new = dir.join("20-yeni.rhai");
    // The new rules send water to the MEB (silly on purpose) and otherwise keep Denizli's rules.
    let src = std::fs::read_to_string(&old).unwrap();
    std::fs::write(
        &new,
        format!(
            "if app.category == \"YEREL.SU_KESINTISI\" {{ return route_to(\"20.MEB\"); }}\n{src}"
        ),
    )
    .unwrap();
    let apps = dir.join("apps.json");
    std::fs::write(
        &apps,
        r#"[
          {"category": "YEREL.SU_KESINTISI", "province": 20, "district": "Merkezefendi", "date": "2026-11-23"},
          {"category": "SAGLIK.RANDEVU", "province": 20, "district": "Merkezefendi", "date": "2026-11-23"},
          {"category": "YEREL.KANALIZASYON", "province": 20, "district": "Honaz", "date": "2026-11-23"}
        ]"#,
    )
    .unwrap();
    let out = acikkapi(&[
        "rules",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--applications",
        apps.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(
        lines[1].starts_with("0,YEREL.SU_KESINTISI,Merkezefendi,route:20.BUYUKSEHIR_BELEDIYESI"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",route:20.MEB "), "{}", lines[1]);
    assert!(
        out.stderr
            .contains("1 of 3 applications routed differently"),
        "{}",
        out.stderr
    );

    // Application views (no date): compared on script outcomes.
    std::fs::write(
        &apps,
        r#"[{"category": "YEREL.SU_KESINTISI", "province": 20, "district": "Honaz"}]"#,
    )
    .unwrap();
    let out = acikkapi(&[
        "rules",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--applications",
        apps.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("0,YEREL.SU_KESINTISI,Honaz,route:20.BUYUKSEHIR_BELEDIYESI,route:20.MEB"),
        "{}",
        out.stdout
    );
}

/// Issue 12: a rule script was read whole before its size was checked (`/dev/zero` never ended).
/// Now at most one byte past the 256 KiB cap is read; the script is refused like one that does not
/// compile, and a missing one is an error naming it.
#[test]
fn an_oversized_or_endless_script_is_refused_without_being_read_whole() {
    let dir = scratch("big");
    let f = dir.join("20-buyuk.rhai");
    std::fs::write(&f, " ".repeat(acikkapi::rules::MAX_SCRIPT_BYTES + 1)).unwrap();
    let out = acikkapi(&["rules", "check", f.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("script too large"), "{}", out.stderr);
    if std::path::Path::new("/dev/zero").exists() {
        let out = acikkapi(&["rules", "check", "/dev/zero", "--province", "20"]);
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("script too large"), "{}", out.stderr);
    }
    let missing = dir.join("yok.rhai");
    let out = acikkapi(&["rules", "check", missing.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("yok.rhai: okunamadı"), "{}", out.stderr);
}
