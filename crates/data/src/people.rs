//! The people of the kept movies: which of title.crew, title.principals and
//! name.basics an ingest read, the rows it kept, the counts it reports, and the filtered
//! copies written beside `movies_with_ratings.csv`.

use std::io::{BufWriter, Write};
use std::path::Path;

use reelcast_core::{Credits, MovieRecord, Person};
use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;

use crate::crew::{
    nconst_text, read_crew, read_names, read_principals, tconst_text, CrewRow, NameRow, PeopleScan,
    PrincipalRow, CREW_HEADER, NAMES_HEADER, PRINCIPALS_HEADER,
};
use crate::hash::HashingWriter;
use crate::id_map::IdMap;
use crate::report::{BadRows, FileReport};
use crate::source::Source;
use crate::temp_file::temp_file_in;
use crate::{Error, Result};

/// Principal categories that count as cast.
pub const CAST_CATEGORIES: [&str; 3] = ["actor", "actress", "self"];

/// File names of the processed people files (plain TSV in IMDb's layout).
pub const CREW_FILE: &str = "title.crew.tsv";
/// See [`CREW_FILE`].
pub const PRINCIPALS_FILE: &str = "title.principals.tsv";
/// See [`CREW_FILE`].
pub const NAMES_FILE: &str = "name.basics.tsv";

/// The optional people files of an ingest; any subset may be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleSources {
    /// `title.crew.tsv(.gz)`: directors and writers.
    pub crew: Option<Source>,
    /// `title.principals.tsv(.gz)`: billed cast (and directors/writers when crew is absent).
    pub principals: Option<Source>,
    /// `name.basics.tsv(.gz)`: names of the people above.
    pub names: Option<Source>,
}

impl PeopleSources {
    /// True when no people file is given.
    pub fn is_empty(&self) -> bool {
        self.crew.is_none() && self.principals.is_none() && self.names.is_none()
    }
}

/// Counts of what the people files held for the kept movies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleCounts {
    /// title.crew rows of kept movies.
    pub crew_rows: u64,
    /// title.principals rows of kept movies.
    pub principals_rows: u64,
    /// name.basics rows of people those rows name.
    pub names_rows: u64,
    /// Kept movies with at least one credited person.
    pub films_with_people: u64,
    /// Distinct people credited on kept movies.
    pub distinct_people: u64,
    /// Of those, people name.basics does not list (0 when name.basics is not given).
    pub unknown_nconsts: u64,
}

/// The people part of an [`crate::IngestReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleReport {
    /// The people files as read (their bad rows count in the report's `bad_rows`).
    pub files: Vec<FileReport>,
    /// What they held for the kept movies.
    pub counts: PeopleCounts,
}

/// The kept rows of the people files, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleTables {
    pub(crate) crew: Option<Vec<CrewRow>>,
    pub(crate) principals: Option<Vec<PrincipalRow>>,
    pub(crate) names: Option<Vec<NameRow>>,
}

fn file_report<R>(scan: &PeopleScan<R>) -> FileReport {
    FileReport {
        name: scan.name.clone(),
        sha256: scan.digest.sha256.clone(),
        bytes: scan.digest.bytes,
        gzip: scan.gzip,
        rows: scan.rows_read,
        skipped: scan.bad.skipped(),
    }
}

