//! Crew features and the fair comparison, on the real embedded sample.

use std::collections::HashSet;

use reelcast_core::{MovieInput, MovieRecord};
use reelcast_features::FeatureSpec;
use reelcast_pipeline::{comparison_rows, evaluate, train, ModelKind, ModelParams, TrainOptions};

use crate::helpers::{sample, small, trained};

#[test]
fn default_model_uses_crew_and_beats_basics_only_on_the_same_held_out_films() {
    let data = sample();
    assert!(data.has_people);
    let (crew, crew_report) = trained(ModelKind::GradientBoosting, 42);
    assert_eq!(crew.feature_groups(), ["basics", "crew"]);
    assert!(
        crew.people_count() > 15_000,
        "{} people",
        crew.people_count()
    );
    let options = TrainOptions {
        feature_spec: FeatureSpec::basics_only(),
        ..small(ModelKind::GradientBoosting, 42)
    };
    let (basics, basics_report) = train(&data.movies, &data.version, &options).unwrap();
    assert_eq!(basics.feature_groups(), ["basics"]);
    assert_eq!(crew_report.train_tconsts, basics_report.train_tconsts);
    let (c, b) = (
        crew_report.metrics.test.rmse,
        basics_report.metrics.test.rmse,
    );
    // 15 trees here; the full default's margin is measured by bench/quality.sh.
    assert!(c < b, "crew rmse {c:.4} vs basics-only {b:.4}");
}

#[test]
fn names_resolve_through_the_bundle_and_unknown_people_use_the_prior() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let kid = sample()
        .movies
        .iter()
        .find(|m| m.tconst.as_str() == "tt0012349")
        .unwrap();
    let director = kid.credits.directors[0].name.clone().unwrap();
    let input = MovieInput {
        directors: vec![director.to_uppercase(), "Nobody Anyone".into()],
        ..kid.input()
    };
    let p = bundle.predict(&input);
    assert_eq!(
        p.people.directors[0].1.as_deref(),
        Some(kid.credits.directors[0].nconst.as_str())
    );
    assert_eq!(p.people.unknown(), ["Nobody Anyone"]);
    let prefix: String = director.chars().take(4).collect();
    let suggestions = bundle.suggest_people(&prefix, 50);
    assert!(suggestions.len() <= 10);
    assert!(
        suggestions.iter().any(|s| s.name == director),
        "{suggestions:?}"
    );
    // A crew model scores films without people with the prior, like evaluate without files.
    let bare: Vec<MovieRecord> = sample()
        .movies
        .iter()
        .take(300)
        .map(|m| MovieRecord {
            credits: Default::default(),
            ..m.clone()
        })
        .collect();
    assert!(evaluate(&bundle, &bare).unwrap().rmse < 1.5);
}

#[test]
fn two_seeds_are_compared_only_on_films_neither_trained_on() {
    let data = sample();
    let (a, report_a) = trained(ModelKind::GradientBoosting, 42);
    let (b, report_b) = trained(ModelKind::RandomForest, 9);
    let rows = comparison_rows(&a, &b, &data.movies, &data.version).unwrap();
    assert!(rows.len() > 1000, "{} rows", rows.len());
    let used: HashSet<&str> = rows
        .iter()
        .map(|&i| data.movies[i].tconst.as_str())
        .collect();
    for train_set in [&report_a.train_tconsts, &report_b.train_tconsts] {
        assert!(train_set.iter().all(|t| !used.contains(t.as_str())));
    }
    let narrow = TrainOptions {
        test_fraction: 0.05,
        ..small(ModelKind::GradientBoosting, 3)
    };
    let (c, _) = train(&data.movies, &data.version, &narrow).unwrap();
    // The 5% films are inside the 20% ones: still comparable.
    assert!(!comparison_rows(&a, &c, &data.movies, &data.version)
        .unwrap()
        .is_empty());
}

/// The guard: when every person has exactly one film, out-of-fold statistics know
/// nobody, so the crew columns are constant (the prior) and cross-validation does not
/// improve on the basics-only model.
#[test]
fn crew_features_carry_no_signal_when_every_person_has_one_film() {
    let data = sample();
    let mut seen: HashSet<String> = HashSet::new();
    let mut films: Vec<MovieRecord> = Vec::new();
    for m in &data.movies {
        let c = &m.credits;
        let people: Vec<&String> = c
            .directors
            .iter()
            .chain(&c.writers)
            .chain(c.cast.iter().take(4))
            .map(|p| &p.nconst)
            .collect();
        if !people.is_empty() && people.iter().all(|p| !seen.contains(*p)) {
            seen.extend(people.into_iter().cloned());
            films.push(m.clone());
        }
    }
    assert!(films.len() > 1000, "{} films", films.len());
    let options = |spec| TrainOptions {
        params: ModelParams::for_kind(ModelKind::GradientBoosting).with_trees(30),
        cv_folds: Some(3),
        feature_spec: spec,
        ..TrainOptions::default()
    };
    let (crew, crew_report) = train(&films, "one-film", &options(FeatureSpec::default())).unwrap();
    let (_, basics_report) =
        train(&films, "one-film", &options(FeatureSpec::basics_only())).unwrap();
    assert_eq!(crew.feature_groups(), ["basics", "crew"]);
    let crew_cols: Vec<usize> = crew
        .features
        .names()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("crew_"))
        .map(|(i, _)| i)
        .collect();
    let importances = crew.model.feature_importances();
    assert!(
        crew_cols.iter().all(|&i| importances[i] == 0.0),
        "crew columns were used"
    );
    let cv = |r: &reelcast_pipeline::TrainReport| r.metrics.cv.as_ref().unwrap().rmse_mean;
    let (c, b) = (cv(&crew_report), cv(&basics_report));
    assert!(
        c >= b - 0.005,
        "crew cv rmse {c:.4} improved on basics-only {b:.4}"
    );
}
