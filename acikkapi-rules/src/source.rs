//! Reading rule scripts and rule-test files from disk, never more than the sandbox accepts.
//!
//! [`RuleSet::compile`](crate::RuleSet::compile) refuses a script longer than
//! [`Limits::max_script_bytes`](crate::Limits::max_script_bytes), but a caller that first reads
//! the whole file would already have held it in memory (a path to `/dev/zero` never ends). These
//! readers stop one byte past the limit.

use std::path::Path;

use acikkapi_core::bounded::{self, read_at_most};

use crate::engine::MAX_SCRIPT_BYTES;
use crate::error::{Error, Result};

/// Largest rule-test file in bytes (8 MiB: the bundled ones are a few KB).
pub const MAX_TEST_FILE_BYTES: usize = 8 << 20;

/// Reads a rule script of at most [`MAX_SCRIPT_BYTES`] as UTF-8 text; a longer one is
/// [`Error::ScriptTooLarge`] after reading one byte more than the limit, an unreadable one
/// [`Error::ReadFile`].
pub fn read_script(path: &Path) -> Result<String> {
    read_script_with_limit(path, MAX_SCRIPT_BYTES)
}

/// [`read_script`] with another limit (a rule set compiled with other [`Limits`](crate::Limits)).
pub fn read_script_with_limit(path: &Path, max: usize) -> Result<String> {
    let name = path.display().to_string();
    match read_bounded(path, max)? {
        Bounded::Text(text) => Ok(text),
        Bounded::TooLarge(bytes) => Err(Error::ScriptTooLarge {
            script: name,
            bytes,
            max,
        }),
    }
}

/// Reads a rule-test (or applications) file of at most [`MAX_TEST_FILE_BYTES`].
pub fn read_test_file(path: &Path) -> Result<String> {
    match read_bounded(path, MAX_TEST_FILE_BYTES)? {
        Bounded::Text(text) => Ok(text),
        Bounded::TooLarge(bytes) => Err(Error::TestFile {
            file: path.display().to_string(),
            message: format!(
                "dosya çok büyük: {bytes} bayttan uzun, en çok {MAX_TEST_FILE_BYTES} bayt kabul edilir"
            ),
        }),
    }
}

enum Bounded {
    Text(String),
    /// At least this many bytes (the file's size where it has one, else what was read).
    TooLarge(usize),
}

fn read_bounded(path: &Path, max: usize) -> Result<Bounded> {
    let io = |message: String| Error::ReadFile {
        file: path.display().to_string(),
        message,
    };
    let mut file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    match read_at_most(&mut file, limit).map_err(|e| io(e.to_string()))? {
        bounded::Bounded::TooLarge => {
            // At least one byte past the limit was read; the file's size says how much more.
            let seen = size.and_then(|s| usize::try_from(s).ok()).unwrap_or(0);
            Ok(Bounded::TooLarge(seen.max(max.saturating_add(1))))
        }
        bounded::Bounded::Whole(bytes) => String::from_utf8(bytes)
            .map(Bounded::Text)
            .map_err(|e| io(format!("UTF-8 metin değil: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!(
            "acikkapi-rules-source-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn a_script_over_the_cap_is_refused_without_reading_it_whole() {
        let p = temp("big.rhai", &vec![b' '; MAX_SCRIPT_BYTES + 10]);
        match read_script(&p) {
            Err(Error::ScriptTooLarge { bytes, max, .. }) => {
                assert_eq!((bytes, max), (MAX_SCRIPT_BYTES + 10, MAX_SCRIPT_BYTES));
            }
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_file(p);
        let p = temp("ok.rhai", b"default()");
        assert_eq!(read_script(&p).unwrap(), "default()");
        let _ = std::fs::remove_file(p);
    }

    /// Issue 12: `/dev/zero` as a script (or a test file) was read until memory ran out.
    #[test]
    fn an_endless_file_ends_at_the_cap() {
        let zero = Path::new("/dev/zero");
        if !zero.exists() {
            return;
        }
        let e = read_script(zero).unwrap_err();
        assert!(
            matches!(e, Error::ScriptTooLarge { bytes, .. } if bytes == MAX_SCRIPT_BYTES + 1),
            "{e}"
        );
        let e = read_test_file(zero).unwrap_err();
        assert!(matches!(e, Error::TestFile { .. }), "{e}");
        assert!(e.to_string().contains("çok büyük"), "{e}");
    }

    #[test]
    fn unreadable_and_non_utf8_files_are_typed_errors() {
        let e = read_script(Path::new("/nonexistent/x.rhai")).unwrap_err();
        assert!(matches!(e, Error::ReadFile { .. }), "{e}");
        let p = temp("latin1.rhai", b"\xff\xfe default()");
        let e = read_script(&p).unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
        let _ = std::fs::remove_file(p);
    }
}
