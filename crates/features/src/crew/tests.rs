//! Crew features: statistics, resolution, suggestions and out-of-fold rows.

use super::*;

fn film(directors: &[&str], cast: &[&str]) -> MovieInput {
    MovieInput {
        directors: directors.iter().map(|s| (*s).to_owned()).collect(),
        cast: cast.iter().map(|s| (*s).to_owned()).collect(),
        ..MovieInput::default()
    }
}

fn names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn fitted() -> FittedCrew {
    let inputs = [
        film(&["nm0000001"], &["nm0000010"]),
        film(&["nm0000001"], &["nm0000011"]),
        film(&["nm0000002"], &["nm0000010"]),
    ];
    let n = names(&[
        ("nm0000001", "Ana Ruiz"),
        ("nm0000002", "ANA RUIZ"),
        ("nm0000010", "Émile Roux"),
    ]);
    FittedCrew::fit(CrewSpec::default(), &inputs, &[8.0, 6.0, 4.0], &n)
}

#[test]
fn smoothed_means_by_hand() {
    let crew = fitted();
    assert_eq!(crew.prior(), 6.0);
    let mut row = Vec::new();
    crew.transform(&film(&["nm0000001"], &[]), &mut row, None);
    // nm0000001: two films, sum 14; (14 + 3 * 6) / (2 + 3) = 6.4.
    assert!((row[0] - 6.4).abs() < 1e-6 && (row[1] - 6.4).abs() < 1e-6);
    assert_eq!(row[2], 2.0);
    // Writers and cast: nobody given -> prior, 0 films.
    assert_eq!(&row[3..], &[6.0, 6.0, 0.0, 6.0, 6.0, 0.0]);
}

#[test]
fn unseen_people_get_the_prior() {
    let crew = fitted();
    let mut row = Vec::new();
    crew.transform(&film(&["nm9999999", "Nobody Known"], &[]), &mut row, None);
    assert_eq!(&row[..3], &[6.0, 6.0, 0.0]);
}

#[test]
fn names_resolve_case_folded_and_ambiguity_picks_most_films() {
    let crew = fitted();
    assert_eq!(crew.resolve("ana ruiz").unwrap().nconst, "nm0000001");
    assert_eq!(crew.resolve("ÉMILE ROUX").unwrap().nconst, "nm0000010");
    assert_eq!(crew.resolve("nm1").unwrap().nconst, "nm0000001");
    assert!(crew.resolve("Ana").is_none());
    let mut r = PeopleResolution::default();
    crew.transform(
        &film(&["Ana Ruiz", "Ghost"], &[]),
        &mut Vec::new(),
        Some(&mut r),
    );
    assert_eq!(
        r.directors,
        [
            ("Ana Ruiz".to_owned(), Some("nm0000001".to_owned())),
            ("Ghost".to_owned(), None)
        ]
    );
    assert_eq!(r.unknown(), ["Ghost"]);
}

#[test]
fn suggestions_are_prefix_matches_most_films_first_and_bounded() {
    let crew = fitted();
    let s = crew.suggest("an", 50);
    let ids: Vec<_> = s.iter().map(|p| p.nconst.as_str()).collect();
    assert_eq!(ids, ["nm0000001", "nm0000002"]);
    assert!(crew.suggest("", 5).is_empty());
    assert!(crew.suggest("zz", 5).is_empty());
    assert_eq!(crew.suggest("é", 5)[0].name, "Émile Roux");
}

#[test]
fn out_of_fold_values_never_see_the_row_itself() {
    let spec = CrewSpec {
        folds: 3,
        ..CrewSpec::default()
    };
    // Three rows, three folds: each row's only other film of nm0000001 is elsewhere.
    let inputs = [
        film(&["nm0000001"], &[]),
        film(&["nm0000001"], &[]),
        film(&["nm0000003"], &[]),
    ];
    let targets = [9.0, 3.0, 6.0];
    let crew = FittedCrew::fit(spec, &inputs, &targets, &HashMap::new());
    let oof = crew.out_of_fold(&inputs, &targets);
    // Row 0 sees only row 1 (rating 3): (3 + 3 * 6) / (1 + 3) = 5.25, 1 film.
    assert_eq!(&oof[..3], &[5.25, 5.25, 1.0]);
    assert_eq!(&oof[9..12], &[6.75, 6.75, 1.0]);
    // Row 2's director has no other film: prior.
    assert_eq!(&oof[18..21], &[6.0, 6.0, 0.0]);
}

