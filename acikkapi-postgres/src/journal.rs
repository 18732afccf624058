//! [`PgJournal`]: the core's [`Journal`] on one stream of the `journal_records` table.
//!
//! # Positions, conflicts and readers
//!
//! A record's position is its sequence number: 1, 2, 3, … per stream, without gaps. A conditional
//! append expecting last position `e` is one `INSERT … SELECT` (one transaction) of positions
//! `e+1 …` that inserts nothing unless record `e` exists (or `e = 0`); if record `e+1` exists, or
//! another transaction is inserting it, the primary key `(stream, position)` makes the insert
//! fail. Either way the append is [`Error::ConcurrencyConflict`] and nothing is written: the
//! database, not this process, decides who wins a position, so several nodes can write one stream.
//! An unconditional append takes a per-stream transaction-level advisory lock (so unconditional
//! writers queue instead of retrying each other), reads the last position and inserts after it,
//! and retries if a conditional writer took that position meanwhile. Concurrent unconditional
//! appends through one handle share that transaction and its commit
//! ([group commit](crate::group_commit)): share one handle between threads rather than making
//! one per thread when many threads append to one stream.
//!
//! Because record `p + 1` can only be inserted once record `p` is committed and visible, records
//! become visible in position order: a reader that has read up to `p` never misses a record
//! committed later below `p` (there is none), so "the last position read" is a safe cursor.
//!
//! # `last_seq`
//!
//! [`Journal::last_seq`] cannot fail, so it asks the database (an index-only lookup of the
//! highest position) and falls back to the highest position this handle has seen (appended or
//! read) when the database cannot answer. A stale value is harmless: it can only make a
//! conditional append conflict, never write at a wrong position.
//!
//! # Snapshots
//!
//! `journal_snapshots` keeps one latest snapshot per stream with the position it covers and the
//! running digest of records `1..=position` (CRC-32 continued over each record's CRC, as in the
//! file journal, but over this table's CRCs). [`Journal::read_snapshot`] recomputes the digest and
//! refuses a snapshot that does not match the records ([`Error::SnapshotMismatch`]), e.g. one
//! restored from another database or left from records that were replaced. The digest of a
//! prefix is cached per handle, so each check reads only the records added since the last one.

use std::sync::atomic::{AtomicU64, Ordering};

use acikkapi_core::journal::format::{MAX_PAYLOAD, digest_step};
use acikkapi_core::journal::{Journal, Record, Seq, Snapshot};
use acikkapi_core::{Error, Result};
use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;

use crate::group_commit::{GroupCommit, GroupCommitStats};
use crate::{PgStore, bounded, db_error, fatal};
use std::sync::{Arc, Mutex};

/// Longest stream name, in characters (as the table's CHECK constraint).
pub const MAX_STREAM_LEN: usize = 200;

/// Unconditional appends retry at most this often when conditional writers keep taking the
/// position (each retry means another writer made progress).
const UNCONDITIONAL_RETRIES: usize = 10_000;

/// Rows per query when computing a digest.
const DIGEST_PAGE: i64 = 100_000;

/// The journal of one stream; see the [module documentation](self). Cheap to make from a
/// [`PgStore`]; share it between threads (it is `Sync`) or make one per thread.
#[derive(Debug)]
pub struct PgJournal {
    store: PgStore,
    stream: String,
    /// Highest position this handle has seen.
    seen: AtomicU64,
    /// Running digest of records `1..=.0`.
    digest: Mutex<(u64, u32)>,
    /// Unconditional appends waiting for, or in, the next shared commit.
    group: Arc<GroupCommit>,
    /// The page after the last full page read, being fetched ([`read_range`](Journal::read_range)
    /// reads ahead).
    ahead: Mutex<Option<ReadAhead>>,
}

/// A page fetched in the background: `limit` records from `from`.
#[derive(Debug)]
struct ReadAhead {
    from: u64,
    limit: i64,
    page: tokio::task::JoinHandle<Result<Vec<(Record, bool)>>>,
}

