//! Architecture Invariant: the top-level modules of `acikkapi-core` form layers. A module may use
//! (`crate::<module>`, `super::…` up to the crate root, `$crate::<module>` in macros) only the
//! modules below it in [`LAYERS`]; a dependency on a module above it, or on one that is not in the
//! list, fails this test with the file and line.
//!
//! What is read: every `.rs` file under `acikkapi-core/src`, with comments (doc comments
//! included: an intra-doc link is not a dependency), string and character literals blanked.
//! Test code is left out (tests may use anything): a `#[cfg(test)]` item, an inline or a
//! file module (`#[cfg(test)] mod tests;`, `#[path = …]` honoured) and everything below it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The layers of `acikkapi-core`, lowest first: each module uses only modules before it.
const LAYERS: &[&str] = &[
    "codes",       // plain code values errors carry (plate, taxonomy codes)
    "redact",      // making echoed input safe to show
    "error",       // the one Error, the identifiers' leaf errors, validation problems
    "text",        // Turkish case, collation, search keys, number formatting
    "rng",         // the seeded generator
    "time",        // Türkiye's local time (Europe/Istanbul)
    "bounded",     // bounded reads
    "geo",         // provinces and districts
    "taxonomy",    // headings, categories, institution types
    "ids",         // TCKN, phone, tracking number
    "application", // the application and its parts, the answer's outcome
    "calendar",    // business days, deadlines
    "validate",    // input → application or rejection
    "journal",     // persistence
    "org",         // the organisation graph
    "routing",     // the native router
    "notify",      // notifications, SMS templates, outbox
    "workflow",    // the engine, the application and personnel workflows, the statistics block
    "stats",       // analysts' reports from the histories
    "service",     // the application service every front end uses (access control, routing)
    "sim",         // policy experiments over the real engine
    "samples",     // bundled synthetic inputs
    "fuzzing",     // fuzz target bodies (feature `fuzzing`)
];

/// One use of a top-level module by another.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    /// The file, relative to `src/`.
    file: String,
    /// 1-based line.
    line: usize,
    /// The top-level module the file belongs to.
    from: String,
    /// The top-level module (or root item) it names.
    to: String,
}

