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

/// Moves `champion` of `name` back (see the module docs for which version that is);
/// returns `(from, to)`: the version it pointed at (None if the alias was deleted) and the
/// one it points at now.
///
/// Errors: [`Error::NotFound`] for an unknown model; [`Error::Invalid`] when there is no
/// earlier champion to return to.
pub fn rollback(backend: &dyn Backend, name: &str) -> Result<(Option<u64>, u64)> {
    let history = backend.alias_history(name, CHAMPION)?;
    let (stack, current) = champion_stack(&history);
    let target = match current {
        None => stack.last().copied(),
        Some(_) if stack.len() >= 2 => Some(stack[stack.len() - 2]),
        Some(_) => None,
    };
    let Some(target) = target else {
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
}
