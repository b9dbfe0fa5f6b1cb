//! `open`, `resolve` and `rollback` through the `Backend` trait object.

use reelcast_registry::{open, parse_model_uri, resolve, rollback, Backend, Error, OpenOptions};

use crate::helpers::{register, TempRegistry};

fn champion(backend: &dyn Backend) -> Option<u64> {
    backend
        .get_alias("m", "champion")
        .unwrap()
        .map(|v| v.version)
}

#[test]
fn open_dispatches_sqlite_uris_and_puts_artifacts_beside_the_database() {
    let reg = TempRegistry::new();

    let backend = open(&reg.uri(), &OpenOptions::default()).unwrap();
    let v = register(backend.as_ref(), "m", 1);

    assert!(reg.artifacts().join(&v.run_id).is_dir());
    assert_eq!(backend.describe(), reg.uri());
}

#[test]
fn resolve_follows_aliases_and_versions() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    register(&backend, "m", 1);
    register(&backend, "m", 2);
    backend.set_alias("m", "champion", 1).unwrap();

    let by_alias = resolve(&backend, &parse_model_uri("models:/m@champion").unwrap()).unwrap();
    let by_version = resolve(&backend, &parse_model_uri("models:/m/2").unwrap()).unwrap();
    let unset = resolve(&backend, &parse_model_uri("models:/m@challenger").unwrap()).unwrap_err();

    assert_eq!((by_alias.version, by_version.version), (1, 2));
    assert!(matches!(unset, Error::NotFound(_)), "{unset}");
    assert!(
        unset
            .to_string()
            .contains("alias @challenger of model \"m\""),
        "{unset}"
    );
}

#[test]
fn rollback_walks_back_skipping_versions_rolled_away_from() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    for seed in 1..=4 {
        register(&backend, "m", seed);
    }
    for v in 1..=3 {
        backend.set_alias("m", "champion", v).unwrap();
    }

    assert_eq!(rollback(&backend, "m").unwrap(), (Some(3), 2));
    assert_eq!(rollback(&backend, "m").unwrap(), (Some(2), 1));
    let none_left = rollback(&backend, "m").unwrap_err().to_string();
    backend.set_alias("m", "champion", 4).unwrap();
    let after_promotion = rollback(&backend, "m").unwrap();

    assert!(none_left.contains("no earlier champion"), "{none_left}");
    assert!(
        none_left.contains("reelcast models promote m VERSION"),
        "{none_left}"
    );
    assert_eq!(
        after_promotion,
        (Some(4), 1),
        "2 and 3 were rolled away from"
    );
    assert_eq!(champion(&backend), Some(1));
}

#[test]
fn rollback_without_history_or_model_says_why() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    register(&backend, "m", 1);

    let never_set = rollback(&backend, "m").unwrap_err().to_string();
    let unknown = rollback(&backend, "x").unwrap_err();

    assert!(never_set.contains("has never been set"), "{never_set}");
    assert!(matches!(unknown, Error::NotFound(_)), "{unknown}");
}

#[test]
fn rollback_after_deleting_the_alias_restores_the_last_champion() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    register(&backend, "m", 1);
    register(&backend, "m", 2);
    backend.set_alias("m", "champion", 1).unwrap();
    backend.set_alias("m", "champion", 2).unwrap();
    backend.delete_alias("m", "champion").unwrap();

    assert_eq!(rollback(&backend, "m").unwrap(), (None, 2));
    assert_eq!(champion(&backend), Some(2));
}
