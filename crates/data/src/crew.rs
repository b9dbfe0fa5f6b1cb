//! Streaming IMDb's people files: `title.crew` (directors and writers per
//! title), `title.principals` (billed people per title) and `name.basics` (people).
//!
//! Each reader keeps only the rows a caller asks for (titles of kept movies, people those
//! titles name): at full scale that is a few percent of 12M crew, 95M principals and 14M
//! name rows, so a skipped row costs one `memchr` and an integer parse, and UTF-8, column
//! counts and values are checked only on kept rows. Bad kept rows are counted by reason
//! with file and line, like title.basics and title.ratings.

use std::collections::hash_map::Entry;

use reelcast_core::TitleId;

use crate::id_map::IdMap;
use crate::report::{BadRowReason, BadRows};
use crate::source::{Source, SourceDigest};
use crate::tsv::{describe_utf8_error, non_null, split_str, TsvReader};
use crate::Result;

/// title.crew's header, in order.
pub(crate) const CREW_HEADER: [&str; 3] = ["tconst", "directors", "writers"];
/// title.principals' header, in order.
pub(crate) const PRINCIPALS_HEADER: [&str; 6] = [
    "tconst",
    "ordering",
    "nconst",
    "category",
    "job",
    "characters",
];
/// name.basics' header, in order.
pub(crate) const NAMES_HEADER: [&str; 6] = [
    "nconst",
    "primaryName",
    "birthYear",
    "deathYear",
    "primaryProfession",
    "knownForTitles",
];

/// The numeric part of an IMDb person id: `nm` followed by 1 to 18 digits.
pub fn nconst_numeric(raw: &str) -> Option<u64> {
    let digits = raw.strip_prefix("nm")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// IMDb's spelling of a person id: `nm` + at least 7 digits (`nm0000122`).
pub fn nconst_text(numeric: u64) -> String {
    format!("nm{numeric:07}")
}

/// IMDb's spelling of a title id: `tt` + at least 7 digits.
pub(crate) fn tconst_text(numeric: u64) -> String {
    format!("tt{numeric:07}")
}

/// One kept title.crew row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrewRow {
    pub(crate) tconst: u64,
    pub(crate) directors: Vec<u64>,
    pub(crate) writers: Vec<u64>,
}

/// One kept title.principals row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalRow {
    pub(crate) tconst: u64,
    pub(crate) ordering: u32,
    pub(crate) nconst: u64,
    pub(crate) category: String,
    /// `job`, verbatim (`\N` kept as `None`).
    pub(crate) job: Option<String>,
    /// `characters`, verbatim.
    pub(crate) characters: Option<String>,
}

/// One kept name.basics row; the columns reelcast does not use are kept verbatim so the
/// processed file is the raw rows, filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameRow {
    pub(crate) nconst: u64,
    pub(crate) primary_name: String,
    /// birthYear, deathYear, primaryProfession, knownForTitles as read.
    pub(crate) rest: [String; 4],
}

/// What reading one people file produced.
pub(crate) struct PeopleScan<R> {
    /// Kept rows, in file order.
    pub(crate) rows: Vec<R>,
    /// Data rows read (header excluded).
    pub(crate) rows_read: u64,
    /// Problems found on kept rows.
    pub(crate) bad: BadRows,
    /// Raw-file digest.
    pub(crate) digest: SourceDigest,
    /// True when the file is gzip.
    pub(crate) gzip: bool,
    /// File name.
    pub(crate) name: String,
}

