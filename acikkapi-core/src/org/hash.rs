//! A small FNV-1a hasher for the router's hot lookups (short ASCII/Turkish keys, trusted data built
//! by the crate itself — no HashDoS exposure, since keys are inserted only from embedded or checked
//! files and the lookups only read).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A `HashMap` with [`Fnv`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_map_finds_by_borrowed_key() {
        let mut m: FastMap<String, u32> = FastMap::default();
        m.insert("Merkezefendi".into(), 1);
        m.insert("Pamukkale".into(), 2);
        assert_eq!(m.get("Pamukkale"), Some(&2));
        assert_eq!(m.get("pamukkale"), None);
        let mut a = Fnv::default();
        a.write(b"a");
        let mut b = Fnv::default();
        b.write(b"b");
        assert_ne!(a.finish(), b.finish());
    }
}
