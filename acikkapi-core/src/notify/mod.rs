//! Notifications (*bildirimler*): SMS and e-mail to citizens, delivered through an outbox.
//!
//! * [`Notifier`]: a delivery channel (SMS gateway, e-mail…); [`ConsoleNotifier`], [`FileNotifier`]
//!   and the test double [`RecordingNotifier`] are built in.
//! * [`Outbox`]: at-least-once delivery with retries and exponential backoff, driven by the
//!   caller's clock, deduplicated by idempotency key, rebuilt from its [`OutboxEvent`]s (which the
//!   workflow keeps in its journal).
//! * [`SmsTemplates`]: the Turkish SMS texts for the three stages, kept as data.
//! * [`sms`]: segment counting for Turkish text (GSM 7-bit, Turkish single shift, UCS-2).

pub mod sms;

mod notifiers;
mod outbox;
mod template;

use serde::{Deserialize, Serialize};

pub use notifiers::{ConsoleNotifier, FileNotifier, RecordingNotifier, ScriptedFailure};
pub use outbox::{DeliveryState, MessageStatus, Outbox, OutboxEvent, RetryPolicy, TickReport};
pub use template::{SmsStage, SmsTemplates, Template};

/// Sonuç: the outcome an answer SMS names ([`crate::application::Outcome`], the domain's type).
pub use crate::application::Outcome as AnswerOutcome;

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

/// The channel a notification goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// SMS to a mobile number.
    Sms,
    /// E-mail (*e-posta*).
    Email,
}

/// A notification to a citizen (*bildirim*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Idempotency key.
    pub key: IdempotencyKey,
    /// Channel.
    pub channel: Channel,
    /// Phone number or e-mail address.
    pub recipient: String,
    /// Subject (e-mail only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The text.
    pub body: String,
}

impl Notification {
    /// An SMS notification.
    pub fn sms(
        key: impl Into<String>,
        recipient: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Notification {
            key: IdempotencyKey(key.into()),
            channel: Channel::Sms,
            recipient: recipient.into(),
            subject: None,
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
/// retrying and [`Error::NotifyPermanent`] for those that are not; see [`is_transient`].
///
/// ```
/// use acikkapi_core::notify::{DeliveryReceipt, Notification, Notifier, sms};
/// use acikkapi_core::{Error, Result};
///
/// /// An SMS gateway that only accepts Turkish mobile numbers.
/// struct Gateway;
/// impl Notifier for Gateway {
///     fn send(&self, m: &Notification) -> Result<DeliveryReceipt> {
///         if !m.recipient.starts_with("+905") {
///             return Err(Error::NotifyPermanent { reason: format!("{} is not a mobile number", m.recipient) });
///         }
///         // … call the operator's HTTP API with m.key as its idempotency key …
///         Ok(DeliveryReceipt { provider_id: m.key.to_string(), segments: Some(sms::analyze(&m.body).segments) })
///     }
/// }
/// let r = Gateway.send(&Notification::sms("a/registered", "+905321234567", "Başvurunuz kaydedildi."))?;
/// assert_eq!(r.segments, Some(1));
/// assert!(Gateway.send(&Notification::sms("b", "+902121234567", "x")).is_err());
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
