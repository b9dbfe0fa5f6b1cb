//! The names the registry accepts for experiments, registered models and aliases, checked
//! before anything is written (and by callers before work that would end in a write).

use crate::{Error, Result};

/// Checks a name of the kind `kind` (`"model name"`, `"alias"`, `"experiment"`): 1-256
/// ASCII letters, digits, `_`, `-` or `.` (what a `models:/NAME@ALIAS` URI can name).
///
/// Errors: [`Error::Invalid`] naming the kind, the value and the rule.
pub(crate) fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{kind} {name:?} must be 1-256 characters of letters, digits, `_`, `-` or `.`"
        )))
    }
}

/// Checks a registered model name as the registry does when a version is registered:
/// 1-256 ASCII letters, digits, `_`, `-` or `.`.
///
/// ```
/// assert!(reelcast_registry::check_model_name("movie_rating_gbt").is_ok());
/// let err = reelcast_registry::check_model_name("bad name/x").unwrap_err();
/// assert!(err.to_string().contains(r#"model name "bad name/x" must be 1-256 characters"#));
/// ```
///
/// Errors: [`Error::Invalid`], the message the registry gives when it refuses the name.
pub fn check_model_name(name: &str) -> Result<()> {
    check_name("model name", name)
}

/// Checks an alias as the registry does when it is set: the rule of [`check_model_name`].
///
/// Errors: [`Error::Invalid`], the message the registry gives when it refuses the alias.
pub fn check_alias(alias: &str) -> Result<()> {
    check_name("alias", alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_a_model_uri_can_hold_and_refuses_others_by_kind() {
        for (label, name, ok) in [
            ("plain", "movie_rating_gbt", true),
            ("dots and dashes", "a-b.c_1", true),
            ("256 characters", &"x".repeat(256), true),
            ("empty", "", false),
            ("257 characters", &"x".repeat(257), false),
            ("space", "bad alias!", false),
            ("slash", "bad/x", false),
            ("at sign", "m@champion", false),
            ("non-ASCII", "modèle", false),
        ] {
            assert_eq!(check_model_name(name).is_ok(), ok, "{label}");
            assert_eq!(check_alias(name).is_ok(), ok, "{label}");
        }
        let err = check_alias("bad alias!").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid request: alias \"bad alias!\" must be 1-256 characters of letters, digits, `_`, `-` or `.`"
        );
    }
}
