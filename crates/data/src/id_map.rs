//! Hash maps keyed by the numeric part of a `tconst`, with a cheap multiplicative hasher:
//! the keys are trusted integers, so SipHash's DoS resistance buys nothing and costs
//! about a third of the ratings load time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by `TitleId::numeric`.
pub(crate) type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Fibonacci hashing of one `u64` (the multiplier is 2^64 / golden ratio); the high bits,
/// which the table uses, depend on every input bit.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map() {
        let mut map: IdMap<u32> = IdMap::default();
        for id in 0..10_000u64 {
            map.insert(id * 3, id as u32);
        }
        assert_eq!(map.len(), 10_000);
        assert_eq!(map.get(&2997), Some(&999));
        assert_eq!(map.get(&2998), None);
    }
}
