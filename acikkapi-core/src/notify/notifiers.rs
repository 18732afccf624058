//! Built-in notifiers: console (demo), JSON-lines file, and a scriptable recording test double.
//! The console and the file are for looking at, not for delivery: they show the recipient
//! masked (`+90 5** *** ** 67`); only a real gateway reads the full number.

use std::collections::VecDeque;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use super::sms::analyze;
use super::{Channel, DeliveryReceipt, IdempotencyKey, Notification, Notifier};
use crate::{Error, Result};

/// Locks a mutex whose data stays consistent even if a holder panicked (single pushes/writes).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn segments(n: &Notification) -> Option<u32> {
    match n.channel {
        Channel::Sms => Some(analyze(&n.body).segments),
    }
}

/// Writes each notification as a readable line to any [`Write`] (stdout for the demo), the
/// number masked.
///
/// ```
/// use acikkapi_core::ids::PhoneNumber;
/// use acikkapi_core::notify::{ConsoleNotifier, Notification, Notifier};
///
/// let console = ConsoleNotifier::new(Vec::new());
/// let to = PhoneNumber::parse("+905321234567").unwrap();
/// console.send(&Notification::sms("k1", to, "Başvurunuz kaydedildi."))?;
/// let out = String::from_utf8(console.into_inner()).unwrap();
/// assert_eq!(out, "[SMS → +90 5** *** ** 67] (1 parça, GSM 7-bit + Turkish single shift) Başvurunuz kaydedildi.\n");
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ConsoleNotifier<W> {
    out: Mutex<(W, u64)>,
}

impl<W: Write + Send> ConsoleNotifier<W> {
    /// A notifier writing to `out`.
    pub fn new(out: W) -> Self {
        ConsoleNotifier {
            out: Mutex::new((out, 0)),
        }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out.into_inner().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl<W: Write + Send> Notifier for ConsoleNotifier<W> {
    fn send(&self, n: &Notification) -> Result<DeliveryReceipt> {
        let mut g = lock(&self.out);
        let line = match n.channel {
            Channel::Sms => {
                let info = analyze(&n.body);
                // `Display` of the number is its masked form.
                format!(
                    "[SMS → {}] ({} parça, {}) {}",
                    n.recipient,
                    info.segments,
                    info.encoding.label(),
                    n.body
                )
            }
        };
        writeln!(g.0, "{line}")
            .and_then(|()| g.0.flush())
            .map_err(|e| Error::NotifyTransient {
                reason: format!("console: {e}"),
            })?;
        g.1 += 1;
        Ok(DeliveryReceipt {
            provider_id: format!("console-{}", g.1),
            segments: segments(n),
        })
    }
}

/// Appends each notification as one JSON line to a file (the file is opened per message, so it
/// can be rotated or inspected at any time), the number masked (default serde).
#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    lock: Mutex<u64>,
}

impl FileNotifier {
    /// A notifier appending to `path` (created when first needed).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileNotifier {
            path: path.into(),
            lock: Mutex::new(0),
        }
    }
}

impl Notifier for FileNotifier {
    fn send(&self, n: &Notification) -> Result<DeliveryReceipt> {
        let mut count = lock(&self.lock);
        let mut line = serde_json::to_vec(n).map_err(|e| Error::NotifyPermanent {
            reason: e.to_string(),
        })?;
        line.push(b'\n');
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(&line))
            .map_err(|e| Error::NotifyTransient {
                reason: format!("{}: {e}", self.path.display()),
            })?;
        *count += 1;
        Ok(DeliveryReceipt {
            provider_id: format!("file-{count}"),
            segments: segments(n),
        })
    }
}

/// What a scripted failure of [`RecordingNotifier`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptedFailure {
    /// [`Error::NotifyTransient`].
    Transient,
    /// [`Error::NotifyPermanent`].
    Permanent,
}

#[derive(Debug, Default)]
struct Recording {
    attempts: Vec<IdempotencyKey>,
    sent: Vec<Notification>,
    script: VecDeque<ScriptedFailure>,
}