/// `src` with comments, string literals and character literals replaced by spaces (newlines
/// kept), so that byte offsets and line numbers stay those of the file.
fn blank(src: &str) -> Vec<u8> {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let clear = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'/' && next == Some(b'/') {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            clear(&mut out, i, end);
            i = end;
        } else if c == b'/' && next == Some(b'*') {
            let (mut j, mut depth) = (i + 2, 1);
            while j < b.len() && depth > 0 {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            clear(&mut out, i, j);
            i = j;
        } else if (c == b'r' || (c == b'b' && next == Some(b'r')))
            && (i == 0 || !ident(b[i - 1]))
            && {
                let k = if c == b'b' { i + 2 } else { i + 1 };
                let hashes = b[k..].iter().take_while(|&&c| c == b'#').count();
                b.get(k + hashes) == Some(&b'"')
            }
        {
            let k = if c == b'b' { i + 2 } else { i + 1 };
            let hashes = b[k..].iter().take_while(|&&c| c == b'#').count();
            let body = k + hashes + 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let end = b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| body + p + close.len());
            clear(&mut out, i, end);
            i = end;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            clear(&mut out, i, j + 1);
            i = j + 1;
        } else if c == b'\'' {
            // A character literal ('a', 'ç', '\n', '\u{1b}', '\'') or a lifetime / label ('a).
            let rest = &src[i + 1..];
            if rest.starts_with('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != b'\'' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                clear(&mut out, i, j + 1);
                i = j + 1;
            } else if let Some(ch) = rest.chars().next()
                && b.get(i + 1 + ch.len_utf8()) == Some(&b'\'')
            {
                let end = i + 2 + ch.len_utf8();
                clear(&mut out, i, end);
                i = end;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The identifier at `i` (after whitespace) and the offset after it.
fn ident_at(b: &[u8], i: usize) -> Option<(String, usize)> {
    let i = skip_ws(b, i);
    let len = b[i..].iter().take_while(|&&c| is_ident(c)).count();
    (len > 0).then(|| {
        (
            String::from_utf8_lossy(&b[i..i + len]).into_owned(),
            i + len,
        )
    })
}

/// The offset just after the bracket that closes the one at `open` (`(`, `[` or `{`).
fn matching(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    b.len()
}

fn line_of(b: &[u8], i: usize) -> usize {
    b[..i].iter().filter(|&&c| c == b'\n').count() + 1
}

/// What a file's test-only code is: byte ranges to leave out, and the child modules declared
/// `#[cfg(test)] mod x;` (as file paths: `#[path]` or the default place).
struct TestCode {
    ranges: Vec<(usize, usize)>,
    child_files: Vec<PathBuf>,
}

fn test_code(file: &Path, src: &str, b: &[u8]) -> TestCode {
    const CFG_TEST: &[u8] = b"#[cfg(test)]";
    let mut tc = TestCode {
        ranges: Vec::new(),
        child_files: Vec::new(),
    };
    let mut from = 0;
    while let Some(p) = b[from..]
        .windows(CFG_TEST.len())
        .position(|w| w == CFG_TEST)
    {
        let start = from + p;
        let mut i = start + CFG_TEST.len();
        let mut path_attr = None;
        // Further attributes.
        loop {
            i = skip_ws(b, i);
            if b.get(i) == Some(&b'#') && b.get(skip_ws(b, i + 1)) == Some(&b'[') {
                let open = skip_ws(b, i + 1);
                let end = matching(b, open);
                let attr = &src[open..end];
                if let Some(rest) = attr.strip_prefix("[path")
                    && let (Some(q1), Some(q2)) = (rest.find('"'), rest.rfind('"'))
                    && q2 > q1
                {
                    path_attr = Some(rest[q1 + 1..q2].to_string());
                }
                i = end;
            } else {
                break;
            }
        }
        // `pub`, `pub(crate)` and the like.
        let mut j = i;
        if let Some((w, after)) = ident_at(b, j)
            && w == "pub"
        {
            j = skip_ws(b, after);
            if b.get(j) == Some(&b'(') {
                j = matching(b, j);
            }
        }
        let end = match ident_at(b, j) {
            Some((w, after)) if w == "mod" => {
                let (name, after_name) = ident_at(b, after).unwrap_or_default();
                let k = skip_ws(b, after_name);
                if b.get(k) == Some(&b';') {
                    tc.child_files
                        .push(child_file(file, &name, path_attr.as_deref()));
                    k + 1
                } else {
                    item_end(b, k)
                }
            }
            _ => item_end(b, j),
        };
        tc.ranges.push((start, end));
        from = end.max(start + 1);
    }
    tc
}

/// The end of the item starting at `i`: after its first `;` or its first `{…}` at depth 0.
fn item_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b';' => return i + 1,
            b'{' => return matching(b, i),
            b'(' | b'[' => i = matching(b, i),
            _ => i += 1,
        }
    }
    b.len()
}

/// Where the child module `name` of `file` is: `#[path]` is relative to the file's directory;
/// otherwise `dir/name.rs` (or `dir/name/mod.rs`) for `lib.rs` and `mod.rs`, `dir/stem/name.rs`
/// for any other file.
fn child_file(file: &Path, name: &str, path_attr: Option<&str>) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new(""));
    if let Some(p) = path_attr {
        return dir.join(p);
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if stem == "lib" || stem == "mod" {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    let flat = base.join(format!("{name}.rs"));
    if flat.exists() {
        flat
    } else {
        base.join(name).join("mod.rs")
    }
}

/// The module path of a file relative to `src/` (`stats/fold.rs` → `["stats", "fold"]`).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_string());
        }
    }
    parts
}

