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
/// letters of either script (digits, emoji), goes to English, whose VADER lexicon
/// also scores emoticons and emoji.
pub fn detect(text: &str) -> Language {
    let (mut hangul, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_hangul(c) {
            hangul += 1;
        } else if is_latin(c) {
            latin += 1;
        }
    }
    if hangul > latin {
        Language::Ko
    } else {
        Language::En
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
        ];
        for (label, text, want) in cases {
            assert_eq!(detect(text), want, "case {label}");
        }
    }
}