impl Drop for PgJournal {
    fn drop(&mut self) {
        if let Some(ahead) = self
            .ahead
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            ahead.page.abort();
        }
    }
}

const READ: &str = "SELECT position, payload, crc, batch_end FROM journal_records
     WHERE stream = $1 AND position >= $2 ORDER BY position LIMIT $3";

/// Up to `limit` records of `stream` from `from` on, checked (gapless from `from`, CRCs), each
/// with its batch mark.
async fn fetch(
    pool: &deadpool_postgres::Pool,
    stream: &str,
    from: u64,
    limit: i64,
) -> Result<Vec<(Record, bool)>> {
    let corrupt = |offset: u64, reason: String| Error::JournalCorrupt {
        path: location(stream),
        offset,
        reason,
    };
    let client = pool.get().await.map_err(|e| crate::pool_error(&e))?;
    let stmt = client
        .prepare_cached(READ)
        .await
        .map_err(|e| db_error("reading", &e))?;
    let rows = client
        .query(&stmt, &[&stream, &position(from)?, &limit])
        .await
        .map_err(|e| db_error("reading", &e))?;
    drop(client);
    let mut out = Vec::with_capacity(rows.len());
    for (want, row) in (from..).zip(rows) {
        let get = |e: tokio_postgres::Error| db_error("reading a record", &e);
        let pos: i64 = row.try_get(0).map_err(get)?;
        let payload: &[u8] = row.try_get(1).map_err(get)?;
        let crc: i32 = row.try_get(2).map_err(get)?;
        let batch_end: bool = row.try_get(3).map_err(get)?;
        let pos = pos as u64;
        if pos != want {
            return Err(corrupt(
                want,
                format!("record {want} is missing (next is {pos})"),
            ));
        }
        if as_u32(crc) != record_crc(pos, payload) {
            return Err(corrupt(pos, "record CRC mismatch".into()));
        }
        let record = Record {
            seq: Seq(pos),
            payload: payload.to_vec(),
        };
        out.push((record, batch_end));
    }
    Ok(out)
}

/// Where a stream is, for error messages (no credentials).
fn location(stream: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("postgres:journal_records/{stream}"))
}

/// CRC-32 of a record: its position (8 bytes LE), then its payload; stored as a signed int4.
pub fn record_crc(position: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&position.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// The tokio-postgres client inside a pooled one.
fn pg(client: &deadpool_postgres::Client) -> &tokio_postgres::Client {
    client
}

fn as_i32(crc: u32) -> i32 {
    i32::from_ne_bytes(crc.to_ne_bytes())
}

fn as_u32(crc: i32) -> u32 {
    u32::from_ne_bytes(crc.to_ne_bytes())
}

fn position(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::JournalInvalid(format!("position {seq} out of range")))
}

fn check_batch(payloads: &[Vec<u8>]) -> Result<()> {
    if let Some(p) = payloads.iter().find(|p| p.len() > MAX_PAYLOAD) {
        return Err(Error::JournalInvalid(format!(
            "payload of {} bytes exceeds the maximum of {MAX_PAYLOAD} bytes",
            p.len()
        )));
    }
    Ok(())
}

const INSERT: &str = "INSERT INTO journal_records (stream, position, payload, crc, batch_end)
     SELECT $1, $2 + o.i, o.p, o.c, o.e
     FROM unnest($3::bytea[], $4::int4[], $5::bool[]) WITH ORDINALITY AS o(p, c, e, i)
     WHERE $2 = 0 OR EXISTS (SELECT 1 FROM journal_records WHERE stream = $1 AND position = $2)";

const LAST: &str = "SELECT coalesce(max(position), 0) FROM journal_records WHERE stream = $1";

impl PgJournal {
    pub(crate) fn open(store: PgStore, stream: &str) -> Result<PgJournal> {
        if stream.is_empty() || stream.chars().count() > MAX_STREAM_LEN || stream.contains('\0') {
            return Err(Error::JournalInvalid(format!(
                "a stream name has 1 to {MAX_STREAM_LEN} characters and no NUL"
            )));
        }
        let group = Arc::new(GroupCommit::new(
            store.pool().clone(),
            stream.to_string(),
            store.op_timeout(),
        ));
        Ok(PgJournal {
            store,
            stream: stream.to_string(),
            seen: AtomicU64::new(0),
            digest: Mutex::new((0, 0)),
            group,
            ahead: Mutex::new(None),
        })
    }

