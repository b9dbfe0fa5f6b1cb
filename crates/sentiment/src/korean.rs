//! Korean scoring: VADER's rule structure over the AFINN-ko lexicon.
//!
//! Per token: lexicon valence of its stem (see `ko_morph`), raised/lowered by a
//! preceding booster/dampener (`정말`, `너무` / `조금`, `약간`), multiplied by VADER's
//! negation scalar -0.74 when negated before (`안`, `못`, also fused: `안좋아요`) or
//! after (`좋지 않다`, `재미 없다`, `명작은 아니다`). A contrast (`하지만`, `그런데`,
//! or a word ending in `-지만`) halves what came before and weights what follows by
//! 1.5, as VADER does for "but". Exclamation marks add emphasis, then the sum goes
//! through VADER's normalisation.

use crate::ko_lexicon::{
    EXTRA_NEGATIONS, LEXICON, LIGHT_VERB_PREFIXES, POST_NEGATOR_PREFIXES, PRE_NEGATORS,
};
use crate::ko_morph::{lookup, starts_with_any, tokenize};
use crate::score::normalize;

/// VADER's booster increment (`B_INCR`).
const BOOSTER_INCREMENT: f64 = 0.293;
/// VADER's negation scalar (`N_SCALAR`).
const NEGATION_SCALAR: f64 = -0.74;
/// VADER's emphasis per exclamation mark, counted up to 4.
const EXCLAMATION_INCREMENT: f64 = 0.292;
/// VADER's weights around "but".
const BEFORE_CONTRAST: f64 = 0.5;
const AFTER_CONTRAST: f64 = 1.5;

/// Intensifiers ("really", "very", "so", "totally", ...).
const BOOSTERS: &[&str] = &[
    "정말",
    "정말로",
    "진짜",
    "너무",
    "아주",
    "매우",
    "완전",
    "엄청",
    "굉장히",
    "되게",
    "넘",
    "무척",
    "참",
    "가장",
    "제일",
    "전혀",
    "하나도",
];
/// Downtoners ("a little", "somewhat", "slightly").
const DAMPENERS: &[&str] = &["조금", "좀", "약간", "다소", "살짝", "그럭저럭"];
/// Stand-alone contrast conjunctions ("but", "however").
const CONTRASTS: &[&str] = &["하지만", "그러나", "그런데", "근데", "그렇지만", "그치만"];

/// Compound score of a Korean text, in `[-1, 1]`, rounded to 4 decimals like VADER.
pub(crate) fn compound(text: &str) -> f64 {
    let tokens: Vec<String> = tokenize(text).into_iter().map(normalize_emoticon).collect();
    let mut valences: Vec<f64> = (0..tokens.len()).map(|i| valence_at(&tokens, i)).collect();
    apply_contrast(&tokens, &mut valences);

    let mut sum: f64 = valences.iter().sum();
    let exclamations = text
        .chars()
        .filter(|&c| c == '!' || c == '！')
        .count()
        .min(4);
    let emphasis = exclamations as f64 * EXCLAMATION_INCREMENT;
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    (normalize(sum) * 10_000.0).round() / 10_000.0
}

/// `ㅋㅋㅋㅋ`/`ㅎㅎㅎ` -> `ㅋㅋ`, `ㅠㅠㅠ`/`ㅜㅜ` -> `ㅠㅠ`, so repeated jamo match the lexicon.
fn normalize_emoticon(token: &str) -> String {
    let all = |set: &[char]| token.chars().count() >= 2 && token.chars().all(|c| set.contains(&c));
    if all(&['ㅋ', 'ㅎ']) {
        "ㅋㅋ".to_owned()
    } else if all(&['ㅠ', 'ㅜ']) {
        "ㅠㅠ".to_owned()
    } else {
        token.to_owned()
    }
}

fn is_pre_negator(token: &str) -> bool {
    PRE_NEGATORS.contains(&token) || EXTRA_NEGATIONS.iter().any(|w| w == token)
}

fn is_post_negator(token: &str) -> bool {
    starts_with_any(token, POST_NEGATOR_PREFIXES)
}

