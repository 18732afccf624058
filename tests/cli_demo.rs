//! `acikkapi demo` end to end, and `acikkapi journal replay` rebuilding its state.

mod common;
#[path = "../acikkapi-postgres/tests/support/mod.rs"]
mod pg_support;
use common::acikkapi;

fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{out}"))
}

#[test]
fn demo_is_deterministic_and_its_journal_replays_to_the_same_states() {
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = acikkapi(&["demo", "--count", "400", "--seed", "7", "--journal-dir", d]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stats = line(&out.stdout, "Toplam Başvuru Sayısı");
    assert!(stats.ends_with(" 400"), "{stats}");
    for label in [
        "Sonuçlandırılan",
        "Olumlu Sonuçlanan",
        "Olumsuz Sonuçlanan",
        "Kısmen Olumlu Sonuçlanan",
        "İşlem Yapılmayı Bekleyen",
    ] {
        line(&out.stdout, label);
    }
    assert!(out.stdout.contains("durum aynı"), "{}", out.stdout);
    // SMS are shown with the number masked (+90 5** *** ** 67), never in full.
    assert!(
        out.stdout.contains("[SMS → +90 5** *** ** "),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("+905"), "{}", out.stdout);
    // It ends with the statistics block and writes the HTML report next to the journal.
    let last = out
        .stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(last.starts_with("Başka Mercie Yönlendirilen"), "{last}");
    let html = std::fs::read_to_string(dir.join("rapor.html")).expect("the demo writes rapor.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Toplam Başvuru Sayısı"));
    // Self-contained: no scripts, and no external address but the SVG namespace.
    assert!(!html.contains("<script"));
    let external = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!external.contains("http://") && !external.contains("https://"));

    // The same seed gives the same month (in a fresh folder).
    let dir2 = dir.join("again");
    let again = acikkapi(&[
        "demo",
        "--count",
        "400",
        "--seed",
        "7",
        "--journal-dir",
        dir2.to_str().unwrap(),
    ]);
    assert_eq!(
        line(&again.stdout, "Durumlar"),
        line(&out.stdout, "Durumlar")
    );
    assert_eq!(line(&again.stdout, "Olumlu"), line(&out.stdout, "Olumlu"));

    // The journal replays to the counts the demo printed.
    let journal = dir.join("basvuru.journal");
    let replay = acikkapi(&["journal", "replay", journal.to_str().unwrap()]);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    assert!(
        replay.stdout.contains("workflow: basvuru (400 instances)"),
        "{}",
        replay.stdout
    );
    for part in line(&out.stdout, "Durumlar: ")
        .trim_start_matches("Durumlar: ")
        .split(", ")
    {
        let (state, n) = part.rsplit_once(' ').unwrap();
        assert!(
            replay
                .stdout
                .contains(&format!("  {state}: {}", n.replace('.', ""))),
            "{state} {n} not in\n{}",
            replay.stdout
        );
    }
    assert!(replay.stdout.contains("  received: "), "{}", replay.stdout);
    assert_eq!(line(&replay.stdout, "Toplam Başvuru Sayısı"), stats);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_rejects_a_bad_month() {
    let out = acikkapi(&["demo", "--month", "2026-13"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("ay"), "{}", out.stderr);
}

/// Issue 12: a `sms.journal` left in `--journal-dir` by an earlier run holds the idempotency keys
/// this run makes, so every SMS counted as sent and none went out. The demo refuses such a folder.
#[test]
fn demo_refuses_a_leftover_sms_journal() {
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-demo-sms-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = dir.join("first");
    let args = |d: &std::path::Path| {
        let d = d.to_str().unwrap().to_string();
        vec!["demo", "--count", "60", "--seed", "3", "--journal-dir"]
            .into_iter()
            .map(str::to_string)
            .chain([d])
            .collect::<Vec<_>>()
    };
    let run = |d: &std::path::Path| {
        let a = args(d);
        acikkapi(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = run(&first);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sent = line(&out.stdout, "SMS toplam").to_string();
    assert!(!sent.starts_with("SMS toplam 0 "), "{sent}");

    // The same run again in a folder that has only the first run's SMS outbox.
    let second = dir.join("second");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::copy(first.join("sms.journal"), second.join("sms.journal")).unwrap();
    let out = run(&second);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("sms.journal zaten var") && out.stderr.contains("SMS"),
        "{}",
        out.stderr
    );
    assert!(
        !second.join("basvuru.journal").exists(),
        "nothing was started"
    );
    // Without it the run sends its SMS like the first.
    std::fs::remove_file(second.join("sms.journal")).unwrap();
    let out = run(&second);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(line(&out.stdout, "SMS toplam"), sent);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The statistics block the demo ends with (its last paragraph).
fn statistics_block(out: &str) -> &str {
    let block = out.trim_end().rsplit("\n\n").next().unwrap_or("");
    assert!(block.contains("Toplam Başvuru Sayısı"), "{out}");
    block
}

/// `demo --database URL`: the same month on PostgreSQL streams prints the same statistics block as
/// on journal files, its streams verify clean and report as the file journal does, and a second
/// run on the same database is refused (its outbox would swallow the SMS).
#[test]
fn demo_on_postgres_prints_the_same_statistics_block_as_on_files() {
    let Some(db) = pg_support::TestDb::create() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-demo-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = dir.join("files");
    let args = ["demo", "--count", "150", "--seed", "11"];
    let mut on_files = args.to_vec();
    on_files.extend(["--journal-dir", files.to_str().unwrap()]);
    let file_run = acikkapi(&on_files);
    assert_eq!(file_run.code, 0, "{}", file_run.stderr);
    let html = dir.join("pg.html");
    let mut on_pg = args.to_vec();
    on_pg.extend(["--database", &db.url, "--html", html.to_str().unwrap()]);
    let pg_run = acikkapi(&on_pg);
    assert_eq!(pg_run.code, 0, "{}", pg_run.stderr);

    assert_eq!(
        statistics_block(&pg_run.stdout),
        statistics_block(&file_run.stdout)
    );
    for prefix in [
        "Durumlar",
        "SMS toplam",
        "Zamanlayıcılar",
        "Süreç",
        "Süresi geçmiş",
    ] {
        assert_eq!(line(&pg_run.stdout, prefix), line(&file_run.stdout, prefix));
    }
    let stream = format!("{}?stream=20", db.url);
    assert_eq!(
        line(&pg_run.stdout, "Günlük: "),
        format!("Günlük: {stream}")
    );
    assert!(pg_run.stdout.contains("durum aynı"), "{}", pg_run.stdout);
    assert!(html.exists());

    let verify = acikkapi(&["journal", "verify", &db.url]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    assert_eq!(
        verify.stdout.matches("status: clean").count(),
        2,
        "{}",
        verify.stdout
    );
    let journal = files.join("basvuru.journal");
    assert_eq!(
        acikkapi(&["report", &stream]).stdout,
        acikkapi(&["report", journal.to_str().unwrap()]).stdout
    );

    let again = acikkapi(&on_pg);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("akış boş değil"), "{}", again.stderr);
    let with_stream = format!("{}?stream=34", db.url);
    let out = acikkapi(&["demo", "--count", "10", "--database", &with_stream]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("without ?stream="), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
