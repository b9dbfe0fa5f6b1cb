//! Person strings as keys: IMDb person ids in their canonical spelling, and the one key
//! names are matched by (whitespace collapsed, canonical caseless folding).

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

/// Canonical IMDb spelling of a person id given as `nm` (in any case) + digits, else
/// `None`.
pub(super) fn as_nconst(given: &str) -> Option<String> {
    let (prefix, digits) = given.split_at_checked(2)?;
    if !prefix.eq_ignore_ascii_case("nm")
        || digits.is_empty()
        || digits.len() > 18
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse::<u64>().ok().map(|n| format!("nm{n:07}"))
}

/// `s` trimmed, with every run of Unicode whitespace (tab, no-break space, ...) made one
/// space.
pub(super) fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The one key person names are matched by, in the name map, in resolution and in prefix
/// suggestions: whitespace collapsed ([`collapse_whitespace`]), then Unicode's canonical
/// caseless form (NFD, full default case folding, NFD again; Unicode 3.13, D145), so a
/// decomposed accent, `ß`/`ss` and any case compare equal.
pub(super) fn name_key(s: &str) -> String {
    collapsed_key(&collapse_whitespace(s))
}

/// [`name_key`] of a string whose whitespace is already collapsed.
pub(super) fn collapsed_key(collapsed: &str) -> String {
    if collapsed.is_ascii() {
        // The same key, several times cheaper: ASCII is its own NFD and its only case
        // foldings are A-Z to a-z (tested against the full path for every ASCII char).
        return collapsed.to_ascii_lowercase();
    }
    canonical_caseless(collapsed)
}

/// NFD, full default case folding, NFD again.
pub(super) fn canonical_caseless(s: &str) -> String {
    s.chars().nfd().default_case_fold().nfd().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_get_imdbs_spelling_and_anything_else_is_a_name() {
        assert_eq!(as_nconst("NM123").as_deref(), Some("nm0000123"));
        assert_eq!(as_nconst("nm12345678").as_deref(), Some("nm12345678"));
        for name in ["nm", "nm12a", "nm 12", "Nmap", "nm1234567890123456789"] {
            assert_eq!(as_nconst(name), None, "{name}");
        }
    }

    #[test]
    fn the_ascii_shortcut_of_the_name_key_equals_the_full_folding() {
        for b in 0..=127u8 {
            let c = char::from(b).to_string();
            assert_eq!(name_key(&c), canonical_caseless(c.trim()), "byte {b}");
        }
        let all: String = (b'!'..=b'~').map(char::from).collect();
        assert_eq!(name_key(&all), canonical_caseless(&all));
    }
}
