//! The English model's tokenizer: Unicode word boundaries, lower case, negation scope.
//!
//! Words are the segments of UAX #29 word boundaries (ICU4X's `icu_segmenter`, its
//! rule-based segmenter with compiled data) that hold a letter or a digit, so `didn't`,
//! `n't` and `13th` stay whole. After a negator (`not`, `no`, `never`, any word ending in
//! `n't`, ...) every word up to the next clause punctuation is marked negated and becomes
//! a different feature, `NEG_good` instead of `good` (Das & Chen 2001; Pang, Lee &
//! Vaithyanathan 2002): "not good" then counts against the review instead of for it. `!`
//! and `?` are kept as tokens (they carry sentiment in short reviews); IMDb's `<br />`
//! line breaks are skipped and end a scope.
//!
//! Tokens borrow the text: lower-casing happens while hashing ([`Token::feed`]), so
//! scoring allocates no string per word.

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};

/// The prefix a negated word's feature carries, as in `NEG_good`.
pub(crate) const NEGATED_PREFIX: &str = "NEG_";

/// Words that open a negation scope; any word ending in `n't` (or `n’t`) does too.
const NEGATORS: [&str; 14] = [
    "not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor", "cannot",
    "without", "hardly", "barely", "scarcely",
];

/// UAX #29 word boundaries. The rule-based segmenter is enough for the English model;
/// the dictionaries and LSTM models for Chinese, Japanese and South-East Asian scripts
/// are left out.
const WORD_BOUNDARIES: WordSegmenterBorrowed<'static> =
    WordSegmenter::new_for_non_complex_scripts(WordBreakInvariantOptions::default());

/// One token: a slice of the text, and whether it lies in a negation scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The word (or `!`/`?`) as written; lower-cased when hashed or shown.
    pub text: &'a str,
    /// Inside a negation scope: the feature is `NEG_` + the lower-cased word.
    pub negated: bool,
}

impl Token<'_> {
    /// Feeds the feature's bytes (`NEG_` when negated, then the lower-cased word) to `f`.
    pub(crate) fn feed(&self, mut f: impl FnMut(u8)) {
        if self.negated {
            NEGATED_PREFIX.bytes().for_each(&mut f);
        }
        if self.text.is_ascii() {
            self.text
                .bytes()
                .map(|b| b.to_ascii_lowercase())
                .for_each(f);
        } else {
            let mut buf = [0u8; 4];
            for c in self.text.chars().flat_map(char::to_lowercase) {
                c.encode_utf8(&mut buf).bytes().for_each(&mut f);
            }
        }
    }

    /// The feature as a string (`NEG_` + lower-cased word when negated), for explanations.
    pub(crate) fn feature(&self) -> String {
        let mut bytes = Vec::with_capacity(self.text.len() + NEGATED_PREFIX.len());
        self.feed(|b| bytes.push(b));
        // The bytes are a prefix of ASCII followed by whole UTF-8 encoded chars.
        String::from_utf8(bytes).expect("lower-cased chars re-encoded as UTF-8")
    }
}

/// Splits `text` into tokens, appending them to `out` (cleared first).
pub(crate) fn tokenize<'a>(text: &'a str, out: &mut Vec<Token<'a>>) {
    out.clear();
    // About one token per five bytes of English: most texts need no regrowth.
    out.reserve(text.len() / 5);
    let mut negated = false;
    // Byte offset up to which segments belong to a `<br />` tag being skipped.
    let mut skip_until = 0;
    for (start, segment) in word_segments(text) {
        if start < skip_until {
            continue;
        }
        if segment == "<" && starts_with_ignore_ascii_case(&text[start..], "<br") {
            skip_until = text[start..]
                .find('>')
                .map_or(text.len(), |i| start + i + 1);
            negated = false;
            continue;
        }
        if segment.chars().any(char::is_alphanumeric) {
            out.push(Token {
                text: segment,
                negated,
            });
            if is_negator(segment) {
                negated = true;
            }
        } else if segment.chars().any(ends_scope) {
            negated = false;
            if segment == "!" || segment == "?" {
                out.push(Token {
                    text: segment,
                    negated: false,
                });
            }
        }
    }
}

