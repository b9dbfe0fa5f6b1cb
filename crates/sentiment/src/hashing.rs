//! Hashed n-gram features: a text -> bucket ids with term counts.
//!
//! Two analyzers feed the English model. **Words** ([`FeatureParams`]): every word n-gram
//! (`n` in `1..=max_ngram`, over consecutive tokens) is hashed to one of `2^log2_buckets`
//! buckets (the "hashing trick": no vocabulary to store, a fixed memory size, and rare
//! collisions that the model absorbs). The hash is 64-bit FNV-1a over the
//! feature's bytes (lower-cased, `NEG_`-prefixed when negated), n-grams are combined from
//! their words' hashes, and the murmur3 finaliser spreads the bits before the top
//! `log2_buckets` bits are taken. It is pure integer arithmetic, so a bucket is the same on
//! every platform and in every release: the shipped weights depend on it.
//!
//! **Characters** ([`CharParams`]), scikit-learn's `char_wb` analyzer: the text is split at
//! whitespace, each word lower-cased and padded with a space on both sides, and every run
//! of `min_n..=max_n` chars inside a padded word is a feature (a padded word shorter than
//! `n` counts once, whole, and ends the longer orders). The n-grams never cross a word
//! boundary, so each belongs to one word: explanations name that word. The hash is FNV-1a
//! over the n-gram's UTF-8 bytes, finalised the same way.

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

/// Which character n-grams a model uses (see the module docs). Stored in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharParams {
    /// Number of hash buckets, as a power of two (default 18: 262,144 buckets, a 2 MB
    /// table; cross-validation scored 2^18, 2^20 and 2^22 alike, docs/sentiment.md).
    pub log2_buckets: u8,
    /// Shortest n-gram, in chars (default 2).
    pub min_n: u8,
    /// Longest n-gram, in chars (default 5).
    pub max_n: u8,
}

impl Default for CharParams {
    fn default() -> Self {
        Self {
            log2_buckets: 18,
            min_n: 2,
            max_n: 5,
        }
    }
}

/// Allowed `min_n` and `max_n` of [`CharParams`] (and `min_n <= max_n`).
pub const CHAR_NGRAM_RANGE: std::ops::RangeInclusive<u8> = 1..=8;

/// The features of one table of weights: word n-grams or character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Analyzer {
    /// Word n-grams of the tokenizer's tokens.
    Words(FeatureParams),
    /// Character n-grams inside whitespace-separated words.
    Chars(CharParams),
}

impl From<FeatureParams> for Analyzer {
    fn from(p: FeatureParams) -> Self {
        Analyzer::Words(p)
    }
}

impl From<CharParams> for Analyzer {
    fn from(p: CharParams) -> Self {
        Analyzer::Chars(p)
    }
}

impl Analyzer {
    /// Number of hash buckets, as a power of two.
    pub(crate) fn log2_buckets(self) -> u8 {
        match self {
            Analyzer::Words(p) => p.log2_buckets,
            Analyzer::Chars(p) => p.log2_buckets,
        }
    }

    /// The first broken rule of the parameters, if any.
    pub(crate) fn check(self) -> Result<(), (&'static str, u8, &'static str)> {
        if !LOG2_BUCKETS_RANGE.contains(&self.log2_buckets()) {
            return Err(("log2_buckets", self.log2_buckets(), "must be 12 to 24"));
        }
        match self {
            Analyzer::Words(p) if !MAX_NGRAM_RANGE.contains(&p.max_ngram) => {
                Err(("max_ngram", p.max_ngram, "must be 1 to 3"))
            }
            Analyzer::Chars(p) if !CHAR_NGRAM_RANGE.contains(&p.min_n) => {
                Err(("min_n", p.min_n, "must be 1 to 8"))
            }
            Analyzer::Chars(p) if !CHAR_NGRAM_RANGE.contains(&p.max_n) || p.max_n < p.min_n => {
                Err(("max_n", p.max_n, "must be min_n to 8"))
            }
            Analyzer::Words(_) | Analyzer::Chars(_) => Ok(()),
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
    /// The first such n-gram: for words `token index * 4 + (n - 1)`, for chars the index
    /// of its whitespace-separated word (see [`Scratch::gram_text`]).
    pub first: u32,
}

/// Reusable buffers for turning a text into [`Term`]s.
#[derive(Debug, Default)]
pub(crate) struct Scratch<'a> {
    tokens: Vec<Token<'a>>,
    /// The whitespace-separated words of the last [`Scratch::fill_chars`], else empty.
    words: Vec<&'a str>,
    chars: Vec<char>,
    hashes: Vec<u64>,
    grams: Vec<u64>,
    /// The text's terms, sorted by bucket.
    pub terms: Vec<Term>,
}

impl<'a> Scratch<'a> {
    /// Hashes `text` into `self.terms` with `analyzer`.
    pub(crate) fn fill(&mut self, text: &'a str, analyzer: Analyzer) {
        match analyzer {
            Analyzer::Words(p) => self.fill_words(text, p),
            Analyzer::Chars(p) => self.fill_chars(text, p),
        }
    }

