//! [`PgOutbox`]: the SMS outbox in the `outbox_messages` table, shared by several nodes.
//!
//! # Claims, leases and fencing
//!
//! A node delivers a message in three steps:
//!
//! 1. **Claim** ([`PgOutbox::claim`]): one `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)` takes
//!    up to [`PgOutboxOptions::batch`] pending rows that are due and not under a live lease, sets
//!    `claimed_by` to the node, `lease_until` to the database's clock plus
//!    [`PgOutboxOptions::lease`], and adds one to each row's fencing `token`. `SKIP LOCKED` lets
//!    concurrent claimers pass each other's rows instead of queueing behind them; the lease keeps
//!    a claimed row from being claimed again once the claiming statement has committed.
//! 2. **Send**: the node hands the notification to its [`Notifier`] with its idempotency key.
//! 3. **Complete** ([`PgOutbox::complete`]): the outcome (sent; failed and retried per the
//!    [`RetryPolicy`]; given up) is written `WHERE key = $1 AND token = $claimed`. If the node's
//!    lease ran out and another node claimed the message meanwhile, the token has grown, nothing is
//!    written and the completion is [`Completion::Fenced`]: the newer attempt's outcome stands.
//!
//! A node that dies holding claims (`kill -9`, a lost network) simply stops: after the lease its
//! rows are due again and another node claims and sends them. So delivery is **at least once**:
//! a message may reach the gateway twice (the dead node may have sent it before dying, or a slow
//! node may still be sending when its lease runs out), always with the same idempotency key,
//! which the gateway uses to drop the resend. Keep the lease well above the time one message takes
//! to send: [`tick`](DeliveryQueue::tick) extends the rest of its batch once half the lease has
//! passed, and a caller driving [`claim`](PgOutbox::claim) itself can
//! [`extend`](PgOutbox::extend) a claim while a slow send goes on.
//!
//! A claim that ran out without an outcome counts as a failed attempt when the message is claimed
//! again (its `last_error` says whose claim it was). A message that has used up the policy's
//! [`max_attempts`](RetryPolicy::max_attempts) that way is given up rather than claimed once
//! more: a message that makes every node that sends it crash cannot take the nodes down one
//! after another.
//!
//! # Whose clock
//!
//! Leases use the **database's** clock (`clock_timestamp()` on the server), never a node's: a node
//! whose clock runs ahead cannot take over a claim that is still live, and one whose clock runs
//! behind cannot keep a claim alive. Due times (`enqueued_at`, `next_attempt_at`) are the
//! **caller's** `now`, as in the core's [`Outbox`](acikkapi_core::notify::Outbox): they are domain
//! time (a simulation drives them with its own clock), and a skewed node at worst sends a message
//! a little early or late, never twice at once.
//!
//! # Personal data
//!
//! The recipient is stored in full (`recipient` column) because delivery needs it; it is read
//! back only into a [`Notification`], whose `Debug`, `Display` and serde show it masked. No error
//! message of this module contains a number or a message text; the errors recorded in
//! `last_error` are the notifier's, which show numbers masked.

use std::time::{Duration, Instant};

use acikkapi_core::ids::PhoneNumber;
use acikkapi_core::notify::{
    Channel, DeliveryQueue, DeliveryReceipt, DeliveryState, IdempotencyKey, MessageStatus,
    Notifier, QueueCounts, RetryPolicy, TickReport, is_transient,
};
use acikkapi_core::workflow::ports::{Notification, NotificationSink};
use acikkapi_core::{Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use deadpool_postgres::GenericClient;

use crate::{PgStore, bounded, db_error, fatal};

/// Longest idempotency key, in characters (as the table's CHECK constraint).
pub const MAX_KEY_LEN: usize = 500;
/// Longest node name, in characters (as the table's CHECK constraint).
pub const MAX_NODE_LEN: usize = 200;
/// Longest message text, in characters (an SMS of 10 segments is under 1,600).
pub const MAX_BODY_LEN: usize = 10_000;
/// Longest error text kept in `last_error`, in characters (longer ones are cut).
const MAX_ERROR_LEN: usize = 2_000;

/// How a [`PgOutbox`] claims and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOutboxOptions {
    /// This node's name, recorded with its claims (1–200 characters, no NUL). Default
    /// `node-<process id>`; give each node a name its operators recognise.
    pub node: String,
    /// How long a claim holds (database clock). Default 60 s. A node that has not completed a
    /// claimed message by then loses it to the next claimer.
    pub lease: Duration,
    /// Messages per claim (default 100).
    pub batch: usize,
    /// At most this many messages per [`tick`](PgOutbox::tick) (default 10,000), so a tick ends
    /// even while other nodes keep enqueueing.
    pub max_per_tick: usize,
    /// Retries after transient failures.
    pub policy: RetryPolicy,
}

