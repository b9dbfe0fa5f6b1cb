//! Alias history kept in a registered-model tag, since MLflow keeps none.
//!
//! The tag `reelcast.alias_history.<alias>` holds compact JSON, oldest first:
//! `[[from, to, changed_ms], …]` with `null` for "unset" (`[[null,1,1764230000000],[1,2,…]]`).
//! Only moves made through reelcast are recorded: an alias moved in the MLflow UI or by
//! another client leaves no entry. When the JSON would outgrow [`MAX_TAG_VALUE`] the
//! oldest entries are dropped.

use crate::{AliasChange, Error, Result};

/// Prefix of the tags holding alias histories.
pub(crate) const TAG_PREFIX: &str = "reelcast.alias_history.";

/// Longest tag value written, in bytes (MLflow's smallest limit on registered-model tag
/// values, 5000, in older versions).
pub(crate) const MAX_TAG_VALUE: usize = 5000;

/// The tag key of `alias`'s history.
pub(crate) fn tag_key(alias: &str) -> String {
    format!("{TAG_PREFIX}{alias}")
}

type Entry = (Option<u64>, Option<u64>, i64);

/// Parses a history tag value (None: no history yet).
pub(crate) fn decode(alias: &str, value: Option<&str>) -> Result<Vec<AliasChange>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let entries: Vec<Entry> = serde_json::from_str(value).map_err(|e| {
        Error::Corrupt(format!(
            "tag {} is not reelcast's alias history ([[from,to,ms],…]): {e}",
            tag_key(alias)
        ))
    })?;
    Ok(entries
        .into_iter()
        .map(|(from_version, to_version, changed_ms)| AliasChange {
            alias: alias.to_owned(),
            from_version,
            to_version,
            changed_ms,
        })
        .collect())
}

/// The tag value after appending `change` to the history in `previous`, dropping the
/// oldest entries beyond [`MAX_TAG_VALUE`] bytes.
pub(crate) fn append(alias: &str, previous: Option<&str>, change: &AliasChange) -> Result<String> {
    let mut entries: Vec<Entry> = decode(alias, previous)?
        .into_iter()
        .map(|c| (c.from_version, c.to_version, c.changed_ms))
        .collect();
    entries.push((change.from_version, change.to_version, change.changed_ms));
    loop {
        let value = serde_json::to_string(&entries)
            .map_err(|e| Error::Other(format!("encoding the history of alias {alias}: {e}")))?;
        if value.len() <= MAX_TAG_VALUE || entries.len() <= 1 {
            return Ok(value);
        }
        entries.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(from: Option<u64>, to: Option<u64>, ms: i64) -> AliasChange {
        AliasChange {
            alias: "champion".into(),
            from_version: from,
            to_version: to,
            changed_ms: ms,
        }
    }

    #[test]
    fn appends_changes_as_compact_json_and_reads_them_back() {
        let first = append("champion", None, &change(None, Some(1), 10)).unwrap();
        assert_eq!(first, "[[null,1,10]]");
        let second = append("champion", Some(&first), &change(Some(1), None, 20)).unwrap();
        assert_eq!(second, "[[null,1,10],[1,null,20]]");
        assert_eq!(
            decode("champion", Some(&second)).unwrap(),
            [change(None, Some(1), 10), change(Some(1), None, 20)]
        );
    }

    #[test]
    fn drops_the_oldest_entries_beyond_the_tag_size_limit() {
        let mut value: Option<String> = None;
        for i in 0..1000 {
            let next = append(
                "champion",
                value.as_deref(),
                &change(Some(i), Some(i + 1), 1_764_230_000_000 + i as i64),
            )
            .unwrap();
            value = Some(next);
        }
        let value = value.unwrap();
        assert!(value.len() <= MAX_TAG_VALUE, "{}", value.len());
        let history = decode("champion", Some(&value)).unwrap();
        assert_eq!(
            history.last().unwrap().to_version,
            Some(1000),
            "newest kept"
        );
        assert!(history.len() > 100, "{}", history.len());
    }

    #[test]
    fn reports_a_history_tag_it_cannot_read_as_corrupt() {
        let err = decode("champion", Some("{oops")).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains("tag reelcast.alias_history.champion is not reelcast's alias history"),
            "{err}"
        );
    }
}