    /// Tokenizes and hashes `text`'s word n-grams into `self.terms`.
    pub(crate) fn fill_words(&mut self, text: &'a str, params: FeatureParams) {
        self.words.clear();
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
        self.merge_grams();
    }

    /// Hashes `text`'s character n-grams (see the module docs) into `self.terms`.
    pub(crate) fn fill_chars(&mut self, text: &'a str, params: CharParams) {
        self.tokens.clear();
        self.words.clear();
        self.grams.clear();
        let shift = 64 - u32::from(params.log2_buckets);
        let (min_n, max_n) = (usize::from(params.min_n), usize::from(params.max_n));
        for (index, word) in text.split_whitespace().enumerate() {
            self.words.push(word);
            self.chars.clear();
            self.chars.push(' ');
            self.chars.extend(word.chars().flat_map(char::to_lowercase));
            self.chars.push(' ');
            let len = self.chars.len();
            for n in min_n..=max_n {
                for window in self.chars.windows(n.min(len)) {
                    let mut buf = [0u8; 4];
                    let h = window.iter().fold(FNV_OFFSET, |h, c| {
                        c.encode_utf8(&mut buf).bytes().fold(h, fnv1a)
                    });
                    let bucket = fmix64(h) >> shift;
                    // Word counts are bounded by the text length limit, far below 2^32.
                    self.grams.push(bucket << 32 | index as u64);
                }
                if n >= len {
                    break;
                }
            }
        }
        self.merge_grams();
    }

    /// Sorts `self.grams` (bucket << 32 | first) and counts them into `self.terms`.
    fn merge_grams(&mut self) {
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

    /// The n-gram `gram` (a [`Term::first`]) as text: for words, its features joined by
    /// spaces; for chars, the lower-cased word it lies in, without the punctuation at its
    /// ends (`"Great!"` reads `great`).
    pub(crate) fn gram_text(&self, gram: u32) -> String {
        if let Some(word) = self.words.get(gram as usize) {
            let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
            let shown = if trimmed.is_empty() { word } else { trimmed };
            return shown.to_lowercase();
        }
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
    token.feed(|b| h = fnv1a(h, b));
    h
}

/// One byte of FNV-1a: the hash `h` so far, then `b`.
fn fnv1a(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
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
        scratch.fill_words(text, params);
        scratch.terms.clone()
    }

    fn char_grams(text: &str) -> usize {
        let mut scratch = Scratch::default();
        scratch.fill_chars(text, CharParams::default());
        scratch.terms.iter().map(|t| t.count as usize).sum()
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
        scratch.fill_words("Not good at ALL", FeatureParams::default());
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

    #[test]
    fn char_grams_follow_scikit_learns_char_wb() {
        // " a " (3 chars): " a", "a " then the whole padded word once for n = 3; longer
        // orders stop there.
        assert_eq!(char_grams("a"), 3);
        // " ok " (4 chars): 3 pairs, 2 triples, the whole word once.
        assert_eq!(char_grams("OK"), 6);
        // Words are counted apart; whitespace runs separate them like one space.
        assert_eq!(char_grams("a \n\t OK"), 9);
        // "good" padded is 6 chars: 5 + 4 + 3 + 2 n-grams of 2 to 5 chars.
        assert_eq!(char_grams("good"), 14);
    }

    #[test]
    fn char_grams_ignore_case_and_name_their_word() {
        let mut upper = Scratch::default();
        upper.fill_chars("GREAT film!", CharParams::default());
        let mut lower = Scratch::default();
        lower.fill_chars("great film!", CharParams::default());
        assert_eq!(upper.terms, lower.terms);
        let mut names: Vec<String> = upper
            .terms
            .iter()
            .map(|t| upper.gram_text(t.first))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names, ["film", "great"]);
        let mut marks = Scratch::default();
        marks.fill_chars("!!!", CharParams::default());
        assert_eq!(marks.gram_text(marks.terms[0].first), "!!!");
    }
}