impl Default for PgOutboxOptions {
    fn default() -> Self {
        PgOutboxOptions {
            node: format!("node-{}", std::process::id()),
            lease: Duration::from_secs(60),
            batch: 100,
            max_per_tick: 10_000,
            policy: RetryPolicy::default(),
        }
    }
}

/// A message claimed by this node: send it, then [`complete`](PgOutbox::complete) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The notification (the recipient masked in `Debug`).
    pub notification: Notification,
    /// Attempts recorded before this one (an earlier claim that ran out without an outcome counts
    /// as one).
    pub attempts: u32,
    /// The fencing token of this claim.
    pub token: u64,
    /// When the claim runs out (database clock).
    pub lease_until: DateTime<Utc>,
}

/// What [`PgOutbox::complete`] recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Delivered.
    Sent,
    /// Failed; the next attempt is due at this time.
    RetryScheduled(DateTime<Utc>),
    /// Failed for good (a permanent error, or the last attempt).
    FailedPermanently,
    /// Nothing recorded: another node claimed the message after this claim ran out (or the
    /// message is no longer pending); its outcome stands.
    Fenced,
}

/// One row of the outbox as [`PgOutbox::message`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgMessage {
    /// The message's status, as the core's outbox reports it.
    pub status: MessageStatus,
    /// The fencing token of the latest claim (0: never claimed).
    pub token: u64,
    /// The node of the latest claim, while the message is claimed or its claim ran out unfinished.
    pub claimed_by: Option<String>,
    /// When that claim runs or ran out (database clock).
    pub lease_until: Option<DateTime<Utc>>,
}

/// The SMS outbox on the database, shared by several nodes; see the [module documentation](self).
/// Cheap to clone (the store is shared). A [`DeliveryQueue`] and a [`NotificationSink`]: the
/// engine enqueues into it, a front end ticks it.
///
/// ```no_run
/// use acikkapi_core::notify::{ConsoleNotifier, DeliveryQueue};
/// use acikkapi_postgres::{PgOptions, PgOutboxOptions, PgStore};
///
/// let store = PgStore::connect("postgres://acikkapi@127.0.0.1/acikkapi", PgOptions::default())?;
/// let outbox = store.outbox(PgOutboxOptions { node: "ankara-1".into(), ..Default::default() })?;
/// let report = outbox.tick(chrono::Utc::now(), &ConsoleNotifier::new(std::io::stdout()))?;
/// println!("{} sent, {} fenced, depth {}", report.sent, report.fenced, outbox.depth()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PgOutbox {
    store: PgStore,
    options: PgOutboxOptions,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::WorkflowStorage {
        message: message.into(),
    }
}

/// Microseconds since the Unix epoch (how times cross to and from SQL).
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_micros(us)
        .single()
        .ok_or_else(|| fatal(format!("outbox: time {us} µs out of range")))
}

/// `$n` microseconds since the epoch as a timestamptz.
macro_rules! ts {
    ($n:literal) => {
        concat!(
            "(timestamptz 'epoch' + $",
            $n,
            "::bigint * interval '1 microsecond')"
        )
    };
}

/// A timestamptz column as microseconds since the epoch.
macro_rules! us {
    ($c:literal) => {
        concat!("(extract(epoch from ", $c, ") * 1000000)::bigint")
    };
}

const ENQUEUE: &str = concat!(
    "INSERT INTO outbox_messages (key, channel, recipient, body, enqueued_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, ",
    ts!(5),
    ", ",
    ts!(5),
    ") ON CONFLICT (key) DO NOTHING"
);

