//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::schema::{AdditionalProperties, Object, OneOf, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
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

/// Makes the request bodies' schemas as strict as their readers. Every request object
/// refuses unknown keys (`additionalProperties: false`), as the handlers do with a 422
/// naming the key. The bodies that carry a movie beside fields of their own
/// (`TextRequest`, `FeedbackItem`) list the movie's fields in one object instead of
/// `allOf` with `MovieRequest`, whose refusal of unknown keys would refuse their own
/// fields too; in `TextRequest` the movie's fields are optional, as `POST /predict` reads
/// them (a rating is predicted only when the three required ones are all given).
/// `BatchRequest` becomes a choice of `{"movies": [...]}` or `{"texts": [...]}`, as the
/// handler takes exactly one, and `FeedbackRequest`'s `{"items": [...]}` is closed too.
struct ClosedRequests;

/// The request schemas that refuse unknown keys (`BatchRequest` is closed per choice).
const CLOSED_REQUESTS: [&str; 4] = [
    "MovieRequest",
    "TextRequest",
    "FeedbackItem",
    "DriftRequest",
];

/// Refuses keys beyond `object`'s properties.
fn close(object: &mut Object) {
    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
}

/// `schema` without its `null` alternative, for a key that must hold a value.
fn not_null(schema: RefOr<Schema>) -> RefOr<Schema> {
    let strip = |t: &mut SchemaType| {
        if let SchemaType::Array(types) = t {
            types.retain(|t| *t != Type::Null);
            if let [only] = types.as_slice() {
                *t = SchemaType::Type(only.clone());
            }
        }
    };
    let mut schema = schema;
    if let RefOr::T(Schema::Array(array)) = &mut schema {
        strip(&mut array.schema_type);
    }
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        strip(&mut object.schema_type);
    }
    schema
}

impl utoipa::Modify for ClosedRequests {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let schemas = &mut api.components.get_or_insert_with(Default::default).schemas;
        let Some(RefOr::T(Schema::Object(movie))) = schemas.get("MovieRequest").cloned() else {
            return;
        };
        for (name, movie_fields_required) in [("TextRequest", false), ("FeedbackItem", true)] {
            let Some(RefOr::T(Schema::AllOf(parts))) = schemas.get(name) else {
                continue;
            };
            let mut merged = movie.clone();
            if !movie_fields_required {
                merged.required.clear();
            }
            for part in &parts.items {
                if let RefOr::T(Schema::Object(own)) = part {
                    merged.properties.extend(own.properties.clone());
                    merged.required.extend(own.required.iter().cloned());
                }
            }
            merged.description.clone_from(&parts.description);
            merged.example.clone_from(&parts.example);
            schemas.insert(name.to_owned(), RefOr::T(Schema::Object(merged)));
        }
        // `POST /predict/batch` takes exactly one of its keys, not null.
        if let Some(RefOr::T(Schema::Object(batch))) = schemas.get("BatchRequest").cloned() {
            let mut one_of = OneOf::new();
            one_of.description = batch.description;
            for (key, property) in batch.properties {
                let mut only = Object::with_type(Type::Object);
                only.properties.insert(key.clone(), not_null(property));
                only.required = vec![key];
                close(&mut only);
                one_of.items.push(RefOr::T(Schema::Object(only)));
            }
            schemas.insert("BatchRequest".to_owned(), RefOr::T(Schema::OneOf(one_of)));
        }
        for name in CLOSED_REQUESTS {
            if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(name) {
                close(object);
            }
        }
        // `POST /feedback`'s `{"items": [...]}` takes no other key either.
        if let Some(RefOr::T(Schema::OneOf(choice))) = schemas.get_mut("FeedbackRequest") {
            for item in &mut choice.items {
                if let RefOr::T(Schema::Object(object)) = item {
                    close(object);
                }
            }
        }
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

/// The routes and their OpenAPI document, with the request schemas closed
/// ([`ClosedRequests`], which needs the handlers' schemas and so runs after the routes
/// are added).
pub(crate) fn routes_and_document() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::Modify as _;
    let (routes, mut api) = router().split_for_parts();
    ClosedRequests.modify(&mut api);
    (routes, api)
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes_and_document().1
}

/// The OpenAPI document as pretty JSON with a final newline (the committed `openapi.json`).
pub fn openapi_json() -> String {
    let mut text = openapi()
        .to_pretty_json()
        .expect("the generated OpenAPI document serializes");
    text.push('\n');
    text
}
