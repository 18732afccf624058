//! A bounded concurrent map from "the inputs a script reads" to "what it decided".
//!
//! Sharded: 16 shards, each a `Mutex<HashMap>` holding at most `capacity / 16` entries. When a
//! shard is full it is cleared before the insert (cheap, no bookkeeping per hit; a realistic stream
//! has far fewer distinct keys than the capacity, so this is rare). Hashing uses the std
//! `RandomState` per shard set; keys are compared in full, so a hash collision never returns a
//! wrong decision.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::app::KeyPart;
use crate::outcome::ScriptOutcome;

const SHARDS: usize = 16;

/// The key: the values of the fields the script reads, in a fixed order.
pub(crate) type Key = Vec<KeyPart>;

/// The bounded decision cache of one rule set.
#[derive(Debug)]
pub(crate) struct OutcomeCache {
    shards: Vec<Mutex<HashMap<Key, (ScriptOutcome, Vec<String>)>>>,
    per_shard: usize,
    hasher: RandomState,
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
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn shard(&self, key: &Key) -> &Mutex<HashMap<Key, (ScriptOutcome, Vec<String>)>> {
        let i = (self.hasher.hash_one(key) as usize) % SHARDS;
        &self.shards[i]
    }

    pub(crate) fn get(&self, key: &Key) -> Option<(ScriptOutcome, Vec<String>)> {
        // A poisoned shard (a panic while holding it) is treated as a miss.
        let found = self
            .shard(key)
            .lock()
            .ok()
            .and_then(|m| m.get(key).cloned());
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

    pub(crate) fn insert(&self, key: Key, value: (ScriptOutcome, Vec<String>)) {
        if let Ok(mut m) = self.shard(&key).lock() {
            if m.len() >= self.per_shard && !m.contains_key(&key) {
                m.clear();
            }
            m.insert(key, value);
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self
                .shards
                .iter()
                .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_exact() {
        let c = OutcomeCache::new(32);
        for i in 0..1_000 {
            c.insert(vec![KeyPart::Int(i)], (ScriptOutcome::Default, vec![]));
        }
        assert!(c.stats().entries <= 32, "{:?}", c.stats());
        c.insert(
            vec![KeyPart::Str("a".into())],
            (
                ScriptOutcome::Reject { reason: "x".into() },
                vec!["log".into()],
            ),
        );
        assert_eq!(
            c.get(&vec![KeyPart::Str("a".into())]).map(|v| v.0),
            Some(ScriptOutcome::Reject { reason: "x".into() })
        );
        assert!(c.get(&vec![KeyPart::Str("b".into())]).is_none());
        assert_eq!(c.stats().hits, 1);
        assert_eq!(c.stats().misses, 1);
    }
}
