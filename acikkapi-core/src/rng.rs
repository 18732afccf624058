//! A small seeded generator: SplitMix64 (Steele, Lea, Flood 2014). Fast, 64 bits of state, and
//! good enough for synthetic data; not for anything secret. Written here so that a seed gives the
//! same stream on every platform and every release (no dependency whose stream may change).
//!
//! A module of its own, low in the crate's layers: the simulation ([`crate::sim::Rng`]) and the
//! statistics' synthetic records ([`crate::stats::synth`]) both draw from it.

use serde::{Deserialize, Serialize};

/// Üreteç: a deterministic pseudo-random stream.
///
/// ```
/// use acikkapi_core::rng::Rng;
/// let (mut a, mut b) = (Rng::new(7), Rng::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rng(u64);

impl Rng {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for sub-task `n` of this seed (mixes the seed with `n`).
    pub fn fork(seed: u64, n: u64) -> Rng {
        let mut r = Rng(seed ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        // A usize always fits in a u64 on the platforms Rust supports (≤ 64-bit), and the result
        // is below n, so it fits back.
        self.below_u64(n as u64) as usize
    }

    /// A number in `0..n` (`0` when `n == 0`), for 64-bit ranges.
    pub fn below_u64(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: unbiased enough for n far below 2^64.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below_u64(100) < percent
    }

    /// True with probability `p` (clamped to 0–1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index drawn with the given non-negative weights (the last index when all are 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().filter(|w| **w > 0.0).sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if *w <= 0.0 {
                continue;
            }
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// A Poisson-distributed count with mean `lambda` (Knuth's product method, in chunks of
    /// mean at most 200 so that `exp(-λ)` never underflows; a sum of Poisson variables is
    /// Poisson with the summed mean, so the chunking is exact).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda.is_nan() || lambda <= 0.0 || !lambda.is_finite() {
            return 0;
        }
        let mut left = lambda;
        let mut count = 0;
        while left > 0.0 {
            let l = left.min(200.0);
            left -= l;
            let limit = (-l).exp();
            let mut p = self.unit();
            while p > limit {
                count += 1;
                p *= self.unit();
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let a: Vec<u64> = (0..5)
            .scan(Rng::new(1), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .scan(Rng::new(1), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..5)
            .scan(Rng::new(2), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(Rng::fork(1, 1).next_u64(), Rng::fork(1, 2).next_u64());
    }

    #[test]
    fn poisson_mean_and_variance_are_close_to_lambda() {
        for lambda in [0.3, 4.0, 60.0, 750.0] {
            let mut r = Rng::new(42);
            let n = 4000;
            let xs: Vec<f64> = (0..n).map(|_| r.poisson(lambda) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            // 5 standard errors of the mean.
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "{lambda}: {mean}"
            );
            assert!((var / lambda - 1.0).abs() < 0.15, "{lambda}: {var}");
        }
        assert_eq!(Rng::new(1).poisson(0.0), 0);
        assert_eq!(Rng::new(1).poisson(f64::NAN), 0);
    }

    #[test]
    fn weighted_follows_the_weights_and_skips_zero() {
        let mut r = Rng::new(3);
        let mut counts = [0u32; 3];
        for _ in 0..10_000 {
            counts[r.weighted(&[1.0, 0.0, 3.0])] += 1;
        }
        assert_eq!(counts[1], 0);
        let share = f64::from(counts[2]) / 10_000.0;
        assert!((share - 0.75).abs() < 0.03, "{share}");
        assert!(r.below(0) == 0 && r.below(1) == 0);
    }
}
