//! What can be learnt from a script without running it, by walking its (unoptimised) AST:
//! which `app` fields it reads (for the decision cache), its branches (for rule-test coverage) and
//! lint findings (unknown units, categories, fields; unreachable branches).

use std::collections::{BTreeSet, HashSet};

use rhai::{AST, ASTNode, Expr, Position, Stmt};
use serde::{Deserialize, Serialize};

use crate::app::Field;
use crate::env::Environment;

/// Which `app` fields a script reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSet {
    /// Fields read as `app.<field>` (or implied by a helper, e.g. `app.business_days_until` reads
    /// `received`).
    pub fields: BTreeSet<Field>,
    /// `app` is used in a way the analysis cannot follow (passed whole to a function, assigned to
    /// another variable, …): the script may read anything.
    pub whole_app: bool,
}

impl ReadSet {
    /// Whether decisions may be cached on the fields read: not when the whole `app` escapes, not
    /// when the script reads the free text (every application differs there).
    pub fn cacheable(&self) -> bool {
        !self.whole_app && !self.fields.contains(&Field::Text)
    }
}

fn var_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Variable(x, _, _) => Some(x.1.as_str()),
        _ => None,
    }
}

/// The `app.<name>` access rooted at `dot`, if `dot` is `app.something…`.
enum AppAccess<'a> {
    Property(&'a str, Position),
    Method(&'a str),
}

fn app_access(dot: &Expr) -> Option<AppAccess<'_>> {
    let Expr::Dot(bin, _, _) = dot else {
        return None;
    };
    if var_name(&bin.lhs) != Some("app") {
        return None;
    }
    let head = match &bin.rhs {
        Expr::Dot(b, _, _) | Expr::Index(b, _, _) => &b.lhs,
        other => other,
    };
    match head {
        Expr::Property(p, pos) => Some(AppAccess::Property(p.2.as_str(), *pos)),
        Expr::MethodCall(f, _) => Some(AppAccess::Method(f.name.as_str())),
        _ => None,
    }
}

/// The fields `ast` reads from `app`.
pub fn reads(ast: &AST) -> ReadSet {
    let mut out = ReadSet::default();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(e)) = path.last() else {
            return true;
        };
        if var_name(e) != Some("app") {
            return true;
        }
        let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
        let access = match parent {
            Some(ASTNode::Expr(p)) => app_access(p).filter(|_| match p {
                Expr::Dot(bin, _, _) => std::ptr::eq(&bin.lhs, *e),
                _ => false,
            }),
            _ => None,
        };
        match access {
            Some(AppAccess::Property(name, _)) => {
                // Reading an unknown property fails the same way every time: nothing to key on.
                if let Some(f) = Field::from_name(name) {
                    out.fields.insert(f);
                }
            }
            Some(AppAccess::Method("business_days_until")) => {
                out.fields.insert(Field::Received);
            }
            _ => out.whole_app = true,
        }
        true
    });
    out
}

/// A branch of an `if` or `switch`, for coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// 1-based line of the branch.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What it is: `"if … then"`, `"else"`, `"else (implicit)"`, `"switch arm"`,
    /// `"switch default (implicit)"`, with the source line of the `if`/`switch`.
    pub label: String,
    #[serde(skip)]
    pub(crate) cover: Cover,
}

/// How to tell from the positions visited in one evaluation whether a branch ran.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Cover {
    /// Ran when any of these positions was visited.
    #[default]
    Never,
    Any(HashSet<Position>),
    /// Ran when `stmt` was visited and none of `others` (the explicit branches).
    Implicit {
        stmt: Position,
        others: HashSet<Position>,
    },
}

impl Branch {
    /// Whether the branch ran in an evaluation that visited `visited`.
    pub(crate) fn ran(&self, visited: &HashSet<Position>) -> bool {
        match &self.cover {
            Cover::Never => false,
            Cover::Any(ps) => ps.iter().any(|p| visited.contains(p)),
            Cover::Implicit { stmt, others } => {
                visited.contains(stmt) && !others.iter().any(|p| visited.contains(p))
            }
        }
    }
}

/// Adds a node's position, unless the debugger hook never reports that node (Rhai skips block
/// expressions and expression statements, reporting what is inside them).
fn insert_visitable(out: &mut HashSet<Position>, n: &ASTNode) {
    if matches!(
        n,
        ASTNode::Expr(Expr::Stmt(..)) | ASTNode::Stmt(Stmt::Expr(..))
    ) {
        return;
    }
    let pos = n.position();
    if !pos.is_none() {
        out.insert(pos);
    }
}

fn positions_of_stmts(stmts: &[Stmt]) -> HashSet<Position> {
    let mut out = HashSet::new();
    let mut path = Vec::new();
    for s in stmts {
        s.walk(&mut path, &mut |p: &[ASTNode]| {
            if let Some(n) = p.last() {
                insert_visitable(&mut out, n);
            }
            true
        });
    }
    out
}

fn positions_of_expr(e: &Expr) -> HashSet<Position> {
    let mut out = HashSet::new();
    let mut path = Vec::new();
    e.walk(&mut path, &mut |p: &[ASTNode]| {
        if let Some(n) = p.last() {
            insert_visitable(&mut out, n);
        }
        true
    });
    out
}

