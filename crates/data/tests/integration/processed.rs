//! Writing and reading `movies_with_ratings.csv` + `manifest.json`.

use reelcast_core::TitleType;
use reelcast_data::{
    dataset_version, ingest, read_processed, write_processed, DataSources, Error, IngestOptions,
    CSV_COLUMNS, DATASET_FILE, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION,
};

use crate::helpers::{excerpt_basics, excerpt_ratings, scan};

/// The embedded sample's basics and ratings: a dataset whose version is its CSV's hash
/// (people files are covered in `people.rs`).
fn sample() -> reelcast_data::Ingested {
    ingest(
        &DataSources::embedded_basics_only(),
        &IngestOptions::default(),
    )
    .unwrap()
}

#[test]
fn written_csv_has_the_original_eleven_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_processed(dir.path(), &sample()).unwrap();
    let text = std::fs::read_to_string(dir.path().join(DATASET_FILE)).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "tconst,titleType,primaryTitle,originalTitle,isAdult,startYear,endYear,runtimeMinutes,genres,averageRating,numVotes"
    );
    assert_eq!(CSV_COLUMNS.join(","), text.lines().next().unwrap());
    assert_eq!(
        lines.next().unwrap(),
        "tt0012349,movie,The Kid,The Kid,0,1921,,68,\"Comedy,Drama,Family\",8.4,40584"
    );
    assert_eq!(text.lines().count(), 6091 + 1);
}

#[test]
fn write_then_read_gives_equal_records_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let ingested = sample();
    let manifest = write_processed(dir.path(), &ingested).unwrap();
    let back = read_processed(dir.path()).unwrap();
    assert_eq!(back.movies, ingested.movies);
    assert_eq!(back.manifest, manifest);
    assert_eq!(
        dataset_version(&back.movies).unwrap(),
        manifest.dataset_version
    );
}

#[test]
fn in_memory_version_equals_the_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let ingested = sample();
    let manifest = write_processed(dir.path(), &ingested).unwrap();
    let version = dataset_version(&ingested.movies).unwrap();
    assert_eq!(version, manifest.dataset_version);
    let csv = std::fs::read(dir.path().join(DATASET_FILE)).unwrap();
    let sha = reelcast_data::sha256_file(&dir.path().join(DATASET_FILE)).unwrap();
    assert_eq!(manifest.csv_sha256, sha);
    assert_eq!(version.as_str(), format!("ds-{}", &sha[..16]));
    assert!(!csv.is_empty());
}

#[test]
fn manifest_records_inputs_counts_options_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let ingested = sample();
    write_processed(dir.path(), &ingested).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(json["schema_version"], MANIFEST_SCHEMA_VERSION);
    assert_eq!(json["rows"], 6091);
    assert_eq!(json["inputs"][0]["name"], "title.basics.tsv.gz");
    assert_eq!(
        json["inputs"][0]["sha256"],
        ingested.report.basics.sha256.as_str()
    );
    assert_eq!(json["inputs"][1]["name"], "title.ratings.tsv.gz");
    assert_eq!(json["counts"]["after_join"], 6163);
    assert_eq!(json["options"]["min_votes"], 50);
    assert_eq!(json["options"]["title_types"][0], "movie");
    let created = json["created_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );
}

#[test]
fn writing_leaves_only_the_dataset_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("processed/nested");
    let with_people = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    write_processed(&out, &with_people).unwrap();
    write_processed(&out, &with_people).unwrap(); // overwrite in place
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            MANIFEST_FILE,
            DATASET_FILE,
            "name.basics.tsv",
            "title.crew.tsv",
            "title.principals.tsv"
        ]
    );
}

#[test]
fn quotes_commas_and_nulls_round_trip() {
    let options = IngestOptions {
        title_types: TitleType::ALL.to_vec(),
        min_votes: 0,
        ..IngestOptions::default()
    };
    let mut ingested = scan(
        &reelcast_data::DataSources::files(excerpt_basics(), excerpt_ratings()),
        &options,
    );
    ingested.movies[0].primary_title = "Say \"Hi\", World".into();
    let dir = tempfile::tempdir().unwrap();
    write_processed(dir.path(), &ingested).unwrap();
    let back = read_processed(dir.path()).unwrap();
    assert_eq!(back.movies, ingested.movies);
}

#[test]
fn edited_csv_is_caught_by_the_version_check() {
    let dir = tempfile::tempdir().unwrap();
    write_processed(dir.path(), &sample()).unwrap();
    let path = dir.path().join(DATASET_FILE);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(",8.4,40584", ",8.5,40584");
    std::fs::write(&path, text).unwrap();
    let err = read_processed(dir.path()).unwrap_err();
    assert!(matches!(err, Error::VersionMismatch { .. }), "{err:?}");
    assert!(err
        .to_string()
        .contains("the files were changed after ingest"));
}

#[test]
fn bad_processed_row_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_processed(dir.path(), &sample()).unwrap();
    let path = dir.path().join(DATASET_FILE);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen(",1921,", ",19x5,", 1);
    std::fs::write(&path, text).unwrap();
    let err = read_processed(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} line 2: startYear \"19x5\" is not a whole number",
            path.display()
        )
    );
}

#[test]
fn missing_processed_dir_suggests_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_processed(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, Error::MissingProcessed { .. }));
    assert!(err.to_string().ends_with(
        "not found; create the processed dataset with `reelcast data ingest --out DIR`"
    ));
}

#[cfg(unix)]
#[test]
fn written_files_get_the_mode_of_a_created_file() {
    use crate::helpers::{created_mode, mode};

    let dir = tempfile::tempdir().unwrap();
    let ingested = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();

    let manifest = write_processed(dir.path(), &ingested).unwrap();

    let expected = created_mode(dir.path());
    let people = manifest.people_files.iter().map(|f| f.name.as_str());
    let written: Vec<&str> = [DATASET_FILE, MANIFEST_FILE]
        .into_iter()
        .chain(people)
        .collect();
    assert_eq!(written.len(), 5, "{written:?}");
    for name in written {
        assert_eq!(mode(&dir.path().join(name)), expected, "{name}");
    }
}
