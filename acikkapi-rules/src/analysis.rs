//! What can be learnt from a script without running it, by walking its (unoptimised) AST:
//! which `app` fields it reads (for the decision cache), its branches (for rule-test coverage) and
//! lint findings (unknown units, categories, fields; unreachable branches).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

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

/// How to tell from the positions visited in one evaluation whether a branch ran. The sets are
/// shared (`Arc`): a switch's empty arms and its implicit default all refer to one set of the
/// positions of its other arms, so the branches of a script take memory linear in its size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Cover {
    /// Never ran.
    #[default]
    Never,
    /// Ran when any of these positions was visited.
    Any(Arc<HashSet<Position>>),
    /// Ran when `stmt` was visited and none of `others` (the explicit branches).
    Implicit {
        stmt: Position,
        others: Arc<HashSet<Position>>,
    },
}

/// Whether any position of a shared set was visited, each set looked at once per evaluation.
pub(crate) struct RanCache<'v> {
    visited: &'v HashSet<Position>,
    seen: HashMap<*const HashSet<Position>, bool>,
}

impl<'v> RanCache<'v> {
    pub(crate) fn new(visited: &'v HashSet<Position>) -> Self {
        RanCache {
            visited,
            seen: HashMap::new(),
        }
    }

    fn any(&mut self, set: &Arc<HashSet<Position>>) -> bool {
        let visited = self.visited;
        *self
            .seen
            .entry(Arc::as_ptr(set))
            .or_insert_with(|| set.iter().any(|p| visited.contains(p)))
    }
}

impl Branch {
    /// Whether the branch ran in an evaluation (the visited positions are in `cache`, with the
    /// answers for shared sets).
    pub(crate) fn ran_in(&self, cache: &mut RanCache<'_>) -> bool {
        match &self.cover {
            Cover::Never => false,
            Cover::Any(ps) => cache.any(ps),
            Cover::Implicit { stmt, others } => cache.visited.contains(stmt) && !cache.any(others),
        }
    }
}

/// Whether the debugger hook reports a node (Rhai skips block expressions and expression
/// statements, reporting what is inside them).
fn visitable(n: &ASTNode) -> bool {
    !matches!(
        n,
        ASTNode::Expr(Expr::Stmt(..)) | ASTNode::Stmt(Stmt::Expr(..))
    ) && !n.position().is_none()
}

fn lc(p: Position) -> (usize, usize) {
    (p.line().unwrap_or(0), p.position().unwrap_or(0))
}

/// The lines of a script, split once: a branch label looks its line up in constant time.
struct Lines<'s>(Vec<&'s str>);

impl<'s> Lines<'s> {
    fn new(source: &'s str) -> Self {
        Lines(source.lines().collect())
    }

    /// Line `line` (1-based), trimmed and cut at 70 characters.
    fn get(&self, line: usize) -> String {
        let text = line
            .checked_sub(1)
            .and_then(|i| self.0.get(i))
            .map_or("", |l| l.trim());
        let short: String = text.chars().take(70).collect();
        if short.len() < text.len() {
            format!("{short}…")
        } else {
            short
        }
    }
}

/// An `if` or `switch` met while walking, with the regions (sets of positions) of its branches.
enum Fork {
    If {
        pos: Position,
        then_first: Option<Position>,
        else_first: Option<Position>,
        then_region: usize,
        else_region: usize,
    },
    Switch {
        pos: Position,
        /// `(start position of the arm's body, region, is the default arm)`, in arm order.
        arms: Vec<(Position, usize, bool)>,
    },
}

