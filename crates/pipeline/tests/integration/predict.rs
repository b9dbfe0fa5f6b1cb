use reelcast_pipeline::{predict_file, predict_objects, write_predictions, ModelKind};
use serde_json::json;

use crate::helpers::trained;

#[test]
fn bad_rows_are_reported_never_dropped_and_order_is_kept() {
    let (bundle, _) = trained(ModelKind::RandomForest, 42);
    let objects: Vec<_> = [
        json!({"id": "a", "startYear": 1994, "runtimeMinutes": 142, "numVotes": 2_500_000, "genres": "Drama"}),
        json!({"id": "b", "startYear": "19x5", "numVotes": -3}),
        json!({"id": "c", "numVotes": 120}),
        json!({"id": "d", "genres": ["Music", "Dramaa"]}),
    ]
    .into_iter()
    .map(|v| v.as_object().unwrap().clone())
    .collect();
    let out = predict_objects(&bundle, &objects);
    let scored: Vec<_> = out
        .predictions
        .iter()
        .map(|p| (p.row, p.id.as_deref().unwrap()))
        .collect();
    assert_eq!(scored, [(0, "a")]);
    let rejected: Vec<(usize, Vec<&str>)> = out
        .rejected
        .iter()
        .map(|r| (r.row, r.problems.iter().map(|p| p.field.as_str()).collect()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1, vec!["startYear", "runtimeMinutes", "numVotes"]),
            (2, vec!["startYear", "runtimeMinutes"]),
            (3, vec!["startYear", "runtimeMinutes", "numVotes", "genres"]),
        ]
    );
    assert!(!out.predictions[0].imputed.contains(&"startYear"));
}

#[test]
fn csv_and_json_files_give_the_same_predictions() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "tconst,primaryTitle,startYear,runtimeMinutes,numVotes,genres\ntt0111161,The Shawshank Redemption,1994,142,2500000,Drama\ntt0000001,Bad,19x5,,10,\n").unwrap();
    let json_path = dir.path().join("in.json");
    std::fs::write(&json_path, r#"{"movies": [{"tconst": "tt0111161", "title": "The Shawshank Redemption", "startYear": 1994, "runtimeMinutes": 142, "numVotes": 2500000, "genres": ["Drama"]}]}"#).unwrap();
    let a = predict_file(&bundle, &csv).unwrap();
    let b = predict_file(&bundle, &json_path).unwrap();
    assert_eq!(a.predictions, b.predictions);
    assert_eq!(a.rejected.len(), 1);
    assert_eq!(a.rejected[0].row, 1);

    let out = dir.path().join("out.csv");
    write_predictions(&a, &out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("row,id,predicted_rating,lower,upper,imputed,people\n0,tt0111161,"),
        "{text}"
    );
}

#[test]
fn malformed_files_are_errors_that_name_the_file() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "[{\"startYear\": 1994}, 3]").unwrap();
    let err = predict_file(&bundle, &path).unwrap_err().to_string();
    assert!(
        err.contains("broken.json") && err.contains("item 1 is 3, not an object"),
        "{err}"
    );
}
