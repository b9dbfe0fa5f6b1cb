//! Turns a [`MovieInput`](reelcast_core::MovieInput) into the model's feature vector.
//!
//! A [`FeatureSpec`] says which features to build; [`FeatureSpec::fit`] learns what it
//! needs from the training split only (imputation medians, the title types seen, the
//! reference year) and returns [`FittedFeatures`], which is serialized into the model
//! bundle. Training and serving both call [`FittedFeatures::transform`], so a server can
//! never rebuild features its own way.
//!
//! Crew features: [`FeatureSpec::fit_rated`] also learns each person's
//! training ratings ([`FittedCrew`]); training rows get out-of-fold values from
//! [`FittedFeatures::transform_training`]; names resolve through the people table
//! ([`FittedFeatures::transform_with_people`], [`FittedCrew::suggest`]).
//!
//! Place in the graph: `core -> features -> pipeline`. Pure, no I/O.
//!
//! ```
//! use reelcast_core::{MovieInput, Year, Votes};
//! use reelcast_features::FeatureSpec;
//!
//! let train = vec![
//!     MovieInput { start_year: Some(Year::new(1994).unwrap()), votes: Some(Votes::new(900)), ..Default::default() },
//!     MovieInput { start_year: Some(Year::new(2004).unwrap()), votes: Some(Votes::new(50)), ..Default::default() },
//! ];
//! let fitted = FeatureSpec::default().fit(&train).unwrap();
//! let mut row = Vec::new();
//! let imputed = fitted.transform(&MovieInput::default(), &mut row);
//! assert_eq!(row.len(), fitted.names().len());
//! assert!(imputed.start_year && imputed.num_votes);
//! ```

#![forbid(unsafe_code)]

mod crew;
mod error;
mod fit;
mod reference;
mod spec;
mod transform;

pub use crew::{
    CrewSpec, FittedCrew, PeopleResolution, PersonStats, PersonSuggestion, CREW_COLUMNS_PER_ROLE,
    CREW_ROLES, MAX_SUGGESTIONS,
};
pub use error::{Error, Result};
pub use fit::{FittedFeatures, LegacyFittedFeatures};
pub use reference::{FeatureReference, ReferenceProfile};
pub use spec::{FeatureSet, FeatureSpec, LegacyFeatureSpec, FEATURE_SPEC_VERSION};
pub use transform::Imputed;