/// Claims due rows. A row whose previous claim ran out without an outcome (`claimed_by` still
/// set: completing clears it) counts that claim as a failed attempt; when that reaches the
/// policy's `max_attempts` ($5) the row is given up instead of claimed (state `failed`), so a
/// message that kills every node that sends it cannot take the nodes down one after another.
const CLAIM: &str = concat!(
    "UPDATE outbox_messages m
     SET attempts = m.attempts + a.abandoned,
         state = CASE WHEN m.attempts + a.abandoned >= $5 THEN 'failed' ELSE 'pending' END,
         last_error = CASE WHEN a.abandoned = 1
             THEN 'the claim of ' || m.claimed_by || ' ran out without an outcome'
             ELSE m.last_error END,
         token = m.token + 1,
         claimed_by = CASE WHEN m.attempts + a.abandoned >= $5 THEN NULL ELSE $3 END,
         lease_until = CASE WHEN m.attempts + a.abandoned >= $5 THEN NULL
             ELSE clock_timestamp() + $4::bigint * interval '1 millisecond' END
     FROM (SELECT key, (claimed_by IS NOT NULL)::int AS abandoned FROM outbox_messages
           WHERE state = 'pending' AND next_attempt_at <= ",
    ts!(1),
    "
             AND (lease_until IS NULL OR lease_until <= clock_timestamp())
           ORDER BY next_attempt_at, seq
           LIMIT $2
           FOR UPDATE SKIP LOCKED) a
     WHERE m.key = a.key
     RETURNING m.key, m.channel, m.recipient, m.body, m.attempts, m.token, ",
    us!("m.lease_until"),
    ", m.seq, m.state"
);

const EXTEND_MANY: &str = concat!(
    "UPDATE outbox_messages m
     SET lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond'
     FROM unnest($1::text[], $2::bigint[]) AS c(key, token)
     WHERE m.key = c.key AND m.token = c.token AND m.state = 'pending'
     RETURNING m.key, ",
    us!("m.lease_until")
);

const EXTEND: &str = concat!(
    "UPDATE outbox_messages
     SET lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond'
     WHERE key = $1 AND token = $2 AND state = 'pending'
     RETURNING ",
    us!("lease_until")
);

const COMPLETE_SENT: &str = concat!(
    "UPDATE outbox_messages
     SET state = 'sent', attempts = attempts + 1, sent_at = ",
    ts!(3),
    ", provider_id = $4, segments = $5, claimed_by = NULL, lease_until = NULL
     WHERE key = $1 AND token = $2 AND state = 'pending'"
);

const COMPLETE_FAILED: &str = concat!(
    "UPDATE outbox_messages
     SET state = $4, attempts = attempts + 1, last_error = $3,
         next_attempt_at = CASE WHEN $5::bigint IS NULL THEN next_attempt_at ELSE ",
    ts!(5),
    " END, claimed_by = NULL, lease_until = NULL
     WHERE key = $1 AND token = $2 AND state = 'pending'"
);

const COUNTS: &str = "SELECT count(*) FILTER (WHERE state = 'pending'),
            count(*) FILTER (WHERE state = 'pending' AND lease_until > clock_timestamp()),
            count(*) FILTER (WHERE state = 'sent'),
            count(*) FILTER (WHERE state = 'failed')
     FROM outbox_messages";

const DEPTH: &str = "SELECT count(*) FROM outbox_messages WHERE state = 'pending'";

const MESSAGE: &str = concat!(
    "SELECT key, channel, recipient, body, state, attempts, ",
    us!("enqueued_at"),
    ", ",
    us!("next_attempt_at"),
    ", last_error, provider_id, segments, ",
    us!("sent_at"),
    ", token, claimed_by, ",
    us!("lease_until"),
    " FROM outbox_messages WHERE key = $1"
);

fn channel_name(c: Channel) -> Result<&'static str> {
    match c {
        Channel::Sms => Ok("sms"),
        #[allow(unreachable_patterns)]
        _ => Err(invalid(format!("outbox: unsupported channel {c:?}"))),
    }
}

fn channel_of(name: &str) -> Result<Channel> {
    match name {
        "sms" => Ok(Channel::Sms),
        other => Err(fatal(format!(
            "outbox: unknown channel {other:?} in the table"
        ))),
    }
}

fn check_text(what: &str, s: &str, max: usize, empty_ok: bool) -> Result<()> {
    let n = s.chars().count();
    if (!empty_ok && n == 0) || n > max {
        return Err(invalid(format!(
            "outbox: {what} has {n} characters (allowed: {}–{max})",
            usize::from(!empty_ok)
        )));
    }
    if s.contains('\0') {
        return Err(invalid(format!("outbox: {what} contains NUL")));
    }
    Ok(())
}