/// Test double: records every attempt and delivered notification; can be told to fail the next
/// N attempts.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    inner: Mutex<Recording>,
}

impl RecordingNotifier {
    /// A notifier that accepts everything until told otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` attempts fail with `failure` (after any failures already scripted).
    pub fn fail_next(&self, n: usize, failure: ScriptedFailure) {
        lock(&self.inner)
            .script
            .extend(std::iter::repeat_n(failure, n));
    }

    /// The notifications delivered, in order.
    pub fn sent(&self) -> Vec<Notification> {
        lock(&self.inner).sent.clone()
    }

    /// The keys of every attempt, failed or not, in order.
    pub fn attempts(&self) -> Vec<IdempotencyKey> {
        lock(&self.inner).attempts.clone()
    }
}

impl Notifier for RecordingNotifier {
    fn send(&self, n: &Notification) -> Result<DeliveryReceipt> {
        let mut g = lock(&self.inner);
        g.attempts.push(n.key.clone());
        match g.script.pop_front() {
            Some(ScriptedFailure::Transient) => Err(Error::NotifyTransient {
                reason: "ağ geçidi yanıt vermedi (test)".into(),
            }),
            Some(ScriptedFailure::Permanent) => Err(Error::NotifyPermanent {
                reason: "numara geçersiz (test)".into(),
            }),
            None => {
                g.sent.push(n.clone());
                Ok(DeliveryReceipt {
                    provider_id: format!("rec-{}", g.sent.len()),
                    segments: segments(n),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PhoneNumber;

    fn phone() -> PhoneNumber {
        PhoneNumber::parse("+905551112233").unwrap()
    }

    #[test]
    fn file_notifier_appends_json_lines_with_the_number_masked() {
        let path =
            std::env::temp_dir().join(format!("acikkapi-notify-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let f = FileNotifier::new(&path);
        let a = Notification::sms("a", phone(), "Başvurunuz kaydedildi.");
        let b = Notification::sms("b", phone(), "Cevap verildi.");
        assert_eq!(
            f.send(&a).unwrap(),
            DeliveryReceipt {
                provider_id: "file-1".into(),
                segments: Some(1)
            }
        );
        assert_eq!(f.send(&b).unwrap().segments, Some(1));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["key"], "a");
        assert_eq!(lines[1]["body"], "Cevap verildi.");
        assert_eq!(lines[0]["recipient"], "+90 5** *** ** 33");
        assert!(!text.contains("1112233"), "{text}");
        let _ = std::fs::remove_file(&path);
        let bad = FileNotifier::new("/nonexistent-dir/x.jsonl");
        assert!(matches!(bad.send(&a), Err(Error::NotifyTransient { .. })));
    }

    #[test]
    fn recording_notifier_scripts_failures_in_order() {
        let r = RecordingNotifier::new();
        r.fail_next(1, ScriptedFailure::Transient);
        r.fail_next(1, ScriptedFailure::Permanent);
        let n = Notification::sms("k", phone(), "x");
        assert!(matches!(r.send(&n), Err(Error::NotifyTransient { .. })));
        assert!(matches!(r.send(&n), Err(Error::NotifyPermanent { .. })));
        assert!(r.send(&n).is_ok());
        assert_eq!((r.attempts().len(), r.sent().len()), (3, 1));
        assert_eq!(r.sent()[0].recipient.expose(), "+905551112233");
    }

    #[test]
    fn console_line_shows_the_number_masked() {
        let c = ConsoleNotifier::new(Vec::new());
        let n = Notification::sms("k", phone(), "Metin");
        assert_eq!(c.send(&n).unwrap().provider_id, "console-1");
        let out = String::from_utf8(c.into_inner()).unwrap();
        assert!(out.starts_with("[SMS → +90 5** *** ** 33] "), "{out}");
        assert!(!out.contains("1112233"));
    }
}
