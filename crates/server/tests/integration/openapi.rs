//! The OpenAPI document: served, complete and committed.

use axum::http::StatusCode;

use crate::helpers::get;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");

#[test]
fn committed_openapi_json_matches_the_code() {
    let generated = reelcast_server::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.json is out of date; regenerate it with `UPDATE_OPENAPI=1 cargo test -p reelcast-server` or `reelcast openapi > openapi.json`"
    );
}

#[tokio::test]
async fn serves_the_document_and_swagger_ui() {
    let r = get("/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        serde_json::to_value(reelcast_server::openapi()).unwrap()
    );
    for path in [
        "/predict/movie",
        "/predict/batch",
        "/health",
        "/health/live",
        "/health/ready",
        "/model/info",
        "/",
    ] {
        assert!(
            r.body["paths"].get(path).is_some(),
            "{path} missing from the spec"
        );
    }
    let docs = get("/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
}