fn check(n: &Notification) -> Result<()> {
    check_text("an idempotency key", &n.key.0, MAX_KEY_LEN, false)?;
    check_text("a message text", &n.body, MAX_BODY_LEN, true)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a tokio_postgres::Row,
    i: usize,
) -> Result<T> {
    row.try_get(i)
        .map_err(|e| db_error("reading the outbox", &e))
}

fn count(row: &tokio_postgres::Row, i: usize) -> Result<u64> {
    Ok(u64::try_from(get::<i64>(row, i)?).unwrap_or(0))
}

/// A notification read back from the table; the stored values were checked when enqueued.
fn notification(key: String, channel: &str, recipient: &str, body: String) -> Result<Notification> {
    let recipient = PhoneNumber::parse(recipient).map_err(|e| {
        // The parse error masks the input.
        fatal(format!(
            "outbox: message {key} has an invalid recipient: {e}"
        ))
    })?;
    Ok(Notification {
        key: IdempotencyKey(key),
        channel: channel_of(channel)?,
        recipient,
        body,
    })
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

impl PgOutbox {
    pub(crate) fn open(store: PgStore, options: PgOutboxOptions) -> Result<PgOutbox> {
        check_text("a node name", &options.node, MAX_NODE_LEN, false)?;
        if options.batch == 0 || options.max_per_tick == 0 {
            return Err(invalid("outbox: batch and max_per_tick must be at least 1"));
        }
        if options.policy.max_attempts == 0 {
            return Err(invalid(
                "outbox: the retry policy needs at least one attempt",
            ));
        }
        Ok(PgOutbox { store, options })
    }

    /// The options it was opened with.
    pub fn options(&self) -> &PgOutboxOptions {
        &self.options
    }

    /// [`DeliveryQueue::enqueue`], async: `Ok(false)` when the key is already in the table.
    pub async fn enqueue_async(
        &self,
        notification: &Notification,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        check(notification)?;
        let channel = channel_name(notification.channel)?;
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let rows = client
                .execute(
                    ENQUEUE,
                    &[
                        &notification.key.0,
                        &channel,
                        &notification.recipient.expose(),
                        &notification.body,
                        &micros(now),
                    ],
                )
                .await
                .map_err(|e| db_error("enqueueing a notification", &e))?;
            Ok(rows == 1)
        })
        .await
    }

    /// Claims up to [`batch`](PgOutboxOptions::batch) messages due at `now` for this node, oldest
    /// due first; see the [module documentation](self). A message whose earlier claim ran out
    /// without an outcome counts that claim as a failed attempt; one that has used up the
    /// policy's attempts that way is given up (not returned).
    pub async fn claim_async(&self, now: DateTime<Utc>) -> Result<Vec<Claim>> {
        Ok(self.claim_up_to(now, self.options.batch).await?.0)
    }

    /// The claims, and how many rows were given up instead.
    async fn claim_up_to(&self, now: DateTime<Utc>, limit: usize) -> Result<(Vec<Claim>, u32)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let max_attempts = i32::try_from(self.options.policy.max_attempts).unwrap_or(i32::MAX);
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let rows = client
                .query(
                    CLAIM,
                    &[
                        &micros(now),
                        &limit,
                        &self.options.node,
                        &millis(self.options.lease),
                        &max_attempts,
                    ],
                )
                .await
                .map_err(|e| db_error("claiming notifications", &e))?;
            let mut given_up = 0u32;
            let mut claims = Vec::with_capacity(rows.len());
            for r in &rows {
                if get::<&str>(r, 8)? != "pending" {
                    given_up += 1;
                    continue;
                }
                claims.push((
                    get::<i64>(r, 7)?,
                    Claim {
                        notification: notification(get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?)?,
                        attempts: u32::try_from(get::<i32>(r, 4)?).unwrap_or(0),
                        token: u64::try_from(get::<i64>(r, 5)?).unwrap_or(0),
                        lease_until: from_micros(get(r, 6)?)?,
                    },
                ));
            }
            // RETURNING does not keep the subquery's order: enqueue order.
            claims.sort_by_key(|(seq, _)| *seq);
            Ok((claims.into_iter().map(|(_, c)| c).collect(), given_up))
        })
        .await
    }

    /// Extends a claim's lease by [`lease`](PgOutboxOptions::lease) from now (database clock),
    /// for a send that takes longer than expected; `false` (and nothing changed) when the claim
    /// has been fenced meanwhile: stop, another node has the message.
    pub async fn extend_async(&self, claim: &mut Claim) -> Result<bool> {
        let token = i64::try_from(claim.token)
            .map_err(|_| invalid("outbox: a fencing token out of range"))?;
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let row = client
                .query_opt(
                    EXTEND,
                    &[
                        &claim.notification.key.0,
                        &token,
                        &millis(self.options.lease),
                    ],
                )
                .await
                .map_err(|e| db_error("extending a claim", &e))?;
            match row {
                Some(r) => {
                    claim.lease_until = from_micros(get(&r, 0)?)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        })
        .await
    }

    /// Records the outcome of a claimed attempt at `now`, unless another node has claimed the
    /// message since ([`Completion::Fenced`]). A failure is retried per the options' policy when
    /// it is transient and attempts remain.
    pub async fn complete_async(
        &self,
        claim: &Claim,
        outcome: &Result<DeliveryReceipt>,
        now: DateTime<Utc>,
    ) -> Result<Completion> {
        let token = i64::try_from(claim.token)
            .map_err(|_| invalid("outbox: a fencing token out of range"))?;
        let key = &claim.notification.key.0;
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let (rows, done) = match outcome {
                Ok(receipt) => {
                    let segments = receipt.segments.and_then(|s| i32::try_from(s).ok());
                    let rows = client
                        .execute(
                            COMPLETE_SENT,
                            &[
                                key,
                                &token,
                                &micros(now),
                                &cut(&receipt.provider_id, MAX_ERROR_LEN),
                                &segments,
                            ],
                        )
                        .await
                        .map_err(|e| db_error("recording a delivery", &e))?;
                    (rows, Completion::Sent)
                }
                Err(e) => {
                    let attempts = claim.attempts.saturating_add(1);
                    // A retry time past the calendar's end (an absurd policy) gives up.
                    let next = (is_transient(e) && attempts < self.options.policy.max_attempts)
                        .then(|| now.checked_add_signed(self.options.policy.delay(attempts)))
                        .flatten();
                    let (state, done) = match next {
                        Some(at) => ("pending", Completion::RetryScheduled(at)),
                        None => ("failed", Completion::FailedPermanently),
                    };
                    let rows = client
                        .execute(
                            COMPLETE_FAILED,
                            &[
                                key,
                                &token,
                                &cut(&e.to_string(), MAX_ERROR_LEN),
                                &state,
                                &next.map(micros),
                            ],
                        )
                        .await
                        .map_err(|e| db_error("recording a failed delivery", &e))?;
                    (rows, done)
                }
            };
            Ok(if rows == 1 { done } else { Completion::Fenced })
        })
        .await
    }

    /// [`DeliveryQueue::tick`], async: claims, sends and completes until nothing is due at `now`
    /// (or [`max_per_tick`](PgOutboxOptions::max_per_tick) messages). Once half the lease has
    /// passed since a batch was claimed (or last extended), the claims of the batch not sent yet
    /// are extended, and one another node has taken meanwhile is skipped (counted as fenced). The notifier's `send`
    /// blocks this task while it runs: give it a notifier that returns quickly (or queues to an
    /// async gateway), or tick from a thread of its own with the blocking [`tick`](Self::tick).
    pub async fn tick_async(
        &self,
        now: DateTime<Utc>,
        notifier: &dyn Notifier,
    ) -> Result<TickReport> {
        let mut report = TickReport::default();
        let mut left = self.options.max_per_tick;
        while left > 0 {
            let (claims, given_up) = self.claim_up_to(now, self.options.batch.min(left)).await?;
            report.failed_permanently += given_up;
            if claims.is_empty() && given_up == 0 {
                break;
            }
            left = left.saturating_sub(claims.len() + given_up as usize);
            let mut claims = claims;
            let mut ours = vec![true; claims.len()];
            let mut leased_at = Instant::now();
            for i in 0..claims.len() {
                if self.half_lease_gone(leased_at) {
                    leased_at = Instant::now();
                    self.extend_rest_async(&mut claims[i..], &mut ours[i..])
                        .await?;
                }
                let claim = &claims[i];
                if !ours[i] {
                    report.fenced += 1;
                    continue;
                }
                let outcome = notifier.send(&claim.notification);
                count_in(
                    &mut report,
                    self.complete_async(claim, &outcome, now).await?,
                );
            }
        }
        Ok(report)
    }

    /// [`DeliveryQueue::counts`], async.
    pub async fn counts_async(&self) -> Result<QueueCounts> {
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let row = client
                .query_one(COUNTS, &[])
                .await
                .map_err(|e| db_error("counting the outbox", &e))?;
            Ok(QueueCounts {
                pending: count(&row, 0)?,
                claimed: count(&row, 1)?,
                sent: count(&row, 2)?,
                failed_permanently: count(&row, 3)?,
            })
        })
        .await
    }

    /// [`DeliveryQueue::depth`], async (reads only the pending rows' index).
    pub async fn depth_async(&self) -> Result<u64> {
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let row = client
                .query_one(DEPTH, &[])
                .await
                .map_err(|e| db_error("counting the outbox", &e))?;
            count(&row, 0)
        })
        .await
    }

    /// One message by its idempotency key, async.
    pub async fn message_async(&self, key: &str) -> Result<Option<PgMessage>> {
        check_text("an idempotency key", key, MAX_KEY_LEN, false)?;
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let Some(r) = client
                .query_opt(MESSAGE, &[&key])
                .await
                .map_err(|e| db_error("reading the outbox", &e))?
            else {
                return Ok(None);
            };
            read_message(&r).map(Some)
        })
        .await
    }

    /// Claims due messages (blocking); see [`claim_async`](Self::claim_async).
    pub fn claim(&self, now: DateTime<Utc>) -> Result<Vec<Claim>> {
        self.store.block_on(self.claim_async(now))
    }

    /// Whether half of the lease has passed since the batch was claimed or last extended
    /// (measured on this node's monotonic clock, which is fine for a duration).
    fn half_lease_gone(&self, leased_at: Instant) -> bool {
        leased_at.elapsed() >= self.options.lease / 2
    }

    /// Extends the leases of the claims of a batch not sent yet, in one statement, so a slow
    /// gateway does not lose the rest of its batch to other nodes; a claim another node has taken
    /// meanwhile is marked not `ours` (the tick skips it: it is no longer ours to send).
    async fn extend_rest_async(&self, claims: &mut [Claim], ours: &mut [bool]) -> Result<()> {
        let keys: Vec<&str> = claims
            .iter()
            .map(|c| c.notification.key.0.as_str())
            .collect();
        let tokens: Vec<i64> = claims
            .iter()
            .map(|c| i64::try_from(c.token).unwrap_or(-1))
            .collect();
        let rows = bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            client
                .query(EXTEND_MANY, &[&keys, &tokens, &millis(self.options.lease)])
                .await
                .map_err(|e| db_error("extending claims", &e))
        })
        .await?;
        let mut extended = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            extended.insert(get::<String>(r, 0)?, get::<i64>(r, 1)?);
        }
        for (c, ours) in claims.iter_mut().zip(ours.iter_mut()) {
            match extended.get(c.notification.key.0.as_str()) {
                Some(us) => c.lease_until = from_micros(*us)?,
                None => *ours = false,
            }
        }
        Ok(())
    }

    /// Extends a claim's lease (blocking); see [`extend_async`](Self::extend_async).
    pub fn extend(&self, claim: &mut Claim) -> Result<bool> {
        self.store.block_on(self.extend_async(claim))
    }

    /// Records a claimed attempt's outcome (blocking); see
    /// [`complete_async`](Self::complete_async).
    pub fn complete(
        &self,
        claim: &Claim,
        outcome: &Result<DeliveryReceipt>,
        now: DateTime<Utc>,
    ) -> Result<Completion> {
        self.store
            .block_on(self.complete_async(claim, outcome, now))
    }

    /// One message by its idempotency key (blocking).
    pub fn message(&self, key: &str) -> Result<Option<PgMessage>> {
        self.store.block_on(self.message_async(key))
    }
}

