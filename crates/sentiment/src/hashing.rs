//! Hashed word n-gram features: tokens -> bucket ids with term counts.
//!
//! Every word n-gram (`n` in `1..=max_ngram`, over consecutive tokens) is hashed to one of
//! `2^log2_buckets` buckets (the "hashing trick": no vocabulary to store, a fixed memory
//! size, and rare collisions that the model absorbs). The hash is 64-bit FNV-1a over the
//! feature's bytes (lower-cased, `NEG_`-prefixed when negated), n-grams are combined from
//! their words' hashes, and the murmur3 finaliser spreads the bits before the top
//! `log2_buckets` bits are taken. It is pure integer arithmetic, so a bucket is the same on
//! every platform and in every release: the shipped weights depend on it.

use serde::{Deserialize, Serialize};

use crate::tokenize::{tokenize, Token};

/// Which features a model uses. Stored in the model file: scoring must hash exactly as
/// training did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// Number of hash buckets, as a power of two (default 20: 1,048,576 buckets).
    pub log2_buckets: u8,
    /// Longest word n-gram (default 2: words and word pairs); 1 to 3.
    pub max_ngram: u8,
}

impl Default for FeatureParams {
    fn default() -> Self {
        Self {
            log2_buckets: 20,
            max_ngram: 2,
        }
    }
}

/// Allowed `log2_buckets`: 2^12 to 2^24 buckets.
pub const LOG2_BUCKETS_RANGE: std::ops::RangeInclusive<u8> = 12..=24;
/// Allowed `max_ngram`.
pub const MAX_NGRAM_RANGE: std::ops::RangeInclusive<u8> = 1..=3;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;
/// Odd constant separating n-gram orders and combining word hashes.
const GRAM_MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// One distinct n-gram bucket of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Term {
    /// Bucket id, `< 2^log2_buckets`.
    pub bucket: u32,
    /// How many n-grams of the text fell into the bucket.
    pub count: u32,
    /// The first such n-gram, as `token index * 4 + (n - 1)` (see [`Scratch::gram_text`]).
    pub first: u32,
}

/// Reusable buffers for turning a text into [`Term`]s.
#[derive(Debug, Default)]
pub(crate) struct Scratch<'a> {
    tokens: Vec<Token<'a>>,
    hashes: Vec<u64>,
    grams: Vec<u64>,
    /// The text's terms, sorted by bucket.
    pub terms: Vec<Term>,
}

impl<'a> Scratch<'a> {
    /// Tokenizes and hashes `text` into `self.terms`.
    pub(crate) fn fill(&mut self, text: &'a str, params: FeatureParams) {
        tokenize(text, &mut self.tokens);
        self.hashes.clear();
        self.hashes.extend(self.tokens.iter().map(word_hash));
        self.grams.clear();
        self.grams
            .reserve(self.hashes.len() * usize::from(params.max_ngram));
        let shift = 64 - u32::from(params.log2_buckets);
        for i in 0..self.hashes.len() {
            let mut h = 0u64;
            for n in 0..usize::from(params.max_ngram) {
                let Some(&word) = self.hashes.get(i + n) else {
                    break;
                };
                h = h.wrapping_mul(GRAM_MIX) ^ word;
                let bucket = fmix64(h ^ (n as u64 + 1).wrapping_mul(GRAM_MIX)) >> shift;
                // Token counts are bounded by the text length limit, far below 2^30.
                let gram = (i * 4 + n) as u64;
                self.grams.push(bucket << 32 | gram);
            }
        }
        self.grams.sort_unstable();
        self.terms.clear();
        self.terms.reserve(self.grams.len());
        for &g in &self.grams {
            let bucket = (g >> 32) as u32;
            match self.terms.last_mut() {
                Some(t) if t.bucket == bucket => t.count += 1,
                _ => self.terms.push(Term {
                    bucket,
                    count: 1,
                    first: g as u32,
                }),
            }
        }
    }

    /// The n-gram `gram` (a [`Term::first`]) as text: its features joined by spaces.
    pub(crate) fn gram_text(&self, gram: u32) -> String {
        let (start, n) = (gram as usize / 4, gram as usize % 4 + 1);
        self.tokens[start..start + n]
            .iter()
            .map(Token::feature)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// FNV-1a over the token's feature bytes.
fn word_hash(token: &Token<'_>) -> u64 {
    let mut h = FNV_OFFSET;
    token.feed(|b| {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    });
    h
}

/// murmur3's 64-bit finaliser: every input bit affects every output bit.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, params: FeatureParams) -> Vec<Term> {
        let mut scratch = Scratch::default();
        scratch.fill(text, params);
        scratch.terms.clone()
    }

    #[test]
    fn counts_repeated_words_and_pairs_once_per_bucket() {
        let t = terms("good good good", FeatureParams::default());
        // "good" x3 and "good good" x2 (a collision between them is vanishingly unlikely).
        let mut counts: Vec<u32> = t.iter().map(|t| t.count).collect();
        counts.sort_unstable();
        assert_eq!(counts, [2, 3]);
    }

    #[test]
    fn buckets_are_stable_across_releases() {
        // The shipped weights are indexed by these buckets: a change here breaks them.
        let t = terms("Good film", FeatureParams::default());
        let mut buckets: Vec<u32> = t.iter().map(|t| t.bucket).collect();
        buckets.sort_unstable();
        assert_eq!(buckets, [65_185, 756_881, 819_817], "{t:?}");
    }

    #[test]
    fn case_does_not_change_the_bucket_but_negation_does() {
        let p = FeatureParams {
            max_ngram: 1,
            ..FeatureParams::default()
        };
        assert_eq!(terms("GOOD", p), terms("good", p));
        let good = terms("good", p)[0].bucket;
        let negated = terms("not good", p);
        assert!(negated.iter().all(|t| t.bucket != good), "{negated:?}");
        let shared: Vec<_> = terms("never good", p)
            .into_iter()
            .filter(|t| negated.iter().any(|n| n.bucket == t.bucket))
            .collect();
        assert_eq!(shared.len(), 1, "NEG_good is one feature after any negator");
    }

    #[test]
    fn gram_text_names_words_and_pairs() {
        let mut scratch = Scratch::default();
        scratch.fill("Not good at ALL", FeatureParams::default());
        let mut names: Vec<String> = scratch
            .terms
            .iter()
            .map(|t| scratch.gram_text(t.first))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "NEG_all",
                "NEG_at",
                "NEG_at NEG_all",
                "NEG_good",
                "NEG_good NEG_at",
                "not",
                "not NEG_good"
            ]
        );
    }

    #[test]
    fn trigrams_only_when_asked() {
        let two = terms("a b c", FeatureParams::default()).len();
        let three = terms(
            "a b c",
            FeatureParams {
                max_ngram: 3,
                ..FeatureParams::default()
            },
        )
        .len();
        assert_eq!((two, three), (5, 6));
    }
}
