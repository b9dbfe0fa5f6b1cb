//! Language detection from the script of the letters.

use serde::{Deserialize, Serialize};

/// Language a text was scored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English, scored with VADER.
    En,
    /// Korean, scored with the AFINN-ko lexicon and particle stripping.
    Ko,
}

/// Picks the language by counting letters per script: Hangul (syllables and jamo)
/// against Latin. Mixed text goes to the majority script; a tie, or text with no
/// letters at all (digits, emoji), goes to English, whose VADER lexicon also scores
/// emoticons and emoji. `None` when letters of other scripts (Cyrillic, Arabic, Han,
/// Kana, ...) outnumber both: neither scorer can read such a text.
pub fn detect(text: &str) -> Option<Language> {
    let (mut hangul, mut latin, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        if is_hangul(c) {
            hangul += 1;
        } else if is_latin(c) {
            latin += 1;
        } else if c.is_alphabetic() {
            other += 1;
        }
    }
    if other > hangul.max(latin) {
        None
    } else if hangul > latin {
        Some(Language::Ko)
    } else {
        Some(Language::En)
    }
}

/// Hangul syllables, jamo and compatibility jamo (ㅋㅋ, ㅠㅠ are common in reviews).
pub(crate) fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Latin letters: ASCII plus Latin-1 Supplement and Latin Extended-A/B letters.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || (matches!(c, '\u{00C0}'..='\u{024F}') && c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_script_with_majority_for_mixed_text() {
        let cases = [
            ("english", "A great film", Language::En),
            ("korean", "훌륭한 영화에요!", Language::Ko),
            (
                "mostly korean with a title",
                "Inception 정말 최고의 영화였어요",
                Language::Ko,
            ),
            (
                "mostly english with one word",
                "I loved it, 대박",
                Language::En,
            ),
            ("accented latin", "Amélie était très belle", Language::En),
            ("no letters", "10/10 !!!", Language::En),
            ("laughter jamo", "ㅋㅋㅋㅋ ok", Language::Ko),
            (
                "english with a japanese title",
                "I loved 千と千尋",
                Language::En,
            ),
        ];
        for (label, text, want) in cases {
            assert_eq!(detect(text), Some(want), "case {label}");
        }
    }

    #[test]
    fn text_mostly_in_another_script_is_neither_language() {
        for text in [
            "مذهل فيلم رائع",
            "素晴らしい映画",
            "Отличный фильм",
            "Great фильм отличный",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }
}
