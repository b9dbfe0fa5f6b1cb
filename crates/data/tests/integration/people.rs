//! The people files: IMDb's real title.crew, title.principals and name.basics
//! rows of the excerpt, broken copies of them, and the embedded sample's crew.

use reelcast_core::TitleType;
use reelcast_data::{
    ingest, ingested_version, read_processed, validate, write_processed, BadRowReason, DataSources,
    IngestOptions, PeopleSources, Source,
};

use crate::helpers::{excerpt_basics, excerpt_ratings, fixtures};

fn fixture(path: &str) -> std::path::PathBuf {
    fixtures().join(path)
}

fn people(crew: Source, principals: Source, names: Source) -> PeopleSources {
    PeopleSources {
        crew: Some(crew),
        principals: Some(principals),
        names: Some(names),
    }
}

fn excerpt_people() -> PeopleSources {
    people(
        Source::file(fixture("imdb-excerpt/title.crew.tsv")),
        Source::file(fixture("imdb-excerpt/title.principals.tsv")),
        Source::file(fixture("imdb-excerpt/name.basics.tsv")),
    )
}

/// Every title type, no vote floor: all 12 rated titles of the excerpt are kept.
fn every_rated_title() -> IngestOptions {
    IngestOptions {
        title_types: TitleType::ALL.to_vec(),
        min_votes: 0,
        ..IngestOptions::default()
    }
}

#[test]
fn keeps_the_people_rows_of_kept_titles_only_and_counts_them() {
    let sources =
        DataSources::files(excerpt_basics(), excerpt_ratings()).with_people(excerpt_people());
    let ingested = ingest(&sources, &every_rated_title()).unwrap();
    assert_eq!(ingested.movies.len(), 12);
    let people = ingested.report.people.as_ref().unwrap();
    let c = people.counts;
    assert_eq!(
        (c.crew_rows, c.principals_rows, c.names_rows),
        (12, 104, 93)
    );
    assert_eq!(
        (c.films_with_people, c.distinct_people, c.unknown_nconsts),
        (12, 80, 6)
    );
    let rows: Vec<u64> = people.files.iter().map(|f| f.rows).collect();
    assert_eq!(rows, [75, 572, 219]);
    assert!(ingested.report.bad_rows.is_empty());
}

#[test]
fn cast_is_in_billing_order_and_names_come_from_name_basics() {
    let sources =
        DataSources::files(excerpt_basics(), excerpt_ratings()).with_people(excerpt_people());
    let ingested = ingest(&sources, &every_rated_title()).unwrap();
    let movie = ingested
        .movies
        .iter()
        .find(|m| m.tconst.as_str() == "tt10854062")
        .unwrap();
    let credits = &movie.credits;
    assert_eq!(credits.directors[0].nconst, "nm2855433");
    assert_eq!(credits.writers[0].nconst, "nm2835503");
    // The file lists ordering 10 first; billing order puts ordering 1 first.
    assert_eq!(credits.cast[0].nconst, "nm3038369");
    assert_eq!(credits.cast[1].nconst, "nm1278427");
    assert!(credits.cast.iter().any(|p| p.name.is_some()));
}

#[test]
fn bad_people_rows_are_counted_by_reason_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(fixture("imdb-excerpt/title.principals.tsv")).unwrap();
    let mut lines: Vec<String> = real.lines().map(str::to_owned).collect();
    // Line 2 is tt10070612's first principal. Break copies of real rows of a kept title.
    let kept = lines
        .iter()
        .position(|l| l.starts_with("tt10854062\t1\t"))
        .unwrap();
    let row = lines[kept].clone();
    lines.push(row.clone()); // duplicate (tconst, ordering)
    lines.push(row.replace("\t1\tnm", "\tfirst\tnm")); // bad ordering
    lines.push(
        row.replace("\tnm3038369\t", "\tnmX\t")
            .replace("\t1\t", "\t99\t"),
    ); // bad nconst
    let n = lines.len() as u64;
    let path = dir.path().join("title.principals.tsv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let mut broken = excerpt_people();
    broken.principals = Some(Source::file(&path));
    let sources = DataSources::files(excerpt_basics(), excerpt_ratings()).with_people(broken);
    let options = IngestOptions {
        max_bad_row_ratio: 0.5,
        ..every_rated_title()
    };
    let ingested = ingest(&sources, &options).unwrap();
    let bad = &ingested.report.bad_rows;
    assert_eq!(bad.count(BadRowReason::DuplicatePrincipal), 1);
    assert_eq!(bad.count(BadRowReason::BadOrdering), 1);
    assert_eq!(bad.count(BadRowReason::BadNconst), 1);
    let example = bad
        .iter()
        .find(|(r, _)| *r == BadRowReason::DuplicatePrincipal)
        .unwrap()
        .1
        .examples[0]
        .to_string();
    assert_eq!(
        example,
        format!(
            "title.principals.tsv line {}: (tconst \"tt10854062\", ordering 1) already appeared on line {}; the first row is kept",
            n - 2,
            kept + 1
        )
    );
    let report = validate(&ingested);
    assert_eq!(report.people.unwrap().duplicate_principals, 1);
}

#[test]
fn embedded_sample_has_crew_and_round_trips_through_a_processed_directory() {
    let ingested = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    assert_eq!(ingested.movies.len(), 6091);
    let counts = ingested.report.people.as_ref().unwrap().counts;
    assert_eq!(counts.films_with_people, 6090);
    assert_eq!(counts.unknown_nconsts, 0);
    let with_people = ingested_version(&ingested).unwrap();
    let basics_only = ingest(
        &DataSources::embedded_basics_only(),
        &IngestOptions::default(),
    )
    .unwrap();
    assert!(basics_only.movies.iter().all(|m| m.credits.is_empty()));
    assert_ne!(with_people, ingested_version(&basics_only).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let manifest = write_processed(dir.path(), &ingested).unwrap();
    assert_eq!(manifest.dataset_version, with_people);
    assert_eq!(manifest.people_files.len(), 3);
    let back = read_processed(dir.path()).unwrap();
    assert_eq!(back.movies, ingested.movies);

    std::fs::write(
        dir.path().join("name.basics.tsv"),
        "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\n",
    )
    .unwrap();
    let err = read_processed(dir.path()).unwrap_err().to_string();
    assert!(err.contains("name.basics.tsv"), "{err}");
}
