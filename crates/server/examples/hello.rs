//! The ceiling for `bench/serve.sh`: an axum hello-world on the same tokio runtime and
//! axum version as `reelcast serve`, so the only difference is the work per request.
//!
//! ```text
//! cargo run --release -p reelcast-server --example hello -- 127.0.0.1:8001
//! ```

#![forbid(unsafe_code)]

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8001".to_owned());
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