    /// The stream (partition) this journal writes.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// Counters of this handle's group commit of unconditional appends.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        self.group.stats()
    }

    /// Where this journal is, for error messages (no credentials).
    fn location(&self) -> std::path::PathBuf {
        location(&self.stream)
    }

    fn saw(&self, seq: u64) {
        self.seen.fetch_max(seq, Ordering::Relaxed);
    }

    /// The last committed position, from the database.
    pub async fn last_seq_async(&self) -> Result<Seq> {
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let last = query_last(&client, &self.stream).await?;
            self.saw(last);
            Ok(Seq(last))
        })
        .await
    }

    /// [`Journal::append_if`], async.
    pub async fn append_if_async(
        &self,
        expected: Option<Seq>,
        payloads: &[Vec<u8>],
    ) -> Result<Vec<Seq>> {
        check_batch(payloads)?;
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        let seqs = match expected {
            Some(e) => {
                bounded(self.store.op_timeout(), async {
                    let client = self.store.client().await?;
                    self.insert_at(&client, e.0, payloads, None).await
                })
                .await?
            }
            // Bounded by the flush it waits behind and its own.
            None => {
                bounded(
                    self.store.op_timeout() * 2,
                    self.group
                        .append(payloads.to_vec(), |f| self.store.spawn(f)),
                )
                .await?
            }
        };
        if let Some(last) = seqs.last() {
            self.saw(last.0);
        }
        Ok(seqs)
    }

    /// Appends records with the batch marks given, after position `expected`, in one statement
    /// (one transaction): several batches at once, for copying a journal page by page rather than
    /// one round trip per batch. `batch_ends[i]` is record `i`'s mark and the last one must be
    /// `true` (a stream never ends inside a batch). Conflicts as [`Journal::append_if`] with
    /// `Some(expected)`: [`Error::ConcurrencyConflict`] and nothing written.
    pub fn append_marked_if(
        &self,
        expected: Seq,
        payloads: &[Vec<u8>],
        batch_ends: &[bool],
    ) -> Result<Vec<Seq>> {
        self.store
            .block_on(self.append_marked_if_async(expected, payloads, batch_ends))
    }

    /// [`append_marked_if`](Self::append_marked_if), async.
    pub async fn append_marked_if_async(
        &self,
        expected: Seq,
        payloads: &[Vec<u8>],
        batch_ends: &[bool],
    ) -> Result<Vec<Seq>> {
        if payloads.len() != batch_ends.len() {
            return Err(Error::JournalInvalid(format!(
                "{} records but {} batch marks",
                payloads.len(),
                batch_ends.len()
            )));
        }
        if batch_ends.last() == Some(&false) {
            return Err(Error::JournalInvalid(
                "the last record appended must end its batch".into(),
            ));
        }
        check_batch(payloads)?;
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let seqs = self
                .insert_at(&client, expected.0, payloads, Some(batch_ends))
                .await?;
            if let Some(last) = seqs.last() {
                self.saw(last.0);
            }
            Ok(seqs)
        })
        .await
    }

    /// Inserts `payloads` after position `expected` (with `marks`, or one batch), or reports the
    /// conflict.
    async fn insert_at(
        &self,
        client: &deadpool_postgres::Client,
        expected: u64,
        payloads: &[Vec<u8>],
        marks: Option<&[bool]>,
    ) -> Result<Vec<Seq>> {
        let n = payloads.len() as u64;
        let fits = expected
            .checked_add(n)
            .is_some_and(|end| end <= i64::MAX as u64);
        if !fits {
            let actual = query_last(client, &self.stream).await?;
            return Err(Error::ConcurrencyConflict { expected, actual });
        }
        let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
        let ends: Vec<bool> = match marks {
            Some(marks) => marks.to_vec(),
            None => (1..=payloads.len()).map(|i| i == payloads.len()).collect(),
        };
        match insert(client, &self.stream, expected, &slices, &ends).await {
            Ok(rows) if rows == n => Ok((expected + 1..=expected + n).map(Seq).collect()),
            Ok(_) => {
                // Record `expected` does not exist: the journal is behind the caller.
                let actual = query_last(client, &self.stream).await?;
                Err(Error::ConcurrencyConflict { expected, actual })
            }
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                let actual = query_last(client, &self.stream).await?;
                Err(Error::ConcurrencyConflict { expected, actual })
            }
            Err(e) => Err(db_error("appending", &e)),
        }
    }

    /// [`Journal::read_range`], async.
    pub async fn read_range_async(&self, from: Seq, limit: usize) -> Result<Vec<Record>> {
        let marked = self.read_range_marked_async(from, limit).await?;
        Ok(marked.into_iter().map(|(r, _)| r).collect())
    }

    /// [`Journal::read_range`], each record with its batch mark (`batch_end`: `true` for the
    /// last record of its append), as the file journal's
    /// [`read_range_marked`](acikkapi_core::journal::FileJournal::read_range_marked). For tools
    /// that copy a journal with its batches.
    pub fn read_range_marked(&self, from: Seq, limit: usize) -> Result<Vec<(Record, bool)>> {
        self.store
            .block_on(self.read_range_marked_async(from, limit))
    }

    /// [`read_range_marked`](Self::read_range_marked), async.
    pub async fn read_range_marked_async(
        &self,
        from: Seq,
        limit: usize,
    ) -> Result<Vec<(Record, bool)>> {
        let from = from.0.max(1);
        if limit == 0 || from > i64::MAX as u64 {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ahead = self.ahead.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut page = None;
        if let Some(ahead) = ahead {
            if ahead.from == from && ahead.limit == limit {
                // A full page read ahead is still exact: records never change or go. A short one
                // may miss records committed since; an error is retried by reading again.
                if let Ok(Ok(Ok(p))) =
                    tokio::time::timeout(self.store.op_timeout(), ahead.page).await
                    && p.len() as i64 == limit
                {
                    page = Some(p);
                }
            } else {
                ahead.page.abort();
            }
        }
        let out = match page {
            Some(p) => p,
            None => {
                bounded(
                    self.store.op_timeout(),
                    fetch(self.store.pool(), &self.stream, from, limit),
                )
                .await?
            }
        };
        if let Some((last, _)) = out.last() {
            self.saw(last.seq.0);
        }
        // A full page: the caller is likely to read on (a replay), so fetch the next page while
        // it works on this one.
        if out.len() as i64 == limit
            && let Some(next) = from.checked_add(limit as u64)
            && next <= i64::MAX as u64
        {
            let (pool, stream, timeout) = (
                self.store.pool().clone(),
                self.stream.clone(),
                self.store.op_timeout(),
            );
            if let Some(handle) = self.store.handle() {
                let page = handle.spawn(async move {
                    bounded(timeout, fetch(&pool, &stream, next, limit)).await
                });
                *self.ahead.lock().unwrap_or_else(|e| e.into_inner()) = Some(ReadAhead {
                    from: next,
                    limit,
                    page,
                });
            }
        }
        Ok(out)
    }

    fn corrupt(&self, position: u64, reason: String) -> Error {
        Error::JournalCorrupt {
            path: self.location(),
            offset: position,
            reason,
        }
    }

    /// The running digest of records `1..=seq`, from the cached prefix on.
    async fn digest_upto(&self, client: &tokio_postgres::Client, seq: u64) -> Result<u32> {
        let (mut at, mut digest) = {
            let cached = *self.digest.lock().unwrap_or_else(|e| e.into_inner());
            if cached.0 <= seq { cached } else { (0, 0) }
        };
        while at < seq {
            let rows = client
                .query(
                    "SELECT position, crc FROM journal_records
                     WHERE stream = $1 AND position > $2 AND position <= $3
                     ORDER BY position LIMIT $4",
                    &[&self.stream, &position(at)?, &position(seq)?, &DIGEST_PAGE],
                )
                .await
                .map_err(|e| db_error("reading record checksums", &e))?;
            if rows.is_empty() {
                return Err(self.corrupt(at + 1, format!("record {} is missing", at + 1)));
            }
            for row in rows {
                let get = |e: tokio_postgres::Error| db_error("reading record checksums", &e);
                let pos: i64 = row.try_get(0).map_err(get)?;
                let crc: i32 = row.try_get(1).map_err(get)?;
                if pos as u64 != at + 1 {
                    return Err(self.corrupt(at + 1, format!("record {} is missing", at + 1)));
                }
                digest = digest_step(digest, as_u32(crc));
                at += 1;
            }
        }
        let mut cached = self.digest.lock().unwrap_or_else(|e| e.into_inner());
        if seq > cached.0 {
            *cached = (seq, digest);
        }
        Ok(digest)
    }

    /// [`Journal::write_snapshot`], async.
    pub async fn write_snapshot_async(&self, snapshot: &Snapshot) -> Result<()> {
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let last = query_last(&client, &self.stream).await?;
            self.saw(last);
            if snapshot.seq.0 > last {
                return Err(Error::JournalInvalid(format!(
                    "snapshot at sequence {} is past the last record {last}",
                    snapshot.seq
                )));
            }
            let digest = self.digest_upto(pg(&client), snapshot.seq.0).await?;
            client
                .execute(
                    "INSERT INTO journal_snapshots (stream, position, digest, data, crc)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (stream) DO UPDATE SET position = EXCLUDED.position,
                       digest = EXCLUDED.digest, data = EXCLUDED.data, crc = EXCLUDED.crc,
                       written_at = now()",
                    &[
                        &self.stream,
                        &position(snapshot.seq.0)?,
                        &as_i32(digest),
                        &snapshot.data,
                        &as_i32(crc32fast::hash(&snapshot.data)),
                    ],
                )
                .await
                .map_err(|e| db_error("writing the snapshot", &e))?;
            Ok(())
        })
        .await
    }

    /// [`Journal::read_snapshot`], async.
    pub async fn read_snapshot_async(&self) -> Result<Option<Snapshot>> {
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let row = client
                .query_opt(
                    "SELECT position, digest, data, crc FROM journal_snapshots WHERE stream = $1",
                    &[&self.stream],
                )
                .await
                .map_err(|e| db_error("reading the snapshot", &e))?;
            let Some(row) = row else { return Ok(None) };
            let get = |e: tokio_postgres::Error| db_error("reading the snapshot", &e);
            let seq: i64 = row.try_get(0).map_err(get)?;
            let digest: i32 = row.try_get(1).map_err(get)?;
            let data: Vec<u8> = row.try_get(2).map_err(get)?;
            let crc: i32 = row.try_get(3).map_err(get)?;
            let seq = seq as u64;
            if as_u32(crc) != crc32fast::hash(&data) {
                return Err(self.corrupt(seq, "snapshot data CRC mismatch".into()));
            }
            let mismatch = |reason: String| Error::SnapshotMismatch {
                path: self.location(),
                seq,
                reason,
            };
            let last = query_last(&client, &self.stream).await?;
            self.saw(last);
            if seq > last {
                return Err(mismatch(format!(
                    "it covers records up to {seq} but the journal ends at {last}"
                )));
            }
            let actual = self.digest_upto(pg(&client), seq).await?;
            if actual != as_u32(digest) {
                return Err(mismatch(format!(
                    "record digest {:08x} but the journal's records give {actual:08x}",
                    as_u32(digest)
                )));
            }
            Ok(Some(Snapshot {
                seq: Seq(seq),
                data,
            }))
        })
        .await
    }
}

