//! Filter edges on real rows: 49/50 votes, 1899/1900/null years.

use reelcast_data::IngestOptions;

use crate::helpers::{ids, scan, with_bad_basics, with_bad_ratings};

#[test]
fn keeps_fifty_votes_and_drops_forty_nine() {
    // tt1754912 has 49 votes, tt2363483 50.
    let ingested = scan(&with_bad_ratings("votes-edge"), &IngestOptions::default());
    assert_eq!(ids(&ingested), ["tt2363483", "tt2535470", "tt4586114"]);
    let c = ingested.report.counts;
    assert_eq!((c.after_join, c.after_votes_filter), (4, 3));
}

#[test]
fn keeps_1900_and_null_years_and_drops_1899() {
    // tt1754912 1899, tt2363483 1900, tt2535470 null.
    let ingested = scan(&with_bad_basics("year-edge"), &IngestOptions::default());
    assert_eq!(ids(&ingested), ["tt2363483", "tt2535470", "tt4586114"]);
    let c = ingested.report.counts;
    assert_eq!((c.after_votes_filter, c.after_year_filter), (4, 3));
    assert_eq!(ingested.movies[1].start_year, None);
}

#[test]
fn null_years_can_be_dropped_too() {
    let options = IngestOptions {
        keep_null_year: false,
        ..IngestOptions::default()
    };
    let ingested = scan(&with_bad_basics("year-edge"), &options);
    assert_eq!(ids(&ingested), ["tt2363483", "tt4586114"]);
}

#[test]
fn thresholds_are_settable() {
    let options = IngestOptions {
        min_votes: 400,
        min_year: 2012,
        ..IngestOptions::default()
    };
    let ingested = scan(&with_bad_basics("year-edge"), &options);
    // votes >= 400: only tt2535470 (15169); its year is null, kept.
    assert_eq!(ids(&ingested), ["tt2535470"]);
}