fn lc(p: Position) -> (usize, usize) {
    (p.line().unwrap_or(0), p.position().unwrap_or(0))
}

fn source_line(source: &str, line: usize) -> String {
    let text = source
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    let short: String = text.chars().take(70).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Every `if`/`switch` branch of the script (including those in functions), in source order.
pub fn branches(ast: &AST, source: &str) -> Vec<Branch> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(Stmt::If(fc, pos))) => {
                let (line, column) = lc(*pos);
                let head = source_line(source, line);
                let then_ps = positions_of_stmts(fc.body.statements());
                let else_ps = positions_of_stmts(fc.branch.statements());
                let first = |stmts: &[Stmt], fallback: Position| {
                    lc(stmts.first().map_or(fallback, Stmt::position))
                };
                let (tl, tc) = first(fc.body.statements(), *pos);
                out.push(Branch {
                    line: tl,
                    column: tc,
                    label: format!("{head} [then]"),
                    cover: if then_ps.is_empty() {
                        Cover::Implicit {
                            stmt: *pos,
                            others: else_ps.clone(),
                        }
                    } else {
                        Cover::Any(then_ps.clone())
                    },
                });
                if else_ps.is_empty() {
                    out.push(Branch {
                        line,
                        column,
                        label: format!("{head} [else (implicit)]"),
                        cover: Cover::Implicit {
                            stmt: *pos,
                            others: then_ps,
                        },
                    });
                } else {
                    let (el, ec) = first(fc.branch.statements(), *pos);
                    out.push(Branch {
                        line: el,
                        column: ec,
                        label: format!("{head} [else]"),
                        cover: Cover::Any(else_ps),
                    });
                }
            }
            Some(ASTNode::Stmt(Stmt::Switch(x, pos))) => {
                let (line, column) = lc(*pos);
                let head = source_line(source, line);
                let cases = &x.1;
                let arm_ps: Vec<HashSet<Position>> = cases
                    .expressions
                    .iter()
                    .map(|arm| positions_of_expr(&arm.rhs))
                    .collect();
                let all: HashSet<Position> = arm_ps.iter().flatten().copied().collect();
                for (i, (arm, ps)) in cases.expressions.iter().zip(arm_ps).enumerate() {
                    let (al, ac) = lc(arm.rhs.start_position());
                    let what = if cases.def_case == Some(i) {
                        "switch default _".to_string()
                    } else {
                        format!("switch arm: {}", source_line(source, al))
                    };
                    // An empty arm (`_ => {}`) has nothing to visit: it ran when the switch ran
                    // and no other arm did.
                    let cover = if ps.is_empty() {
                        Cover::Implicit {
                            stmt: *pos,
                            others: all.clone(),
                        }
                    } else {
                        Cover::Any(ps)
                    };
                    out.push(Branch {
                        line: al,
                        column: ac,
                        label: what,
                        cover,
                    });
                }
                if cases.def_case.is_none() {
                    out.push(Branch {
                        line,
                        column,
                        label: format!("{head} [default (implicit)]"),
                        cover: Cover::Implicit {
                            stmt: *pos,
                            others: all,
                        },
                    });
                }
            }
            _ => {}
        }
        true
    });
    out.sort_by_key(|b| (b.line, b.column));
    out
}

/// How serious a lint finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Probably harmless, worth a look (e.g. an unreachable branch).
    Warning,
    /// Will misroute or fail at run time (unknown unit, category, field).
    Error,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, in English.
    pub message: String,
}

fn string_lit(e: &Expr) -> Option<(&str, Position)> {
    match e {
        Expr::StringConstant(s, pos) => Some((s.as_str(), *pos)),
        _ => None,
    }
}

/// The Açık Kapı answer deadline (business days): the workflow engine's ceiling for a rule's
/// `.deadline(n)` ([`acikkapi_core::ANSWER_DAYS`]; routing may shorten it, never lengthen it).
const ENGINE_DEADLINE_DAYS: i64 = acikkapi_core::ANSWER_DAYS as i64;

/// A `deadline(…)` call with a literal number of days, method style (`….deadline(10)`) or
/// function style (`deadline(route_to(…), 10)`): `(days, position of the number)`.
fn deadline_literal(e: &Expr) -> Option<(i64, Position)> {
    let (f, arg) = match e {
        Expr::Dot(b, _, _) => match &b.rhs {
            Expr::MethodCall(f, _) => (f, f.args.first()),
            _ => return None,
        },
        Expr::FnCall(f, _) => (f, f.args.get(1)),
        _ => return None,
    };
    match (f.name.as_str(), arg) {
        ("deadline", Some(Expr::IntegerConstant(n, pos))) => Some((*n, *pos)),
        _ => None,
    }
}

