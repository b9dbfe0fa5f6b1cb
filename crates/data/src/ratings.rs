//! Reading `title.ratings.tsv(.gz)` (1.6M rows at full scale) into a map keyed by the
//! numeric part of `tconst`, ready for the join.

use std::collections::hash_map::Entry;

use reelcast_core::{Rating, TitleId, Votes};

use crate::id_map::IdMap;
use crate::report::{BadRowReason, BadRows};
use crate::source::{Source, SourceDigest};
use crate::tsv::{describe_utf8_error, split_str, TsvReader};
use crate::Result;

/// title.ratings' header, in order.
pub(crate) const RATINGS_HEADER: [&str; 3] = ["tconst", "averageRating", "numVotes"];

/// One good ratings row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RatingEntry {
    pub(crate) rating: Rating,
    pub(crate) votes: Votes,
    /// Line of the row (for duplicate messages).
    line: u64,
}

/// The outcome of reading title.ratings.
pub(crate) struct RatingsScan {
    /// Rating and votes by `TitleId::numeric`.
    pub(crate) by_id: IdMap<RatingEntry>,
    /// Data rows read.
    pub(crate) rows_read: u64,
    /// Problems found.
    pub(crate) bad: BadRows,
    /// Raw-file digest.
    pub(crate) digest: SourceDigest,
    /// True when the file is gzip.
    pub(crate) gzip: bool,
    /// File name.
    pub(crate) name: String,
}

/// Reads every ratings row; bad rows are counted and skipped, the first of duplicates kept.
///
/// # Errors
/// Header, I/O and gzip errors.
pub(crate) fn read_ratings(source: &Source) -> Result<RatingsScan> {
    let mut tsv = TsvReader::open(source, &RATINGS_HEADER)?;
    let name = tsv.name().to_owned();
    let gzip = tsv.is_gzip();
    let mut bad = BadRows::default();
    let mut by_id: IdMap<RatingEntry> = IdMap::default();
    let mut rows_read = 0u64;
    while let Some((line_no, line)) = tsv.next_line()? {
        rows_read += 1;
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                bad.record(BadRowReason::InvalidUtf8, &name, line_no, || {
                    describe_utf8_error(line, e)
                });
                continue;
            }
        };
        let [tconst, rating, votes] = match split_str::<3>(text) {
            Ok(fields) => fields,
            Err(found) => {
                bad.record(BadRowReason::ColumnCount, &name, line_no, || {
                    format!("row has {found} tab-separated fields, expected 3")
                });
                continue;
            }
        };
        let parsed = parse_row(tconst, rating, votes);
        let (id, rating, votes) = match parsed {
            Ok(row) => row,
            Err((reason, message)) => {
                bad.record(reason, &name, line_no, || message);
                continue;
            }
        };
        match by_id.entry(id) {
            Entry::Vacant(slot) => {
                slot.insert(RatingEntry {
                    rating,
                    votes,
                    line: line_no,
                });
            }
            Entry::Occupied(first) => {
                let first_line = first.get().line;
                bad.record(BadRowReason::DuplicateTconst, &name, line_no, || {
                    format!(
                        "tconst {tconst:?} already appeared on line {first_line}; the first row is kept"
                    )
                });
            }
        }
    }
    let digest = tsv.finish()?;
    Ok(RatingsScan {
        by_id,
        rows_read,
        bad,
        digest,
        gzip,
        name,
    })
}

fn parse_row(
    tconst: &str,
    rating: &str,
    votes: &str,
) -> std::result::Result<(u64, Rating, Votes), (BadRowReason, String)> {
    let id = TitleId::numeric(tconst).ok_or_else(|| {
        let err = reelcast_core::Error::TitleId {
            value: tconst.to_owned(),
        };
        (BadRowReason::BadTconst, err.to_string())
    })?;
    let rating = Rating::parse(rating).map_err(|e| (BadRowReason::BadRating, e.to_string()))?;
    let votes = Votes::parse(votes).map_err(|e| (BadRowReason::BadVotes, e.to_string()))?;
    Ok((id, rating, votes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_real_row() {
        let (id, rating, votes) = parse_row("tt2535470", "6.2", "15169").unwrap();
        assert_eq!((id, rating.get(), votes.get()), (2535470, 6.2, 15169));
    }

    #[test]
    fn names_the_problem() {
        let cases = [
            (
                "negative votes",
                ("tt1754912", "3.5", "-317"),
                BadRowReason::BadVotes,
                "numVotes -317 is outside 0..=4294967295",
            ),
            (
                "text votes",
                ("tt1754912", "3.5", "many"),
                BadRowReason::BadVotes,
                "numVotes \"many\" is not a whole number",
            ),
            (
                "rating too high",
                ("tt1754912", "35", "317"),
                BadRowReason::BadRating,
                "averageRating 35 is outside 1..=10",
            ),
            (
                "bad tconst",
                ("1754912", "3.5", "317"),
                BadRowReason::BadTconst,
                "title id \"1754912\" is not \"tt\" followed by digits",
            ),
        ];
        for (label, (t, r, v), reason, message) in cases {
            let (got_reason, got_message) = parse_row(t, r, v).unwrap_err();
            assert_eq!(
                (got_reason, got_message.as_str()),
                (reason, message),
                "{label}"
            );
        }
    }
}
