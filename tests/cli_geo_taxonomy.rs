//! `acikkapi geo …` and `acikkapi taxonomy …` through the real binary.

mod common;
use common::acikkapi;

#[test]
fn provinces_csv_has_header_and_81_rows() {
    let out = acikkapi(&["geo", "provinces"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "plate,name,name_ascii,region,nuts1,nuts3,metropolitan,population_2023"
    );
    assert_eq!(lines.len(), 82);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("34,İstanbul,Istanbul,Marmara,TR1,TR100,true,"))
    );
}

#[test]
fn districts_by_plate_or_name() {
    for q in ["20", "Denizli", "DENİZLİ", "denizli"] {
        let out = acikkapi(&["geo", "districts", q]);
        assert_eq!(out.code, 0, "{q}: {}", out.stderr);
        let rows: Vec<&str> = out.stdout.lines().skip(1).collect();
        assert_eq!(rows.len(), 19, "{q}");
        assert!(rows.contains(&"20,Denizli,Merkezefendi,Merkezefendi"));
        assert!(rows.contains(&"20,Denizli,Pamukkale,Pamukkale"));
    }
    assert_eq!(
        acikkapi(&["geo", "districts", "34"]).stdout.lines().count(),
        40
    );
}

#[test]
fn unknown_province_is_an_error_not_a_panic() {
    let out = acikkapi(&["geo", "districts", "Atlantis"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bilinmeyen il"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn taxonomy_list_and_heading_filter() {
    let all = acikkapi(&["taxonomy", "list"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(
        all.stdout.lines().next(),
        Some("code,heading,name_tr,institution,level,keywords")
    );
    let saglik = acikkapi(&["taxonomy", "list", "--heading", "sağlık"]);
    assert_eq!(saglik.code, 0, "{}", saglik.stderr);
    let rows: Vec<&str> = saglik.stdout.lines().skip(1).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.starts_with("SAGLIK.")), "{rows:?}");
    assert!(rows.len() < all.stdout.lines().count() - 1);
    let bad = acikkapi(&["taxonomy", "list", "--heading", "XYZ"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("XYZ"));
}

#[test]
fn taxonomy_suggest_ranks_categories() {
    let out = acikkapi(&["taxonomy", "suggest", "Sağlık ocağında hiç doktor yok"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = out.stdout.lines().nth(1).expect("at least one suggestion");
    assert!(first.starts_with("1,SAGLIK."), "{first}");
}
