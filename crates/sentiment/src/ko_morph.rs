//! Korean tokenisation and particle/ending stripping, so inflected forms match the
//! lexicon's stems (`영화에요` -> `영화`, `지루하고` -> `지루`, `별로였어요` -> `별로`).
//!
//! This is not a morphological analyser: it removes one common particle or ending
//! from the end of a word, longest first, and tries the remainder (and the remainder
//! plus a dictionary/adnominal ending) against the lexicon. The first hit wins, the
//! full word being tried first so that lexicon entries are never over-stripped.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Verb/adjective endings: after stripping one, a dictionary/adnominal ending may be
/// re-attached (`좋습니다` -> `좋` -> `좋은`). Tried longest first (see [`ENDINGS`]).
#[rustfmt::skip]
const VERBAL_ENDINGS: &[&str] = &[
    // polite/formal sentence endings (copula and past included); `-ㅂ니다` fused into
    // the previous syllable is handled by `strip_b_nida`
    "이었어요", "이에요", "였어요", "었어요", "았어요", "했어요", "였습니다", "었습니다",
    "았습니다", "했습니다", "입니다", "습니다", "합니다", "이었다", "였다", "었다", "았다",
    "했다", "네요", "어요", "아요", "해요", "에요", "예요", "군요", "더라", "다", "죠", "요",
    // connectives
    "하지만", "지만", "는데", "은데", "던데", "하고", "해서", "어서", "아서", "하게", "하며",
    "으면", "라서", "이라", "고", "게", "며", "면", "서", "지",
    // adnominal and nominalising endings
    "하는", "했던", "였던", "었던", "던", "인", "한", "는", "은", "함", "음",
];

/// Case and topic particles. They attach to nouns, so nothing is re-attached after
/// stripping one: `추가` -> `추` + `한` would otherwise match `추한` "ugly".
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "에서", "에게", "으로", "까지", "부터", "처럼", "보다", "이랑", "랑", "로", "이", "가",
    "을", "를", "에", "도", "의", "과", "와", "만", "야",
];

/// All endings with whether re-attachment is allowed, longest first so `이에요` is
/// tried before `에요` and `요`.
static ENDINGS: LazyLock<Vec<(&'static str, bool)>> = LazyLock::new(|| {
    let mut all: Vec<(&str, bool)> = VERBAL_ENDINGS
        .iter()
        .map(|e| (*e, true))
        .chain(PARTICLES.iter().map(|e| (*e, false)))
        .collect();
    all.sort_by_key(|(e, _)| std::cmp::Reverse(e.chars().count()));
    all
});

/// Dictionary/adnominal endings re-attached to a stripped stem, since AFINN-ko lists
/// adjectives as `지루한`, `좋은`, `멋진`.
const REATTACH: &[&str] = &["한", "은", "는", "다", "하다", "운"];

/// Splits on whitespace and punctuation, keeping Hangul, letters and digits.
/// Exclamation marks are counted separately by the caller.
pub(crate) fn tokenize(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || crate::language::is_hangul(c)))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Candidate stems of `word`, in the order they are tried: the word, the word
/// without a fused `-ㅂ니다`, then for each ending it carries (longest first) the stem,
/// and the stem with one more ending removed (`재미있었어요` -> `재미있`).
pub(crate) fn candidates(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    if let Some(stem) = strip_b_nida(word) {
        push_stem(&mut out, &stem, true);
    }
    for (stem, verbal) in strip_once(word) {
        push_stem(&mut out, stem, verbal);
        for (inner, inner_verbal) in strip_once(stem) {
            push_stem(&mut out, inner, inner_verbal);
        }
    }
    out
}

/// Non-empty stems left by removing each ending `word` carries, longest ending first.
fn strip_once(word: &str) -> impl Iterator<Item = (&str, bool)> {
    ENDINGS.iter().filter_map(move |&(ending, verbal)| {
        word.strip_suffix(ending)
            .filter(|stem| !stem.is_empty())
            .map(|stem| (stem, verbal))
    })
}

fn push_stem(out: &mut Vec<String>, stem: &str, reattach: bool) {
    out.push(stem.to_owned());
    if reattach {
        for tail in REATTACH {
            out.push(format!("{stem}{tail}"));
        }
    }
}

/// The formal ending `-ㅂ니다` fuses into the previous syllable as its final
/// consonant (`멋지` + `ㅂ니다` = `멋집니다`), so it cannot be stripped as text:
/// remove `니다` and the final ㅂ of the syllable before it.
fn strip_b_nida(word: &str) -> Option<String> {
    const SYLLABLE_BASE: u32 = 0xAC00;
    const FINAL_COUNT: u32 = 28;
    const FINAL_B: u32 = 17;
    let rest = word.strip_suffix("니다")?;
    let last = rest.chars().next_back()?;
    let code = u32::from(last).checked_sub(SYLLABLE_BASE)?;
    if last > '\u{D7A3}' || code % FINAL_COUNT != FINAL_B {
        return None;
    }
    let open = char::from_u32(u32::from(last) - FINAL_B)?;
    let mut stem = rest[..rest.len() - last.len_utf8()].to_owned();
    stem.push(open);
    Some(stem)
}

/// The first candidate of `word` found in `lexicon`, with its valence.
pub(crate) fn lookup<'a>(
    word: &str,
    lexicon: &'a HashMap<String, f64>,
) -> Option<(String, &'a f64)> {
    candidates(word)
        .into_iter()
        .find_map(|c| lexicon.get(&c).map(|v| (c, v)))
}

/// Whether `word`, after stripping, is or starts with one of `prefixes`.
pub(crate) fn starts_with_any(word: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| word.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(words: &[&str]) -> HashMap<String, f64> {
        words.iter().map(|w| ((*w).to_owned(), 1.0)).collect()
    }

    #[test]
    fn strips_particles_and_endings_to_reach_stems() {
        let lex = lexicon(&[
            "영화",
            "지루한",
            "별로",
            "좋은",
            "훌륭한",
            "최고",
            "재미있",
            "멋지",
            "예쁘",
        ]);
        let cases = [
            ("copula polite", "영화에요", "영화"),
            ("copula polite after consonant", "영화이에요", "영화"),
            ("connective 하고 then reattach 한", "지루하고", "지루한"),
            ("past copula", "별로였어요", "별로"),
            ("formal ending then reattach 은", "좋습니다", "좋은"),
            ("adnominal form already listed", "훌륭한", "훌륭한"),
            ("possessive particle", "최고의", "최고"),
            ("topic particle", "영화는", "영화"),
            ("object particle", "영화를", "영화"),
            ("locative particle", "영화에서", "영화"),
            ("concessive ending", "재미있지만", "재미있"),
            ("two layers", "재미있었어요", "재미있"),
            ("fused formal ending ㅂ니다", "멋집니다", "멋지"),
            ("fused ㅂ니다 after a vowel", "예쁩니다", "예쁘"),
        ];
        for (label, word, want) in cases {
            let got = lookup(word, &lex).map(|(stem, _)| stem);
            assert_eq!(got.as_deref(), Some(want), "case {label}: {word}");
        }
    }

    #[test]
    fn full_word_is_tried_before_stripping() {
        assert_eq!(candidates("좋은")[0], "좋은");
    }

    #[test]
    fn tokenize_splits_on_spaces_and_punctuation() {
        assert_eq!(tokenize("훌륭한 영화에요!"), vec!["훌륭한", "영화에요"]);
        assert_eq!(tokenize("별로...ㅠㅠ 진짜"), vec!["별로", "ㅠㅠ", "진짜"]);
    }
}
