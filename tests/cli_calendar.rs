//! Runs the `acikkapi calendar` subcommands as a process.

mod common;
use common::acikkapi_with_stdin as run;

fn ok(args: &[&str]) -> String {
    let out = run(args, "");
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

#[test]
fn holidays_csv_with_header_sorted_one_row_per_day() {
    let out = ok(&["calendar", "holidays", "2007"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "date,name,kind,source");
    assert_eq!(
        lines[1],
        "2007-01-01,Yılbaşı; Kurban Bayramı 2. gün,full,law; table"
    );
    let dates: Vec<&str> = lines[1..].iter().map(|l| &l[..10]).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(dates, sorted);
    assert!(out.contains("2007-10-28,Cumhuriyet Bayramı arifesi (13.00'ten),half,law"));
    assert!(!out.contains("2007-05-01"));
    assert!(
        ok(&["calendar", "holidays", "2009"])
            .contains("2009-05-01,Emek ve Dayanışma Günü,full,law")
    );
}

#[test]
fn holidays_public_calendar_and_no_table() {
    let legal = ok(&["calendar", "holidays", "2025"]);
    let public = ok(&["calendar", "holidays", "2025", "--calendar", "public"]);
    assert!(!legal.contains("idari-izin"));
    assert_eq!(public.matches("idari-izin").count(), 3);
    let computed = ok(&["calendar", "holidays", "2025", "--no-table"]);
    assert!(computed.contains("2025-03-30,Ramazan Bayramı 1. gün,full,computed"));
    assert!(legal.contains("2025-03-30,Ramazan Bayramı 1. gün,full,table"));
}

#[test]
fn add_and_between() {
    assert_eq!(ok(&["calendar", "add", "2025-03-28", "1"]), "2025-04-02\n");
    assert_eq!(ok(&["calendar", "add", "2025-04-02", "-1"]), "2025-03-28\n");
    assert_eq!(
        ok(&["calendar", "add", "2025-03-28", "1", "--calendar", "public"]),
        "2025-04-07\n"
    );
    assert_eq!(
        ok(&["calendar", "add", "2025-10-27", "1", "--half-days-off"]),
        "2025-10-30\n"
    );
    assert_eq!(ok(&["calendar", "add", "2025-10-27", "1"]), "2025-10-28\n");
    assert_eq!(
        ok(&["calendar", "between", "2025-03-28", "2025-04-02"]),
        "1\n"
    );
    assert_eq!(
        ok(&["calendar", "between", "2025-04-02", "2025-03-28"]),
        "-1\n"
    );
}

#[test]
fn add_stdin_and_bad_lines() {
    let out = run(
        &["calendar", "add", "--stdin"],
        "2025-03-28,1\n2024-06-14,1\n\n2025-11-08,0\n",
    );
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "2025-03-28,1,2025-04-02\n2024-06-14,1,2024-06-20\n2025-11-08,0,2025-11-10\n"
    );
    for bad in [
        "2025-03-28,1\n2025-13-01,1\n",
        "2025-03-28,1\nnonsense\n",
        "2025-03-28,1\n2025-03-28,x\n",
        "2025-03-28,1\n1970-01-01,1\n",
    ] {
        let out = run(&["calendar", "add", "--stdin"], bad);
        assert_eq!(out.code, 2, "{bad:?}");
        let err = out.stderr;
        assert!(err.contains("satır 2"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn bayrams_csv() {
    let out = ok(&["calendar", "bayrams", "2025", "2025"]);
    assert_eq!(
        out,
        "hijri_year,bayram,first_day,source\n1446,ramazan,2025-03-30,table\n1446,kurban,2025-06-06,table\n"
    );
    let out = ok(&["calendar", "bayrams", "2033", "2033", "--no-table"]);
    assert_eq!(out.lines().filter(|l| l.contains(",ramazan,")).count(), 2);
    assert!(out.lines().skip(1).all(|l| l.ends_with(",computed")));
}

#[test]
fn out_of_range_and_bad_dates_are_errors_not_panics() {
    for args in [
        &["calendar", "holidays", "1980"][..],
        &["calendar", "add", "1975-01-01", "3"],
        &["calendar", "add", "2025-02-30", "3"],
        &["calendar", "between", "2025-01-01", "2300-01-01"],
        &["calendar", "bayrams", "2030", "2400"],
    ] {
        let out = run(args, "");
        assert_eq!(out.code, 2, "{args:?}");
        let err = out.stderr;
        assert!(
            err.starts_with("acikkapi: ") && !err.contains("panicked"),
            "{err}"
        );
    }
}