/// The first field's numeric id, or `None` when the row cannot be a kept one.
fn leading_id(line: &[u8], prefix: &[u8]) -> Option<u64> {
    let end = memchr::memchr(b'\t', line).unwrap_or(line.len());
    let digits = line[..end].strip_prefix(prefix)?;
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

/// Streams `source`, handing each kept row's fields to `parse`. A row is kept when its
/// first field's id is in `keep` (rows whose first field is not an id of the right shape
/// are checked too, so a broken id is reported rather than silently skipped).
fn scan<const N: usize, R>(
    source: &Source,
    header: &[&str; N],
    prefix: &[u8],
    keep: &dyn Fn(u64) -> bool,
    mut parse: impl FnMut(&[&str; N], &mut BadRows, &str, u64) -> Option<R>,
) -> Result<PeopleScan<R>> {
    let mut tsv = TsvReader::open(source, header)?;
    let name = tsv.name().to_owned();
    let gzip = tsv.is_gzip();
    let mut bad = BadRows::default();
    let mut rows = Vec::new();
    let mut rows_read = 0u64;
    while let Some((line_no, line)) = tsv.next_line()? {
        rows_read += 1;
        if leading_id(line, prefix).is_some_and(|id| !keep(id)) {
            continue;
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                bad.record(BadRowReason::InvalidUtf8, &name, line_no, || {
                    describe_utf8_error(line, e)
                });
                continue;
            }
        };
        let fields = match split_str::<N>(text) {
            Ok(fields) => fields,
            Err(found) => {
                bad.record(BadRowReason::ColumnCount, &name, line_no, || {
                    format!("row has {found} tab-separated fields, expected {N}")
                });
                continue;
            }
        };
        if let Some(row) = parse(&fields, &mut bad, &name, line_no) {
            rows.push(row);
        }
    }
    let digest = tsv.finish()?;
    Ok(PeopleScan {
        rows,
        rows_read,
        bad,
        digest,
        gzip,
        name,
    })
}

fn parse_tconst(raw: &str) -> std::result::Result<u64, (BadRowReason, String)> {
    TitleId::numeric(raw).ok_or_else(|| {
        let err = reelcast_core::Error::TitleId {
            value: raw.to_owned(),
        };
        (BadRowReason::BadTconst, err.to_string())
    })
}

fn parse_nconst(column: &str, raw: &str) -> std::result::Result<u64, (BadRowReason, String)> {
    nconst_numeric(raw).ok_or_else(|| {
        (
            BadRowReason::BadNconst,
            format!("{column} {raw:?} is not \"nm\" followed by digits"),
        )
    })
}

/// A comma-separated nconst list, `\N` for none.
fn parse_nconst_list(
    column: &str,
    raw: &str,
) -> std::result::Result<Vec<u64>, (BadRowReason, String)> {
    match non_null(raw) {
        None => Ok(Vec::new()),
        Some(list) => list.split(',').map(|n| parse_nconst(column, n)).collect(),
    }
}

/// Reads title.crew rows of titles in `keep`; the first row of a duplicated tconst wins.
pub(crate) fn read_crew(
    source: &Source,
    keep: &dyn Fn(u64) -> bool,
) -> Result<PeopleScan<CrewRow>> {
    let mut seen: IdMap<u64> = IdMap::default();
    scan(source, &CREW_HEADER, b"tt", keep, |f, bad, file, line| {
        let [tconst, directors, writers] = *f;
        let parsed = parse_tconst(tconst).and_then(|id| {
            Ok(CrewRow {
                tconst: id,
                directors: parse_nconst_list("directors", directors)?,
                writers: parse_nconst_list("writers", writers)?,
            })
        });
        let row = match parsed {
            Ok(row) => row,
            Err((reason, message)) => {
                bad.record(reason, file, line, || message);
                return None;
            }
        };
        match seen.entry(row.tconst) {
            Entry::Vacant(slot) => {
                slot.insert(line);
                Some(row)
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                bad.record(BadRowReason::DuplicateTconst, file, line, || {
                    format!(
                        "tconst {tconst:?} already appeared on line {first}; the first row is kept"
                    )
                });
                None
            }
        }
    })
}

