use serde_json::json;

use super::*;

fn convert(v: Value) -> Result<MovieInput, Vec<FieldProblem>> {
    let request: MovieRequest = serde_json::from_value(v).unwrap();
    MovieInput::try_from(&request)
}

fn fields(problems: &[FieldProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn converts_a_full_request() {
    let input = convert(json!({
        "title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
        "genres": "Comedy,Drama", "titleType": "movie", "isAdult": false
    }))
    .unwrap();
    assert_eq!(input.title.as_deref(), Some("The Kid"));
    assert_eq!(input.start_year.unwrap().get(), 1921);
    assert_eq!(input.runtime.unwrap().minutes(), 68);
    assert_eq!(input.votes.unwrap().get(), 40584);
    assert_eq!(input.genres.unwrap().len(), 2);
    assert_eq!(input.title_type, Some(TitleType::Movie));
    assert_eq!(input.is_adult, Some(false));
}

#[test]
fn accepts_whole_floats_numeric_strings_and_imdb_nulls() {
    let input = convert(json!({
        "title": "\\N", "startYear": 1921.0, "runtimeMinutes": "68", "numVotes": 4.0584e4,
        "genres": "\\N", "titleType": "", "isAdult": 1
    }))
    .unwrap();
    assert_eq!(input.title, None);
    assert_eq!(input.start_year.unwrap().get(), 1921);
    assert_eq!(input.runtime.unwrap().minutes(), 68);
    assert_eq!(input.votes.unwrap().get(), 40584);
    assert_eq!((input.genres, input.title_type), (None, None));
    assert_eq!(input.is_adult, Some(true));
}

#[test]
fn reports_every_problem_with_its_field_and_rule() {
    let problems = convert(json!({
        "title": "x".repeat(501), "startYear": 1873, "runtimeMinutes": 90.5,
        "numVotes": -1, "genres": ["Comdy"], "titleType": "feature", "isAdult": "no",
        "genre": "Drama"
    }))
    .unwrap_err();
    assert_eq!(
        fields(&problems),
        [
            "startYear",
            "runtimeMinutes",
            "numVotes",
            "title",
            "genres",
            "titleType",
            "isAdult",
            "genre"
        ]
    );
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages[0], "startYear 1873 is not between 1874 and 2100");
    assert_eq!(messages[1], "runtimeMinutes 90.5 is not a whole number");
    assert_eq!(messages[2], "numVotes -1 is not between 0 and 4294967295");
    assert_eq!(messages[3], "title has 501 characters; the limit is 500");
    assert!(
        messages[7].starts_with("unknown field `genre`; the accepted fields are title, startYear")
    );
}

#[test]
fn whole_numbers_come_as_numbers_or_strings_and_huge_ones_are_out_of_range() {
    let input = convert(json!({
        "startYear": "1994.0", "runtimeMinutes": 1.42e2, "numVotes": " 2500000 "
    }))
    .unwrap();
    assert_eq!(input.start_year.map(|y| y.get()), Some(1994));
    assert_eq!(input.votes.map(|v| v.get()), Some(2_500_000));
    let problems = convert(json!({
        "startYear": 1e20, "runtimeMinutes": "NaN",
        "numVotes": 18_446_744_073_709_551_615_u64
    }))
    .unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "startYear 1e+20 is not between 1874 and 2100",
            "runtimeMinutes \"NaN\" is not a whole number",
            "numVotes 18446744073709551615 is not between 0 and 4294967295"
        ]
    );
}

#[test]
fn a_blank_title_is_not_given_and_genres_hold_at_most_every_genre_once() {
    let base = json!({"startYear": 1995, "runtimeMinutes": 170, "numVotes": 700000});
    let mut blank = base.clone();
    blank["title"] = json!("   ");
    assert_eq!(convert(blank).unwrap().title, None);
    let mut padded = base.clone();
    padded["title"] = json!(" Heat ");
    assert_eq!(convert(padded).unwrap().title.as_deref(), Some("Heat"));
    let mut many = base;
    many["genres"] = json!(vec!["Drama"; 29]);
    let problems = convert(many).unwrap_err();
    assert_eq!(
        problems[0].message,
        "genres has 29 entries; IMDb has 28 genres"
    );
}

#[test]
fn names_every_missing_required_field() {
    let problems = convert(json!({"startYear": null, "title": "x"})).unwrap_err();
    assert_eq!(
        fields(&problems),
        ["startYear", "runtimeMinutes", "numVotes"]
    );
    assert_eq!(
        problems[1].message,
        "runtimeMinutes is required: a whole number from 1 to 60000"
    );
}

#[test]
fn refuses_values_of_the_wrong_json_type() {
    let problems = convert(json!({
        "title": 1, "startYear": "19x5", "runtimeMinutes": [90], "numVotes": {},
        "genres": 3, "titleType": ["movie"], "isAdult": [true]
    }))
    .unwrap_err();
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert_eq!(
        problems[0].message,
        "startYear \"19x5\" is not a whole number"
    );
}

