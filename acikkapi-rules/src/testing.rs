//! Rule tests for province authors (like `opa test`): a file of cases next to the script
//! (`20-denizli.rhai` → `20-denizli.tests.toml`, or `.tests.json`), each an application and the
//! expected target. [`run`] evaluates every case and reports pass/fail and coverage.
//!
//! Coverage: the script's `if`/`switch` branches are listed by walking its AST
//! ([`RuleSet::branches`]); the cases run on an unoptimised copy of the AST on an engine with
//! Rhai's debugger hook, which records the source position of every statement and expression
//! evaluated. A branch ran in a case when a position inside its body was visited (an implicit
//! `else`/`default`: when the `if`/`switch` was visited and none of its explicit branches). An
//! implicit branch of an `if` inside a loop is counted only if no explicit branch ran in that case.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{self, Branch, RanCache};
use crate::app::AppView;
use crate::engine::VISITED;
use crate::error::{Error, Result};
use crate::outcome::{ScriptOutcome, ScriptPriority};
use crate::ruleset::RuleSet;

/// One test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// A name to report it by.
    pub name: String,
    /// The application.
    pub app: AppView,
    /// Expected target: `"default"`, `"reject"`, `"redirect:<unit>"`, `"route:<unit>"` or just
    /// `"<unit>"` (route). A unit may be given by id or by name.
    pub expect: String,
    /// Expected priority (when the script sets one).
    #[serde(default)]
    pub priority: Option<ScriptPriority>,
    /// Expected deadline in business days (when the script sets one).
    #[serde(default)]
    pub deadline_days: Option<u32>,
}

/// A rule-test file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestFile {
    /// Province plate applied to cases that give none.
    #[serde(default)]
    pub province: Option<u8>,
    /// The cases.
    #[serde(rename = "case", alias = "cases", default)]
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    province: Option<u8>,
    #[serde(rename = "case", alias = "cases", default)]
    cases: Vec<RawCase>,
}

#[derive(Deserialize)]
struct RawCase {
    name: String,
    #[serde(default)]
    app: serde_json::Map<String, serde_json::Value>,
    expect: String,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    deadline_days: Option<u32>,
}

impl TestFile {
    /// Parses a test file: TOML, or JSON when `file_name` ends in `.json`.
    pub fn parse(file_name: &str, text: &str) -> Result<TestFile> {
        let err = |message: String| Error::TestFile {
            file: file_name.to_string(),
            message,
        };
        let raw: RawFile = if file_name.ends_with(".json") {
            serde_json::from_str(text).map_err(|e| err(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| err(e.to_string()))?
        };
        let mut cases = Vec::with_capacity(raw.cases.len());
        for c in raw.cases {
            let mut fields = c.app;
            if let Some(p) = raw.province {
                fields.entry("province").or_insert(p.into());
            }
            let app: AppView = serde_json::from_value(serde_json::Value::Object(fields))
                .map_err(|e| err(format!("case {:?}: {e}", c.name)))?;
            let priority = match c.priority {
                None => None,
                Some(p) => Some(
                    ScriptPriority::parse(&p)
                        .ok_or_else(|| err(format!("case {:?}: unknown priority {p:?}", c.name)))?,
                ),
            };
            cases.push(Case {
                name: c.name,
                app,
                expect: c.expect,
                priority,
                deadline_days: c.deadline_days,
            });
        }
        Ok(TestFile {
            province: raw.province,
            cases,
        })
    }

    /// Reads and parses a test file.
    pub fn load(path: &Path) -> Result<TestFile> {
        let text = crate::source::read_test_file(path).map_err(|e| match e {
            Error::ReadFile { file, message } => Error::TestFile { file, message },
            other => other,
        })?;
        TestFile::parse(&path.display().to_string(), &text)
    }
}

/// The test file of a script: `x.rhai` → `x.tests.toml` if it exists, else `x.tests.json` if that
/// exists.
pub fn test_file_for(script: &Path) -> Option<PathBuf> {
    let stem = script.file_stem()?.to_string_lossy().to_string();
    let dir = script.parent().unwrap_or(Path::new(""));
    ["toml", "json"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.tests.{ext}")))
        .find(|p| p.is_file())
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case name.
    pub name: String,
    /// The application's category.
    pub category: String,
    /// Expected target label (normalised: units resolved to ids).
    pub expected: String,
    /// What happened: a target label, or `error: …`.
    pub actual: String,
    /// Whether it matched (target, and priority/deadline when expected).
    pub passed: bool,
}

/// Coverage of one branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchCoverage {
    /// The branch.
    pub branch: Branch,
    /// In how many cases it ran.
    pub hits: usize,
}

/// The report of a test run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    /// Script name.
    pub script: String,
    /// Rule-set version.
    pub version: String,
    /// Per-case results, in file order.
    pub cases: Vec<CaseResult>,
    /// Per-branch coverage, in source order.
    pub branches: Vec<BranchCoverage>,
    /// Categories exercised by the cases, with the number of cases each.
    pub categories: BTreeMap<String, usize>,
    /// Categories and headings the script tests for (`app.category == "…"`, `app.heading == "…"`)
    /// that no case exercised.
    pub untested_literals: Vec<String>,
}

