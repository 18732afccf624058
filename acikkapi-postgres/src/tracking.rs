//! [`PgTrackingNumbers`]: tracking numbers from counters in the database, unique across every
//! node of one database and across restarts.
//!
//! The table `tracking_counters` (migration `0002_tracking.sql`) holds the last sequence number
//! handed out per (province plate, year). [`next`](TrackingNumbers::next) is one statement:
//!
//! ```sql
//! INSERT INTO tracking_counters AS c (plate, year, last) VALUES ($1, $2, $3 + 1)
//! ON CONFLICT (plate, year) DO UPDATE SET last = greatest(c.last, $3) + 1, updated_at = now()
//!   WHERE greatest(c.last, $3) < $4
//! RETURNING last
//! ```
//!
//! The conflicting row is locked until the statement's transaction commits, so two nodes asking
//! at once get consecutive numbers, never the same one. `$3` is the *floor*: the highest number
//! of that province and year this node found in the journal (a journal copied into the database
//! from a file has applications but no counter rows), so a counter never hands out a number
//! already in the journal. `$4` is [`TrackingNumber::MAX_SEQUENCE`]: a used-up year returns no
//! row and is an error, and the counter stays where it was.
//!
//! A number is taken when the statement commits; if the application then never becomes durable
//! (the node dies, the append fails) the number is a gap, never given again. Gaps are allowed.

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::ids::{TrackingAllocator, TrackingNumber, TrackingNumberError, TrackingNumbers};
use acikkapi_core::{Error, Result};

use crate::{PgStore, bounded, db_error};

const NEXT: &str = "INSERT INTO tracking_counters AS c (plate, year, last) VALUES ($1, $2, $3 + 1)
     ON CONFLICT (plate, year) DO UPDATE SET last = greatest(c.last, $3) + 1, updated_at = now()
       WHERE greatest(c.last, $3) < $4
     RETURNING last";

const OBSERVE: &str = "INSERT INTO tracking_counters AS c (plate, year, last) VALUES ($1, $2, $3)
     ON CONFLICT (plate, year) DO UPDATE SET last = greatest(c.last, $3), updated_at = now()";

const LAST: &str = "SELECT last FROM tracking_counters WHERE plate = $1 AND year = $2";

/// Tracking numbers from the database's counters; see the [module documentation](self).
#[derive(Debug)]
pub struct PgTrackingNumbers {
    store: PgStore,
    /// The highest numbers this node found in the journal (and was told of), per province and
    /// year: the floor a counter is raised to before counting on.
    floor: TrackingAllocator,
}

impl PgTrackingNumbers {
    /// Counters in `store`'s database, never below the numbers in `floor` (build it with
    /// [`TrackingAllocator::from_ids`] over the ids of the engines just opened).
    pub fn new(store: &PgStore, floor: TrackingAllocator) -> Self {
        PgTrackingNumbers {
            store: store.clone(),
            floor,
        }
    }

    fn check_year(year: u16) -> Result<i16> {
        if !TrackingNumber::YEARS.contains(&year) {
            return Err(TrackingNumberError::Year { year }.into());
        }
        i16::try_from(year).map_err(|_| TrackingNumberError::Year { year }.into())
    }

    /// [`TrackingNumbers::next`], async.
    pub async fn next_async(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        let y = Self::check_year(year)?;
        let floor = self.floor.last(plate, year);
        let max = TrackingNumber::MAX_SEQUENCE;
        let exhausted = || -> Error { TrackingNumberError::Sequence { seq: max }.into() };
        if floor >= max {
            return Err(exhausted());
        }
        let p = i16::from(plate.get());
        let (floor, max) = (as_i32(floor)?, as_i32(max)?);
        let row = bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            let stmt = client
                .prepare_cached(NEXT)
                .await
                .map_err(|e| db_error("taking a tracking number", &e))?;
            client
                .query_opt(&stmt, &[&p, &y, &floor, &max])
                .await
                .map_err(|e| db_error("taking a tracking number", &e))
        })
        .await?;
        let Some(row) = row else {
            return Err(exhausted());
        };
        let last: i32 = row
            .try_get(0)
            .map_err(|e| db_error("taking a tracking number", &e))?;
        let seq = u32::try_from(last).map_err(|_| exhausted())?;
        Ok(TrackingNumber::new(plate, year, seq)?)
    }

    /// [`TrackingNumbers::observe`], async.
    pub async fn observe_async(&self, number: &TrackingNumber) -> Result<()> {
        self.floor.observe(number);
        let y = Self::check_year(number.year())?;
        let p = i16::from(number.plate().get());
        let seq = as_i32(number.sequence())?;
        bounded(self.store.op_timeout(), async {
            let client = self.store.client().await?;
            client
                .execute(OBSERVE, &[&p, &y, &seq])
                .await
                .map_err(|e| db_error("recording a tracking number", &e))
        })
        .await?;
        Ok(())
    }

    /// The last number the database handed out (or was told of) for `plate` in `year`, 0 if
    /// none.
    pub fn last(&self, plate: ProvincePlate, year: u16) -> Result<u32> {
        let y = Self::check_year(year)?;
        let p = i16::from(plate.get());
        let row = self.store.block_on(async {
            let client = self.store.client().await?;
            client
                .query_opt(LAST, &[&p, &y])
                .await
                .map_err(|e| db_error("reading a tracking counter", &e))
        })?;
        match row {
            None => Ok(0),
            Some(row) => {
                let last: i32 = row
                    .try_get(0)
                    .map_err(|e| db_error("reading a tracking counter", &e))?;
                Ok(u32::try_from(last).unwrap_or(0))
            }
        }
    }
}

fn as_i32(n: u32) -> Result<i32> {
    i32::try_from(n).map_err(|_| {
        TrackingNumberError::Sequence {
            seq: TrackingNumber::MAX_SEQUENCE,
        }
        .into()
    })
}

impl TrackingNumbers for PgTrackingNumbers {
    fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        self.store.block_on(self.next_async(plate, year))
    }

    fn observe(&self, number: &TrackingNumber) -> Result<()> {
        self.store.block_on(self.observe_async(number))
    }
}
