//! A bounded concurrent map from "the inputs a script reads" to "what it decided".
//!
//! Sharded: 16 shards, each a `Mutex<HashMap>` holding at most `capacity / 16` entries. When a
//! shard is full it is cleared before the insert (cheap, no bookkeeping per hit; a realistic stream
//! has far fewer distinct keys than the capacity, so this is rare). Hashing uses the std
//! `RandomState` per shard set; keys are compared in full, so a hash collision never returns a
//! wrong decision.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::app::KeyPart;
use crate::outcome::ScriptOutcome;

const SHARDS: usize = 16;

/// The key: the values of the fields the script reads, in a fixed order.
pub(crate) type Key = Vec<KeyPart>;

/// What is cached: the outcome and the script's log lines.
pub(crate) type Cached = Arc<(ScriptOutcome, Vec<String>)>;

/// A fast, deterministic 64-bit hasher (the multiply-rotate scheme of rustc's FxHasher). Keys
/// come from officers' data, not from an attacker choosing collisions, and a collision only costs
/// a comparison: entries are matched on the full key.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Passes a precomputed hash through.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed with this hasher; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Shard = HashMap<u64, Vec<(Key, Cached)>, BuildHasherDefault<IdHasher>>;

/// The bounded decision cache of one rule set.
#[derive(Debug)]
pub(crate) struct OutcomeCache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Hit and miss counters of a rule set's decision cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CacheStats {
    /// Decisions served from the cache.
    pub hits: u64,
    /// Decisions the script had to compute.
    pub misses: u64,
    /// Entries held now.
    pub entries: usize,
}

impl OutcomeCache {
    pub(crate) fn new(capacity: usize) -> OutcomeCache {
        OutcomeCache {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn shard(&self, hash: u64) -> &Mutex<Shard> {
        // The top bits pick the shard; the map uses the whole hash.
        &self.shards[(hash >> 60) as usize % SHARDS]
    }

    /// The cached value whose key has this hash and satisfies `is_key`.
    pub(crate) fn get(&self, hash: u64, is_key: impl Fn(&Key) -> bool) -> Option<Cached> {
        // A poisoned shard (a panic while holding it) is treated as a miss.
        let found = self.shard(hash).lock().ok().and_then(|m| {
            m.get(&hash)
                .and_then(|bucket| bucket.iter().find(|(k, _)| is_key(k)))
                .map(|(_, v)| v.clone())
        });
        match found {
            Some(v) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(v)
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    pub(crate) fn insert(&self, hash: u64, key: Key, value: Cached) {
        if let Ok(mut m) = self.shard(hash).lock() {
            if m.len() >= self.per_shard && !m.contains_key(&hash) {
                m.clear();
            }
            let bucket = m.entry(hash).or_default();
            match bucket.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => bucket.push((key, value)),
            }
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self
                .shards
                .iter()
                .map(|s| {
                    s.lock()
                        .map(|m| m.values().map(Vec::len).sum())
                        .unwrap_or(0)
                })
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(o: ScriptOutcome) -> Cached {
        Arc::new((o, vec![]))
    }

    #[test]
    fn bounded_and_exact_even_on_hash_collisions() {
        let c = OutcomeCache::new(32);
        for i in 0..1_000u64 {
            c.insert(
                i << 3,
                vec![KeyPart::Int(i as i64)],
                v(ScriptOutcome::Default),
            );
        }
        assert!(c.stats().entries <= 32, "{:?}", c.stats());
        // Two keys with the same hash stay apart.
        let reject = ScriptOutcome::Reject { reason: "x".into() };
        c.insert(7, vec![KeyPart::Str("a".into())], v(reject.clone()));
        c.insert(7, vec![KeyPart::Str("b".into())], v(ScriptOutcome::Default));
        let is = |s: &'static str| move |k: &Key| *k == vec![KeyPart::Str(s.into())];
        assert_eq!(c.get(7, is("a")).map(|x| x.0.clone()), Some(reject));
        assert_eq!(
            c.get(7, is("b")).map(|x| x.0.clone()),
            Some(ScriptOutcome::Default)
        );
        assert!(c.get(7, is("c")).is_none());
        assert!(c.get(8, is("a")).is_none());
        assert_eq!(c.stats().hits, 2);
        assert_eq!(c.stats().misses, 2);
    }
}
