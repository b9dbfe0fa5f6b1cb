//! Moving `champion` back to the version it pointed at before, from the alias history.
//!
//! Semantics: the history of `champion` (oldest first) is replayed as a stack of
//! champions. A move to a version not on the stack pushes it (a promotion); a move to a
//! version already on the stack pops every version above it (a rollback, or a promotion of
//! an earlier champion, which amounts to the same thing): those versions were *rolled away
//! from* and are never rolled back to. Deleting the alias leaves the stack as it is.
//!
//! [`rollback`] then moves champion to the version under the top of the stack (or, when
//! the alias was deleted, back to the top). So after promoting 1, 2, 3: rollback -> 2,
//! rollback -> 1, rollback -> error; promoting 4 then gives 1 -> 4 and a rollback returns
//! to 1, never to the rolled-away 2 or 3.
//!
//! Two rollbacks racing each other may both move from the same state; the history keeps
//! both moves.

use crate::{AliasChange, Backend, Error, Result};

/// The alias that serving follows.
pub const CHAMPION: &str = "champion";

/// The stack of champions implied by `history` (oldest first) and the current version.
pub fn champion_stack(history: &[AliasChange]) -> (Vec<u64>, Option<u64>) {
    let mut stack: Vec<u64> = Vec::new();
    let mut current = None;
    for change in history {
        current = change.to_version;
        let Some(to) = change.to_version else {
            continue;
        };
        match stack.iter().position(|v| *v == to) {
            Some(at) => stack.truncate(at + 1),
            None => stack.push(to),
        }
    }
    (stack, current)
}

/// The version `champion` goes back to, given its history (oldest first) and the version
/// it points at now (read from the registry, which may differ from the history's last
/// move when the alias was moved outside reelcast, e.g. with MLflow's own client; that
/// move counts as one more entry of the history). None when there is no earlier champion.
pub fn rollback_target(history: &[AliasChange], current: Option<u64>) -> Option<u64> {
    let (mut stack, recorded) = champion_stack(history);
    if current != recorded {
        if let Some(now) = current {
            match stack.iter().position(|v| *v == now) {
                Some(at) => stack.truncate(at + 1),
                None => stack.push(now),
            }
        }
    }
    match current {
        None => stack.last().copied(),
        Some(_) if stack.len() >= 2 => Some(stack[stack.len() - 2]),
        Some(_) => None,
    }
}

/// Moves `champion` of `name` back (see the module docs for which version that is);
/// returns `(from, to)`: the version it pointed at (read from the registry first, so a
/// move made outside reelcast is reported as it is; None if the alias is unset) and the
/// one it points at now.
///
/// Errors: [`Error::NotFound`] for an unknown model; [`Error::Invalid`] when there is no
/// earlier champion to return to.
pub fn rollback(backend: &dyn Backend, name: &str) -> Result<(Option<u64>, u64)> {
    let current = backend.get_alias(name, CHAMPION)?.map(|v| v.version);
    let history = backend.alias_history(name, CHAMPION)?;
    let Some(target) = rollback_target(&history, current) else {
        let why = match current {
            Some(v) => {
                format!("@{CHAMPION} is version {v} and no earlier champion is left to return to")
            }
            None => format!("@{CHAMPION} has never been set"),
        };
        return Err(Error::Invalid(format!(
            "cannot roll back model {name:?}: {why}; promote a version instead with `reelcast models promote {name} VERSION --alias {CHAMPION}`"
        )));
    };
    backend.set_alias(name, CHAMPION, target)?;
    Ok((current, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moves(pairs: &[(Option<u64>, Option<u64>)]) -> Vec<AliasChange> {
        pairs
            .iter()
            .map(|&(from_version, to_version)| AliasChange {
                alias: CHAMPION.into(),
                from_version,
                to_version,
                changed_ms: 0,
            })
            .collect()
    }

    #[test]
    fn stack_pops_versions_rolled_away_from() {
        for (label, history, stack, current) in [
            ("empty", vec![], vec![], None),
            (
                "three promotions",
                vec![(None, Some(1)), (Some(1), Some(2)), (Some(2), Some(3))],
                vec![1, 2, 3],
                Some(3),
            ),
            (
                "rollback pops",
                vec![
                    (None, Some(1)),
                    (Some(1), Some(2)),
                    (Some(2), Some(3)),
                    (Some(3), Some(2)),
                ],
                vec![1, 2],
                Some(2),
            ),
            (
                "promote after rollback",
                vec![
                    (None, Some(1)),
                    (Some(1), Some(2)),
                    (Some(2), Some(1)),
                    (Some(1), Some(4)),
                ],
                vec![1, 4],
                Some(4),
            ),
            (
                "deleted",
                vec![(None, Some(1)), (Some(1), Some(2)), (Some(2), None)],
                vec![1, 2],
                None,
            ),
        ] {
            assert_eq!(
                champion_stack(&moves(&history)),
                (stack, current),
                "{label}"
            );
        }
    }

    #[test]
    fn rollback_follows_a_move_made_outside_reelcast() {
        // reelcast promoted 1, 2, 3, 4, 5; MLflow's own client then moved champion to 3.
        let history = moves(&[
            (None, Some(1)),
            (Some(1), Some(2)),
            (Some(2), Some(3)),
            (Some(3), Some(4)),
            (Some(4), Some(5)),
        ]);
        for (label, current, target) in [
            ("as recorded", Some(5), Some(4)),
            ("moved back to 3 outside", Some(3), Some(2)),
            ("moved to an unrecorded 7 outside", Some(7), Some(5)),
            ("deleted outside", None, Some(5)),
        ] {
            assert_eq!(rollback_target(&history, current), target, "{label}");
        }
        assert_eq!(rollback_target(&moves(&[(None, Some(1))]), Some(1)), None);
    }
}
