//! `acikkapi simulate …` and `acikkapi demo` through the real binary.

mod common;
use common::acikkapi;

fn json(args: &[&str]) -> serde_json::Value {
    let out = acikkapi(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn conserved(s: &serde_json::Value) -> bool {
    let g = |k: &str| s[k].as_u64().unwrap();
    g("received") == g("answered") + g("pending") + g("not_processed") + g("redirected")
        && g("answered") == g("positive") + g("negative") + g("partly_positive")
}

const SMALL: [&str; 7] = [
    "simulate",
    "--province",
    "74",
    "--days",
    "21",
    "--seed",
    "5",
];

#[test]
fn table_shows_the_statistics_block_and_sla_in_turkish() {
    let out = acikkapi(&[
        "simulate",
        "--province",
        "20",
        "--days",
        "30",
        "--seed",
        "1",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for label in [
        "Toplam Başvuru Sayısı",
        "Sonuçlandırılan",
        "Olumlu Sonuçlanan",
        "Olumsuz Sonuçlanan",
        "Kısmen Olumlu Sonuçlanan",
        "İşlem Yapılmayı Bekleyen",
        "Süresinde cevaplanan",
        "medyan",
        "p90",
        "Hizmet başlıklarına göre",
        "Kurumlara göre",
        "YEREL",
    ] {
        assert!(
            out.stdout.contains(label),
            "{label} missing:\n{}",
            out.stdout
        );
    }
    // A month of Denizli is over a thousand applications: a Turkish thousands separator.
    let total = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Toplam Başvuru Sayısı"))
        .unwrap();
    assert!(
        total.trim_end().rsplit(' ').next().unwrap().contains('.'),
        "{total}"
    );
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let a = acikkapi(&[&SMALL[..], &["--format", "json"]].concat());
    let b = acikkapi(&[&SMALL[..], &["--format", "json"]].concat());
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    let c = acikkapi(&[
        "simulate",
        "--province",
        "74",
        "--days",
        "21",
        "--seed",
        "6",
        "--format",
        "json",
    ]);
    assert_ne!(a.stdout, c.stdout);
}

#[test]
fn json_and_csv_add_up_in_total_and_per_group() {
    let v = json(&[&SMALL[..], &["--format", "json"]].concat());
    assert!(conserved(&v["total"]));
    assert!(v["total"]["received"].as_u64().unwrap() > 50);
    for group in ["by_heading", "by_district", "by_unit"] {
        let rows = v[group].as_object().unwrap();
        assert!(rows.values().all(conserved));
        let sum: u64 = rows.values().map(|s| s["received"].as_u64().unwrap()).sum();
        assert_eq!(sum, v["total"]["received"].as_u64().unwrap(), "{group}");
    }
    let out = acikkapi(&[&SMALL[..], &["--format", "csv"]].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let total: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(total[col("scope")], "total");
    assert_eq!(total[col("received")], v["total"]["received"].to_string());
}

#[test]
fn compare_runs_both_policies_on_the_same_arrivals() {
    let base = "examples/policies/baseline.toml";
    let five = "examples/policies/deadline5.toml";
    let v = json(&[&SMALL[..], &["--compare", base, five, "--format", "json"]].concat());
    assert_eq!(v["a"]["policy"], "baseline");
    assert_eq!(v["b"]["policy"], "deadline5");
    assert_eq!(v["a"]["total"]["received"], v["b"]["total"]["received"]);
    // FIFO queues: the same answers at the same instants, fewer of them within 5 days than 7.
    assert_eq!(v["a"]["total"]["answered"], v["b"]["total"]["answered"]);
    assert!(v["b"]["total"]["on_time"].as_u64() <= v["a"]["total"]["on_time"].as_u64());
    let delta = v["delta"].as_array().unwrap();
    assert_eq!(delta[0]["figure"], "Toplam Başvuru Sayısı");
    assert_eq!(delta[0]["delta"], 0.0);
    // A policy against itself: every delta is zero (or both undefined).
    let same = json(&[&SMALL[..], &["--compare", base, base, "--format", "json"]].concat());
    for d in same["delta"].as_array().unwrap() {
        assert!(d["delta"] == 0.0 || d["delta"].is_null(), "{d}");
    }
    let table = acikkapi(&[&SMALL[..], &["--compare", base, five]].concat());
    assert!(table.stdout.contains("B − A"), "{}", table.stdout);
    assert!(table.stdout.contains("Süresinde cevaplanan (%)"));
}

#[test]
fn deadline_flag_overrides_the_policy() {
    let flag = json(&[&SMALL[..], &["--deadline", "5", "--format", "json"]].concat());
    let file = json(
        &[
            &SMALL[..],
            &[
                "--policy",
                "examples/policies/deadline5.toml",
                "--format",
                "json",
            ],
        ]
        .concat(),
    );
    // Reminders differ (2 vs 1 day before), answers do not.
    assert_eq!(flag["total"]["on_time"], file["total"]["on_time"]);
    let seven = json(&[&SMALL[..], &["--format", "json"]].concat());
    assert!(seven["total"]["on_time"].as_u64() >= flag["total"]["on_time"].as_u64());
}

#[test]
fn rules_route_through_the_rhai_rule_set() {
    let v = json(&[
        "simulate",
        "--province",
        "20",
        "--days",
        "10",
        "--seed",
        "2",
        "--rules",
        "acikkapi-rules/rules/20-denizli.rhai",
        "--format",
        "json",
    ]);
    assert!(
        v["router"]
            .as_str()
            .unwrap()
            .starts_with("20-denizli.rhai@"),
        "{}",
        v["router"]
    );
    assert!(conserved(&v["total"]));
    // The same through a policy file whose `rules` path is relative to the file.
    let p = json(&[
        "simulate",
        "--province",
        "20",
        "--days",
        "10",
        "--seed",
        "2",
        "--policy",
        "examples/policies/denizli-rules.toml",
        "--format",
        "json",
    ]);
    assert_eq!(p["router"], v["router"]);
    assert_eq!(p["total"], v["total"]);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let out = acikkapi(&["simulate", "--province", "99"]);
    assert_eq!(out.code, 2);
    let out = acikkapi(&["simulate", "--province", "74", "--deadline", "0"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("deadline_days"), "{}", out.stderr);
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.toml");
    std::fs::write(&p, "deadline_days = \"yedi\"").unwrap();
    let out = acikkapi(&[
        "simulate",
        "--province",
        "74",
        "--policy",
        p.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.toml"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn demo_runs_through_the_simulation_and_replays_the_journal() {
    let html = std::env::temp_dir().join(format!("acikkapi-sim-demo-{}.html", std::process::id()));
    let out = acikkapi(&[
        "demo",
        "--count",
        "300",
        "--sms-sample",
        "2",
        "--html",
        html.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&html);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Toplam Başvuru Sayısı"));
    assert!(out.stdout.contains("durum aynı"), "{}", out.stdout);
}

#[test]
fn records_feed_the_report_command_and_html_is_written() {
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-sim-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let records = dir.join("sim.jsonl");
    let html = dir.join("sim.html");
    let v = json(
        &[
            &SMALL[..],
            &[
                "--format",
                "json",
                "--records",
                records.to_str().unwrap(),
                "--html",
                html.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    let lines = std::fs::read_to_string(&records).unwrap().lines().count() as u64;
    assert_eq!(lines, v["total"]["received"].as_u64().unwrap());
    assert!(std::fs::read_to_string(&html).unwrap().contains("</html>"));
    let report = json(&["report", records.to_str().unwrap(), "--format", "json"]);
    assert_eq!(report["block"]["received"], v["total"]["received"]);
    assert_eq!(report["block"]["concluded"], v["total"]["answered"]);
    std::fs::remove_dir_all(&dir).ok();
}
