//! The ceilings for `bench/serve.sh`: an axum hello-world on the same tokio runtime and
//! axum version as `reelcast serve`, so the only difference is the work per request.
//!
//! - `GET /` answers `Hello, World!` (the ceiling the targets are stated against);
//! - `POST /sized` reads the request body and answers a fixed JSON body of 1,100 bytes,
//!   about a `/predict/movie` response, so that driving it with the movie request shows
//!   what the request and response sizes alone cost.
//!
//! ```text
//! cargo run --release -p reelcast-server --example hello -- 127.0.0.1:8001
//! ```

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;

/// `{"pad":"xxx…"}`, 1,100 bytes in all.
static SIZED: LazyLock<String> = LazyLock::new(|| format!("{{\"pad\":\"{}\"}}", "x".repeat(1090)));

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8001".to_owned());
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .route(
            "/sized",
            post(|body: Bytes| async move {
                drop(body);
                ([(header::CONTENT_TYPE, "application/json")], SIZED.as_str())
            }),
        );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
