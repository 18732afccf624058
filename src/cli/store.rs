//! Store locations: the one place where a command's "journal" argument becomes a journal.
//!
//! A location is either a **journal file** (a path, as always) or a **PostgreSQL stream**: a
//! `postgres://…` or `postgresql://…` URL whose `stream` query parameter names the stream
//! (`postgres://acikkapi@127.0.0.1/acikkapi?stream=34`). The `stream` parameter is this tool's,
//! not the driver's: it is taken out of the URL before connecting, every other parameter is left
//! to `tokio-postgres` (which refuses the ones it does not know). A URL without a stream means
//! *every stream of the database* for the commands that check, report or copy.
//!
//! Read-only commands connect without migrating ([`PgLocation::connect_read_only`]) and refuse a
//! database whose schema is not the one this build knows; commands that write
//! ([`PgLocation::connect_for_writing`]) apply the pending migrations first, as a service node
//! does. Passwords never appear in output: a location is shown as
//! `postgres://user@host/db?stream=NAME` ([`PgLocation::shown`]).

use std::path::{Path, PathBuf};

use acikkapi_core::journal::{FileJournal, Journal, Record, Seq};
use acikkapi_postgres::{MigrationState, PgJournal, PgOptions, PgStore};

use super::CliError;

/// Where a journal is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A journal file.
    File(PathBuf),
    /// A PostgreSQL database, and maybe one stream of it.
    Pg(PgLocation),
}

/// A PostgreSQL database URL (without this tool's parameters) and the stream it names, if any.
#[derive(Clone, PartialEq, Eq)]
pub struct PgLocation {
    /// The URL passed to the driver: the given one without the `stream` parameter.
    url: String,
    /// The URL as shown: scheme, user, host, port and database, no password, no parameters.
    base_shown: String,
    /// The `stream` parameter.
    pub stream: Option<String>,
}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: only the shown form.
        f.debug_struct("PgLocation")
            .field("url", &self.base_shown)
            .field("stream", &self.stream)
            .finish()
    }
}

impl Location {
    /// A path argument: a PostgreSQL URL if it starts with `postgres://` or `postgresql://`,
    /// else a file.
    pub fn parse(arg: &Path) -> Result<Location, CliError> {
        match arg.to_str() {
            Some(s) if is_pg_url(s) => PgLocation::parse(s).map(Location::Pg),
            _ => Ok(Location::File(arg.to_path_buf())),
        }
    }
}

/// Whether `s` is a PostgreSQL URL (rather than a file name).
pub fn is_pg_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

impl PgLocation {
    /// Parses `postgres://…[?…stream=NAME…]`; `NAME` may be percent-encoded (`sms%2F20`).
    pub fn parse(url: &str) -> Result<PgLocation, CliError> {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (url, None),
        };
        let mut stream = None;
        let mut kept = Vec::new();
        for param in query.into_iter().flat_map(|q| q.split('&')) {
            if param.is_empty() {
                continue;
            }
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            if key == "stream" {
                if stream.is_some() {
                    return Err(CliError::Usage(
                        "the URL names the stream twice (one `stream=` parameter)".into(),
                    ));
                }
                let name = percent_decode(value)?;
                if name.is_empty() {
                    return Err(CliError::Usage("`stream=` needs a stream name".into()));
                }
                stream = Some(name);
            } else {
                kept.push(param);
            }
        }
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        Ok(PgLocation {
            url,
            base_shown: without_password(base),
            stream,
        })
    }

    /// The URL given to the driver (without this tool's parameters; may hold a password: never
    /// print it, print [`shown`](Self::shown)).
    pub fn driver_url(&self) -> &str {
        &self.url
    }

    /// The location as shown, with `stream` (or the named one) as its parameter.
    pub fn shown(&self, stream: Option<&str>) -> String {
        match stream.or(self.stream.as_deref()) {
            Some(s) => format!("{}?stream={}", self.base_shown, percent_encode(s)),
            None => self.base_shown.clone(),
        }
    }

    /// The same database with `stream` named.
    pub fn with_stream(&self, stream: &str) -> PgLocation {
        PgLocation {
            stream: Some(stream.to_string()),
            ..self.clone()
        }
    }

    /// Connects without changing anything; refuses a database whose schema is not this build's
    /// (never migrated, partly migrated, edited or newer), naming `acikkapi db migrate`.
    pub fn connect_read_only(&self) -> Result<PgStore, CliError> {
        let status = acikkapi_postgres::status(&self.url)?;
        if let Some(s) = status.iter().find(|s| s.state != MigrationState::Applied) {
            let hint = match s.state {
                MigrationState::Pending => " (run `acikkapi db migrate URL` first)",
                _ => " (see `acikkapi db status URL`)",
            };
            return Err(CliError::Usage(format!(
                "{}: the database schema is not this build's: migration {:04} {} is {}{hint}",
                self.base_shown,
                s.version,
                s.name,
                s.state.as_str()
            )));
        }
        let options = PgOptions {
            migrate: false,
            pool_size: 2,
            ..PgOptions::default()
        };
        Ok(PgStore::connect(&self.url, options)?)
    }

    /// Connects and applies the pending migrations (for commands that write).
    pub fn connect_for_writing(&self) -> Result<PgStore, CliError> {
        let options = PgOptions {
            pool_size: 2,
            ..PgOptions::default()
        };
        Ok(PgStore::connect(&self.url, options)?)
    }

    /// The streams this location means: the named one, or every stream of the database.
    pub fn streams(&self, store: &PgStore) -> Result<Vec<String>, CliError> {
        match &self.stream {
            Some(s) => Ok(vec![s.clone()]),
            None => Ok(store.streams()?),
        }
    }
}