/// The text between consecutive word boundaries, with its byte offset.
fn word_segments(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    // The boundaries rise from 0, which opens the first segment, to the text's length.
    WORD_BOUNDARIES
        .segment_str(text)
        .filter(|&end| end > 0)
        .map(move |end| {
            let segment = (start, &text[start..end]);
            start = end;
            segment
        })
}

/// Clause punctuation that closes a negation scope.
fn ends_scope(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '"' | '\n' | '…' | '“' | '”'
    )
}

/// Whether `word` opens a negation scope. The negators are ASCII, so comparing without
/// ASCII case is enough, and no lower-cased copy of every word is made.
fn is_negator(word: &str) -> bool {
    NEGATORS.iter().any(|n| word.eq_ignore_ascii_case(n))
        || ends_with_ignore_ascii_case(word, "n't")
        || ends_with_ignore_ascii_case(word, "n’t")
}

fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn ends_with_ignore_ascii_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(text: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        tokenize(text, &mut tokens);
        tokens.iter().map(Token::feature).collect()
    }

    #[test]
    fn lower_cases_and_keeps_contractions_whole() {
        assert_eq!(
            features("The FILM's 13th scene, Amélie!"),
            ["the", "film's", "13th", "scene", "amélie", "!"]
        );
    }

    #[test]
    fn negation_marks_words_until_clause_punctuation() {
        assert_eq!(
            features("It was not good, but fun."),
            ["it", "was", "not", "NEG_good", "but", "fun"]
        );
        assert_eq!(
            features("I didn't like the plot; great cast"),
            ["i", "didn't", "NEG_like", "NEG_the", "NEG_plot", "great", "cast"]
        );
    }

    #[test]
    fn pre_tokenized_rotten_tomatoes_negation_opens_a_scope() {
        assert_eq!(
            features("it does n't work ."),
            ["it", "does", "n't", "NEG_work"]
        );
    }

    #[test]
    fn curly_apostrophe_negation_opens_a_scope() {
        assert_eq!(features("don’t bother"), ["don’t", "NEG_bother"]);
    }

    #[test]
    fn negators_open_a_scope_in_any_case() {
        assert_eq!(features("NEVER good"), ["never", "NEG_good"]);
        assert_eq!(features("DIDN'T like"), ["didn't", "NEG_like"]);
        assert_eq!(features("DON’T bother"), ["don’t", "NEG_bother"]);
        assert_eq!(features("notable nothingness"), ["notable", "nothingness"]);
    }

    #[test]
    fn imdb_line_breaks_are_skipped_and_end_the_scope() {
        assert_eq!(
            features("Not funny<br /><br />Great acting<BR/>ok"),
            ["not", "NEG_funny", "great", "acting", "ok"]
        );
    }

    #[test]
    fn question_and_exclamation_marks_are_tokens() {
        assert_eq!(features("Why?! Boring"), ["why", "?", "!", "boring"]);
    }

    #[test]
    fn a_lone_angle_bracket_is_not_a_tag() {
        assert_eq!(features("a < b"), ["a", "b"]);
    }

    #[test]
    fn word_segments_cover_the_text_at_their_offsets() {
        let text = "Amélie's 2nd act… “fine”, 10/10 👍🏽 ok";
        let segments: Vec<(usize, &str)> = word_segments(text).collect();
        let joined: String = segments.iter().map(|&(_, s)| s).collect();
        assert_eq!(joined, text);
        for &(start, segment) in &segments {
            assert_eq!(&text[start..start + segment.len()], segment);
        }
        let words: Vec<&str> = segments.iter().map(|&(_, s)| s).collect();
        for word in ["Amélie's", "2nd", "act", "10", "👍🏽", "ok"] {
            assert!(words.contains(&word), "{word} in {words:?}");
        }
        assert_eq!(word_segments("").count(), 0);
    }

    #[test]
    fn word_segments_cover_every_script() {
        // Thai and Khmer (no spaces between words), Han, Arabic, combining marks,
        // zero-width and control characters, the replacement character.
        for text in [
            "ภาพยนตร์เรื่องนี้ดีมาก",
            "ខ្ញុំចូលចិត្តភាពយន្តនេះ",
            "这部电影很好看",
            "فيلم رائع جدا",
            "e\u{301}le\u{300}ve  \u{200b}x\u{200d}y\u{7}\r\n\u{fffd}",
        ] {
            let joined: String = word_segments(text).map(|(_, s)| s).collect();
            assert_eq!(joined, text);
        }
    }
}
