//! Unit tests of the organisation: loading, checks, generation, coverage.

use chrono::NaiveDate;

use super::*;

fn plate(n: u8) -> ProvincePlate {
    ProvincePlate::new(n).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn load_embedded(n: u8) -> Organisation {
    let (name, text) = Organisation::embedded_file(plate(n)).unwrap();
    Organisation::from_toml(text, name).unwrap_or_else(|e| panic!("{e}"))
}

/// A small valid file to mutate in the tests of the checks.
const SMALL: &str = r#"
schema = 1
province = 20
version = "t"

[[unit]]
id = "20.VALILIK"
kind = "valilik"
name = "Denizli Valiliği"
officer = [
  { id = "VALI", role = "vali", title = "Vali" },
  { id = "VY1", role = "vali_yardimcisi", title = "Vali Yardımcısı" },
]

[[unit]]
id = "20.ACIK_KAPI"
kind = "acik_kapi_sube"
name = "Açık Kapı Şube Müdürlüğü"
active_from = "2019-01-01"

[[unit]]
id = "20.OHAL"
kind = "ohal_burosu"
name = "OHAL İşlemleri Bürosu"
officer = [{ role = "yetkili", title = "Sorumlu" }, { role = "yedek", title = "Memur" }]

[[unit]]
id = "20.SAGLIK_MUDURLUGU"
kind = "institution"
name = "Denizli İl Sağlık Müdürlüğü"
handles = ["SAGLIK_MUDURLUGU"]
officer = [
  { role = "yetkili", title = "Müdür Yardımcısı" },
  { role = "yedek", title = "Şef" },
  { role = "head", title = "İl Sağlık Müdürü" },
]
"#;

/// The kaymakamlık units of every Denizli district, appended to [`SMALL`].
fn with_kaymakamliks(base: &str) -> String {
    let mut s = base.to_string();
    for d in Geography::embedded().districts(plate(20)) {
        s.push_str(&format!(
            "\n[[unit]]\nid = \"20.{}.KAYMAKAMLIK\"\nkind = \"kaymakamlik\"\nname = \"{} Kaymakamlığı\"\ndistrict = \"{}\"\nofficer = [{{ role = \"kaymakam\", title = \"Kaymakam\" }}]\n",
            id_part(&d.name),
            d.name,
            d.name
        ));
    }
    s
}

fn problems(text: &str) -> Vec<String> {
    match Organisation::from_toml(text, "test.toml") {
        Ok(_) => Vec::new(),
        Err(Error::InvalidOrganisation { problems, .. }) => {
            problems.iter().map(ToString::to_string).collect()
        }
        Err(e) => vec![format!("other: {e}")],
    }
}

#[test]
fn embedded_files_load_clean() {
    let den = load_embedded(20);
    assert_eq!(den.province_name(), "Denizli");
    assert_eq!(den.districts_internal().len(), 19);
    let ist = load_embedded(34);
    assert_eq!(ist.districts_internal().len(), 39);
    assert!(ist.units().iter().all(|u| !u.generated));
}

#[test]
fn small_file_loads_and_defaults_apply() {
    let org = Organisation::from_toml(&with_kaymakamliks(SMALL), "small").unwrap();
    let k = org.unit_by_str("20.PAMUKKALE.KAYMAKAMLIK").unwrap();
    assert_eq!(k.parent.as_ref().unwrap().as_str(), "20.VALILIK");
    assert_eq!(k.escalates_to.as_ref().unwrap().as_str(), "20.VALILIK");
    assert_eq!(org.valilik().parent.as_ref().unwrap().as_str(), "TR.SGB");
    assert_eq!(
        org.unit_by_str("TR.SGB")
            .unwrap()
            .parent
            .as_ref()
            .unwrap()
            .as_str(),
        "TR.ICISLERI_BAKANLIGI"
    );
    // Node i is unit i.
    for (i, u) in org.units().iter().enumerate() {
        assert_eq!(org.graph()[petgraph::graph::NodeIndex::new(i)], u.id);
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let bad = with_kaymakamliks(SMALL)
        .replace(
            "handles = [\"SAGLIK_MUDURLUGU\"]",
            "handles = [\"SAGLIK_MUDURLUGU\", \"NOPE\"]",
        )
        .replace("  { role = \"yedek\", title = \"Şef\" },\n", "")
        + r#"
[[unit]]
id = "20.SAGLIK_MUDURLUGU"
kind = "institution"
name = "Kopya"
district = "Atlantis"
handles = ["EMNIYET"]
parent = "20.YOK"
"#;
    let p = problems(&bad);
    let joined = p.join("\n");
    assert!(joined.contains("unknown institution type NOPE"), "{joined}");
    assert!(
        joined.contains("20.SAGLIK_MUDURLUGU has no substitute"),
        "{joined}"
    );
    assert!(
        joined.contains("duplicate unit id 20.SAGLIK_MUDURLUGU"),
        "{joined}"
    );
    assert!(joined.contains("unknown district \"Atlantis\""), "{joined}");
    assert!(joined.contains("refers to unknown unit 20.YOK"), "{joined}");
    assert!(joined.contains("no authorised officer"), "{joined}");
    assert!(p.len() >= 6, "{joined}");
}

#[test]
fn escalation_cycle_is_named() {
    let bad = with_kaymakamliks(SMALL)
        .replace(
            "id = \"20.SAGLIK_MUDURLUGU\"\n",
            "id = \"20.SAGLIK_MUDURLUGU\"\nescalates_to = \"20.OHAL\"\n",
        )
        .replace(
            "id = \"20.OHAL\"\n",
            "id = \"20.OHAL\"\nescalates_to = \"20.SAGLIK_MUDURLUGU\"\n",
        );
    let p = problems(&bad);
    assert!(
        p.iter()
            .any(|e| e == "escalation cycle: 20.OHAL → 20.SAGLIK_MUDURLUGU → 20.OHAL"),
        "{p:?}"
    );
}

#[test]
fn dead_end_and_missing_units_and_roles() {
    let bad = with_kaymakamliks(SMALL)
        .replace(
            "id = \"20.SAGLIK_MUDURLUGU\"\n",
            "id = \"20.SAGLIK_MUDURLUGU\"\nescalates_to = \"TR.SGB\"\n",
        )
        .replace(
            "  { id = \"VALI\", role = \"vali\", title = \"Vali\" },\n",
            "",
        );
    let p = problems(&bad).join("\n");
    assert!(p.contains("escalation chain ends at TR.SGB"), "{p}");
    assert!(
        p.contains("20.VALILIK has no officer with role vali"),
        "{p}"
    );
    let p = problems(SMALL).join("\n");
    assert!(p.contains("kaymakamlık for district Merkezefendi"), "{p}");
    let p = problems(&SMALL.replace(
        "kind = \"ohal_burosu\"",
        "kind = \"institution\"\nhandles = [\"EMNIYET\"]",
    ))
    .join("\n");
    assert!(p.contains("has no OHAL İşlemleri Bürosu"), "{p}");
    assert!(p.contains("20.OHAL has no officer with role head"), "{p}");
}

#[test]
fn syntax_errors_are_data_file_errors() {
    match Organisation::from_toml("schema = 1\nprovince = \"x\"", "f.toml") {
        Err(Error::DataFile { file, .. }) => assert_eq!(file, "f.toml"),
        other => panic!("{other:?}"),
    }
    let p = problems(&SMALL.replace("province = 20", "province = 34"));
    assert!(
        p.iter()
            .any(|e| e.contains("must start with the province plate 34")),
        "{p:?}"
    );
}

#[test]
fn generated_default_for_every_province() {
    let tax = Taxonomy::embedded();
    for p in ProvincePlate::all() {
        let org = Organisation::generated(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(org.units().iter().skip(2).all(|u| u.generated));
        let cov = org.coverage(tax);
        assert!(cov.is_complete(), "{p}: {cov}");
        // A non-metropolitan Merkez is governed by the valilik.
        let geo = Geography::embedded();
        if !geo.province(p).metropolitan {
            assert_eq!(
                org.governorship_of("Merkez").unwrap().kind,
                UnitKind::Valilik
            );
        }
    }
}

#[test]
fn generated_officers_are_placeholders() {
    let org = Organisation::generated(plate(6)).unwrap();
    let u = org.unit_by_str("06.SAGLIK_MUDURLUGU").unwrap();
    assert_eq!(u.name, "Ankara İl Sağlık Müdürlüğü");
    let y = u.first_with(OfficerRole::Yetkili).unwrap();
    assert_eq!(y.title, "Ankara İl Sağlık Müdürlüğü Açık Kapı Yetkilisi");
    assert!(y.generated && y.name.is_none());
}

#[test]
fn acik_kapi_unit_by_date() {
    let org = Organisation::for_province(plate(20)).unwrap();
    for d in ["Merkezefendi", "Pamukkale"] {
        let before = org.acik_kapi_for(d, date(2019, 7, 14)).unwrap();
        assert_eq!(before.id.as_str(), "20.ACIK_KAPI");
        let after = org.acik_kapi_for(d, date(2019, 7, 15)).unwrap();
        assert_eq!(after.id.as_str(), format!("20.{}.ACIK_KAPI", id_part(d)));
    }
    assert_eq!(
        org.acik_kapi_for("Tavas", date(2019, 3, 1))
            .unwrap()
            .id
            .as_str(),
        "20.TAVAS.ACIK_KAPI"
    );
    assert!(org.acik_kapi_for("Tavas", date(2018, 12, 31)).is_none());
    assert!(org.acik_kapi_for("Atlantis", date(2020, 1, 1)).is_none());
}

#[test]
fn escalation_chains_end_at_the_vali() {
    let org = Organisation::for_province(plate(20)).unwrap();
    let id = UnitId::parse("20.MERKEZEFENDI.BELEDIYE").unwrap();
    let chain: Vec<&str> = org
        .escalation_chain(&id)
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    assert_eq!(
        chain,
        [
            "20.MERKEZEFENDI.BELEDIYE",
            "20.MERKEZEFENDI.KAYMAKAMLIK",
            "20.VALILIK"
        ]
    );
    let officers: Vec<&str> = org
        .officer_chain(&id)
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        officers,
        [
            "20.MERKEZEFENDI.BELEDIYE.HEAD",
            "20.MERKEZEFENDI.KAYMAKAMLIK.KAYMAKAM",
            "20.VALILIK.VY_GUVENLIK",
            "20.VALILIK.VALI"
        ]
    );
    // A district belediye follows the Büyükşehir Belediyesi's vali yardımcısı (local government);
    // a province institution names its own.
    let emn = UnitId::parse("20.EMNIYET").unwrap();
    let officers: Vec<&str> = org
        .officer_chain(&emn)
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        officers,
        [
            "20.EMNIYET.HEAD",
            "20.VALILIK.VY_GUVENLIK",
            "20.VALILIK.VALI"
        ]
    );
}

#[test]
fn lookups() {
    let org = Organisation::for_province(plate(20)).unwrap();
    assert_eq!(
        org.find_unit_by_name("PAMUKKALE BELEDİYESİ")
            .unwrap()
            .id
            .as_str(),
        "20.PAMUKKALE.BELEDIYE"
    );
    assert_eq!(
        org.find_unit_by_name("20.VALILIK").unwrap().kind,
        UnitKind::Valilik
    );
    assert!(org.find_unit_by_name("Hogwarts").is_none());
    let belediye = InstitutionTypeCode::parse("BELEDIYE").unwrap();
    assert_eq!(org.institutions_of_type(&belediye, None).len(), 1);
    let in_tavas = org.institutions_of_type(&belediye, Some("tavas"));
    assert_eq!(in_tavas.len(), 1);
    assert_eq!(in_tavas[0].name, "Tavas Belediyesi");
    let (_, o) = org
        .officer(&OfficerId::parse("20.VALILIK.VALI").unwrap())
        .unwrap();
    assert_eq!(o.title, "Denizli Valisi");
}

#[test]
fn filled_types_come_from_the_default() {
    let org = Organisation::for_province(plate(20)).unwrap();
    let filled: Vec<&str> = org.filled_types().iter().map(|t| t.as_str()).collect();
    assert!(
        filled.contains(&"DSI") && filled.contains(&"KARAYOLLARI"),
        "{filled:?}"
    );
    let dsi = org.unit_by_str("20.DSI").unwrap();
    assert!(dsi.generated);
    assert!(org.coverage(Taxonomy::embedded()).is_complete());
    // The file alone has gaps for exactly the filled types.
    let raw = load_embedded(20);
    let cov = raw.coverage(Taxonomy::embedded());
    let missing: Vec<&str> = cov.missing_types().iter().map(|t| t.as_str()).collect();
    let mut filled_sorted = filled.clone();
    filled_sorted.sort();
    assert_eq!(missing, filled_sorted);
}

#[test]
fn phone_is_masked_in_debug() {
    let o = Officer {
        id: OfficerId::parse("20.VALILIK.VALI").unwrap(),
        name: None,
        title: "Vali".into(),
        role: OfficerRole::Vali,
        phone: Some("0258 265 10 10".into()),
        unavailable: Vec::new(),
        generated: false,
    };
    let s = format!("{o:?}");
    assert!(s.contains("**** *** ** 10"), "{s}");
    assert!(!s.contains("265"));
}

#[test]
fn coverage_report_formats() {
    let raw = load_embedded(34);
    let cov = raw.coverage(Taxonomy::embedded());
    let csv = cov.to_csv();
    assert!(csv.starts_with("category,institution,level,district\n"));
    assert_eq!(csv.lines().count(), cov.gaps.len() + 1);
    let text = cov.to_string();
    assert!(text.contains("İstanbul (34)"));
    let json = serde_json::to_value(&cov).unwrap();
    assert_eq!(json["plate"], "34");
}

#[test]
fn serves_districts_splits_a_province() {
    let org = load_embedded(34);
    let t = InstitutionTypeCode::parse("ELEKTRIK_DAGITIM").unwrap();
    let (kadikoy, how) = org.resolve(&t, Level::Province, "Kadıköy").unwrap();
    assert_eq!(kadikoy.id.as_str(), "34.AYEDAS");
    assert_eq!(how, Resolution::DistrictFallback);
    let (besiktas, _) = org.resolve(&t, Level::District, "beşiktaş").unwrap();
    assert_eq!(besiktas.id.as_str(), "34.BEDAS");
    assert!(org.institutions_of_type(&t, None).is_empty());
    assert_eq!(
        org.institutions_of_type(&t, Some("Üsküdar"))[0].id.as_str(),
        "34.AYEDAS"
    );
    // Every district is served by exactly one of the two.
    for d in org.district_names() {
        assert_eq!(org.institutions_of_type(&t, Some(d)).len(), 1, "{d}");
    }
    let bad = with_kaymakamliks(SMALL).replace(
        "handles = [\"SAGLIK_MUDURLUGU\"]",
        "handles = [\"SAGLIK_MUDURLUGU\"]\nserves_districts = [\"Tavas\", \"Narnia\"]\ndistrict = \"Çal\"",
    );
    let p = problems(&bad).join("\n");
    assert!(p.contains("unknown district \"Narnia\""), "{p}");
    assert!(
        p.contains("district and serves_districts exclude each other"),
        "{p}"
    );
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A file with any run of lines removed or any line duplicated loads or fails with a typed
        /// error; it never panics or hangs.
        #[test]
        fn mangled_files_never_panic(start in 0usize..200, len in 0usize..12, dup in any::<bool>()) {
            let text = with_kaymakamliks(SMALL);
            let lines: Vec<&str> = text.lines().collect();
            let start = start % lines.len();
            let end = (start + len).min(lines.len());
            let mut out: Vec<&str> = lines[..start].to_vec();
            if dup {
                out.extend(&lines[start..end]);
                out.extend(&lines[start..end]);
            }
            out.extend(&lines[end..]);
            match Organisation::from_toml(&out.join("\n"), "mangled.toml") {
                Ok(org) => prop_assert!(org.units().len() >= 2),
                Err(Error::InvalidOrganisation { problems, .. }) => prop_assert!(!problems.is_empty()),
                Err(Error::DataFile { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
            }
        }
    }
}