/// `scheme://user@host:port/db` of a URL without its query: the password (`user:pw@`) removed.
fn without_password(base: &str) -> String {
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let (scheme, rest) = base.split_at(scheme_end);
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}{user}@{host}{path}")
        }
        None => base.to_string(),
    }
}

fn percent_decode(s: &str) -> Result<String, CliError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        CliError::Usage(format!("bad percent-encoding in stream name {s:?}"))
                    })?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| CliError::Usage(format!("stream name {s:?} is not UTF-8")))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A journal whose records can be read and written with their batch marks (`true`: last record
/// of its batch), so that a copy has the same batches.
pub trait MarkedJournal: Journal {
    /// Up to `limit` records from `from` on, each with its batch mark.
    fn read_marked(&self, from: Seq, limit: usize) -> acikkapi_core::Result<Vec<(Record, bool)>>;

    /// Appends records after position `expected` with the marks given (one per record; the last
    /// is `true`), or fails with a conflict if the journal's last position is not `expected`.
    fn append_marked(
        &self,
        expected: Seq,
        payloads: &[Vec<u8>],
        batch_ends: &[bool],
    ) -> acikkapi_core::Result<()>;
}

impl MarkedJournal for FileJournal {
    fn read_marked(&self, from: Seq, limit: usize) -> acikkapi_core::Result<Vec<(Record, bool)>> {
        self.read_range_marked(from, limit)
    }

    /// One append per batch (a file append is cheap; each writes its batch's mark).
    fn append_marked(
        &self,
        expected: Seq,
        payloads: &[Vec<u8>],
        batch_ends: &[bool],
    ) -> acikkapi_core::Result<()> {
        if payloads.len() != batch_ends.len() || batch_ends.last() == Some(&false) {
            return Err(acikkapi_core::Error::JournalInvalid(
                "every record has a batch mark and the last one ends its batch".into(),
            ));
        }
        let (mut at, mut start) = (expected, 0);
        for (i, end) in batch_ends.iter().enumerate() {
            if *end {
                let seqs = self.append_if(Some(at), &payloads[start..=i])?;
                at = seqs.last().copied().unwrap_or(at);
                start = i + 1;
            }
        }
        Ok(())
    }
}

impl MarkedJournal for PgJournal {
    fn read_marked(&self, from: Seq, limit: usize) -> acikkapi_core::Result<Vec<(Record, bool)>> {
        self.read_range_marked(from, limit)
    }

    /// One statement for all of them.
    fn append_marked(
        &self,
        expected: Seq,
        payloads: &[Vec<u8>],
        batch_ends: &[bool],
    ) -> acikkapi_core::Result<()> {
        self.append_marked_if(expected, payloads, batch_ends)
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_taken_out_and_the_password_never_shown() {
        let loc = PgLocation::parse(
            "postgres://u:hunter2@db.example:5433/acik?sslmode=disable&stream=sms%2F20&application_name=x",
        )
        .unwrap();
        assert_eq!(loc.stream.as_deref(), Some("sms/20"));
        assert_eq!(
            loc.url,
            "postgres://u:hunter2@db.example:5433/acik?sslmode=disable&application_name=x"
        );
        assert_eq!(
            loc.shown(None),
            "postgres://u@db.example:5433/acik?stream=sms%2F20"
        );
        assert!(!format!("{loc:?}").contains("hunter2"));
        let all = PgLocation::parse("postgresql://127.0.0.1/acik").unwrap();
        assert_eq!(all.stream, None);
        assert_eq!(all.shown(None), "postgresql://127.0.0.1/acik");
        assert_eq!(
            all.shown(Some("34")),
            "postgresql://127.0.0.1/acik?stream=34"
        );
    }

    #[test]
    fn bad_stream_parameters_are_usage_errors() {
        for url in [
            "postgres://h/d?stream=",
            "postgres://h/d?stream=%zz",
            "postgres://h/d?stream=a&stream=b",
            "postgres://h/d?stream=%ff",
        ] {
            assert!(
                matches!(PgLocation::parse(url), Err(CliError::Usage(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn paths_and_urls_are_told_apart() {
        assert_eq!(
            Location::parse(Path::new("postgres.journal")).unwrap(),
            Location::File(PathBuf::from("postgres.journal"))
        );
        assert!(matches!(
            Location::parse(Path::new("postgres://h/d?stream=1")).unwrap(),
            Location::Pg(_)
        ));
    }
}