#[test]
fn people_are_lists_of_ids_or_names_within_bounds() {
    let base = json!({"startYear": 2010, "runtimeMinutes": 148, "numVotes": 2400000});
    let mut ok = base.clone();
    ok["directors"] = json!(["Christopher Nolan"]);
    ok["writers"] = json!("Christopher Nolan, Jonathan Nolan");
    ok["cast"] = json!(["nm0000138"]);
    let input = convert(ok).unwrap();
    assert_eq!(input.directors, ["Christopher Nolan"]);
    assert_eq!(input.writers, ["Christopher Nolan", "Jonathan Nolan"]);
    assert_eq!(input.cast, ["nm0000138"]);
    let mut bad = base;
    bad["directors"] = json!(vec!["x"; 21]);
    bad["writers"] = json!([1]);
    bad["cast"] = json!(["y".repeat(201)]);
    let problems = convert(bad).unwrap_err();
    assert_eq!(fields(&problems), ["directors", "writers", "cast"]);
    assert_eq!(
        problems[0].message,
        "directors has 21 people; the limit is 20"
    );
    assert_eq!(problems[1].message, "writers[0] 1 is not a string");
    assert_eq!(
        problems[2].message,
        "cast[0] has 201 characters; the limit is 200"
    );
}

#[test]
fn a_non_object_is_refused_as_such() {
    let err = MovieRequest::from_value(json!([1921, 68, 40584]), "movies[0]").unwrap_err();
    assert_eq!(
        err,
        FieldProblem::new(
            "movies[0]",
            "movies[0]: invalid type: sequence, expected a JSON object of movie fields"
        )
    );
    let err = serde_json::from_str::<MovieRequest>("[1921, 68]").unwrap_err();
    assert!(
        err.to_string().contains("a JSON object of movie fields"),
        "{err}"
    );
}

#[test]
fn json_text_reads_as_the_same_movie_as_its_value() {
    let movie = json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": "68",
        "numVotes": 40584.0, "genres": "Comedy,Drama", "genre": "Comedy"});
    let raw = serde_json::value::to_raw_value(&movie).unwrap();
    assert_eq!(
        MovieRequest::from_json(&raw, "movies").unwrap(),
        MovieRequest::from_value(movie, "movies").unwrap()
    );
    let raw = serde_json::value::to_raw_value(&json!([1921, 68])).unwrap();
    let err = MovieRequest::from_json(&raw, "movies").unwrap_err();
    assert_eq!(
        err,
        FieldProblem::new(
            "movies",
            "movies: invalid type: sequence, expected a JSON object of movie fields"
        )
    );
}

#[test]
fn file_rows_carry_an_id_and_imdb_title_column() {
    let row = json!({"tconst": "tt0012349", "primaryTitle": "The Kid", "startYear": "1921",
        "runtimeMinutes": "68", "numVotes": "40584", "genres": "Comedy,Drama"});
    let (id, input) = movie_from_json(row.as_object().unwrap()).unwrap();
    assert_eq!(id.as_deref(), Some("tt0012349"));
    assert_eq!(input.title.as_deref(), Some("The Kid"));
    let bad = json!({"startYear": "19x5", "numVotes": -3, "genres": "Drama,Comdy"});
    let problems = movie_from_json(bad.as_object().unwrap()).unwrap_err();
    assert_eq!(
        fields(&problems),
        ["startYear", "runtimeMinutes", "numVotes", "genres"]
    );
}

/// The OpenAPI document's bounds are literals (utoipa's attributes take no constants), so
/// this ties each to the core bound the conversion enforces.
#[test]
fn the_schema_states_the_core_bounds() {
    let schema = serde_json::to_value(<MovieRequest as utoipa::PartialSchema>::schema()).unwrap();
    let field = |name: &str| &schema["properties"][name];
    let described = |name: &str, text: &str| {
        let description = field(name)["description"].as_str().unwrap_or_default();
        assert!(
            description.contains(text),
            "{name}: {description:?} lacks {text:?}"
        );
    };

    assert_eq!(field("startYear")["minimum"], json!(Year::MIN));
    assert_eq!(field("startYear")["maximum"], json!(Year::MAX));
    described("startYear", &format!("{} to {}", Year::MIN, Year::MAX));
    assert_eq!(field("runtimeMinutes")["minimum"], json!(Runtime::MIN));
    assert_eq!(field("runtimeMinutes")["maximum"], json!(Runtime::MAX));
    described(
        "runtimeMinutes",
        &format!("{} to {}", Runtime::MIN, Runtime::MAX),
    );
    assert_eq!(field("numVotes")["minimum"], json!(0));
    assert_eq!(field("numVotes")["maximum"], json!(u32::MAX));
    described("numVotes", &format!("0 to {}", u32::MAX));
    assert_eq!(field("title")["maxLength"], json!(MAX_TITLE_CHARS));
    described("title", &format!("at most {MAX_TITLE_CHARS} characters"));
    for role in ["directors", "writers", "cast"] {
        assert_eq!(
            field(role)["maxItems"],
            json!(Credits::MAX_PER_ROLE),
            "{role}"
        );
        assert_eq!(
            field(role)["items"]["maxLength"],
            json!(Person::MAX_CHARS),
            "{role}"
        );
    }
    described(
        "directors",
        &format!(
            "at most {} of at most {}",
            Credits::MAX_PER_ROLE,
            Person::MAX_CHARS
        ),
    );
}
