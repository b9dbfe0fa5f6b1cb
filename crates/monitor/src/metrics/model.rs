//! What the model gauges say about a served model.

use reelcast_pipeline::ModelBundle;

/// The labels and values of the model gauges for one served model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelLabels {
    /// The served name.
    pub name: String,
    /// The served version.
    pub version: String,
    /// `none` when not served through an alias.
    pub alias: String,
    /// Unix seconds the model was trained, when its bundle says.
    pub created: Option<f64>,
    /// Held-out RMSE of the model at training.
    pub training_rmse: f64,
}

impl ModelLabels {
    /// The labels of `bundle` served as `name` version `version`, through `alias` if any.
    pub fn of(bundle: &ModelBundle, name: &str, version: &str, alias: Option<&str>) -> Self {
        let m = &bundle.metadata;
        let created = time::OffsetDateTime::parse(
            &m.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
        .map(|t| t.unix_timestamp() as f64);
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            alias: alias.unwrap_or("none").to_owned(),
            created,
            training_rmse: m.metrics.test.rmse,
        }
    }
}
