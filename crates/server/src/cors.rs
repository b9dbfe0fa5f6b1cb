//! CORS from the settings, with tower-http's layer.

use axum::http::{header, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::startup::ServerSettings;

/// CORS from the settings: any origin for `*` (or an empty list), else the listed ones
/// (settings checked them at load; unparsable ones are skipped). No credentials.
///
/// With any origin every CORS answer is the same whatever the request's `Origin` and
/// preflight headers, so responses carry no `Vary`; with a list the allowed origin is
/// echoed, so they vary by `Origin` and the preflight headers.
pub(crate) fn cors(settings: &ServerSettings) -> CorsLayer {
    let origins = &settings.cors_allowed_origins;
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]);
    if origins.is_empty() || origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any()).vary([])
    } else {
        layer.allow_origin(AllowOrigin::list(
            origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt as _;

    use super::*;

    async fn answer(origins: &[&str], request: Request<Body>) -> axum::response::Response {
        let settings = ServerSettings {
            cors_allowed_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            ..ServerSettings::default()
        };
        let app = Router::new()
            .route("/x", get(|| async { "x" }))
            .layer(cors(&settings));
        app.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn any_origin_gets_a_star_without_vary_and_a_list_echoes_its_origins() {
        let get_from = |origin: &str| {
            Request::get("/x")
                .header(header::ORIGIN, origin)
                .body(Body::empty())
                .unwrap()
        };
        let r = answer(&["*"], get_from("https://a.example")).await;
        assert_eq!(r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(r.headers().get(header::VARY).is_none());
        let listed = ["https://a.example"];
        let r = answer(&listed, get_from("https://a.example")).await;
        assert_eq!(
            r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://a.example"
        );
        let r = answer(&listed, get_from("https://b.example")).await;
        assert!(r
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none());
        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri("/x")
            .header(header::ORIGIN, "https://a.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap();
        let r = answer(&["*"], preflight).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("POST"));
    }
}
