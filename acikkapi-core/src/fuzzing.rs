//! Bodies of the fuzz targets in `fuzz/fuzz_targets/` (one `pub fn` per target, taking arbitrary
//! bytes). They live here, not in the fuzz crate, so that a plain `cargo test` on stable replays the
//! checked-in corpus and every regression (`tests/fuzz_corpus.rs`), and so that a fuzz target is a
//! one-line call. Each body must return normally on every input: a panic is a finding. Besides "no
//! panic" the bodies assert a few cheap properties (round trips, masking); see each function.
//!
//! Not part of the public API: hidden from the documentation, may change without notice.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::application::{Application, ApplicationInput};
use crate::geo::{self, Geography};
use crate::ids::{Full, PhoneNumber, Tckn, TrackingNumber};
use crate::journal::{FileJournal, FileJournalOptions, Journal, JournalIter, Recovery, Seq};
use crate::org::Organisation;
use crate::routing::{RouteRequest, Router};
use crate::taxonomy::Taxonomy;
use crate::validate::{Rejection, validate_at};
use crate::{Error, text};

/// Replays the checked-in inputs of a target through its body, for the crates' `cargo test`:
/// every file of `<fuzz_dir>/corpus/<target>/` and `<fuzz_dir>/regressions/<target>/`, in name
/// order. Panics (failing the test) when there is no input at all or when the body panics on
/// one, naming the file.
pub fn replay(fuzz_dir: &std::path::Path, target: &str, body: fn(&[u8])) {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no corpus for {target} in {}",
        fuzz_dir.display()
    );
    for path in files {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{target}: {} panics", path.display());
    }
}

/// The fixed "now" of the application target (validation must be deterministic for replay).
fn fixed_now() -> chrono::DateTime<chrono_tz::Tz> {
    let noon = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).and_then(|d| d.and_hms_opt(12, 0, 0));
    noon.map_or_else(
        || crate::time::to_local(chrono::Utc::now()),
        crate::time::from_local,
    )
}

/// Example values quoted by the rejection messages.
const TEMPLATES: [&str; 2] = ["2026-11-23T10:30:00+03:00", "23.11.2026 10:30"];

/// `raw` is a personal identifier given once in `input`; it must not appear in `output`.
fn assert_not_leaked(raw: Option<&str>, input: &str, output: &str, what: &str) {
    let Some(raw) = raw.map(str::trim) else {
        return;
    };
    // Short inputs are masked to all stars; inputs repeated elsewhere (a subject quoting the
    // number) may legitimately reappear.
    // Only identifier-like values (6 digits or more) count: a short or wordy value can be a
    // substring of a field name or of a message template ("r_maiden_initials" was one).
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if digits < 6 || input.matches(raw).count() != 1 || TEMPLATES.iter().any(|t| t.contains(raw)) {
        return;
    }
    assert!(
        !output.contains(raw),
        "{what} leaked unmasked into {output:?}"
    );
}

