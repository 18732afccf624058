//! The embedded Denizli and İstanbul scripts pass their rule tests, cover every branch, and use
//! only units of their organisations.

use acikkapi_rules::RuleSet;
use acikkapi_rules::analysis::Severity;
use acikkapi_rules::router::{EMBEDDED, EMBEDDED_TESTS};
use acikkapi_rules::testing::{self, TestFile};

fn report(plate: u8) -> testing::TestReport {
    let rules = RuleSet::embedded(plate).unwrap();
    let (_, name, text) = EMBEDDED_TESTS.iter().find(|(p, _, _)| *p == plate).unwrap();
    let tests = TestFile::parse(name, text).unwrap();
    testing::run(&rules, &tests)
}

#[test]
fn denizli_and_istanbul_pass_their_rule_tests_with_full_branch_coverage() {
    for (plate, _, _) in EMBEDDED {
        let r = report(*plate);
        for c in &r.cases {
            assert!(
                c.passed,
                "{}: {}: expected {}, got {}",
                r.script, c.name, c.expected, c.actual
            );
        }
        assert!(r.cases.len() >= 12, "{}", r.script);
        let (run, all) = r.branch_coverage();
        let missed: Vec<_> = r
            .branches
            .iter()
            .filter(|b| b.hits == 0)
            .map(|b| format!("{}:{} {}", b.branch.line, b.branch.column, b.branch.label))
            .collect();
        assert_eq!(run, all, "{}: branches not run: {missed:#?}", r.script);
        assert!(all >= 10, "{}: only {all} branches found", r.script);
    }
}

#[test]
fn embedded_scripts_use_only_known_units_and_fields() {
    for (plate, name, _) in EMBEDDED {
        let rules = RuleSet::embedded(*plate).unwrap();
        let bad: Vec<_> = rules
            .lint()
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
        assert!(rules.is_cacheable(), "{name} should not read app.text");
    }
}

#[test]
fn a_failing_case_is_reported_as_failing() {
    let rules = RuleSet::embedded(20).unwrap();
    let tests = TestFile::parse(
        "x.tests.toml",
        r#"
        province = 20
        [[case]]
        name = "wrong on purpose"
        expect = "20.MEB"
        app = { category = "YEREL.SU_KESINTISI", district = "Pamukkale" }
        "#,
    )
    .unwrap();
    let r = testing::run(&rules, &tests);
    assert_eq!(r.failed(), 1);
    assert_eq!(r.cases[0].actual, "route:20.BUYUKSEHIR_BELEDIYESI");
    // One case cannot cover every branch.
    let (run, all) = r.branch_coverage();
    assert!(run > 0 && run < all, "{run}/{all}");
    assert_eq!(r.categories.get("YEREL.SU_KESINTISI"), Some(&1));
    assert!(
        r.untested_literals
            .iter()
            .any(|l| l == "category ENERJI.AYDINLATMA")
    );
}
