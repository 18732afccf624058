//! Lint findings: unknown units, categories, headings and fields; unreachable branches.

use std::sync::Arc;

use acikkapi_rules::analysis::Severity;
use acikkapi_rules::{RuleSet, StaticEnv};

fn findings(src: &str) -> Vec<(Severity, usize, usize, String)> {
    let env = Arc::new(StaticEnv::new(
        &[("20.MEB", "Denizli İl Milli Eğitim Müdürlüğü")],
        &[],
    ));
    RuleSet::compile("l.rhai", src, env)
        .unwrap()
        .lint()
        .into_iter()
        .map(|f| (f.severity, f.line, f.column, f.message))
        .collect()
}

#[test]
fn clean_script_has_no_findings() {
    let src = r#"
        if app.category == "YEREL.SU_KESINTISI" { route_to("20.MEB") }
        else if app.heading == "SAGLIK" { redirect("Denizli İl Milli Eğitim Müdürlüğü") }
        else if "EGITIM.DIGER" == app.category { route_to(find_unit("x") ?? "20.MEB") }
    "#;
    assert_eq!(findings(src), vec![]);
}

#[test]
fn each_problem_is_found_where_it_is() {
    let src = "if app.category == \"YEREL.SU_KESINTISI\" {\n    route_to(\"Yok Müdürlüğü\")\n} else if app.heading == \"UZAY\" {\n    redirect(find_unit(\"a\") ?? \"20.YOK\")\n} else if app.category == \"YEREL.SU_KESINTISI\" {\n    ()\n} else if true {\n    app.renk\n} else if \"X.Y\" == app.category {\n    ()\n}\n";
    let f = findings(src);
    let has = |sev: Severity, line: usize, text: &str| {
        f.iter()
            .any(|(s, l, _, m)| *s == sev && *l == line && m.contains(text))
    };
    assert!(
        has(Severity::Error, 2, "unknown unit \"Yok Müdürlüğü\""),
        "{f:#?}"
    );
    assert!(
        has(Severity::Error, 3, "unknown service heading \"UZAY\""),
        "{f:#?}"
    );
    assert!(has(Severity::Error, 4, "unknown unit \"20.YOK\""), "{f:#?}");
    assert!(
        has(Severity::Warning, 5, "already tested earlier"),
        "{f:#?}"
    );
    assert!(has(Severity::Warning, 7, "always true"), "{f:#?}");
    assert!(has(Severity::Error, 8, "unknown field app.renk"), "{f:#?}");
    assert!(
        has(Severity::Error, 9, "unknown category code \"X.Y\""),
        "{f:#?}"
    );
    assert_eq!(f.len(), 7, "{f:#?}");
    // Column of the unknown unit literal.
    assert!(f.iter().any(|(_, l, c, _)| *l == 2 && *c == 14), "{f:#?}");
}

#[test]
fn strict_variables_catch_typos_at_compile_time() {
    let env = Arc::new(StaticEnv::default());
    let e = RuleSet::compile("t.rhai", "if ap.category == \"X\" { () }", env).unwrap_err();
    assert!(
        e.to_string().starts_with("t.rhai:1:4: compile error"),
        "{e}"
    );
}

#[test]
fn ordinary_rhai_string_and_list_functions_are_available() {
    let env = Arc::new(StaticEnv::new(&[("20.MEB", "MEB")], &[]));
    let src = r#"
        let ok = app.district.len() == 9 && app.district.starts_with("Pamuk")
            && app.category.contains("SU") && ["Pamukkale", "Honaz"].contains(app.district)
            && to_upper("ılık") == "ILIK";
        if ok { route_to("20.MEB") } else { reject("string helpers") }
    "#;
    let rules = RuleSet::compile("s.rhai", src, env).unwrap();
    let app = acikkapi_rules::AppView::new("YEREL.SU_KESINTISI", 20, "Pamukkale");
    assert_eq!(
        rules.evaluate(&app).unwrap().outcome.target_label(),
        "route:20.MEB"
    );
}

/// `.deadline(n)` above the engine's 7 business days is flagged (the engine caps it); shorter
/// ones, computed ones and the function-call style are handled.
#[test]
fn deadlines_longer_than_the_engine_allows_are_flagged() {
    let src = "if app.special {\n    route_to(\"20.MEB\").deadline(10)\n} else if app.ohal {\n    deadline(route_to(\"20.MEB\"), 8)\n} else {\n    route_to(\"20.MEB\").deadline(3).note(\"x\")\n}\n";
    let f = findings(src);
    let deadline: Vec<_> = f
        .iter()
        .filter(|(_, _, _, m)| m.contains("caps it at 7"))
        .collect();
    assert_eq!(deadline.len(), 2, "{f:#?}");
    assert!(deadline.iter().all(|(s, _, _, _)| *s == Severity::Warning));
    assert_eq!(
        deadline.iter().map(|(_, l, _, _)| *l).collect::<Vec<_>>(),
        [2, 4],
        "{f:#?}"
    );
    assert!(f[0].3.starts_with("deadline(10)"), "{f:#?}");
}
