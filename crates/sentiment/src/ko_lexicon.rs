//! The Korean lexicon: AFINN-ko (from nlp.js) plus a short, justified supplement.
//!
//! `lexicons/afinn_ko.json` is a machine translation of AFINN-165 (3,126 keys, integer
//! valences -5..=+5). It lists mostly dictionary forms of adjectives (`지루한`, `좋은`)
//! and misses or mistranslates several words that carry most of the sentiment in
//! Korean movie reviews. [`SUPPLEMENT`] adds those and overrides the wrong entries;
//! each entry says why. Entries are looked up after particle/ending stripping
//! (see `ko_morph`), so they are stems.

use std::collections::HashMap;
use std::sync::LazyLock;

const AFINN_KO: &str = include_str!("../lexicons/afinn_ko.json");
const NEGATIONS_KO: &str = include_str!("../lexicons/negations_ko.json");

/// AFINN valences run -5..=+5, VADER's -4..=+4; scaling by 0.8 keeps the Korean
/// compound on the same scale as the English one before the shared normalisation.
pub(crate) const AFINN_TO_VADER: f64 = 0.8;

/// Supplementary entries (AFINN scale, -5..=+5), overriding AFINN-ko on conflict.
const SUPPLEMENT: &[(&str, i8)] = &[
    // Overrides of mistranslations in AFINN-ko.
    ("재미", 2),  // "fun"; AFINN-ko has -1 (mistranslated), so "재미 없다" could not flip
    ("연기", 0),  // "acting" in reviews; AFINN-ko's -1 is "smoke"/"postpone"
    ("유치", -2), // "childish" in reviews; AFINN-ko's +2 is "attract (investment)"
    ("유치한", -2), // same stem with the adnominal ending
    ("놀라운", 3), // "amazing"; AFINN-ko has -3 (from "shocking")
    ("평범", -1), // "ordinary/mediocre": mild; AFINN-ko's -3 equals "awful"
    ("평범한", -1), // same, adnominal form
    ("긴장감", 1), // "suspense", praised in thrillers; AFINN-ko only has 긴장 "tension" -2
    ("눈물", 0),  // "tears" in reviews mostly means "moving", neither sign is safe
    ("소설", 0),  // "novel (book)"; AFINN-ko's +2 is the adjective "novel" (new)
    ("형사", 0),  // "detective", a stock character; AFINN-ko's -4 reads it as "criminal"
    // Common review words AFINN-ko lacks (checked absent with their endings).
    ("별로", -2), // "not much / meh": the standard Korean mild pan, absent from AFINN-ko
    ("최악", -4), // "the worst", absent; 최고 "the best" is +3 there
    ("재미있", 3), // "fun/interesting" (재미있다), absent
    ("재밌", 3),  // contracted 재미있-
    ("재미없", -3), // "boring, not fun" (재미없다), absent
    ("노잼", -3), // slang "no fun", very common in reviews
    ("꿀잼", 3),  // slang "super fun"
    ("지루", -3), // stem of 지루하다 "boring"; AFINN-ko has only 지루한
    ("지루해", -3), // 지루하다 conjugated (지루해요, 지루해서)
    ("지루했", -3), // 지루하다 past stem
    ("훌륭", 4),  // stem of 훌륭하다; AFINN-ko has only 훌륭한 (+5)
    ("훌륭했", 4), // past stem
    ("좋", 3),    // stem of 좋다 "good"; AFINN-ko has 좋은/좋아 only
    ("좋았", 3),  // past stem 좋았다
    ("괜찮", 1),  // "okay/not bad", absent
    ("괜찮았", 1), // past stem
    ("명작", 4),  // "masterpiece", absent (걸작 is +4 in AFINN-ko)
    ("수작", 3),  // "well-made work", absent
    ("졸작", -3), // "poor work", absent
    ("망작", -4), // slang "ruined work", absent
    ("강추", 3),  // "strongly recommend", absent (추천 is +2)
    ("비추", -2), // "do not recommend", absent
    ("감동적", 3), // "moving"; AFINN-ko has 감동 only
    ("완벽", 4),  // "perfect", absent
    ("아깝", -2), // "a waste (of time/money)" (아깝다), absent
    ("아까웠", -2), // past form of 아깝다
    ("아까운", -2), // adnominal form of 아깝다 (irregular ㅂ, so stripping cannot reach it)
    ("아까워", -2), // conjugated form of 아깝다 (아까워요, 아까워서)
    ("아쉽", -1), // "a pity / falls short", absent
    ("아쉬웠", -1), // past form
    ("아쉬운", -1), // adnominal form
    ("실망스럽", -2), // "disappointing"; AFINN-ko has 실망 only
    ("실망했", -2), // past of 실망하다
    ("뻔한", -2), // "predictable", absent
    ("뻔하", -2), // stem of 뻔하다
    ("어색", -2), // "awkward (acting, dialogue)", absent
    ("엉성", -2), // "sloppy", absent
    ("허술", -2), // "flimsy (plot)", absent
    ("형편없", -3), // "terrible", absent
    ("답답", -2), // "frustrating", absent
    ("몰입", 2),  // "immersive / gripping", absent; praised in reviews
    ("탄탄", 2),  // "solid (plot)", absent
    ("신선", 2),  // "fresh", absent
    ("참신", 2),  // "original", absent
    ("식상", -2), // "stale, clichéd", absent
    ("멋졌", 3),  // past of 멋지다; AFINN-ko has 멋진 only
    ("멋지", 3),  // stem of 멋지다
    ("아름답", 3), // stem of 아름답다; AFINN-ko has 아름다운 only
    ("아름다웠", 3), // past form
    ("즐겁", 3),  // stem of 즐겁다; AFINN-ko has 즐거운 only
    ("즐거웠", 3), // past form
    ("싫", -2),   // stem of 싫다 "dislike"; AFINN-ko has 싫어 only
    ("나쁘", -2), // stem of 나쁘다; AFINN-ko has 나쁜 only
    ("나빴", -2), // past form
    ("짜증났", -3), // past of 짜증나다; AFINN-ko has 짜증 only
    ("억지", -2), // "forced, contrived" (억지 감동, 억지 설정), a stock review complaint, absent
    ("ㅋㅋ", 1),  // laughter; mild positive, as VADER scores "lol"/"haha"
    ("ㅠㅠ", -1), // crying emoticon; mild negative, as VADER scores ":("
];