/// Reads the people files for the titles in `kept` (numeric tconsts): crew and principals
/// on two threads, then the names they mention.
pub(crate) fn read_people(
    sources: &PeopleSources,
    kept: &IdMap<usize>,
) -> Result<(PeopleTables, Vec<FileReport>, BadRows)> {
    let keep_title = |id: u64| kept.contains_key(&id);
    let (crew, principals) = std::thread::scope(|scope| {
        let principals = scope.spawn(|| {
            sources
                .principals
                .as_ref()
                .map(|s| read_principals(s, &keep_title))
                .transpose()
        });
        let crew = sources
            .crew
            .as_ref()
            .map(|s| read_crew(s, &keep_title))
            .transpose();
        let principals = principals
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (crew, principals)
    });
    let (crew, principals) = (crew?, principals?);
    let wanted = named_people(
        crew.iter().flat_map(|s| &s.rows),
        principals.iter().flat_map(|s| &s.rows),
    );
    let names = sources
        .names
        .as_ref()
        .map(|s| read_names(s, &|id| wanted.contains_key(&id)))
        .transpose()?;
    let mut files = Vec::new();
    let mut bad = BadRows::default();
    if let Some(s) = &crew {
        files.push(file_report(s));
        bad.merge(s.bad.clone());
    }
    if let Some(s) = &principals {
        files.push(file_report(s));
        bad.merge(s.bad.clone());
    }
    if let Some(s) = &names {
        files.push(file_report(s));
        bad.merge(s.bad.clone());
    }
    let tables = PeopleTables {
        crew: crew.map(|s| s.rows),
        principals: principals.map(|s| s.rows),
        names: names.map(|s| s.rows),
    };
    Ok((tables, files, bad))
}

/// The people whose name.basics rows are kept: everyone the kept title.crew rows name as
/// director or writer and everyone the kept title.principals rows name, in any category.
fn named_people<'a>(
    crew: impl Iterator<Item = &'a CrewRow>,
    principals: impl Iterator<Item = &'a PrincipalRow>,
) -> IdMap<()> {
    let mut wanted: IdMap<()> = IdMap::default();
    for row in crew {
        wanted.extend(row.directors.iter().chain(&row.writers).map(|n| (*n, ())));
    }
    for row in principals {
        wanted.insert(row.nconst, ());
    }
    wanted
}

impl PeopleTables {
    /// Keeps the rows of the titles in `kept` (numeric tconsts) and the names they
    /// mention: the tables [`read_people`] would have read for those titles, as its
    /// rules are per title and the names follow from the kept rows.
    pub(crate) fn retain_titles(&mut self, kept: &IdMap<usize>) {
        if let Some(rows) = &mut self.crew {
            rows.retain(|r| kept.contains_key(&r.tconst));
        }
        if let Some(rows) = &mut self.principals {
            rows.retain(|r| kept.contains_key(&r.tconst));
        }
        let wanted = named_people(self.crew.iter().flatten(), self.principals.iter().flatten());
        if let Some(rows) = &mut self.names {
            rows.retain(|r| wanted.contains_key(&r.nconst));
        }
    }
}

/// Fills each movie's [`Credits`] from `tables` and counts what was found. `index` maps
/// a numeric tconst to its movie. Directors and writers come from title.crew, or from
/// title.principals' director/writer rows when title.crew is absent; cast is the
/// principals of [`CAST_CATEGORIES`] in `ordering` order.
pub(crate) fn attach_credits(
    movies: &mut [MovieRecord],
    index: &IdMap<usize>,
    tables: &PeopleTables,
) -> PeopleCounts {
    let names: IdMap<&str> = tables
        .names
        .iter()
        .flatten()
        .map(|n| (n.nconst, n.primary_name.as_str()))
        .collect();
    let person = |id: u64| Person {
        nconst: nconst_text(id),
        name: names.get(&id).map(|n| (*n).to_owned()),
    };
    for movie in movies.iter_mut() {
        movie.credits = Credits::default();
    }
    let mut people: IdMap<()> = IdMap::default();
    if let Some(crew) = &tables.crew {
        for row in crew {
            let Some(&i) = index.get(&row.tconst) else {
                continue;
            };
            let credits = &mut movies[i].credits;
            credits.directors = row.directors.iter().map(|&n| person(n)).collect();
            credits.writers = row.writers.iter().map(|&n| person(n)).collect();
            people.extend(row.directors.iter().chain(&row.writers).map(|n| (*n, ())));
        }
    }
    if let Some(principals) = &tables.principals {
        let mut sorted: Vec<&PrincipalRow> = principals
            .iter()
            .filter(|r| index.contains_key(&r.tconst))
            .collect();
        sorted.sort_by_key(|r| (r.tconst, r.ordering));
        for row in sorted {
            let credits = &mut movies[index[&row.tconst]].credits;
            let role = match row.category.as_str() {
                c if CAST_CATEGORIES.contains(&c) => Some(&mut credits.cast),
                "director" if tables.crew.is_none() => Some(&mut credits.directors),
                "writer" if tables.crew.is_none() => Some(&mut credits.writers),
                _ => None,
            };
            if let Some(list) = role {
                list.push(person(row.nconst));
                people.insert(row.nconst, ());
            }
        }
    }
    PeopleCounts {
        crew_rows: tables.crew.as_ref().map_or(0, |r| r.len() as u64),
        principals_rows: tables.principals.as_ref().map_or(0, |r| r.len() as u64),
        names_rows: tables.names.as_ref().map_or(0, |r| r.len() as u64),
        films_with_people: movies.iter().filter(|m| !m.credits.is_empty()).count() as u64,
        distinct_people: people.len() as u64,
        unknown_nconsts: if tables.names.is_some() {
            people.keys().filter(|id| !names.contains_key(id)).count() as u64
        } else {
            0
        },
    }
}

