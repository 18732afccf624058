//! Notifications (*bildirimler*): SMS to citizens, delivered through an outbox. The recipient is
//! a [`PhoneNumber`], masked wherever it is shown; a notifier's
//! [`send`](Notifier::send) is the one place that reads the full number.
//!
//! * [`Notifier`]: a delivery channel (an SMS gateway); [`ConsoleNotifier`], [`FileNotifier`]
//!   and the test double [`RecordingNotifier`] are built in.
//! * [`Outbox`]: at-least-once delivery with retries and exponential backoff, driven by the
//!   caller's clock, deduplicated by idempotency key, rebuilt from its [`OutboxEvent`]s (which the
//!   workflow keeps in its journal).
//! * [`DeliveryQueue`]: the outbox as a front end drives it (enqueue, tick, counts), whatever
//!   stores it: memory, a journal ([`DurableOutbox`](crate::workflow::DurableOutbox)) or a
//!   database shared by several nodes (`acikkapi_postgres::PgOutbox`).
//! * [`SmsTemplates`]: the Turkish SMS texts for the three stages, kept as data.
//! * [`sms`]: segment counting for Turkish text (GSM 7-bit, Turkish single shift, UCS-2).

pub mod sms;

mod notifiers;
mod outbox;
mod queue;
mod template;

use serde::{Deserialize, Serialize};

pub use notifiers::{ConsoleNotifier, FileNotifier, RecordingNotifier, ScriptedFailure};
pub use outbox::{DeliveryState, MessageStatus, Outbox, OutboxEvent, RetryPolicy, TickReport};
pub(crate) use queue::relock;
pub use queue::{DeliveryQueue, QueueCounts};
pub use template::{SmsStage, SmsTemplates, Template};

/// Sonuç: the outcome an answer SMS names ([`crate::application::Outcome`], the domain's type).
pub use crate::application::Outcome as AnswerOutcome;

use crate::ids::PhoneNumber;
use crate::{Error, Result};

/// Idempotency key (*tekillik anahtarı*) of a notification: the same key is delivered once by the
/// outbox, and passed to the gateway so it can drop a resend. Typically
/// `"<tracking number>/<stage>"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(pub String);

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The channel a notification goes through (written in the outbox's journal as `"sms"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// SMS to a mobile number.
    Sms,
}

/// A notification to a citizen (*bildirim*).
///
/// The recipient is a [`PhoneNumber`]: masked in `Debug`, `Display` and default serde (what the
/// console and file notifiers, logs and the Python binding show); the full number only where it
/// is delivered ([`Notifier::send`] reads [`PhoneNumber::expose`]) and where it is stored (the
/// durable outbox writes its events inside [`Full`](crate::ids::Full)).
///
/// ```
/// use acikkapi_core::ids::{Full, PhoneNumber};
/// use acikkapi_core::notify::Notification;
/// let n = Notification::sms("k", PhoneNumber::parse("0532 123 45 67")?, "Kaydedildi.");
/// assert!(!format!("{n:?}").contains("1234567"));
/// assert!(!serde_json::to_string(&n)?.contains("1234567"));
/// assert!(serde_json::to_string(&Full(&n))?.contains("+905321234567"));
/// assert_eq!(n.recipient.expose(), "+905321234567");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Idempotency key.
    pub key: IdempotencyKey,
    /// Channel.
    pub channel: Channel,
    /// The mobile number it goes to.
    pub recipient: PhoneNumber,
    /// The text.
    pub body: String,
}

impl Notification {
    /// An SMS notification.
    pub fn sms(key: impl Into<String>, recipient: PhoneNumber, body: impl Into<String>) -> Self {
        Notification {
            key: IdempotencyKey(key.into()),
            channel: Channel::Sms,
            recipient,
            body: body.into(),
        }
    }
}

/// What a gateway reports for an accepted notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReceipt {
    /// The gateway's message id.
    pub provider_id: String,
    /// SMS segments billed, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<u32>,
}

/// A delivery channel. Implementations return [`Error::NotifyTransient`] for failures worth
/// retrying and [`Error::NotifyPermanent`] for those that are not; see [`is_transient`]. The
/// full number is `message.recipient.expose()`: give it to the gateway and to nothing else
/// (errors and logs get the masked `message.recipient`).
///
/// ```
/// use acikkapi_core::ids::PhoneNumber;
/// use acikkapi_core::notify::{DeliveryReceipt, Notification, Notifier, sms};
/// use acikkapi_core::{Error, Result};
///
/// /// An SMS gateway that refuses one blocked number.
/// struct Gateway;
/// impl Notifier for Gateway {
///     fn send(&self, m: &Notification) -> Result<DeliveryReceipt> {
///         if m.recipient.expose() == "+905550000000" {
///             return Err(Error::NotifyPermanent { reason: format!("{} is blocked", m.recipient) });
///         }
///         // … call the operator's HTTP API with m.recipient.expose() and m.key as its
///         // idempotency key …
///         Ok(DeliveryReceipt { provider_id: m.key.to_string(), segments: Some(sms::analyze(&m.body).segments) })
///     }
/// }
/// let to = PhoneNumber::parse("+905321234567").unwrap();
/// let r = Gateway.send(&Notification::sms("a/registered", to, "Başvurunuz kaydedildi."))?;
/// assert_eq!(r.segments, Some(1));
/// let blocked = PhoneNumber::parse("0555 000 00 00").unwrap();
/// let Err(e) = Gateway.send(&Notification::sms("b", blocked, "x")) else { panic!() };
/// assert_eq!(e.to_string().contains("0000000"), false); // the error names the number masked
/// # Ok::<(), Error>(())
/// ```
pub trait Notifier: Send + Sync {
    /// Delivers one notification.
    fn send(&self, message: &Notification) -> Result<DeliveryReceipt>;
}

/// Whether a delivery error is worth retrying: everything except [`Error::NotifyPermanent`] and
/// template errors (an unknown failure is retried rather than dropped: at least once).
pub fn is_transient(error: &Error) -> bool {
    !matches!(
        error,
        Error::NotifyPermanent { .. }
            | Error::MissingPlaceholder { .. }
            | Error::TemplateSyntax { .. }
    )
}