fn count_in(report: &mut TickReport, done: Completion) {
    match done {
        Completion::Sent => report.sent += 1,
        Completion::RetryScheduled(_) => report.retry_scheduled += 1,
        Completion::FailedPermanently => report.failed_permanently += 1,
        Completion::Fenced => report.fenced += 1,
    }
}

fn read_message(r: &tokio_postgres::Row) -> Result<PgMessage> {
    let notification = notification(get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?)?;
    let state = match get::<&str>(r, 4)? {
        "pending" => DeliveryState::Pending,
        "sent" => DeliveryState::Sent,
        "failed" => DeliveryState::FailedPermanently,
        other => return Err(fatal(format!("outbox: unknown state {other:?}"))),
    };
    let provider_id: Option<String> = get(r, 9)?;
    let segments: Option<i32> = get(r, 10)?;
    let sent_at: Option<i64> = get(r, 11)?;
    let lease_until: Option<i64> = get(r, 14)?;
    Ok(PgMessage {
        status: MessageStatus {
            notification,
            state,
            attempts: u32::try_from(get::<i32>(r, 5)?).unwrap_or(0),
            enqueued_at: from_micros(get(r, 6)?)?,
            next_attempt_at: match state {
                DeliveryState::Pending => Some(from_micros(get(r, 7)?)?),
                _ => None,
            },
            last_error: get(r, 8)?,
            receipt: provider_id.map(|provider_id| DeliveryReceipt {
                provider_id,
                segments: segments.and_then(|s| u32::try_from(s).ok()),
            }),
            sent_at: sent_at.map(from_micros).transpose()?,
        },
        token: u64::try_from(get::<i64>(r, 12)?).unwrap_or(0),
        claimed_by: get(r, 13)?,
        lease_until: lease_until.map(from_micros).transpose()?,
    })
}