/// `app.<field>` compared with `==`/`!=` to a string literal: `(field, literal, literal position)`.
fn field_comparison(e: &Expr) -> Option<(&str, &str, Position)> {
    let Expr::FnCall(f, _) = e else { return None };
    if !(f.name == "==" || f.name == "!=") || f.args.len() != 2 {
        return None;
    }
    let (a, b) = (&f.args[0], &f.args[1]);
    let (access, lit) = match (app_access(a), string_lit(b)) {
        (Some(acc), Some(l)) => (acc, l),
        _ => (app_access(b)?, string_lit(a)?),
    };
    match access {
        AppAccess::Property(name, _) => Some((name, lit.0, lit.1)),
        AppAccess::Method(_) => None,
    }
}

/// Lints a script: unknown units in `route_to`/`redirect` literals, unknown categories and headings
/// compared with `app.category`/`app.heading`, unknown `app` fields, constant `if` conditions,
/// `else if` conditions that repeat an earlier one (unreachable), and `.deadline(n)` literals above
/// the engine's 7 business days (they have no effect beyond 7).
pub fn lint(ast: &AST, env: &dyn Environment) -> Vec<Finding> {
    let tax = acikkapi_core::taxonomy::Taxonomy::embedded();
    let mut out = Vec::new();
    let mut push = |severity, pos: Position, message: String| {
        let (line, column) = lc(pos);
        out.push(Finding {
            severity,
            line,
            column,
            message,
        });
    };
    // `if` statements already seen as the `else` of another: their chain was handled there.
    let mut chained: HashSet<Position> = HashSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else { return true };
        if let ASTNode::Expr(e) = node
            && let Some((days, pos)) = deadline_literal(e)
            && days > ENGINE_DEADLINE_DAYS
        {
            push(
                Severity::Warning,
                pos,
                format!(
                    "deadline({days}) is longer than the Açık Kapı answer deadline: the workflow engine caps it at {ENGINE_DEADLINE_DAYS} business days"
                ),
            );
        }
        match node {
            ASTNode::Expr(Expr::FnCall(f, _)) if f.name == "route_to" || f.name == "redirect" => {
                let literals: Vec<_> = match f.args.first() {
                    Some(Expr::Coalesce(xs, _)) => xs.iter().filter_map(string_lit).collect(),
                    Some(e) => string_lit(e).into_iter().collect(),
                    None => Vec::new(),
                };
                for (unit, pos) in literals {
                    if !env.unit_exists(unit) {
                        push(
                            Severity::Error,
                            pos,
                            format!("unknown unit {unit:?} in {}(…): not in the province's organisation", f.name),
                        );
                    }
                }
            }
            ASTNode::Expr(e @ Expr::FnCall(..)) => {
                if let Some((field, lit, pos)) = field_comparison(e) {
                    match field {
                        "category" if tax.categories().iter().all(|c| c.code.as_str() != lit) => {
                            push(Severity::Error, pos, format!("unknown category code {lit:?}"));
                        }
                        "heading" if tax.heading_by_str(lit).is_none() => {
                            push(Severity::Error, pos, format!("unknown service heading {lit:?}"));
                        }
                        _ => {}
                    }
                }
            }
            ASTNode::Expr(dot @ Expr::Dot(..)) => {
                if let Some(AppAccess::Property(name, pos)) = app_access(dot)
                    && Field::from_name(name).is_none() {
                        push(Severity::Error, pos, format!("unknown field app.{name}"));
                    }
            }
            ASTNode::Stmt(Stmt::If(fc, pos)) => {
                if let Expr::BoolConstant(value, cpos) = fc.expr {
                    let which = if value { "else" } else { "then" };
                    push(
                        Severity::Warning,
                        if cpos.is_none() { *pos } else { cpos },
                        format!("condition is always {value}: the {which} branch never runs"),
                    );
                }
                if !chained.contains(pos) {
                    // Walk the else-if chain; a repeated `app.F == "X"` test can never be true.
                    let mut seen: HashSet<(String, String)> = HashSet::new();
                    let mut cur = Some((&**fc, *pos));
                    while let Some((c, _)) = cur {
                        if let Expr::FnCall(f, _) = &c.expr
                            && f.name == "=="
                                && let Some((field, lit, lpos)) = field_comparison(&c.expr)
                                    && !seen.insert((field.to_string(), lit.to_string())) {
                                        push(
                                            Severity::Warning,
                                            lpos,
                                            format!("unreachable branch: app.{field} == {lit:?} was already tested earlier in this if/else chain"),
                                        );
                                    }
                        cur = match c.branch.statements() {
                            [Stmt::If(next, npos)] => {
                                chained.insert(*npos);
                                Some((&**next, *npos))
                            }
                            _ => None,
                        };
                    }
                }
            }
            _ => {}
        }
        true
    });
    out.sort_by_key(|f| (f.line, f.column));
    out
}

/// The category codes and headings the script compares `app.category` / `app.heading` with.
pub fn compared_literals(ast: &AST) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut cats = BTreeSet::new();
    let mut heads = BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(e)) = path.last() {
            match field_comparison(e) {
                Some(("category", lit, _)) => {
                    cats.insert(lit.to_string());
                }
                Some(("heading", lit, _)) => {
                    heads.insert(lit.to_string());
                }
                _ => {}
            }
        }
        true
    });
    (cats, heads)
}