/// Application JSON: `serde_json` → [`ApplicationInput`] → [`validate_at`] (fixed now). A valid
/// application survives a full-form JSON round trip and routes (or fails with a typed error); its
/// default serialization masks the TCKN and phone; a rejection never echoes them unmasked. The
/// same text through [`validate_json_at`](crate::validate::validate_json_at) (what the CLI and
/// the bindings call) gives a rejection with no control or invisible character but line breaks
/// and no run of 9 digits or more of the input.
pub fn application_json(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(r) = crate::validate::validate_json_at(
            text,
            Geography::embedded(),
            Taxonomy::embedded(),
            fixed_now(),
        )
    {
        let out = r.to_string();
        assert!(
            !out.chars()
                .any(|c| c != '\n' && crate::redact::is_invisible(c)),
            "raw control character in {out:?}"
        );
        for run in text.split(|c: char| !c.is_ascii_digit()) {
            assert!(
                run.len() < 9 || !out.contains(run) || TEMPLATES.iter().any(|t| t.contains(run)),
                "{run} echoed in {out:?}"
            );
        }
    }
    let input: ApplicationInput = match serde_json::from_slice(data) {
        Ok(i) => i,
        Err(e) => {
            // What the CLI prints for unreadable input: no identifier-like number (9 digits or
            // more, a TCKN or a phone number sent as a JSON number) is echoed.
            let r = Rejection::from_json_error(e);
            let out = format!("{r}");
            let text = String::from_utf8_lossy(data);
            for run in text.split(|c: char| !c.is_ascii_digit()) {
                assert!(
                    run.len() < 9 || !out.contains(run),
                    "{run} echoed in {out:?}"
                );
            }
            return;
        }
    };
    let text = String::from_utf8_lossy(data);
    let _ = format!("{input:?}");
    let masked = serde_json::to_string(&input).unwrap_or_default();
    assert_not_leaked(input.tckn.as_deref(), &text, &masked, "tckn (input)");
    assert_not_leaked(input.phone.as_deref(), &text, &masked, "phone (input)");
    match validate_at(
        &input,
        Geography::embedded(),
        Taxonomy::embedded(),
        fixed_now(),
    ) {
        Ok(app) => check_application(&app, &input, &text),
        Err(rejection) => {
            assert!(!rejection.problems.is_empty(), "empty rejection");
            let out = format!(
                "{rejection}\n{}",
                serde_json::to_string(&rejection).unwrap_or_default()
            );
            assert_not_leaked(input.tckn.as_deref(), &text, &out, "tckn (rejection)");
            assert_not_leaked(input.phone.as_deref(), &text, &out, "phone (rejection)");
        }
    }
}

fn check_application(app: &Application, input: &ApplicationInput, text: &str) {
    let full = serde_json::to_string(&Full(app)).unwrap_or_default();
    match serde_json::from_str::<Application>(&full) {
        Ok(back) => assert_eq!(&back, app, "full-form round trip"),
        Err(e) => panic!("full-form round trip: {e}: {full}"),
    }
    let masked = serde_json::to_string(app).unwrap_or_default();
    let tckn = Some(app.applicant.id.expose());
    let phone = Some(app.applicant.phone.expose());
    assert_not_leaked(tckn, text, &masked, "tckn (application)");
    assert_not_leaked(phone, text, &masked, "phone (application)");
    let _ = (app.deidentified_applicant(), input);
    let req = RouteRequest::from(app);
    if let Ok(router) = Router::shared(req.province) {
        let _ = router.route(&req);
    }
}

/// Identifier parsers: each line is tried as a TCKN, a phone number and a tracking number. A
/// parsed value reparses from its full form to itself, and its masked form hides the digits.
pub fn ids(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for s in std::iter::once(text.as_ref()).chain(text.lines()) {
        if let Ok(t) = Tckn::parse(s) {
            assert_eq!(Tckn::parse(t.expose()).ok(), Some(t), "tckn reparse");
            assert!(!t.masked().contains(t.expose()));
            assert!(!format!("{t:?}").contains(t.expose()));
        }
        if let Ok(p) = PhoneNumber::parse(s) {
            assert_eq!(
                PhoneNumber::parse(p.expose()).ok(),
                Some(p),
                "phone reparse"
            );
            assert_eq!(PhoneNumber::parse(p.national()).ok(), Some(p), "national");
            assert!(!p.masked().contains(p.national()));
            assert!(!format!("{p:?}").contains(p.national()));
        }
        if let Ok(n) = TrackingNumber::parse(s) {
            assert_eq!(n.to_string().parse::<TrackingNumber>().ok(), Some(n));
            assert_eq!(
                TrackingNumber::new(n.plate(), n.year(), n.sequence()).ok(),
                Some(n)
            );
        }
        let _ = crate::ids::mask_input(s);
    }
}

/// Taxonomy TOML: an error or a taxonomy whose suggestions work on the same text.
pub fn taxonomy_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(tax) = Taxonomy::from_toml(text)
    {
        let _ = tax.suggest_categories(text);
    }
}

