//! Concurrent registrations from threads and processes, and a registering process killed
//! with SIGKILL at a random moment.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reelcast_registry::{fetch_bundle, Backend};

use crate::helpers::{assert_intact, register, TempRegistry};

fn versions(backend: &dyn Backend, model: &str) -> Vec<u64> {
    let mut v: Vec<u64> = backend
        .list_versions(model)
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn two_threads_registering_at_once_get_distinct_versions() {
    let reg = Arc::new(TempRegistry::new());
    reg.open();

    let handles: Vec<_> = (0..2u64)
        .map(|t| {
            let reg = Arc::clone(&reg);
            std::thread::spawn(move || {
                // Each thread has its own connection, like two processes would.
                let backend = reg.open();
                (0..10)
                    .map(|i| register(&backend, "m", t * 1000 + i).version)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let got: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a registering thread panicked"))
        .collect();

    let distinct: BTreeSet<u64> = got.iter().copied().collect();
    assert_eq!(distinct.len(), 20, "duplicate versions in {got:?}");
    assert_eq!(versions(&reg.open(), "m"), (1..=20).collect::<Vec<_>>());
    assert_intact(&reg.db());
}

#[test]
fn two_processes_registering_at_once_get_distinct_versions() {
    let reg = TempRegistry::new();

    // Neither child finds a database: both create and migrate it at the same time too.
    let children: Vec<_> = (0..2).map(|_| reg.spawn_child("m", 10)).collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a registering child failed: {status}");
    }

    let backend = reg.open();
    assert_eq!(versions(&backend, "m"), (1..=20).collect::<Vec<_>>());
    for v in backend.list_versions("m").unwrap() {
        fetch_bundle(&backend, &v).unwrap();
    }
    assert_intact(&reg.db());
}

#[test]
fn a_process_killed_mid_registration_leaves_only_complete_versions() {
    let reg = TempRegistry::new();
    reg.open();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();

    for round in 0..3u32 {
        let mut child = reg.spawn_child("m", 0);
        // A pseudo-random moment between 150 and 650 ms, different each round.
        let delay = 150 + (nanos / 1000 + round * 7919) % 500;
        std::thread::sleep(Duration::from_millis(u64::from(delay)));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    assert_intact(&reg.db());
    let backend = reg.open();
    let all = backend.list_versions("m").unwrap();
    assert!(
        !all.is_empty(),
        "the children registered nothing before being killed"
    );
    let numbers = versions(&backend, "m");
    assert_eq!(
        numbers,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "no gaps, no repeats"
    );
    for v in &all {
        fetch_bundle(&backend, v)
            .unwrap_or_else(|e| panic!("version {} is half-registered: {e}", v.version));
    }
    // Still writable afterwards.
    register(&backend, "m", 99);
}
