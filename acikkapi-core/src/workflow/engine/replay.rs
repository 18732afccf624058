//! Recovery: opening an engine on a journal (snapshot, then the records after it) and writing
//! snapshots.

use std::collections::BTreeSet;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{CommandOutcome, Engine, EngineOptions, Envelope, Instance, SnapshotStatus};
use crate::ids::Full;
use crate::journal::{Journal, JournalIter, Record, Seq, Snapshot as JournalSnapshot};
use crate::workflow::ports::{NotificationSink, storage_error};
use crate::workflow::{InstanceId, WorkflowDefinition};
use crate::{Error, Result};
use std::sync::Arc;

#[derive(Serialize, Deserialize)]
#[serde(bound(
    serialize = "W::State: Serialize, W::Event: Serialize",
    deserialize = "W::State: serde::de::DeserializeOwned, W::Event: serde::de::DeserializeOwned"
))]
struct Snapshot<W: WorkflowDefinition> {
    workflow: String,
    /// The schema of the states and events it holds: a snapshot of another schema is refused
    /// (and every record replayed and upcast instead). Snapshots written before schema versions
    /// existed are 1.
    #[serde(default = "super::upcast::first_schema")]
    schema: u32,
    seq: u64,
    instances: Vec<(InstanceId, Instance<W>)>,
    commands: Vec<CommandOutcome>,
}

impl<W: WorkflowDefinition> Engine<W> {
    /// Opens an engine on a journal: loads the snapshot when there is one (and
    /// [`EngineOptions::use_snapshot`] is on), replays the records after it, and rebuilds the
    /// timers. A snapshot that cannot be used (not made from this journal's records, damaged, of
    /// another workflow) is set aside and every record replayed: see [`Engine::snapshot_status`]. An empty journal gives an empty engine. The journal
    /// holds this one workflow. Appends are conditional on the last sequence number the engine
    /// knows, so another writer of the same journal (another node on the same PostgreSQL
    /// stream) is detected: the engine then catches up with its records ([`Engine::catch_up`])
    /// and decides again.
    pub fn open(
        def: W,
        log: Arc<dyn Journal>,
        sink: impl NotificationSink + 'static,
        options: EngineOptions,
    ) -> Result<Self> {
        let mut engine = Engine {
            def,
            options,
            log,
            sink: std::sync::Mutex::new(Box::new(sink)),
            instances: HashMap::new(),
            commands: HashMap::new(),
            timers: BTreeSet::new(),
            timer_of: HashMap::new(),
            unsent: Vec::new(),
            seq: 0,
            snapshot_seq: 0,
            snapshot_status: SnapshotStatus::None,
            behind: false,
        };
        engine.snapshot_status = if engine.options.use_snapshot {
            match engine.load_snapshot() {
                Ok(status) => status,
                Err(e) => {
                    // Nothing of the snapshot was kept: replay from the first record.
                    engine.instances.clear();
                    engine.commands.clear();
                    engine.seq = 0;
                    engine.snapshot_seq = 0;
                    SnapshotStatus::Rejected {
                        reason: e.to_string(),
                    }
                }
            }
        } else {
            SnapshotStatus::Ignored
        };
        let log = engine.log.clone();
        let mut schemas = super::upcast::SchemaHint::default();
        for record in JournalIter::new(log.as_ref(), Seq(engine.seq + 1)) {
            let record = record?;
            engine.replay_record(record.seq.0, &record.payload, &mut schemas, None)?;
        }
        let ids: Vec<InstanceId> = engine.instances.keys().cloned().collect();
        for id in ids {
            engine.reschedule(&id);
        }
        Ok(engine)
    }