/// Every `if`/`switch` branch of the script (including those in functions), in source order.
///
/// One walk of the AST puts each visitable node's position into the region of the innermost
/// branch that holds it (a nested `if` and its condition belong to the enclosing branch, its
/// bodies to their own), so the work and the sets are linear in the script's size; a branch ran
/// when a position of its region was visited — the region holds the statements of the branch
/// itself, at least one of which runs whenever the branch does.
pub fn branches(ast: &AST, source: &str) -> Vec<Branch> {
    let lines = Lines::new(source);
    let mut regions: Vec<HashSet<Position>> = Vec::new();
    let mut forks: Vec<Fork> = Vec::new();
    // Region of the statements of an `if` (by the `if` statement's address): then, else.
    let mut if_regions: HashMap<usize, (usize, usize)> = HashMap::new();
    // Region of a switch arm's body (by the body expression's address).
    let mut arm_regions: HashMap<usize, usize> = HashMap::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else { return true };
        match node {
            ASTNode::Stmt(stmt @ Stmt::If(fc, pos)) => {
                let (t, e) = (regions.len(), regions.len() + 1);
                regions.extend([HashSet::new(), HashSet::new()]);
                if_regions.insert(std::ptr::from_ref(*stmt) as usize, (t, e));
                forks.push(Fork::If {
                    pos: *pos,
                    then_first: fc.body.statements().first().map(Stmt::position),
                    else_first: fc.branch.statements().first().map(Stmt::position),
                    then_region: t,
                    else_region: e,
                });
            }
            ASTNode::Stmt(Stmt::Switch(x, pos)) => {
                let cases = &x.1;
                let arms = cases
                    .expressions
                    .iter()
                    .enumerate()
                    .map(|(i, arm)| {
                        let region = regions.len();
                        regions.push(HashSet::new());
                        arm_regions.insert(std::ptr::from_ref(&arm.rhs) as usize, region);
                        (arm.rhs.start_position(), region, cases.def_case == Some(i))
                    })
                    .collect();
                forks.push(Fork::Switch { pos: *pos, arms });
            }
            _ => {}
        }
        if visitable(node)
            && let Some(region) = innermost_region(path, &if_regions, &arm_regions)
            && let Some(set) = regions.get_mut(region)
        {
            set.insert(node.position());
        }
        true
    });
    let regions: Vec<Arc<HashSet<Position>>> = regions.into_iter().map(Arc::new).collect();
    let region = |i: usize| regions.get(i).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for fork in forks {
        match fork {
            Fork::If {
                pos,
                then_first,
                else_first,
                then_region,
                else_region,
            } => {
                let (line, column) = lc(pos);
                let head = lines.get(line);
                let (then_ps, else_ps) = (region(then_region), region(else_region));
                let (tl, tc) = lc(then_first.unwrap_or(pos));
                out.push(Branch {
                    line: tl,
                    column: tc,
                    label: format!("{head} [then]"),
                    cover: if then_ps.is_empty() {
                        Cover::Implicit {
                            stmt: pos,
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
                            stmt: pos,
                            others: then_ps,
                        },
                    });
                } else {
                    let (el, ec) = lc(else_first.unwrap_or(pos));
                    out.push(Branch {
                        line: el,
                        column: ec,
                        label: format!("{head} [else]"),
                        cover: Cover::Any(else_ps),
                    });
                }
            }
            Fork::Switch { pos, arms } => {
                let (line, column) = lc(pos);
                let all: Arc<HashSet<Position>> = Arc::new(
                    arms.iter()
                        .flat_map(|(_, r, _)| region(*r).iter().copied().collect::<Vec<_>>())
                        .collect(),
                );
                let mut has_default = false;
                for (start, r, is_default) in arms {
                    has_default |= is_default;
                    let (al, ac) = lc(start);
                    let label = if is_default {
                        "switch default _".to_string()
                    } else {
                        format!("switch arm: {}", lines.get(al))
                    };
                    let ps = region(r);
                    // An empty arm (`_ => {}`) has nothing to visit: it ran when the switch ran
                    // and no other arm did.
                    let cover = if ps.is_empty() {
                        Cover::Implicit {
                            stmt: pos,
                            others: all.clone(),
                        }
                    } else {
                        Cover::Any(ps)
                    };
                    out.push(Branch {
                        line: al,
                        column: ac,
                        label,
                        cover,
                    });
                }
                if !has_default {
                    out.push(Branch {
                        line,
                        column,
                        label: format!("{} [default (implicit)]", lines.get(line)),
                        cover: Cover::Implicit {
                            stmt: pos,
                            others: all,
                        },
                    });
                }
            }
        }
    }
    out.sort_by_key(|b| (b.line, b.column));
    out
}

/// The region of the innermost branch holding the last node of `path`: the nearest `if` whose
/// body or else block, or `switch` whose arm body, is on the path. Nodes outside every branch (and
/// conditions) of the script's top level: `None`.
fn innermost_region(
    path: &[ASTNode],
    if_regions: &HashMap<usize, (usize, usize)>,
    arm_regions: &HashMap<usize, usize>,
) -> Option<usize> {
    path.windows(2).rev().find_map(|w| match (&w[0], &w[1]) {
        (ASTNode::Stmt(parent @ Stmt::If(fc, _)), ASTNode::Stmt(child)) => {
            let (t, e) = if_regions.get(&(std::ptr::from_ref(*parent) as usize))?;
            let within =
                |stmts: &[Stmt]| stmts.as_ptr_range().contains(&std::ptr::from_ref(*child));
            if within(fc.body.statements()) {
                Some(*t)
            } else if within(fc.branch.statements()) {
                Some(*e)
            } else {
                None
            }
        }
        (ASTNode::Stmt(Stmt::Switch(..)), ASTNode::Expr(child)) => arm_regions
            .get(&(std::ptr::from_ref(*child) as usize))
            .copied(),
        _ => None,
    })
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
    let categories: HashSet<&str> = tax.categories().iter().map(|c| c.code.as_str()).collect();
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
                        "category" if !categories.contains(lit) => {
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