/// The names a path names after `crate::` (or a `super::` chain that reaches the crate root) at
/// `i`: one identifier, or the first identifier of each element of a `{…}` group.
fn names_at(b: &[u8], i: usize) -> Vec<String> {
    let i = skip_ws(b, i);
    if b.get(i) == Some(&b'{') {
        let end = matching(b, i);
        let mut names = Vec::new();
        let mut k = i + 1;
        let mut expect = true;
        while k < end - 1 {
            match b[k] {
                b'{' | b'(' | b'[' => {
                    k = matching(b, k);
                    continue;
                }
                b',' => expect = true,
                c if is_ident(c) && expect => {
                    if let Some((w, after)) = ident_at(b, k) {
                        names.push(w);
                        k = after;
                        expect = false;
                        continue;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        names
    } else {
        ident_at(b, i).map(|(w, _)| w).into_iter().collect()
    }
}

/// Every use of a top-level module in one file's non-test code. `root_items` maps names the
/// crate root re-exports (`Error`) to their module (`error`).
fn uses_in(
    rel: &Path,
    src: &str,
    tops: &BTreeSet<String>,
    root_items: &BTreeMap<String, String>,
) -> Vec<Use> {
    let b = blank(src);
    let tc = test_code(rel, src, &b);
    let in_test = |i: usize| tc.ranges.iter().any(|&(s, e)| (s..e).contains(&i));
    let file_mod = module_path(rel);
    let Some(from) = file_mod.first().cloned() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // The inline modules (`mod x { … }`) open at each point: (name, brace depth inside).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            if inline.last().is_some_and(|&(_, d)| d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        if !is_ident(c) || (i > 0 && is_ident(b[i - 1])) {
            i += 1;
            continue;
        }
        let Some((word, after)) = ident_at(&b, i) else {
            i += 1;
            continue;
        };
        let preceded_by_path = i >= 2 && &b[i - 2..i] == b"::";
        if word == "mod" {
            if let Some((name, after_name)) = ident_at(&b, after) {
                let k = skip_ws(&b, after_name);
                if b.get(k) == Some(&b'{') {
                    inline.push((name, depth + 1));
                }
            }
        } else if (word == "crate" || word == "super") && !preceded_by_path {
            // The module the path starts from, then the names after it.
            let mut here: Vec<String> = file_mod.clone();
            here.extend(inline.iter().map(|(n, _)| n.clone()));
            let mut k = after;
            let mut resolved: Option<Vec<String>> = None;
            if word == "crate" {
                if b[k..].starts_with(b"::") {
                    resolved = Some(Vec::new());
                    k += 2;
                }
            } else {
                let mut target = here.clone();
                let mut w = word.clone();
                let mut kk = after;
                while w == "super" && b[kk..].starts_with(b"::") {
                    target.pop();
                    kk += 2;
                    match ident_at(&b, kk) {
                        Some((next, after_next)) if next == "super" => {
                            w = next;
                            kk = after_next;
                        }
                        _ => {
                            w = String::new();
                        }
                    }
                }
                if w.is_empty() {
                    resolved = Some(target);
                    k = kk;
                }
            }
            if let Some(target) = resolved
                && target.is_empty()
                && !in_test(i)
            {
                for name in names_at(&b, k) {
                    let to = if tops.contains(&name) {
                        Some(name)
                    } else {
                        root_items.get(&name).cloned()
                    };
                    if let Some(to) = to
                        && to != from
                    {
                        out.push(Use {
                            file: rel.display().to_string(),
                            line: line_of(&b, i),
                            from: from.clone(),
                            to,
                        });
                    }
                }
            }
        }
        i = after;
    }
    out
}

/// The top-level modules `lib.rs` declares, and the names it re-exports from them
/// (`pub use error::{Error, Result};` → `Error` and `Result` are `error`'s).
fn lib_modules(lib: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let b = blank(lib);
    let mut mods = BTreeSet::new();
    let mut items = BTreeMap::new();
    let mut i = 0;
    while i < b.len() {
        if !is_ident(b[i]) || (i > 0 && is_ident(b[i - 1])) {
            i += 1;
            continue;
        }
        let Some((word, after)) = ident_at(&b, i) else {
            i += 1;
            continue;
        };
        if word == "mod"
            && let Some((name, after_name)) = ident_at(&b, after)
            && b.get(skip_ws(&b, after_name)) == Some(&b';')
        {
            mods.insert(name);
        } else if word == "use"
            && let Some((module, after_mod)) = ident_at(&b, after)
            && b[after_mod..].starts_with(b"::")
        {
            for name in names_at(&b, after_mod + 2) {
                items.insert(name, module.clone());
            }
        }
        i = after;
    }
    (mods, items)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every use of one top-level module by another in the crate's non-test code under `src`.
fn crate_uses(src: &Path) -> (BTreeSet<String>, Vec<Use>) {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let (tops, root_items) = lib_modules(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    // Test-only files: declared `#[cfg(test)] mod x;`, and everything below them.
    let mut test_files: Vec<PathBuf> = Vec::new();
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|p| {
            let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, s)
        })
        .collect();
    for (p, s) in &sources {
        test_files.extend(test_code(p, s, &blank(s)).child_files);
    }
    // A test module's own children live in its directory (`x.rs` → `x/`, `x/mod.rs` → `x/`).
    let is_test_file = |p: &Path| {
        test_files.iter().any(|t| {
            let dir = if t.file_name().is_some_and(|n| n == "mod.rs") {
                t.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                t.with_extension("")
            };
            p == t || p.starts_with(&dir)
        })
    };
    let mut uses = Vec::new();
    for (p, s) in &sources {
        if is_test_file(p) {
            continue;
        }
        let rel = p.strip_prefix(src).unwrap_or(p);
        if rel == Path::new("lib.rs") {
            continue;
        }
        uses.extend(uses_in(rel, s, &tops, &root_items));
    }
    (tops, uses)
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|&m| m == module)
}

/// The uses that go up (or to a module missing from [`LAYERS`]), as messages.
fn violations(uses: &[Use]) -> Vec<String> {
    let order = LAYERS.join(" < ");
    let mut out = Vec::new();
    for u in uses {
        let ok = matches!((rank(&u.from), rank(&u.to)), (Some(f), Some(t)) if t < f);
        if !ok {
            let mut m = String::new();
            let _ = write!(
                m,
                "acikkapi-core/src/{}:{}: `{}` uses `crate::{}`, but `{}` is not below `{}` in LAYERS ({order}). \
                 Move what is used down (to `{}` or lower), or, if the dependency is right, `{}` below `{}` in \
                 LAYERS and in ARCHITECTURE.md's invariant — without making a cycle.",
                u.file, u.line, u.from, u.to, u.to, u.from, u.from, u.to, u.from
            );
            out.push(m);
        }
    }
    out
}

#[test]
fn every_top_level_module_is_in_one_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (tops, _) = crate_uses(&src);
    let listed: BTreeSet<String> = LAYERS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        listed.len(),
        LAYERS.len(),
        "a module is listed twice in LAYERS"
    );
    let missing: Vec<_> = tops.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&tops).collect();
    assert!(
        missing.is_empty(),
        "top-level modules not in LAYERS (add them at their place): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "LAYERS names modules that lib.rs does not declare: {stale:?}"
    );
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (_, uses) = crate_uses(&src);
    // The scan found the crate's dependencies at all (a scanner that finds nothing passes
    // vacuously): `workflow` uses `journal`, `stats` uses `workflow`.
    for (from, to) in [
        ("workflow", "journal"),
        ("stats", "workflow"),
        ("geo", "error"),
    ] {
        assert!(
            uses.iter().any(|u| u.from == from && u.to == to),
            "the scan did not find `{from}` → `{to}`"
        );
    }
    let bad = violations(&uses);
    assert!(
        bad.is_empty(),
        "{} upward dependencies:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_scanner_reads_paths_not_comments_strings_or_tests() {
    let tops: BTreeSet<String> = ["error", "geo", "stats", "workflow"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let root_items: BTreeMap<String, String> = [("Error".to_string(), "error".to_string())]
        .into_iter()
        .collect();
    let src = r##"//! See [`crate::stats`] (a doc link, not a dependency).
use crate::{
    error::Result,
    geo::{Geography, ProvincePlate},
};
/* block comment: crate::stats */
const S: &str = "crate::stats";
const R: &str = r#"crate::stats"#;
const C: char = '"';
fn f<'a>(x: &'a str) -> crate::Error { let _ = 'x'; todo!() }
mod inner {
    use super::super::super::stats::Report;
    use super::Thing;
}
#[cfg(test)]
mod tests {
    use crate::stats::Anything;
}
#[cfg(test)]
use crate::stats::AlsoTest;
#[cfg(test)]
#[path = "other_tests.rs"]
mod other_tests;
"##;
    let uses = uses_in(Path::new("workflow/x.rs"), src, &tops, &root_items);
    let found: Vec<(usize, &str)> = uses.iter().map(|u| (u.line, u.to.as_str())).collect();
    assert_eq!(
        found,
        vec![(2, "error"), (2, "geo"), (10, "error"), (12, "stats")]
    );
    let tc = test_code(Path::new("src/workflow/x.rs"), src, &blank(src));
    assert_eq!(
        tc.child_files,
        vec![PathBuf::from("src/workflow/other_tests.rs")]
    );
    // A violation names the file and line.
    let v = violations(&uses);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("acikkapi-core/src/workflow/x.rs:12: `workflow` uses `crate::stats`"),
        "{}",
        v[0]
    );
    // `super::` from a top-level file reaches the crate root.
    let uses = uses_in(
        Path::new("geo.rs"),
        "use super::error::Error;",
        &tops,
        &root_items,
    );
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].to, "error");
}