    /// Loads the journal's snapshot, if there is one and it is of this workflow.
    fn load_snapshot(&mut self) -> Result<SnapshotStatus> {
        let Some(JournalSnapshot {
            seq: Seq(seq),
            data,
        }) = self.log.read_snapshot()?
        else {
            return Ok(SnapshotStatus::None);
        };
        // The schema first: a snapshot of an older schema may not even deserialize, and the
        // reason to give is its schema, not the shape it fails on.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default = "super::upcast::first_schema")]
            schema: u32,
        }
        let header: Header = serde_json::from_slice(&data).map_err(|e| Error::CorruptHistory {
            seq,
            message: format!("snapshot: {e}"),
        })?;
        if header.schema != self.def.schema_version() {
            return Err(Error::CorruptHistory {
                seq,
                message: format!(
                    "snapshot of schema {}, this program writes schema {}",
                    header.schema,
                    self.def.schema_version()
                ),
            });
        }
        let snap: Snapshot<W> =
            serde_json::from_slice(&data).map_err(|e| Error::CorruptHistory {
                seq,
                message: format!("snapshot: {e}"),
            })?;
        if snap.workflow != self.def.name() || snap.seq != seq {
            return Err(Error::CorruptHistory {
                seq,
                message: format!("snapshot of {:?} at {}", snap.workflow, snap.seq),
            });
        }
        self.instances = snap.instances.into_iter().collect();
        self.commands = snap
            .commands
            .into_iter()
            .map(|c| (c.command.clone(), c))
            .collect();
        self.seq = seq;
        self.snapshot_seq = seq;
        Ok(SnapshotStatus::Loaded { seq })
    }

    fn replay_record(
        &mut self,
        seq: u64,
        bytes: &[u8],
        schemas: &mut super::upcast::SchemaHint,
        catching_up: Option<&mut Vec<InstanceId>>,
    ) -> Result<()> {
        let env: Envelope<W::Event> = super::upcast::decode(&self.def, seq, bytes, schemas)?;
        if env.seq != seq || seq != self.seq + 1 || env.workflow != self.def.name() {
            return Err(Error::CorruptHistory {
                seq,
                message: format!(
                    "expected record {} of {:?}, found record {} of {:?}",
                    self.seq + 1,
                    self.def.name(),
                    env.seq,
                    env.workflow
                ),
            });
        }
        let version = self.instances.get(&env.instance).map_or(0, |i| i.version);
        if env.version != version + 1 {
            return Err(Error::CorruptHistory {
                seq,
                message: format!("{} version {} after {}", env.instance, env.version, version),
            });
        }
        let current = self.instances.remove(&env.instance);
        let (state, mut history) = match current {
            Some(i) => (Some(i.state), i.history),
            None => (None, Vec::new()),
        };
        // `apply` takes the state by value: while catching up ([`Engine::catch_up`]) keep a copy
        // to put back if it refuses the event, so that a refused record loses nothing in memory
        // (on open an error ends the open, and the copy would only slow the replay down).
        let backup = if catching_up.is_some() {
            state.clone()
        } else {
            None
        };
        let state = match self.def.apply(state, &env.event) {
            Ok(state) => state,
            Err(e) => {
                if let Some(state) = backup {
                    self.instances.insert(
                        env.instance.clone(),
                        Instance {
                            state,
                            version,
                            history,
                        },
                    );
                }
                return Err(Error::CorruptHistory {
                    seq,
                    message: e.to_string(),
                });
            }
        };
        let status = self.def.status(&state);
        if let Some(outcome) = self.commands.get_mut(&env.command) {
            outcome.version = env.version;
            outcome.events += 1;
            if outcome.status != status {
                outcome.status = status.to_owned();
            }
        } else {
            self.commands.insert(
                env.command.clone(),
                CommandOutcome {
                    command: env.command.clone(),
                    instance: env.instance.clone(),
                    version: env.version,
                    events: 1,
                    status: status.to_owned(),
                    repeated: false,
                },
            );
        }
        let id = env.instance.clone();
        if let Some(touched) = catching_up {
            touched.push(id.clone());
        }
        let version = env.version;
        history.push(env);
        self.instances.insert(
            id,
            Instance {
                state,
                version,
                history,
            },
        );
        self.seq = seq;
        Ok(())
    }

    /// Catches up with the records other writers appended to the journal after this engine's
    /// last one (another node on the same PostgreSQL stream; or this engine's own append whose
    /// outcome was unknown, e.g. the connection dropped during COMMIT). Each record goes through
    /// the same decoding, upcasting and checks as on [`Engine::open`]; states, versions,
    /// histories, command results and timers are updated, so a command id committed elsewhere
    /// returns its stored result here. Their notifications are **not** queued again: the node
    /// that wrote them queued them. Returns how many records were applied.
    ///
    /// On an error (the journal cannot be read, a record is refused) the records before the bad
    /// one stay applied, the engine stays consistent at [`Engine::last_seq`], and the next call
    /// (or the next command) tries again from there.
    pub fn catch_up(&mut self) -> Result<u64> {
        let log = self.log.clone();
        let mut applied = 0;
        loop {
            let page = log.read_range(Seq(self.seq + 1), JournalIter::PAGE)?;
            let full = page.len() == JournalIter::PAGE;
            let n = self.apply_caught_up(page)?;
            applied += n;
            if full && n == 0 {
                return Err(storage_error(
                    "the journal answered a read with older records",
                ));
            }
            if !full {
                self.behind = false;
                return Ok(applied);
            }
        }
    }

    /// Applies records read from the journal after [`Engine::last_seq`] (one page of a
    /// catch-up; a [`SharedEngine`](crate::workflow::SharedEngine) reads them without holding
    /// the engine's lock). Records the engine already has are skipped; a gap is
    /// [`Error::CorruptHistory`]. Returns how many were applied; on an error the ones before the
    /// bad record stay applied. Does not clear [`Engine::is_behind`]: the caller does once the
    /// journal has nothing more.
    pub(crate) fn apply_caught_up(&mut self, records: Vec<Record>) -> Result<u64> {
        let mut schemas = super::upcast::SchemaHint::default();
        let mut touched: Vec<InstanceId> = Vec::new();
        let start = self.seq;
        let mut result = Ok(());
        for record in records.into_iter().filter(|r| r.seq.0 > start) {
            if let Err(e) = self.replay_record(
                record.seq.0,
                &record.payload,
                &mut schemas,
                Some(&mut touched),
            ) {
                result = Err(e);
                break;
            }
        }
        touched.sort();
        touched.dedup();
        for id in &touched {
            self.reschedule(id);
        }
        let applied = self.seq - start;
        result.map(|()| applied)
    }

    /// Marks the engine caught up (the journal had nothing after [`Engine::last_seq`]).
    pub(crate) fn caught_up(&mut self) {
        self.behind = false;
    }

    /// Writes a snapshot of every instance and command result to the journal now.
    pub fn snapshot(&mut self) -> Result<()> {
        let snap = Snapshot::<W> {
            workflow: self.def.name().to_owned(),
            schema: self.def.schema_version(),
            seq: self.seq,
            instances: self
                .instances
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            commands: self.commands.values().cloned().collect(),
        };
        let bytes = serde_json::to_vec(&Full(&snap)).map_err(storage_error)?;
        self.log.write_snapshot(&JournalSnapshot {
            seq: Seq(self.seq),
            data: bytes,
        })?;
        self.snapshot_seq = self.seq;
        Ok(())
    }
}
