//! Parsing the real 75-row excerpt (movies, shorts, episodes, `\N` everywhere).

use reelcast_core::{TitleType, Year};
use reelcast_data::{DataSources, IngestOptions};

use crate::helpers::{excerpt_basics, excerpt_ratings, ids, scan};

fn excerpt() -> DataSources {
    DataSources::files(excerpt_basics(), excerpt_ratings())
}

fn only(types: Vec<TitleType>) -> IngestOptions {
    IngestOptions {
        title_types: types,
        min_votes: 0,
        ..IngestOptions::default()
    }
}

#[test]
fn counts_each_title_type_of_the_excerpt() {
    let cases = [
        ("movies", TitleType::Movie, 9),
        ("shorts", TitleType::Short, 17),
        ("tv episodes", TitleType::TvEpisode, 43),
        ("tv series", TitleType::TvSeries, 4),
        ("mini series", TitleType::TvMiniSeries, 1),
        ("videos", TitleType::Video, 1),
    ];
    for (label, title_type, expected) in cases {
        let ingested = scan(&excerpt(), &only(vec![title_type]));
        let counts = ingested.report.counts;
        assert_eq!(counts.basics_rows, 75, "{label}");
        assert_eq!(counts.after_type_filter, expected, "{label}");
        assert!(ingested.report.bad_rows.is_empty(), "{label}");
    }
}

#[test]
fn reads_all_twelve_ratings_rows_and_joins_them_all_across_types() {
    let ingested = scan(&excerpt(), &only(TitleType::ALL.to_vec()));
    let counts = ingested.report.counts;
    assert_eq!(counts.ratings_rows, 12);
    assert_eq!(counts.after_type_filter, 75);
    assert_eq!(counts.after_join, 12);
    assert_eq!(ingested.movies.len(), 12);
}

#[test]
fn default_options_keep_the_four_rated_movies_in_file_order() {
    let ingested = scan(&excerpt(), &IngestOptions::default());
    assert_eq!(
        ids(&ingested),
        ["tt1754912", "tt2363483", "tt2535470", "tt4586114"]
    );
    let c = ingested.report.counts;
    assert_eq!(
        (
            c.after_type_filter,
            c.after_join,
            c.after_votes_filter,
            c.after_year_filter
        ),
        (9, 4, 4, 4)
    );
    let wyrmwood = &ingested.movies[2];
    assert_eq!(wyrmwood.primary_title, "Wyrmwood: Road of the Dead");
    assert_eq!(wyrmwood.original_title, "Wyrmwood");
    assert_eq!(wyrmwood.rating.get(), 6.2);
    assert_eq!(wyrmwood.votes.get(), 15169);
    assert_eq!(wyrmwood.genres.to_imdb(), "Action,Comedy,Horror");
}

#[test]
fn null_markers_become_none_and_empty_genres() {
    let ingested = scan(&excerpt(), &only(TitleType::ALL.to_vec()));
    let find = |id: &str| {
        ingested
            .movies
            .iter()
            .find(|m| m.tconst.as_str() == id)
            .unwrap()
    };
    let nancy = find("tt5743288"); // tvSeries 2016 \N \N \N
    assert_eq!(nancy.start_year, Some(Year::new(2016).unwrap()));
    assert_eq!((nancy.end_year, nancy.runtime), (None, None));
    assert!(nancy.genres.is_empty());
    let series = find("tt3456370"); // tvSeries 2014-2016
    assert_eq!(series.end_year.map(Year::get), Some(2016));
    assert_eq!(series.runtime.map(|r| r.minutes()), Some(5));
}
