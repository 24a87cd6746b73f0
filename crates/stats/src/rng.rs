//! A small, documented, seeded pseudo-random generator, so that folds and bootstrap resamples
//! are reproducible here and in a Python reference.
//!
//! The generator is xoshiro256** (Blackman & Vigna 2018) seeded by four successive outputs of
//! SplitMix64 from a `u64` seed, the seeding its authors recommend. To reproduce in Python
//! (all arithmetic modulo 2⁶⁴, `M = 2**64 - 1`):
//!
//! ```text
//! def splitmix64(state):              # returns (new_state, output)
//!     state = (state + 0x9E3779B97F4A7C15) & M
//!     z = state
//!     z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//!     z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//!     return state, z ^ (z >> 31)
//! rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
//! def next_u64(s):                    # s: list of four words, updated in place
//!     result = (rotl((s[1] * 5) & M, 7) * 9) & M
//!     t = (s[1] << 17) & M
//!     s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
//!     s[3] = rotl(s[3], 45)
//!     return result
//! below(n) = (next_u64(s) * n) >> 64  # an integer in [0, n): multiply-shift, no rejection
//! ```
//!
//! `below` has a bias of at most n / 2⁶⁴, irrelevant for resampling.

/// SplitMix64 (Steele, Lea & Flood 2014), used to expand a seed.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
///
/// ```
/// use sellerq_stats::rng::Xoshiro256StarStar;
/// let mut a = Xoshiro256StarStar::seed_from_u64(7);
/// let mut b = Xoshiro256StarStar::seed_from_u64(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct Xoshiro256StarStar {
    s: [u64; 4],
}

impl Xoshiro256StarStar {
    /// Seeds the four state words with four SplitMix64 outputs of `seed`.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        Self {
            s: [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()],
        }
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `[0, n)` by multiply-shift (`(x · n) >> 64`); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform float in `[0, 1)` from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Shuffles `items` in place (Fisher–Yates from the end: for i = n−1 down to 1, swap item i
    /// with item `below(i + 1)`).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}