/// Reads title.principals rows of titles in `keep`; a repeated (tconst, ordering) pair
/// keeps its first row.
pub(crate) fn read_principals(
    source: &Source,
    keep: &dyn Fn(u64) -> bool,
) -> Result<PeopleScan<PrincipalRow>> {
    let mut seen: std::collections::HashMap<(u64, u32), u64> = std::collections::HashMap::new();
    scan(
        source,
        &PRINCIPALS_HEADER,
        b"tt",
        keep,
        |f, bad, file, line| {
            let [tconst, ordering, nconst, category, job, characters] = *f;
            let parsed = (|| {
                let tconst = parse_tconst(tconst)?;
                let ordering = ordering
                    .parse::<u32>()
                    .ok()
                    .filter(|o| *o >= 1)
                    .ok_or_else(|| {
                        (
                            BadRowReason::BadOrdering,
                            format!("ordering {ordering:?} is not a whole number >= 1"),
                        )
                    })?;
                let nconst = parse_nconst("nconst", nconst)?;
                Ok(PrincipalRow {
                    tconst,
                    ordering,
                    nconst,
                    category: category.to_owned(),
                    job: non_null(job).map(str::to_owned),
                    characters: non_null(characters).map(str::to_owned),
                })
            })();
            let row = match parsed {
                Ok(row) => row,
                Err((reason, message)) => {
                    bad.record(reason, file, line, || message);
                    return None;
                }
            };
            match seen.entry((row.tconst, row.ordering)) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(line);
                    Some(row)
                }
                std::collections::hash_map::Entry::Occupied(first) => {
                    let first = *first.get();
                    bad.record(BadRowReason::DuplicatePrincipal, file, line, || {
                    format!(
                        "(tconst {tconst:?}, ordering {}) already appeared on line {first}; the first row is kept",
                        row.ordering
                    )
                });
                    None
                }
            }
        },
    )
}

/// Reads name.basics rows of people in `keep`; a repeated nconst keeps its first row.
pub(crate) fn read_names(
    source: &Source,
    keep: &dyn Fn(u64) -> bool,
) -> Result<PeopleScan<NameRow>> {
    let mut seen: IdMap<u64> = IdMap::default();
    scan(source, &NAMES_HEADER, b"nm", keep, |f, bad, file, line| {
        let [nconst, primary_name, birth, death, profession, known_for] = *f;
        let id = match parse_nconst("nconst", nconst) {
            Ok(id) => id,
            Err((reason, message)) => {
                bad.record(reason, file, line, || message);
                return None;
            }
        };
        match seen.entry(id) {
            Entry::Vacant(slot) => {
                slot.insert(line);
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                bad.record(BadRowReason::DuplicateNconst, file, line, || {
                    format!(
                        "nconst {nconst:?} already appeared on line {first}; the first row is kept"
                    )
                });
                return None;
            }
        }
        Some(NameRow {
            nconst: id,
            primary_name: primary_name.to_owned(),
            rest: [birth, death, profession, known_for].map(str::to_owned),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_round_trip_in_imdb_spelling() {
        assert_eq!(nconst_numeric("nm0000122"), Some(122));
        assert_eq!(nconst_text(122), "nm0000122");
        assert_eq!(nconst_text(90000001), "nm90000001");
        for bad in ["", "nm", "tt0000122", "nm12a", "NM0000122", "nm-1"] {
            assert_eq!(nconst_numeric(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn leading_id_reads_only_the_first_field() {
        assert_eq!(leading_id(b"tt0012349\t1\tnm1", b"tt"), Some(12349));
        assert_eq!(leading_id(b"nm0000001", b"nm"), Some(1));
        assert_eq!(leading_id(b"tt12x\t1", b"tt"), None);
        assert_eq!(leading_id(b"nm1\tx", b"tt"), None);
    }

    #[test]
    fn nconst_lists_name_the_column_and_the_value() {
        assert_eq!(
            parse_nconst_list("writers", "\\N").unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            parse_nconst_list("writers", "nm9134958,nm9134957").unwrap(),
            [9134958, 9134957]
        );
        let (reason, message) = parse_nconst_list("directors", "nm1,Nolan").unwrap_err();
        assert_eq!(reason, BadRowReason::BadNconst);
        assert_eq!(
            message,
            "directors \"Nolan\" is not \"nm\" followed by digits"
        );
    }
}