impl DeliveryQueue for PgOutbox {
    fn enqueue(&self, notification: Notification, now: DateTime<Utc>) -> Result<bool> {
        self.store.block_on(self.enqueue_async(&notification, now))
    }

    /// Claims, sends and completes until nothing is due; the notifier runs on the calling thread,
    /// outside the store's runtime, and each database step is bounded on its own.
    fn tick(&self, now: DateTime<Utc>, notifier: &dyn Notifier) -> Result<TickReport> {
        let mut report = TickReport::default();
        let mut left = self.options.max_per_tick;
        while left > 0 {
            let (claims, given_up) = self
                .store
                .block_on(self.claim_up_to(now, self.options.batch.min(left)))?;
            report.failed_permanently += given_up;
            if claims.is_empty() && given_up == 0 {
                break;
            }
            left = left.saturating_sub(claims.len() + given_up as usize);
            let mut claims = claims;
            let mut ours = vec![true; claims.len()];
            let mut leased_at = Instant::now();
            for i in 0..claims.len() {
                if self.half_lease_gone(leased_at) {
                    leased_at = Instant::now();
                    self.store
                        .block_on(self.extend_rest_async(&mut claims[i..], &mut ours[i..]))?;
                }
                let claim = &claims[i];
                if !ours[i] {
                    report.fenced += 1;
                    continue;
                }
                let outcome = notifier.send(&claim.notification);
                count_in(&mut report, self.complete(claim, &outcome, now)?);
            }
        }
        Ok(report)
    }