/// A table with the spellings the black-box test used: composed "René Clair", "ß",
/// and two people whose names differ only in case.
fn people_table() -> FittedCrew {
    let inputs = [
        film(&["nm90005673"], &["nm90035606", "nm90004861"]),
        film(&["nm90029907"], &["nm90035606"]),
        film(&["nm90005673"], &[]),
        film(&["nm90011245"], &[]),
        film(&["nm90011247"], &[]),
        film(&["nm90000701"], &[]),
        film(&["nm90000701"], &[]),
        film(&["nm90000702"], &[]),
    ];
    let n = names(&[
        ("nm90005673", "Charles Chaplin"),
        ("nm90035606", "Tom Hanks"),
        ("nm90004861", "Burghart Klaußner"),
        ("nm90029907", "René Clair"),
        ("nm90011245", "Felix Van Groeningen"),
        ("nm90011247", "Felix van Groeningen"),
        ("nm90000701", "Agnès Varda"),
        ("nm90000702", "AGNÈS VARDA"),
    ]);
    let targets = [8.0, 7.0, 9.0, 7.5, 7.0, 7.8, 7.2, 6.0];
    FittedCrew::fit(CrewSpec::default(), &inputs, &targets, &n)
}

fn resolved(crew: &FittedCrew, given: &str) -> Option<String> {
    crew.resolve(given).map(|p| p.nconst.clone())
}

/// Asserts that each `(label, given, want)` resolves to the nconst `want`.
fn assert_all_resolve(crew: &FittedCrew, cases: &[(&str, &str, &str)]) {
    for &(label, given, want) in cases {
        assert_eq!(
            resolved(crew, given).as_deref(),
            Some(want),
            "{label}: {given:?}"
        );
    }
}

#[test]
fn names_match_after_whitespace_collapsing_and_canonical_caseless_folding() {
    let crew = people_table();
    let cases = [
        ("decomposed accent", "Rene\u{301} Clair", "nm90029907"),
        ("upper-case decomposed", "RENE\u{301} CLAIR", "nm90029907"),
        ("two spaces", "Tom  Hanks", "nm90035606"),
        ("no-break space", "Tom\u{a0}Hanks", "nm90035606"),
        ("tab", "Tom\tHanks", "nm90035606"),
        ("ideographic space", "Tom\u{3000}Hanks", "nm90035606"),
        ("padding and runs", "  Charles   Chaplin  ", "nm90005673"),
        ("full case folding of ß", "burghart klaussner", "nm90004861"),
        ("upper-case nconst prefix", "NM90005673", "nm90005673"),
        (
            "mixed-case nconst prefix",
            " Nm90005673\u{a0}",
            "nm90005673",
        ),
    ];
    assert_all_resolve(&crew, &cases);
    assert_eq!(resolved(&crew, "Tom Hank"), None, "a prefix is not a match");
    assert_eq!(resolved(&crew, "   "), None, "blank");
}

#[test]
fn suggestions_use_the_same_key_as_resolution() {
    let crew = people_table();
    let cases = [
        ("ß folds to ss", "Burghart Klaus", "nm90004861"),
        ("decomposed accent", "rene\u{301}", "nm90029907"),
        ("composed accent", "RENÉ C", "nm90029907"),
        ("no-break space", "tom\u{a0}ha", "nm90035606"),
        ("whitespace run", "  Charles \t Chap", "nm90005673"),
    ];
    for (label, prefix, want) in cases {
        let ids: Vec<_> = crew
            .suggest(prefix, 5)
            .into_iter()
            .map(|p| p.nconst)
            .collect();
        assert_eq!(ids, [want], "{label}: {prefix:?}");
    }
}

#[test]
fn exact_spelling_wins_among_people_with_the_same_key() {
    let crew = people_table();
    let cases = [
        (
            "exact spelling, larger id",
            "Felix van Groeningen",
            "nm90011247",
        ),
        (
            "exact spelling, smaller id",
            "Felix Van Groeningen",
            "nm90011245",
        ),
        (
            "exact after collapsing",
            " Felix  van\u{a0}Groeningen ",
            "nm90011247",
        ),
        (
            "no exact spelling, tie: smaller id",
            "felix van groeningen",
            "nm90011245",
        ),
        (
            "exact spelling beats more films",
            "AGNÈS VARDA",
            "nm90000702",
        ),
        ("exact after NFC", "AGNE\u{300}S VARDA", "nm90000702"),
        ("no exact spelling: most films", "agnès varda", "nm90000701"),
        ("exact spelling, most films", "Agnès Varda", "nm90000701"),
    ];
    assert_all_resolve(&crew, &cases);
}