impl TestReport {
    /// Number of passing cases.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// Number of failing cases.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// `(branches run at least once, all branches)`.
    pub fn branch_coverage(&self) -> (usize, usize) {
        (
            self.branches.iter().filter(|b| b.hits > 0).count(),
            self.branches.len(),
        )
    }
}

/// Normalises an expected target to a label comparable with [`ScriptOutcome::target_label`].
fn normalise_expect(expect: &str, rules: &RuleSet) -> String {
    let e = expect.trim();
    let resolve = |u: &str| {
        rules
            .env()
            .find_unit(u.trim())
            .unwrap_or_else(|| format!("{} (unknown unit)", u.trim()))
    };
    match e {
        "default" | "reject" => e.to_string(),
        _ => {
            if let Some(u) = e.strip_prefix("redirect:") {
                format!("redirect:{}", resolve(u))
            } else {
                format!("route:{}", resolve(e.strip_prefix("route:").unwrap_or(e)))
            }
        }
    }
}

/// Runs every case of `tests` against `rules` and measures coverage.
pub fn run(rules: &RuleSet, tests: &TestFile) -> TestReport {
    let branches = rules.branches();
    let mut hits = vec![0usize; branches.len()];
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::with_capacity(tests.cases.len());
    for case in &tests.cases {
        *categories.entry(case.app.category.clone()).or_default() += 1;
        VISITED.with(|v| *v.borrow_mut() = Some(HashSet::new()));
        let result = rules.evaluate_for_coverage(&case.app);
        let visited = VISITED.with(|v| v.borrow_mut().take()).unwrap_or_default();
        let mut cache = RanCache::new(&visited);
        for (b, h) in branches.iter().zip(hits.iter_mut()) {
            if b.ran_in(&mut cache) {
                *h += 1;
            }
        }
        let expected = normalise_expect(&case.expect, rules);
        let (actual, passed) = match result {
            Ok((outcome, _)) => {
                let label = outcome.target_label();
                let mut ok = label == expected;
                if let ScriptOutcome::RouteTo {
                    priority,
                    deadline_days,
                    ..
                } = &outcome
                {
                    ok &= case.priority.is_none() || case.priority == *priority;
                    ok &= case.deadline_days.is_none() || case.deadline_days == *deadline_days;
                    let mut shown = label;
                    if let Some(p) = priority {
                        shown.push_str(&format!(" priority={p:?}"));
                    }
                    if let Some(d) = deadline_days {
                        shown.push_str(&format!(" deadline={d}"));
                    }
                    (shown, ok)
                } else {
                    ok &= case.priority.is_none() && case.deadline_days.is_none();
                    (label, ok)
                }
            }
            Err(e) => (format!("error: {e}"), false),
        };
        results.push(CaseResult {
            name: case.name.clone(),
            category: case.app.category.clone(),
            expected,
            actual,
            passed,
        });
    }
    let (cats, heads) = analysis::compared_literals(rules_ast(rules));
    let tested_heads: BTreeSet<&str> = categories
        .keys()
        .map(|c| c.split('.').next().unwrap_or(""))
        .collect();
    let mut untested: Vec<String> = cats
        .iter()
        .filter(|c| !categories.contains_key(*c))
        .map(|c| format!("category {c}"))
        .collect();
    untested.extend(
        heads
            .iter()
            .filter(|h| !tested_heads.contains(h.as_str()))
            .map(|h| format!("heading {h}")),
    );
    TestReport {
        script: rules.name().to_string(),
        version: rules.version().to_string(),
        cases: results,
        branches: branches
            .into_iter()
            .zip(hits)
            .map(|(branch, hits)| BranchCoverage { branch, hits })
            .collect(),
        categories,
        untested_literals: untested,
    }
}

fn rules_ast(rules: &RuleSet) -> &rhai::AST {
    rules.plain_ast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_test_files_read_the_same() {
        let toml = r#"
            province = 20
            [[case]]
            name = "a"
            expect = "20.MEB"
            priority = "acil"
            app = { category = "EGITIM.DIGER", district = "Honaz", special = true, received = "2026-11-23" }
        "#;
        let json = r#"{"province": 20, "case": [{"name": "a", "expect": "20.MEB", "priority": "urgent",
            "app": {"category": "EGITIM.DIGER", "district": "Honaz", "special": true, "received": "2026-11-23"}}]}"#;
        let a = TestFile::parse("x.tests.toml", toml).unwrap();
        let b = TestFile::parse("x.tests.json", json).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.cases[0].app.province, 20);
        assert_eq!(a.cases[0].priority, Some(ScriptPriority::Urgent));
    }

    #[test]
    fn typos_in_test_files_are_errors() {
        for bad in [
            "[[case]]\nname = \"a\"\nexpect = \"default\"\napp = { categry = \"X\" }",
            "[[case]]\nname = \"a\"\nexpect = \"default\"\npriority = \"çok\"\napp = {}",
            "[[case]]\nname = \"a\"\napp = {}",
        ] {
            let e = TestFile::parse("t.tests.toml", bad).unwrap_err();
            assert!(matches!(e, Error::TestFile { .. }), "{e}");
        }
    }
}
