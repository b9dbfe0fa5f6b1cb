//! What the model gauges say about a served model.

/// The labels and values of the model gauges for one served model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ModelLabels {
    pub name: String,
    pub version: String,
    /// `none` when not served through an alias.
    pub alias: String,
    /// Unix seconds the model was trained, when its bundle says.
    pub created: Option<f64>,
    pub training_rmse: f64,
}

impl ModelLabels {
    pub(crate) fn of(model: &crate::state::LoadedModel) -> Self {
        let m = &model.bundle.metadata;
        let created = time::OffsetDateTime::parse(
            &m.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
        .map(|t| t.unix_timestamp() as f64);
        Self {
            name: model.name.clone(),
            version: model.version.clone(),
            alias: model.alias.clone().unwrap_or_else(|| "none".to_owned()),
            created,
            training_rmse: m.metrics.test.rmse,
        }
    }
}