/// Negators that precede what they negate (`안 좋다`, `못 봤다`). `전혀`/`별로`
/// ("not at all") are not here: they co-occur with a negative word or a post-negator
/// (`전혀 재미없다`), and flipping again would invert the meaning.
pub(crate) const PRE_NEGATORS: &[&str] = &["안", "못"];

/// Stems of negators that follow what they negate (`좋지 않다`, `재미 없다`,
/// `명작은 아니다`); matched as a prefix of the following token.
/// `이하` "below" is here for `기대 이하` "below expectations".
pub(crate) const POST_NEGATOR_PREFIXES: &[&str] =
    &["않", "없", "아니", "아닌", "못했", "못하", "이하"];

/// Light verbs that turn a preceding `안`/`못` into a negation of the noun before it:
/// `몰입이 안 돼요` "can't get immersed", `추천 안 해요` "don't recommend".
pub(crate) const LIGHT_VERB_PREFIXES: &[&str] = &["되", "돼", "됐", "됩", "하", "해", "했", "합"];

/// The lexicon: word -> valence on VADER's scale.
pub(crate) static LEXICON: LazyLock<HashMap<String, f64>> = LazyLock::new(|| {
    let afinn: HashMap<String, i32> = serde_json::from_str(AFINN_KO)
        .expect("lexicons/afinn_ko.json is a committed, valid JSON map");
    let mut lexicon: HashMap<String, f64> = afinn
        .into_iter()
        .map(|(word, valence)| (word, f64::from(valence) * AFINN_TO_VADER))
        .collect();
    for &(word, valence) in SUPPLEMENT {
        lexicon.insert(word.to_owned(), f64::from(valence) * AFINN_TO_VADER);
    }
    lexicon
});

/// Extra negation words from `lexicons/negations_ko.json` (nlp.js ships it empty
/// today; it is read so that an updated copy takes effect without code changes).
pub(crate) static EXTRA_NEGATIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    #[derive(serde::Deserialize)]
    struct Negations {
        words: Vec<String>,
    }
    let parsed: Negations = serde_json::from_str(NEGATIONS_KO)
        .expect("lexicons/negations_ko.json is a committed, valid JSON object");
    parsed.words
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicon_loads_every_afinn_key() {
        assert!(LEXICON.len() >= 3126, "len {}", LEXICON.len());
        assert_eq!(LEXICON.get("훌륭한"), Some(&(5.0 * AFINN_TO_VADER)));
        assert!(EXTRA_NEGATIONS.iter().all(|w| !w.is_empty()));
    }

    #[test]
    fn supplement_overrides_mistranslations() {
        assert!(LEXICON["재미"] > 0.0);
        assert!(LEXICON["유치"] < 0.0);
    }

    #[test]
    fn supplement_has_no_duplicate_entries() {
        let mut words: Vec<&str> = SUPPLEMENT.iter().map(|(w, _)| *w).collect();
        words.sort_unstable();
        let before = words.len();
        words.dedup();
        assert_eq!(before, words.len());
    }
}
