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