async fn query_last(client: &impl GenericClient, stream: &str) -> Result<u64> {
    let stmt = client
        .prepare_cached(LAST)
        .await
        .map_err(|e| db_error("reading the last position", &e))?;
    let last: i64 = client
        .query_one(&stmt, &[&stream])
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| db_error("reading the last position", &e))?;
    Ok(last.max(0) as u64)
}

/// One transaction appending `payloads` (with their `batch_end` marks) after the stream's last
/// record, under the stream's advisory lock; the first position written. Retries when a
/// conditional writer took the position meanwhile.
pub(crate) async fn append_unconditional(
    client: &mut deadpool_postgres::Client,
    stream: &str,
    payloads: &[&[u8]],
    ends: &[bool],
) -> Result<u64> {
    let n = payloads.len() as u64;
    for _ in 0..UNCONDITIONAL_RETRIES {
        let tx = client
            .transaction()
            .await
            .map_err(|e| db_error("appending", &e))?;
        let lock = tx
            .prepare_cached("SELECT pg_advisory_xact_lock(hashtextextended($1, 6141))")
            .await
            .map_err(|e| db_error("appending", &e))?;
        tx.execute(&lock, &[&stream])
            .await
            .map_err(|e| db_error("appending", &e))?;
        let last = query_last(&tx, stream).await?;
        if last.checked_add(n).is_none_or(|end| end > i64::MAX as u64) {
            return Err(Error::JournalInvalid("the stream is full".into()));
        }
        match insert(&tx, stream, last, payloads, ends).await {
            Ok(rows) if rows == n => {
                tx.commit()
                    .await
                    .map_err(|e| db_error("committing an append", &e))?;
                return Ok(last + 1);
            }
            Ok(_) => {
                return Err(fatal(format!(
                    "journal {stream}: record {last} vanished while appending"
                )));
            }
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => continue,
            Err(e) => return Err(db_error("appending", &e)),
        }
    }
    Err(fatal(format!(
        "journal {stream}: an unconditional append lost {UNCONDITIONAL_RETRIES} races in a row"
    )))
}