/// Valence of token `i` with boosters and negation applied; 0 for non-sentiment tokens.
fn valence_at(tokens: &[String], i: usize) -> f64 {
    let token = tokens[i].as_str();
    // Negators only scale their neighbours, like "not" in VADER (`없는` would
    // otherwise score -1 from AFINN-ko's "without").
    if BOOSTERS.contains(&token)
        || DAMPENERS.contains(&token)
        || is_pre_negator(token)
        || is_post_negator(token)
    {
        return 0.0;
    }
    let (mut valence, mut negated) = match lookup(token, &LEXICON) {
        Some((_, &v)) => (v, false),
        None => match fused_negation(token) {
            Some(v) => (v, true),
            None => return 0.0,
        },
    };
    if valence == 0.0 {
        return 0.0;
    }

    // Boosters and dampeners up to 3 tokens back, decaying like VADER (1, 0.95, 0.9).
    for (distance, decay) in [(1usize, 1.0), (2, 0.95), (3, 0.9)] {
        let Some(prev) = i.checked_sub(distance).map(|j| tokens[j].as_str()) else {
            break;
        };
        let step = BOOSTER_INCREMENT * decay * valence.signum();
        if BOOSTERS.contains(&prev) {
            valence += step;
        } else if DAMPENERS.contains(&prev) {
            valence -= step;
        }
    }

    // Negation before (`안 좋다`): 안/못 negate only the word right after them, so
    // `못 만들다니 형편없네요` does not flip 형편없.
    let negated_before = i.checked_sub(1).is_some_and(|j| is_pre_negator(&tokens[j]));
    // Negation after (`좋지 않다`), or after one neutral word (`재미 하나도 없다`).
    let next = tokens.get(i + 1).map(String::as_str);
    let negated_after = next.is_some_and(is_post_negator)
        || (next.is_some_and(is_pre_negator)
            && tokens
                .get(i + 2)
                .is_some_and(|t| starts_with_any(t, LIGHT_VERB_PREFIXES)))
        || (next.is_some_and(|n| lookup(n, &LEXICON).is_none() && !is_post_negator(n))
            && tokens.get(i + 2).is_some_and(|t| is_post_negator(t)))
        || token.contains("지않")
        || token.contains("지못");
    negated ^= negated_before;
    negated ^= negated_after;
    if negated {
        valence *= NEGATION_SCALAR;
    }
    valence
}

/// Fused pre-negation written without a space (`안좋아요`, `못봐주겠다`): the valence
/// of the rest, if the whole word is not itself in the lexicon.
fn fused_negation(token: &str) -> Option<f64> {
    PRE_NEGATORS.iter().find_map(|neg| {
        let rest = token.strip_prefix(neg)?;
        if rest.is_empty() {
            return None;
        }
        lookup(rest, &LEXICON).map(|(_, &v)| v)
    })
}

/// Weights valences around the last contrast like VADER's "but" rule.
fn apply_contrast(tokens: &[String], valences: &mut [f64]) {
    let contrast = tokens.iter().rposition(|t| {
        CONTRASTS.contains(&t.as_str()) || (t.ends_with("지만") && t.chars().count() > 2)
    });
    let Some(at) = contrast else { return };
    for (j, v) in valences.iter_mut().enumerate() {
        // A `-지만` word belongs to the clause before the contrast.
        if j <= at {
            *v *= BEFORE_CONTRAST;
        } else {
            *v *= AFTER_CONTRAST;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_have_the_right_sign() {
        assert!(compound("훌륭한 영화에요!") >= 0.05);
        assert!(compound("지루하고 별로였어요") <= -0.05);
    }

    #[test]
    fn particle_stripping_lets_inflected_forms_score() {
        assert!(compound("좋습니다") > 0.0);
        assert!(compound("지루했어요") < 0.0);
        assert!(compound("최고의 영화") > 0.0);
        assert_eq!(compound("영화에요"), 0.0);
        // a particle is not followed by re-attachment: 추가 -> 추 + 한 would be "ugly"
        assert_eq!(compound("인생 영화 하나 추가요"), 0.0);
    }

    #[test]
    fn negation_flips_the_valence() {
        let cases = [
            ("pre-negator", "안 좋아요"),
            ("fused pre-negator", "안좋아요"),
            (
                "pre-negator reaches only the next word",
                "못 만들다니 형편없네요",
            ),
            ("post-negator 않다", "좋지 않았어요"),
            ("post-negator 없다", "재미가 없었어요"),
            ("post-negator 아니다", "명작은 아니다"),
            ("post-negator after a neutral word", "재미 하나도 없어요"),
            ("안 + light verb negates the noun before", "몰입이 안 돼요"),
            ("below expectations", "기대 이하였습니다"),
        ];
        for (label, text) in cases {
            assert!(
                compound(text) < 0.0,
                "case {label}: {text} -> {}",
                compound(text)
            );
        }
    }

    #[test]
    fn booster_raises_and_dampener_lowers_intensity() {
        let plain = compound("좋은 영화");
        assert!(compound("정말 좋은 영화") > plain);
        assert!(compound("조금 좋은 영화") < plain);
        assert!(compound("너무 지루한 영화") < compound("지루한 영화"));
    }

    #[test]
    fn contrast_weights_the_second_clause_more() {
        assert!(compound("배우는 좋지만 스토리가 지루해요") < 0.0);
        assert!(compound("스토리는 지루하지만 배우가 좋았어요") > 0.0);
        assert!(compound("배우는 좋았다. 하지만 지루했다") < 0.0);
    }

    #[test]
    fn exclamation_marks_raise_intensity() {
        let plain = compound("좋은 영화");
        assert!(compound("좋은 영화!") > plain);
        assert!(compound("좋은 영화!!!") > compound("좋은 영화!"));
        assert!(compound("지루한 영화!") < compound("지루한 영화"));
    }

    #[test]
    fn repeated_laughter_and_crying_jamo_are_scored() {
        assert!(compound("ㅋㅋㅋㅋㅋ") > 0.0);
        assert!(compound("ㅠㅠㅠ") < 0.0);
    }
}
