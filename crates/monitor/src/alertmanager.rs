//! The clients of the monitoring services: Alertmanager's active alerts, and the health
//! probe that `GET /monitoring/status` sends to Prometheus and Alertmanager.

use std::time::Duration;

use crate::dto::{ActiveAlertsResponse, UpstreamStatus};
use crate::error::{Error, Result};

/// Alertmanager's active alerts (not silenced, not inhibited) from `{base}/api/v2/alerts`,
/// unmodified; an error naming the cause when `base` is empty or the Alertmanager does
/// not answer with a JSON list.
pub async fn active_alerts(client: &reqwest::Client, base: &str) -> Result<ActiveAlertsResponse> {
    let base = base.trim_end_matches('/');
    if base.is_empty() {
        return Err(Error::AlertmanagerNotConfigured);
    }
    let unavailable = |detail: String| Error::AlertmanagerUnavailable {
        url: base.to_owned(),
        detail,
    };
    let url = format!("{base}/api/v2/alerts?active=true&silenced=false&inhibited=false");
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(unavailable(format!("status {}", response.status())));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    let alerts: Vec<serde_json::Value> = serde_json::from_slice(&body)
        .map_err(|e| unavailable(format!("not a JSON list of alerts: {e}")))?;
    Ok(ActiveAlertsResponse {
        alertmanager_url: base.to_owned(),
        count: alerts.len(),
        alerts,
    })
}

/// `GET {url}/-/healthy` (Prometheus and Alertmanager both answer it) within `timeout`.
pub async fn probe(client: &reqwest::Client, url: &str, timeout: Duration) -> UpstreamStatus {
    let url = url.trim_end_matches('/');
    if url.is_empty() {
        return UpstreamStatus {
            url: None,
            reachable: None,
            detail: "not configured".into(),
        };
    }
    let answer = client
        .get(format!("{url}/-/healthy"))
        .timeout(timeout)
        .send()
        .await;
    let (reachable, detail) = match answer {
        Ok(r) => (r.status().is_success(), format!("status {}", r.status())),
        Err(e) => (false, e.without_url().to_string()),
    };
    UpstreamStatus {
        url: Some(url.to_owned()),
        reachable: Some(reachable),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use axum::Router;

    use super::*;

    /// Serves `router` on a free loopback port until the test ends; its base URL.
    async fn upstream(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn returns_the_alerts_unmodified_or_a_503_naming_the_cause() {
        let client = reqwest::Client::new();
        let base = upstream(
            Router::new()
                .route(
                    "/api/v2/alerts",
                    get(|| async { r#"[{"labels":{"alertname":"A"}}]"# }),
                )
                .route("/-/healthy", get(|| async { "ok" })),
        )
        .await;
        let alerts = active_alerts(&client, &format!("{base}/")).await.unwrap();
        assert_eq!(
            (alerts.count, alerts.alertmanager_url.as_str()),
            (1, base.as_str())
        );
        assert_eq!(alerts.alerts[0]["labels"]["alertname"], "A");
        let status = probe(&client, &base, Duration::from_secs(2)).await;
        assert_eq!(status.reachable, Some(true));

        let e = active_alerts(&client, "").await.unwrap_err();
        assert_eq!(e, Error::AlertmanagerNotConfigured);
        let garbage =
            upstream(Router::new().route("/api/v2/alerts", get(|| async { "nope" }))).await;
        let e = active_alerts(&client, &garbage).await.unwrap_err();
        let message = e.to_string();
        assert!(matches!(e, Error::AlertmanagerUnavailable { .. }), "{e:?}");
        assert!(message.contains("not a JSON list of alerts"), "{message}");
        let e = active_alerts(&client, &format!("{garbage}/missing"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("status 404"), "{e}");
        assert_eq!(
            probe(&client, "", Duration::from_secs(1)).await.reachable,
            None
        );
    }
}