    fn counts(&self) -> Result<QueueCounts> {
        self.store.block_on(self.counts_async())
    }

    fn depth(&self) -> Result<u64> {
        self.store.block_on(self.depth_async())
    }
}

impl NotificationSink for PgOutbox {
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        DeliveryQueue::enqueue(self, notification, now).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_times_are_exact_microseconds() {
        assert_eq!(
            ts!(5),
            "(timestamptz 'epoch' + $5::bigint * interval '1 microsecond')"
        );
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
            + chrono::TimeDelta::microseconds(123_456);
        assert_eq!(from_micros(micros(t)).unwrap(), t);
        assert!(from_micros(i64::MAX).is_err());
    }

    #[test]
    fn bad_notifications_are_typed_errors_without_the_text() {
        let to = PhoneNumber::parse("+905321234567").unwrap();
        let long = "k".repeat(MAX_KEY_LEN + 1);
        for n in [
            Notification::sms("", to, "x"),
            Notification::sms(long.as_str(), to, "x"),
            Notification::sms("a\0b", to, "x"),
            Notification::sms("k", to, "gizli\0metin"),
            Notification::sms("k", to, "é".repeat(MAX_BODY_LEN + 1)),
        ] {
            let e = check(&n).expect_err("refused");
            assert!(matches!(e, Error::WorkflowStorage { .. }), "{e}");
            assert!(!e.to_string().contains("gizli"), "{e}");
        }
        assert!(check(&Notification::sms("k".repeat(MAX_KEY_LEN), to, "")).is_ok());
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        assert_eq!(cut("çğış", 2), "çğ…");
        assert_eq!(cut("abc", 3), "abc");
    }
}
