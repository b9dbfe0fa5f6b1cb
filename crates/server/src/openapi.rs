//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::{admin, feedback, health, model, monitoring, predict};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "reelcast", description = "Predicts IMDb movie ratings. Every error is `{\"error\": {\"code\", \"message\", \"field\"?}}`."),
    tags(
        (name = "predict", description = "Rating predictions"),
        (name = "health", description = "Liveness and readiness"),
        (name = "model", description = "The served model"),
        (name = "meta", description = "Service information"),
        (name = "monitoring", description = "Metrics, status, prediction statistics, data drift, feedback and alerts"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the `bearer` scheme of `POST /model/reload`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every documented route.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::root))
        .routes(routes!(health::health))
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(model::info))
        .routes(routes!(model::reference))
        .routes(routes!(model::people))
        .routes(routes!(model::versions))
        .routes(routes!(predict::predict_movie))
        .routes(routes!(predict::predict_batch))
        .routes(routes!(predict::predict_text))
        .routes(routes!(monitoring::metrics))
        .routes(routes!(monitoring::status))
        .routes(routes!(monitoring::prediction_stats))
        .routes(routes!(monitoring::drift_check))
        .routes(routes!(feedback::feedback))
        .routes(routes!(monitoring::active_alerts))
        .routes(routes!(monitoring::monitoring_status))
        .routes(routes!(admin::reload))
}

/// `METHOD /path` for every documented route, plus the documentation itself.
pub(crate) fn endpoints(api: &utoipa::openapi::OpenApi) -> Vec<String> {
    let mut list: Vec<String> = api
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            methods
                .into_iter()
                .filter(|(_, on)| *on)
                .map(move |(m, _)| format!("{m} {path}"))
        })
        .collect();
    list.extend(["GET /openapi.json", "GET /docs", "GET /ui"].map(str::to_owned));
    list
}

/// [`endpoints`] of the generated document, computed once (for `GET /` and 404s).
pub(crate) fn endpoint_list() -> &'static [String] {
    static LIST: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| endpoints(&openapi()));
    &LIST
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// The OpenAPI document as pretty JSON with a final newline (the committed `openapi.json`).
pub fn openapi_json() -> String {
    let mut text = openapi()
        .to_pretty_json()
        .expect("the generated OpenAPI document serializes");
    text.push('\n');
    text
}
