//! Hiding the credentials of tracking URIs wherever a URI is shown or stored.
//!
//! `http://user:password@host` is accepted as a tracking URI (the MLflow client moves the
//! credentials into an `Authorization` header), but the URI itself is printed in logs,
//! error messages, JSON output, run records and tags. [`redact_uri`] gives the form to show
//! there; the credentials stay in memory only, or in `MLFLOW_TRACKING_USERNAME`,
//! `MLFLOW_TRACKING_PASSWORD` and `MLFLOW_TRACKING_TOKEN`.

/// What replaces the user information of a URI.
pub const REDACTED: &str = "REDACTED";

/// `uri` with its user information (`user:password@`) replaced by `REDACTED@`; URIs
/// without any (every `sqlite:///…` URI, `http://host:port`) are returned unchanged.
///
/// ```
/// use reelcast_registry::redact_uri;
/// assert_eq!(redact_uri("http://ann:s3cret@mlflow:5000/x"), "http://REDACTED@mlflow:5000/x");
/// assert_eq!(redact_uri("http://mlflow:5000"), "http://mlflow:5000");
/// assert_eq!(redact_uri("sqlite:///./reelcast.db"), "sqlite:///./reelcast.db");
/// ```
pub fn redact_uri(uri: &str) -> String {
    match userinfo_span(uri) {
        Some((start, end)) => format!("{}{REDACTED}{}", &uri[..start], &uri[end..]),
        None => uri.to_owned(),
    }
}

/// `uri` without its user information at all (`http://host:port`), for a URI to keep or
/// connect to once the credentials come from the environment.
pub fn strip_userinfo(uri: &str) -> String {
    match userinfo_span(uri) {
        // `end` points at the `@`; drop it too.
        Some((start, end)) => format!("{}{}", &uri[..start], &uri[end + 1..]),
        None => uri.to_owned(),
    }
}

/// Whether `uri` carries user information.
pub fn has_userinfo(uri: &str) -> bool {
    userinfo_span(uri).is_some()
}

/// Replaces every credentialed URI found in `text` (a message that may quote one) by its
/// redacted form.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme starts after the last character that cannot be in one.
        let scheme_start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | '>' | ','))
            .map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..scheme_start]);
        out.push_str(&redact_uri(&rest[scheme_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Byte range of the user information of `scheme://userinfo@host…`, without the `@`.
fn userinfo_span(uri: &str) -> Option<(usize, usize)> {
    let start = uri.find("://")? + 3;
    let authority_end = uri[start..]
        .find(['/', '?', '#'])
        .map_or(uri.len(), |i| start + i);
    let at = uri[start..authority_end].rfind('@')?;
    Some((start, start + at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_user_information_and_nothing_else() {
        for (label, uri, redacted, stripped) in [
            (
                "user and password",
                "http://ann:s3cret@h:5000",
                "http://REDACTED@h:5000",
                "http://h:5000",
            ),
            (
                "user only",
                "https://tok@h/mlflow",
                "https://REDACTED@h/mlflow",
                "https://h/mlflow",
            ),
            (
                "@ in the password",
                "http://a:p@ss@h:1/x",
                "http://REDACTED@h:1/x",
                "http://h:1/x",
            ),
            (
                "no credentials",
                "http://h:1/a@b",
                "http://h:1/a@b",
                "http://h:1/a@b",
            ),
            (
                "sqlite",
                "sqlite:///./r.db",
                "sqlite:///./r.db",
                "sqlite:///./r.db",
            ),
            ("not a URI", "garbage", "garbage", "garbage"),
        ] {
            assert_eq!(redact_uri(uri), redacted, "{label}");
            assert_eq!(strip_userinfo(uri), stripped, "{label}");
            assert_eq!(has_userinfo(uri), redacted != uri, "{label}");
        }
    }

    #[test]
    fn redacts_every_uri_quoted_in_a_message() {
        let text =
            "opening \"http://u:pw1@a:1\" failed; also tried (https://x:pw2@b/p), sqlite:///r.db";
        let out = redact_text(text);
        assert!(!out.contains("pw1") && !out.contains("pw2"), "{out}");
        assert_eq!(
            out,
            "opening \"http://REDACTED@a:1\" failed; also tried (https://REDACTED@b/p), sqlite:///r.db"
        );
    }
}
