//! The application service on PostgreSQL: one ordered stream per province, tracking numbers
//! from the database's counters. [`open_applications`] is the one constructor the front ends
//! (CLI, HTTP server) call.
//!
//! # Partitions
//!
//! Each province is one stream of `journal_records`, named by its two-digit plate (`"06"`,
//! `"34"`, [`province_stream`]), with its own engine in the service: commands on İstanbul's
//! applications are ordered (and conflict) only with each other, never with Ankara's; a node
//! catching up reads only the streams that moved. Listings, search and statistics read every
//! partition. Personnel requests ([`open_personnel`]) are one stream of their own,
//! [`PERSONNEL_STREAM`]: few requests, one order.
//!
//! # Several nodes
//!
//! Every node opens the same database with [`open_applications`]. A node's engine of a stream
//! decides a command on what it has applied so far and appends conditionally on its last
//! position; when another node appended first the append conflicts, the engine reads the new
//! records (catch-up), decides again and retries (bounded). A command id committed by the other
//! node returns its stored outcome; a tracking number the other node received is found in the
//! stream before it is called unknown. [`Applications::refresh`] catches every stream up (for
//! listings that must include the other nodes' latest work).

use std::sync::Arc;

use acikkapi_core::Result;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::ids::TrackingAllocator;
use acikkapi_core::service::{Applications, Personnel};
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::personnel::PersonnelWorkflow;
use acikkapi_core::workflow::ports::NotificationSink;
use acikkapi_core::workflow::{Engine, EngineOptions};

use crate::{PgStore, PgTrackingNumbers};

/// The stream of personnel change requests.
pub const PERSONNEL_STREAM: &str = "personel";

/// The stream of a province's applications: its plate in two digits (`"06"`, `"34"`).
pub fn province_stream(plate: ProvincePlate) -> String {
    format!("{:02}", plate.get())
}

/// Opens the application service on `store`: an engine per province stream (`"01"` … `"81"`,
/// each opened from its snapshot and the records after it), tracking numbers from the
/// database's counters ([`PgTrackingNumbers`], never below a number already in the journal),
/// and the native routers. `sink` is cloned for each engine (every sink of the core is a shared
/// handle: `MemorySink`, `Arc<Mutex<DurableOutbox>>`, …); `options` are the same for every
/// engine. Call it outside an async runtime (it blocks on the store's own).
pub fn open_applications<S: NotificationSink + Clone + 'static>(
    store: &PgStore,
    workflow: ApplicationWorkflow,
    sink: S,
    options: EngineOptions,
) -> Result<Applications> {
    let mut partitions = Vec::with_capacity(81);
    for n in 1..=81u8 {
        let plate = ProvincePlate::new(n)?;
        let journal = Arc::new(store.journal(&province_stream(plate))?);
        let engine = Engine::open(workflow.clone(), journal, sink.clone(), options.clone())?;
        partitions.push((vec![plate], engine));
    }
    let floor = TrackingAllocator::new();
    for (_, engine) in &partitions {
        for (id, _) in engine.instances() {
            if let Ok(t) = acikkapi_core::ids::TrackingNumber::parse(id.as_str()) {
                floor.observe(&t);
            }
        }
    }
    Applications::partitioned(partitions, Box::new(PgTrackingNumbers::new(store, floor)))
}

/// Opens the personnel service on `store`'s [`PERSONNEL_STREAM`]. Its request ids are still
/// counted in the process (from the stream's ids): two nodes submitting personnel requests in
/// the same province and year at once may pick the same id, and the second submit then fails
/// (the conditional append catches up and finds the id taken) — it is never overwritten.
pub fn open_personnel<S: NotificationSink + 'static>(
    store: &PgStore,
    workflow: PersonnelWorkflow,
    sink: S,
    options: EngineOptions,
) -> Result<Personnel> {
    let journal = Arc::new(store.journal(PERSONNEL_STREAM)?);
    Personnel::open(workflow, journal, sink, options)
}
