//! The crate's error type: what can go wrong when compiling, checking or running a rule script.
//!
//! Every error names the script (its file name or the name it was registered under) and, where
//! Rhai knows it, the 1-based line and column, so a province officer can find the problem.

use serde::{Deserialize, Serialize};

/// Which sandbox limit a script hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Too many Rhai operations (an endless or very long loop).
    Operations,
    /// The wall-clock budget of one evaluation ran out.
    Time,
    /// Too deep: function-call recursion or expression nesting.
    Depth,
    /// A string, array or map grew beyond its limit (e.g. a string doubled in a loop).
    Size,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitKind::Operations => "operations",
            LimitKind::Time => "time",
            LimitKind::Depth => "depth",
            LimitKind::Size => "size",
        })
    }
}

/// Everything that can go wrong in `acikkapi-rules`.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Error {
    /// The script does not compile (syntax error, or a parse-time limit such as nesting depth).
    #[error("{script}:{line}:{column}: compile error: {message}")]
    Compile {
        /// Script name.
        script: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What Rhai said.
        message: String,
    },
    /// The script failed while running (type error, unknown function, arithmetic overflow, …).
    #[error("{script}:{line}:{column}: runtime error: {message}")]
    Runtime {
        /// Script name.
        script: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What Rhai said.
        message: String,
    },
    /// The script hit a sandbox limit and was stopped.
    #[error("{script}:{line}:{column}: {which} limit exceeded: {message}")]
    Limit {
        /// Script name.
        script: String,
        /// Which limit.
        which: LimitKind,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// Details (the limit's value).
        message: String,
    },
    /// The script is longer than the sandbox accepts ([`Limits::max_script_bytes`]); it was not
    /// parsed.
    ///
    /// [`Limits::max_script_bytes`]: crate::Limits::max_script_bytes
    #[error("{script}: script too large: {bytes} bytes, at most {max} are accepted")]
    ScriptTooLarge {
        /// Script name.
        script: String,
        /// Its size in bytes.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The script ran but returned something that is not a routing outcome, or an outcome with a
    /// bad field (unknown unit, unknown priority).
    #[error("{script}: bad outcome: {message}")]
    BadOutcome {
        /// Script name.
        script: String,
        /// What is wrong with it.
        message: String,
    },
    /// A rule-test file or an application file could not be read.
    #[error("{file}: {message}")]
    TestFile {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A script or another input file could not be read (missing, unreadable, not UTF-8).
    #[error("{file}: okunamadı: {message}")]
    ReadFile {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// No embedded rule script for this province.
    #[error("no embedded rule script for province {0:02}")]
    NoEmbeddedScript(u8),
    /// The native router of `acikkapi-core` failed (and no script decision could replace it).
    #[error("native router: {0}")]
    Native(String),
}

impl Error {
    /// The name of the script the error is about, when there is one.
    pub fn script(&self) -> Option<&str> {
        match self {
            Error::Compile { script, .. }
            | Error::Runtime { script, .. }
            | Error::Limit { script, .. }
            | Error::ScriptTooLarge { script, .. }
            | Error::BadOutcome { script, .. } => Some(script),
            _ => None,
        }
    }

    /// The limit hit, for [`Error::Limit`].
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            Error::Limit { which, .. } => Some(*which),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