/// A processed people file as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessedFile {
    /// File name in the dataset directory, e.g. `title.crew.tsv`.
    pub name: String,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows (header excluded).
    pub rows: u64,
}

fn null(v: Option<&str>) -> &str {
    v.unwrap_or("\\N")
}

fn join_ids(ids: &[u64]) -> String {
    if ids.is_empty() {
        "\\N".to_owned()
    } else {
        ids.iter()
            .map(|n| nconst_text(*n))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Writes the kept people rows in IMDb's layout to `out`, one file per present table,
/// returning (file name, rows) with the writer for each. The caller picks the sink.
pub(crate) fn write_tables<W: Write>(
    tables: &PeopleTables,
    mut sink: impl FnMut(&'static str) -> std::io::Result<W>,
    mut done: impl FnMut(&'static str, u64, W) -> Result<()>,
) -> Result<()> {
    let io = |name: &str, e: std::io::Error| Error::io(Path::new(name), e);
    if let Some(rows) = &tables.crew {
        let mut w = sink(CREW_FILE).map_err(|e| io(CREW_FILE, e))?;
        (|| {
            writeln!(w, "{}", CREW_HEADER.join("\t"))?;
            for r in rows {
                writeln!(
                    w,
                    "{}\t{}\t{}",
                    tconst_text(r.tconst),
                    join_ids(&r.directors),
                    join_ids(&r.writers)
                )?;
            }
            Ok(())
        })()
        .map_err(|e| io(CREW_FILE, e))?;
        done(CREW_FILE, rows.len() as u64, w)?;
    }
    if let Some(rows) = &tables.principals {
        let mut w = sink(PRINCIPALS_FILE).map_err(|e| io(PRINCIPALS_FILE, e))?;
        (|| {
            writeln!(w, "{}", PRINCIPALS_HEADER.join("\t"))?;
            for r in rows {
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    tconst_text(r.tconst),
                    r.ordering,
                    nconst_text(r.nconst),
                    r.category,
                    null(r.job.as_deref()),
                    null(r.characters.as_deref())
                )?;
            }
            Ok(())
        })()
        .map_err(|e| io(PRINCIPALS_FILE, e))?;
        done(PRINCIPALS_FILE, rows.len() as u64, w)?;
    }
    if let Some(rows) = &tables.names {
        let mut w = sink(NAMES_FILE).map_err(|e| io(NAMES_FILE, e))?;
        (|| {
            writeln!(w, "{}", NAMES_HEADER.join("\t"))?;
            for r in rows {
                writeln!(
                    w,
                    "{}\t{}\t{}",
                    nconst_text(r.nconst),
                    r.primary_name,
                    r.rest.join("\t")
                )?;
            }
            Ok(())
        })()
        .map_err(|e| io(NAMES_FILE, e))?;
        done(NAMES_FILE, rows.len() as u64, w)?;
    }
    Ok(())
}

/// SHA-256 of each people file `tables` would be written as, computed in memory.
pub(crate) fn table_digests(tables: &PeopleTables) -> Result<Vec<ProcessedFile>> {
    let mut files = Vec::new();
    write_tables(
        tables,
        |_| Ok(HashingWriter::new(std::io::sink())),
        |name, rows, w| {
            let (digest, _) = w.finish();
            files.push(ProcessedFile {
                name: name.to_owned(),
                sha256: digest.sha256,
                rows,
            });
            Ok(())
        },
    )?;
    Ok(files)
}

/// Writes the people files into `dir` through temporary files; returns them with the
/// temporary files still to be renamed into place (after the CSV, before the manifest).
pub(crate) fn write_people_files(
    dir: &Path,
    tables: &PeopleTables,
) -> Result<Vec<(ProcessedFile, NamedTempFile)>> {
    let mut out = Vec::new();
    write_tables(
        tables,
        |_| {
            let tmp = temp_file_in(dir, None)?;
            Ok(HashingWriter::new(BufWriter::with_capacity(1 << 20, tmp)))
        },
        |name, rows, w| {
            let path = dir.join(name);
            let (digest, buffered) = w.finish();
            let tmp = buffered
                .into_inner()
                .map_err(|e| Error::io(&path, e.into_error()))?;
            tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
            out.push((
                ProcessedFile {
                    name: name.to_owned(),
                    sha256: digest.sha256,
                    rows,
                },
                tmp,
            ));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Reads the processed people files listed in a manifest back into tables, checking each
/// file's SHA-256.
pub(crate) fn read_people_files(dir: &Path, files: &[ProcessedFile]) -> Result<PeopleTables> {
    let mut tables = PeopleTables::default();
    let all = |_: u64| true;
    for file in files {
        let path = dir.join(&file.name);
        if !path.is_file() {
            return Err(Error::MissingProcessed { path });
        }
        let source = Source::file(&path);
        let sha256 = match file.name.as_str() {
            CREW_FILE => {
                let scan = read_crew(&source, &all)?;
                tables.crew = Some(scan.rows);
                scan.digest.sha256
            }
            PRINCIPALS_FILE => {
                let scan = read_principals(&source, &all)?;
                tables.principals = Some(scan.rows);
                scan.digest.sha256
            }
            NAMES_FILE => {
                let scan = read_names(&source, &all)?;
                tables.names = Some(scan.rows);
                scan.digest.sha256
            }
            other => {
                return Err(Error::ProcessedRow {
                    path: dir.join(crate::MANIFEST_FILE),
                    line: 0,
                    message: format!("unknown people file {other:?} in the manifest"),
                })
            }
        };
        if sha256 != file.sha256 {
            return Err(Error::VersionMismatch {
                path,
                expected: file.sha256.clone(),
                actual: sha256,
            });
        }
    }
    Ok(tables)
}

/// Per-role people counts of each movie that has credits: (directors, writers, cast).
pub(crate) fn people_per_film(movies: &[MovieRecord]) -> [Vec<f64>; 3] {
    let with: Vec<&Credits> = movies
        .iter()
        .map(|m| &m.credits)
        .filter(|c| !c.is_empty())
        .collect();
    [
        with.iter().map(|c| c.directors.len() as f64).collect(),
        with.iter().map(|c| c.writers.len() as f64).collect(),
        with.iter().map(|c| c.cast.len() as f64).collect(),
    ]
}

/// Numeric tconst -> movie position.
pub(crate) fn movie_index(movies: &[MovieRecord]) -> IdMap<usize> {
    movies
        .iter()
        .enumerate()
        .filter_map(|(i, m)| reelcast_core::TitleId::numeric(m.tconst.as_str()).map(|id| (id, i)))
        .collect()
}
