//! `GET /ui`, its assets and `GET /` for browsers, through the whole app.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use reelcast_server::{app, AppState, ServerSettings};
use tower::ServiceExt as _;

/// The page and its script, as compiled into the server.
const INDEX: &str = include_str!("../../ui/index.html");
const SCRIPT: &str = include_str!("../../ui/app.js");
/// The page's assets other than the script.
const OTHER_ASSETS: [&str; 2] = [
    include_str!("../../ui/app.css"),
    include_str!("../../ui/icon.svg"),
];

/// The policy every response of the page carries: its own script, style and icon,
/// requests to this server only, nothing inline.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// What the test looks at in a response.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(method: Method, path: &str, accept: Option<&str>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let request = request.body(Body::empty()).unwrap();
    let state = AppState::new(ServerSettings::default());
    let response = app(state).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn header_of(answer: &Answer, name: header::HeaderName) -> &str {
    answer
        .headers
        .get(&name)
        .map_or("", |v| v.to_str().unwrap())
}

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

#[tokio::test]
async fn serves_the_page_and_each_asset_with_its_type_a_strict_csp_and_nosniff() {
    let cases = [
        ("/ui", "text/html; charset=utf-8"),
        ("/ui/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "text/css; charset=utf-8"),
        ("/ui/icon.svg", "image/svg+xml"),
    ];
    for (path, content_type) in cases {
        let answer = send(Method::GET, path, Some(BROWSER)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            header_of(&answer, header::CONTENT_TYPE),
            content_type,
            "{path}"
        );
        assert_eq!(
            header_of(&answer, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        let csp = header_of(&answer, header::CONTENT_SECURITY_POLICY);
        assert_eq!(csp, CONTENT_SECURITY_POLICY, "{path}");
        assert!(!answer.body.is_empty(), "{path}");
    }
}

#[test]
fn the_policy_allows_nothing_inline_and_nothing_from_elsewhere() {
    let directives: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
    assert!(directives.contains(&"default-src 'none'"));
    assert!(directives.contains(&"script-src 'self'"));
    assert!(directives.contains(&"connect-src 'self'"));
    for banned in [
        "unsafe-inline",
        "unsafe-eval",
        "http:",
        "https:",
        "data:",
        "*",
    ] {
        assert!(!CONTENT_SECURITY_POLICY.contains(banned), "{banned}");
    }
}

#[tokio::test]
async fn an_unknown_asset_is_a_json_404_naming_the_assets() {
    let answer = send(Method::GET, "/ui/chart.js", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["field"], "file");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("\"chart.js\"") && message.contains("app.js"));
}

#[tokio::test]
async fn root_answers_the_page_to_browsers_and_json_to_everyone_else() {
    let cases = [
        ("a browser", Method::GET, Some(BROWSER), true),
        ("text/html only", Method::GET, Some("text/html"), true),
        ("HEAD from a browser", Method::HEAD, Some(BROWSER), true),
        ("curl", Method::GET, Some("*/*"), false),
        ("no Accept", Method::GET, None, false),
        ("json", Method::GET, Some("application/json"), false),
        (
            "json preferred",
            Method::GET,
            Some("application/json, text/html;q=0.5"),
            false,
        ),
        (
            "html refused",
            Method::GET,
            Some("text/html;q=0, */*"),
            false,
        ),
        (
            "text/* over */*",
            Method::GET,
            Some("text/*, */*;q=0.1"),
            true,
        ),
    ];
    for (label, method, accept, html) in cases {
        let head = method == Method::HEAD;
        let answer = send(method, "/", accept).await;
        assert_eq!(answer.status, StatusCode::OK, "{label}");
        assert_eq!(header_of(&answer, header::VARY), "accept", "{label}");
        let content_type = header_of(&answer, header::CONTENT_TYPE);
        if html {
            assert_eq!(content_type, "text/html; charset=utf-8", "{label}");
            assert_eq!(
                header_of(&answer, header::CONTENT_SECURITY_POLICY),
                CONTENT_SECURITY_POLICY,
                "{label}"
            );
            assert!(head || answer.body == INDEX, "{label}");
        } else {
            assert_eq!(content_type, "application/json", "{label}");
            let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
            assert_eq!(body["service"], "reelcast", "{label}");
        }
    }
}

#[tokio::test]
async fn other_paths_get_no_vary_and_post_to_root_is_not_rerouted() {
    let answer = send(Method::GET, "/health", Some(BROWSER)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers.get(header::VARY).is_none());
    let answer = send(Method::POST, "/", Some(BROWSER)).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header_of(&answer, header::CONTENT_TYPE), "application/json");
}

/// The values of `attr="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| html[at + needle.len()..].split('"').next())
        .collect()
}

#[tokio::test]
async fn the_page_links_only_assets_it_serves_and_has_nothing_inline() {
    let mut linked = attribute_values(INDEX, "src");
    linked.extend(
        attribute_values(INDEX, "href")
            .into_iter()
            .filter(|h| !h.starts_with('#')),
    );
    assert!(linked.len() >= 4, "{linked:?}");
    for path in linked {
        assert!(path.starts_with('/'), "{path} is not on this server");
        let answer = send(Method::GET, path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
    }
    // Every script has a source; no inline handlers or styles, which the policy blocks.
    assert_eq!(
        INDEX.matches("<script").count(),
        INDEX.matches("<script src=\"/ui/").count()
    );
    for inline in [
        " style=",
        " onclick=",
        " onload=",
        " onsubmit=",
        "javascript:",
    ] {
        assert!(!INDEX.contains(inline), "{inline}");
    }
}

/// Paths the script may call that are not in the spec yet: the people suggestions of
/// the page's crew inputs, called only when the model reports a `crew` feature group.
const AWAITED: [&str; 1] = ["/model/people"];

#[test]
fn the_script_calls_only_documented_endpoints() {
    let script = SCRIPT;
    let api = reelcast_server::openapi();
    let called: Vec<&str> = script
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.starts_with("/ui/"))
        .collect();
    assert!(called.len() >= 8, "{called:?}");
    for path in called {
        let path = path.split('?').next().unwrap_or(path);
        assert!(
            api.paths.paths.contains_key(path) || AWAITED.contains(&path),
            "{path} is not a documented endpoint"
        );
    }
}

#[test]
fn the_page_and_its_assets_fit_in_300_kb() {
    let total = INDEX.len() + SCRIPT.len() + OTHER_ASSETS.iter().map(|a| a.len()).sum::<usize>();
    assert!(total <= 300 * 1024, "{total} bytes");
}
