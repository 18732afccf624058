//! [`TypedJournal`]: events of any serde type over a byte journal, encoded as JSON.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Journal, JournalIter, Seq, Snapshot};
use crate::ids::Full;
use crate::{Error, Result};

/// A journal of events of type `E`, each stored as one JSON document (serde_json) in a record of
/// the underlying byte journal `J`. Snapshots are JSON too. Identifiers (TCKN, phone numbers)
/// are stored in full ([`Full`](crate::ids::Full)): what is written must read back.
///
/// ```
/// use acikkapi_core::journal::{MemoryJournal, Seq, TypedJournal};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// #[serde(tag = "type", rename_all = "snake_case")]
/// enum Event { Registered { tracking: String }, Answered { positive: bool } }
///
/// let journal = TypedJournal::<Event, _>::new(MemoryJournal::new());
/// journal.append(&[Event::Registered { tracking: "2026-000001".into() }])?;
/// journal.append(&[Event::Answered { positive: true }])?;
/// let events: Vec<(Seq, Event)> = journal.read_from(Seq(1)).collect::<Result<_, _>>()?;
/// assert_eq!(events[1], (Seq(2), Event::Answered { positive: true }));
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
#[derive(Debug)]
pub struct TypedJournal<E, J> {
    inner: J,
    _events: PhantomData<fn(E) -> E>,
}

impl<E: Serialize + DeserializeOwned, J: Journal> TypedJournal<E, J> {
    /// Wraps a byte journal.
    pub fn new(inner: J) -> Self {
        TypedJournal {
            inner,
            _events: PhantomData,
        }
    }

    /// The underlying byte journal.
    pub fn inner(&self) -> &J {
        &self.inner
    }

    fn encode(events: &[E]) -> Result<Vec<Vec<u8>>> {
        events
            .iter()
            .map(|e| {
                serde_json::to_vec(&Full(e))
                    .map_err(|source| Error::JournalPayload { seq: 0, source })
            })
            .collect()
    }

    /// Appends a batch of events atomically; returns their sequence numbers.
    pub fn append(&self, events: &[E]) -> Result<Vec<Seq>> {
        self.inner.append(&Self::encode(events)?)
    }

    /// Appends only if the last sequence number is `expected` (see [`Journal::append_if`]).
    pub fn append_if(&self, expected: Option<Seq>, events: &[E]) -> Result<Vec<Seq>> {
        self.inner.append_if(expected, &Self::encode(events)?)
    }

    /// The events from `from` on, decoded.
    pub fn read_from(&self, from: Seq) -> impl Iterator<Item = Result<(Seq, E)>> + '_ {
        JournalIter::new(&self.inner, from).map(|r| {
            let r = r?;
            serde_json::from_slice(&r.payload)
                .map(|e| (r.seq, e))
                .map_err(|source| Error::JournalPayload {
                    seq: r.seq.0,
                    source,
                })
        })
    }

    /// The last sequence number.
    pub fn last_seq(&self) -> Seq {
        self.inner.last_seq()
    }

    /// Stores `state` as JSON as the snapshot covering records up to `seq`.
    pub fn write_snapshot<S: Serialize>(&self, seq: Seq, state: &S) -> Result<()> {
        let data = serde_json::to_vec(&Full(state))
            .map_err(|source| Error::JournalPayload { seq: seq.0, source })?;
        self.inner.write_snapshot(&Snapshot { seq, data })
    }

    /// The latest snapshot decoded as `S`, with the sequence it covers.
    pub fn read_snapshot<S: DeserializeOwned>(&self) -> Result<Option<(Seq, S)>> {
        match self.inner.read_snapshot()? {
            None => Ok(None),
            Some(s) => serde_json::from_slice(&s.data)
                .map(|state| Some((s.seq, state)))
                .map_err(|source| Error::JournalPayload {
                    seq: s.seq.0,
                    source,
                }),
        }
    }
}
