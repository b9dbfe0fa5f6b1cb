//! `POST /model/reload`: the admin endpoint that swaps in the model source's current model.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};

use crate::dto::ReloadResponse;
use crate::error::{ApiError, ErrorCode};
use crate::state::{AppState, ReloadOutcome};

/// Checks `Authorization: Bearer <token>` against `[server] admin_token`; the refusal
/// to send, if any.
fn refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let expected = &state.settings().admin_token;
    if expected.is_empty() {
        let e = ApiError::new(
            ErrorCode::ReloadDisabled,
            "POST /model/reload is disabled; set [server] admin_token (e.g. REELCAST__SERVER__ADMIN_TOKEN) to enable it",
        );
        return Some(e.into_response());
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or_default();
    // Comparing digests rather than the strings keeps the comparison's running time
    // independent of how much of the token a caller guessed right.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.as_bytes()) {
        let e = ApiError::new(
            ErrorCode::Unauthorized,
            "send the admin token as `Authorization: Bearer <token>`",
        )
        .with_field("Authorization");
        let mut response = e.into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Some(response);
    }
    None
}

/// The token of an `Authorization` value in the Bearer scheme, whose name is
/// case-insensitive (RFC 9110, section 11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Asks the configured model source (registry alias, version or bundle file) for its
/// current model; when it differs from the served one, loads it, checks it and swaps it
/// in atomically; requests in flight finish on the model they started with. A failed
/// load keeps the served model and answers 503 with the reason. Requires
/// `Authorization: Bearer <[server] admin_token>`; disabled (403) when no token is set.
#[utoipa::path(post, path = "/model/reload", tag = "model",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reloaded, or already serving the source's model", body = ReloadResponse),
        (status = 401, description = "Missing or wrong bearer token", body = crate::dto::ErrorResponse),
        (status = 403, description = "Disabled: no admin token configured", body = crate::dto::ErrorResponse),
        (status = 422, description = "A request body: the endpoint takes none", body = crate::dto::ErrorResponse),
        (status = 503, description = "The load failed (the previous model is still served) or there is no model source", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn reload(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(response) = refusal(&state, &parts.headers) {
        return response;
    }
    // What is loaded is the configured source's; a body asking for something else would
    // be ignored, so any body other than nothing or `{}` is refused.
    let body = match axum::body::to_bytes(body, state.settings().body_limit_bytes).await {
        Ok(body) => body,
        Err(_) => return ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE).into_response(),
    };
    let body = String::from_utf8_lossy(&body);
    if !matches!(body.trim(), "" | "{}") {
        let message = "POST /model/reload takes no body: it loads the model [server] model (or --model) names; to serve another version, move its alias (`reelcast models promote`) and reload";
        return ApiError::new(ErrorCode::ValidationFailed, message)
            .with_field("body")
            .into_response();
    }
    match reload_source(&state).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Reloads from the state's model source and describes the outcome.
async fn reload_source(state: &AppState) -> Result<ReloadResponse, ApiError> {
    let Some(source) = state.source().map(|s| s.describe()) else {
        return Err(ApiError::new(
            ErrorCode::NoModelSource,
            "this server was given its model directly and has no source to reload from",
        ));
    };
    let outcome = state.reload().await.map_err(|reason| {
        let serving = if state.model().is_some() {
            "still serving the previous model"
        } else {
            "no model is served yet"
        };
        let message = format!("reloading from {source} failed ({serving}): {reason}");
        ApiError::new(ErrorCode::ReloadFailed, message)
    })?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let reloaded = matches!(outcome, ReloadOutcome::Swapped { .. });
    let previous_version = match outcome {
        ReloadOutcome::Swapped { previous } => previous,
        ReloadOutcome::Unchanged => None,
    };
    Ok(ReloadResponse {
        reloaded,
        source,
        name: model.name.clone(),
        version: model.version.clone(),
        previous_version,
        alias: model.alias.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_name_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer s3cret"), Some("s3cret"));
        assert_eq!(bearer_token("bearer s3cret"), Some("s3cret"));
        assert_eq!(bearer_token("BEARER  s3cret"), Some("s3cret"));
        assert_eq!(bearer_token("Basic czNjcmV0"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
