//! Streaming `title.basics.tsv(.gz)`: every row's columns are counted, only rows whose
//! titleType passes the filter are fully parsed (about 7% at full scale).

use reelcast_core::{
    Genre, GenreSet, MovieRecord, Rating, Runtime, TitleId, TitleType, Votes, Year,
};

use crate::id_map::IdMap;
use crate::options::IngestOptions;
use crate::report::{BadRowReason, BadRows};
use crate::source::{Source, SourceDigest};
use crate::tsv::{count_fields, describe_utf8_error, non_null, second_field, split_str, TsvReader};
use crate::Result;

/// title.basics' header, in order.
pub(crate) const BASICS_HEADER: [&str; 9] = [
    "tconst",
    "titleType",
    "primaryTitle",
    "originalTitle",
    "isAdult",
    "startYear",
    "endYear",
    "runtimeMinutes",
    "genres",
];

/// A parsed basics row waiting for its rating.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BasicsRow {
    pub(crate) numeric_id: u64,
    pub(crate) tconst: TitleId,
    pub(crate) title_type: TitleType,
    pub(crate) primary_title: String,
    pub(crate) original_title: String,
    pub(crate) is_adult: bool,
    pub(crate) start_year: Option<Year>,
    pub(crate) end_year: Option<Year>,
    pub(crate) runtime: Option<Runtime>,
    pub(crate) genres: GenreSet,
}

impl BasicsRow {
    /// Joins the row with its rating.
    pub(crate) fn into_record(self, rating: Rating, votes: Votes) -> MovieRecord {
        MovieRecord {
            tconst: self.tconst,
            title_type: self.title_type,
            primary_title: self.primary_title,
            original_title: self.original_title,
            is_adult: self.is_adult,
            start_year: self.start_year,
            end_year: self.end_year,
            runtime: self.runtime,
            genres: self.genres,
            rating,
            votes,
            credits: reelcast_core::Credits::default(),
        }
    }
}

/// The outcome of streaming title.basics.
#[derive(Debug)]
pub(crate) struct BasicsScan {
    /// Good rows of the kept title types, in file order.
    pub(crate) rows: Vec<BasicsRow>,
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

/// A row problem: why, and the message naming the value and the rule.
type RowProblem = (BadRowReason, String);

/// Streams title.basics, keeping good rows whose titleType passes `options`' title-type
/// filter.
///
/// # Errors
/// Header, I/O and gzip errors; bad rows are counted, not raised.
pub(crate) fn read_basics(source: &Source, options: &IngestOptions) -> Result<BasicsScan> {
    let mut tsv = TsvReader::open(source, &BASICS_HEADER)?;
    let name = tsv.name().to_owned();
    let gzip = tsv.is_gzip();
    let mut bad = BadRows::default();
    let mut rows = Vec::new();
    let mut first_seen: IdMap<u64> = IdMap::default();
    let mut rows_read = 0u64;
    let mut dropped_genres = Vec::new();
    while let Some((line_no, line)) = tsv.next_line()? {
        rows_read += 1;
        let fields = count_fields(line);
        if fields != 9 {
            bad.record(BadRowReason::ColumnCount, &name, line_no, || {
                format!("row has {fields} tab-separated fields, expected 9")
            });
            continue;
        }
        // Cheap byte comparison first: most rows are not movies and are never decoded.
        let Some(title_type) = options.title_type_kept(second_field(line)) else {
            continue;
        };
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                bad.record(BadRowReason::InvalidUtf8, &name, line_no, || {
                    describe_utf8_error(line, e)
                });
                continue;
            }
        };
        dropped_genres.clear();
        let row = match parse_row(text, title_type, &mut dropped_genres) {
            Ok(row) => row,
            Err((reason, message)) => {
                bad.record(reason, &name, line_no, || message);
                continue;
            }
        };
        if let Some(first) = first_seen.insert(row.numeric_id, line_no) {
            first_seen.insert(row.numeric_id, first);
            bad.record(BadRowReason::DuplicateTconst, &name, line_no, || {
                format!(
                    "tconst {:?} already appeared on line {first}; the first row is kept",
                    row.tconst.as_str()
                )
            });
            continue;
        }
        for token in &dropped_genres {
            bad.record(BadRowReason::UnknownGenre, &name, line_no, || {
                format!(
                    "genre {token:?} is not one of IMDb's 28 genres; the token is dropped, the row kept"
                )
            });
        }
        rows.push(row);
    }
    let digest = tsv.finish()?;
    Ok(BasicsScan {
        rows,
        rows_read,
        bad,
        digest,
        gzip,
        name,
    })
}