/// Organisation TOML ([`Organisation::from_toml`]): an error (every problem listed) or an
/// organisation whose coverage report and router build, and which routes one request per
/// district it names without a panic.
pub fn org_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Organisation::from_toml(text, "fuzz.toml") {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(org) => {
            let tax = Taxonomy::embedded();
            let report = org.coverage(tax);
            let _ = report.to_csv();
            let plate = org.plate();
            let router = Router::from_org(org);
            let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
            let districts = Geography::embedded().districts(plate);
            for (i, cat) in tax.categories().iter().enumerate().step_by(37) {
                let district = districts
                    .get(i % districts.len().max(1))
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                let req = RouteRequest::new(cat.code.clone(), plate, &district, date);
                let _ = router.route(&req);
            }
        }
    }
}

static JOURNAL_FILES: AtomicU64 = AtomicU64::new(0);

/// A temporary file removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("journal.snapshot"));
    }
}

/// Journal recovery on arbitrary bytes: the bytes are a journal file; `verify`, a strict open and
/// a salvaging open each end with a report or a typed error. After a successful writable open the
/// file verifies clean with the same records, every record reads back, and an append works.
pub fn journal_recovery(data: &[u8]) {
    let n = JOURNAL_FILES.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir();
    let tmp = TempFile(dir.join(format!("acikkapi-fuzz-{}-{n}.journal", std::process::id())));
    let _ = std::fs::remove_file(tmp.0.with_extension("journal.snapshot"));
    if std::fs::write(&tmp.0, data).is_err() {
        return;
    }
    let verified = FileJournal::verify(&tmp.0);
    for recovery in [Recovery::Strict, Recovery::Salvage] {
        if std::fs::write(&tmp.0, data).is_err() {
            return;
        }
        let options = FileJournalOptions {
            recovery,
            ..FileJournalOptions::default()
        };
        let journal = match FileJournal::open(&tmp.0, options) {
            Ok(j) => j,
            Err(e) => {
                // Not a journal (wrong magic or version): refused whatever the recovery mode.
                // Damage in the middle: refused only by a strict open.
                match e {
                    Error::JournalFormat { .. } | Error::JournalIo { .. } => {}
                    Error::JournalCorrupt { .. } => {
                        assert_eq!(recovery, Recovery::Strict, "salvage must open: {e}")
                    }
                    e => panic!("{recovery:?}: unexpected error {e:?}"),
                }
                continue;
            }
        };
        let report = journal.recovery().clone();
        // A strict open cuts only a torn write, never damage (a record that may have been
        // acknowledged).
        if let (Recovery::Strict, Some(t)) = (recovery, &report.torn_tail) {
            assert!(!t.salvaged, "strict open cut damage: {t:?}");
        }
        if let Ok(v) = &verified {
            assert_eq!(v.records, report.records, "verify and open disagree");
        }
        let records: Vec<_> = JournalIter::new(&journal, Seq(1)).collect();
        assert_eq!(records.len() as u64, report.records);
        assert!(records.iter().all(Result::is_ok));
        assert_eq!(journal.last_seq(), report.last_seq);
        let appended = journal.append(&[b"fuzz".to_vec()]);
        assert_eq!(appended.ok(), Some(vec![report.last_seq.next()]));
        drop(journal);
        let again = FileJournal::verify(&tmp.0);
        match again {
            Ok(r) => {
                assert!(r.is_clean(), "{recovery:?}: not clean after open: {r:?}");
                assert_eq!(r.records, report.records + 1);
            }
            Err(e) => panic!("{recovery:?}: verify after open: {e}"),
        }
    }
}

/// Turkish text functions and geography lookups (the former `text_and_geo` target): the search
/// key is idempotent and has no upper-case or Turkish-specific letters.
pub fn text_and_geo(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let key = text::search_key(s);
    assert!(!key.contains(['ç', 'ğ', 'ı', 'ö', 'ş', 'ü', 'I', 'İ']));
    assert_eq!(text::search_key(&key), key);
    let _ = text::to_title_tr(s);
    let _ = text::collation_key(s);
    let g = Geography::embedded();
    if let Some(p) = g.find_province(s) {
        let _ = g.district(p.plate, s);
    }
    let _ = s.parse::<geo::ProvincePlate>();
}