/// Runs [`INSERT`]; the number of rows inserted.
pub(crate) async fn insert(
    client: &impl GenericClient,
    stream: &str,
    after: u64,
    payloads: &[&[u8]],
    ends: &[bool],
) -> std::result::Result<u64, tokio_postgres::Error> {
    let crcs: Vec<i32> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| as_i32(record_crc(after + 1 + i as u64, p)))
        .collect();
    let after = after as i64;
    let stmt = client.prepare_cached(INSERT).await?;
    client
        .execute(&stmt, &[&stream, &after, &payloads, &crcs, &ends])
        .await
}

impl Journal for PgJournal {
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        self.store
            .block_on(self.append_if_async(expected, payloads))
    }

    fn read_range(&self, from: Seq, limit: usize) -> Result<Vec<Record>> {
        self.store.block_on(self.read_range_async(from, limit))
    }

    fn last_seq(&self) -> Seq {
        self.store
            .block_on(self.last_seq_async())
            .unwrap_or_else(|_| Seq(self.seen.load(Ordering::Relaxed)))
    }

    fn write_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        self.store.block_on(self.write_snapshot_async(snapshot))
    }

    fn read_snapshot(&self) -> Result<Option<Snapshot>> {
        self.store.block_on(self.read_snapshot_async())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_crc_binds_position_and_payload() {
        assert_ne!(record_crc(1, b"a"), record_crc(2, b"a"));
        assert_ne!(record_crc(1, b"a"), record_crc(1, b"b"));
        assert_eq!(record_crc(7, b"x"), record_crc(7, b"x"));
        for crc in [0u32, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX] {
            assert_eq!(as_u32(as_i32(crc)), crc);
        }
    }

    #[test]
    fn batches_over_the_payload_limit_are_refused_before_the_database() {
        assert!(check_batch(&[vec![0; 10]]).is_ok());
        assert!(matches!(
            check_batch(&[vec![], vec![0; MAX_PAYLOAD + 1]]),
            Err(Error::JournalInvalid(_))
        ));
        assert!(position(u64::MAX).is_err());
        assert_eq!(position(5).ok(), Some(5));
    }
}