/// Parses one UTF-8 row whose type already passed the filter. Unknown genre tokens are
/// left out of the set and pushed to `dropped_genres`.
fn parse_row(
    text: &str,
    title_type: TitleType,
    dropped_genres: &mut Vec<String>,
) -> std::result::Result<BasicsRow, RowProblem> {
    let [tconst, _type, primary, original, adult, start, end, runtime, genres] =
        split_str::<9>(text).map_err(|found| {
            let message = format!("row has {found} tab-separated fields, expected 9");
            (BadRowReason::ColumnCount, message)
        })?;
    let tconst = TitleId::parse(tconst).map_err(|e| (BadRowReason::BadTconst, e.to_string()))?;
    let numeric_id = TitleId::numeric(tconst.as_str()).expect("TitleId::parse checked tt + digits");
    let is_adult = match adult {
        "0" => false,
        "1" => true,
        other => {
            return Err((
                BadRowReason::BadIsAdult,
                format!("isAdult {other:?} is not 0 or 1"),
            ))
        }
    };
    let year = |field: &'static str, raw: &str| {
        non_null(raw)
            .map(|raw| Year::parse(field, raw))
            .transpose()
            .map_err(|e| (BadRowReason::BadYear, e.to_string()))
    };
    let start_year = year("startYear", start)?;
    let end_year = year("endYear", end)?;
    let runtime = non_null(runtime)
        .map(Runtime::parse)
        .transpose()
        .map_err(|e| (BadRowReason::BadRuntime, e.to_string()))?;
    let mut genre_set = GenreSet::EMPTY;
    if let Some(genres) = non_null(genres).filter(|g| !g.is_empty()) {
        for token in genres.split(',') {
            match Genre::parse(token) {
                Ok(g) => genre_set.insert(g),
                Err(_) => dropped_genres.push(token.to_owned()),
            }
        }
    }
    Ok(BasicsRow {
        numeric_id,
        tconst,
        title_type,
        primary_title: non_null(primary).unwrap_or_default().to_owned(),
        original_title: non_null(original).unwrap_or_default().to_owned(),
        is_adult,
        start_year,
        end_year,
        runtime,
        genres: genre_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<BasicsRow, RowProblem> {
        parse_row(text, TitleType::Movie, &mut Vec::new())
    }

    #[test]
    fn parses_a_real_row_with_nulls() {
        let row = parse(
            "tt4449198\tmovie\tWyrmwood TV\tWyrmwood TV\t0\t\\N\t\\N\t\\N\tAdventure,Comedy,Horror",
        )
        .unwrap();
        assert_eq!(row.numeric_id, 4449198);
        assert_eq!(
            (row.start_year, row.end_year, row.runtime),
            (None, None, None)
        );
        assert_eq!(row.genres.len(), 3);
    }

    #[test]
    fn names_the_field_and_value_of_each_problem() {
        let cases = [
            (
                "bad year",
                "tt1754912\tmovie\tWrath\tWrath\t0\t19x5\t\\N\t96\tThriller",
                BadRowReason::BadYear,
                "startYear \"19x5\" is not a whole number",
            ),
            (
                "bad tconst",
                "xx1754912\tmovie\tWrath\tWrath\t0\t2011\t\\N\t96\tThriller",
                BadRowReason::BadTconst,
                "title id \"xx1754912\" is not \"tt\" followed by digits",
            ),
            (
                "bad isAdult",
                "tt1754912\tmovie\tWrath\tWrath\t2\t2011\t\\N\t96\tThriller",
                BadRowReason::BadIsAdult,
                "isAdult \"2\" is not 0 or 1",
            ),
            (
                "bad runtime",
                "tt1754912\tmovie\tWrath\tWrath\t0\t2011\t\\N\t-96\tThriller",
                BadRowReason::BadRuntime,
                "runtimeMinutes -96 is outside 1..=60000",
            ),
        ];
        for (label, text, reason, message) in cases {
            let (got_reason, got_message) = parse(text).unwrap_err();
            assert_eq!(got_reason, reason, "{label}");
            assert_eq!(got_message, message, "{label}");
        }
    }

    #[test]
    fn unknown_genre_tokens_are_dropped() {
        let mut dropped = Vec::new();
        let row = parse_row(
            "tt1754912\tmovie\tWrath\tWrath\t0\t2011\t\\N\t96\tThriller,Lifestyle",
            TitleType::Movie,
            &mut dropped,
        )
        .unwrap();
        assert_eq!(row.genres.to_imdb(), "Thriller");
        assert_eq!(dropped, vec!["Lifestyle".to_owned()]);
    }
}