fn crew_row(crew: &FittedCrew, input: &MovieInput) -> Vec<f32> {
    let mut row = Vec::new();
    crew.transform(input, &mut row, None);
    row
}

#[test]
fn a_person_named_twice_in_a_role_counts_once() {
    let crew = people_table();
    let once = crew_row(&crew, &film(&["Charles Chaplin"], &["Tom Hanks"]));
    assert_eq!(once[2], 2.0, "Chaplin's films");
    let cases = [
        ("name and nconst", ["Charles Chaplin", "nm90005673"]),
        ("same name twice", ["Charles Chaplin", "Charles Chaplin"]),
        ("two spellings", ["Charles Chaplin", "CHARLES\u{a0}CHAPLIN"]),
    ];
    for (label, directors) in cases {
        let twice = crew_row(&crew, &film(&directors, &["Tom Hanks", "nm90035606"]));
        assert_eq!(twice, once, "{label}");
    }
}

#[test]
fn a_repeated_cast_member_does_not_push_others_out_of_the_top_billing() {
    let crew = people_table();
    let spec = crew.spec();
    assert_eq!(spec.top_cast, 4);
    let distinct = [
        "Tom Hanks",
        "René Clair",
        "Charles Chaplin",
        "Burghart Klaußner",
    ];
    let repeated = [
        "Tom Hanks",
        "nm90035606",
        "René Clair",
        "Charles Chaplin",
        "Burghart Klaußner",
    ];
    assert_eq!(
        crew_row(&crew, &film(&[], &repeated)),
        crew_row(&crew, &film(&[], &distinct))
    );
}

#[test]
fn unknown_people_count_once_per_spelling_and_add_only_the_prior() {
    let crew = people_table();
    let prior = crew.prior();
    let chaplin = crew_row(&crew, &film(&["Charles Chaplin"], &[]))[0];
    let cases = [
        ("one unknown", vec!["Charles Chaplin", "Ghost"], 2.0),
        (
            "same unknown twice",
            vec!["Charles Chaplin", "Ghost", "ghost"],
            2.0,
        ),
        (
            "same unknown nconst",
            vec!["Charles Chaplin", "nm1", "NM0000001"],
            2.0,
        ),
        ("two unknowns", vec!["Charles Chaplin", "Ghost", "nm1"], 3.0),
    ];
    for (label, directors, people) in cases {
        let row = crew_row(&crew, &film(&directors, &[]));
        let mean = (chaplin + (people - 1.0) * prior) / people;
        assert!(
            (row[0] - mean).abs() < 1e-5,
            "{label}: {} != {mean}",
            row[0]
        );
        assert_eq!(row[2], 2.0, "{label}: unknown people add no films");
    }
}

#[test]
fn training_counts_a_person_once_per_role_like_serving() {
    let spec = CrewSpec {
        top_cast: 2,
        folds: 2,
        ..CrewSpec::default()
    };
    // Principals may list one nconst twice; the third cast entry is then still top-2.
    let inputs = [
        film(
            &["nm90005673", "nm90005673"],
            &["nm90035606", "nm90035606", "nm90004861"],
        ),
        film(&["nm90005673"], &["nm90035606", "nm90004861"]),
    ];
    let targets = [8.0, 6.0];
    let crew = FittedCrew::fit(spec, &inputs, &targets, &HashMap::new());
    let films: Vec<_> = crew
        .people()
        .iter()
        .map(|p| (p.nconst.as_str(), p.films))
        .collect();
    assert_eq!(
        films,
        [("nm90004861", 2), ("nm90005673", 2), ("nm90035606", 2)]
    );
    // Out of fold, row 0 sees row 1 (rating 6) once per person, prior 7:
    // (6 + 3 * 7) / (1 + 3) = 6.75 with one film, for the director and both cast members.
    let oof = crew.out_of_fold(&inputs, &targets);
    assert_eq!(&oof[..3], &[6.75, 6.75, 1.0], "row 0's directors");
    assert_eq!(&oof[6..9], &[6.75, 6.75, 2.0], "row 0's cast");
    assert_eq!(&oof[9..12], &[7.25, 7.25, 1.0], "row 1's directors");
    // Serving the duplicated row computes the same as serving the clean one.
    assert_eq!(crew_row(&crew, &inputs[0]), crew_row(&crew, &inputs[1]));
}

#[test]
fn table_survives_serialization_with_its_lookups() {
    let crew = fitted();
    let back: FittedCrew = serde_json::from_str(&serde_json::to_string(&crew).unwrap()).unwrap();
    assert_eq!(back, crew);
    assert_eq!(back.resolve("ana ruiz").unwrap().nconst, "nm0000001");
}
