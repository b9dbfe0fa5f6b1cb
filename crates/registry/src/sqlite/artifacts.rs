//! The embedded backend's artifact files: `<root>/<run_id>/<path>`, written atomically.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::{Error, Result};

/// Checks that `path` is a relative, `/`-separated path of normal components (no `..`,
/// no `.`, no empty part, no absolute path, no backslash) and returns it unchanged.
pub(crate) fn check_path(path: &str) -> Result<&str> {
    let bad = |rule: &str| {
        Err(Error::Invalid(format!(
            "artifact path {path:?} {rule}; use a relative path like \"model/model.bundle\""
        )))
    };
    if path.is_empty() {
        return bad("is empty");
    }
    if path.starts_with('/') || Path::new(path).is_absolute() {
        return bad("is absolute");
    }
    if path.contains('\\') || path.contains('\0') {
        return bad("contains a backslash or NUL");
    }
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return bad("has an empty, `.` or `..` component");
        }
    }
    if !Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return bad("is not a plain relative path");
    }
    Ok(path)
}

/// Checks that a run id is 32 lower-case hex digits, so it is safe as a directory name.
pub(crate) fn check_run_id(run_id: &str) -> Result<&str> {
    if run_id.len() == 32
        && run_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(run_id)
    } else {
        Err(Error::NotFound(format!(
            "run {run_id:?} (run ids are 32 lower-case hex digits)"
        )))
    }
}

/// The file of artifact `path` of `run_id` under `root` (both already checked).
pub(crate) fn file_path(root: &Path, run_id: &str, path: &str) -> PathBuf {
    let mut file = root.join(run_id);
    for part in path.split('/') {
        file.push(part);
    }
    file
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// Writes `bytes` to `file` atomically: a temporary file in the same directory, fsynced,
/// renamed over the target, then the directory fsynced, so a crash leaves either the old
/// file, the new one, or a stray temporary file, never a torn target.
pub(crate) fn write_atomic(file: &Path, bytes: &[u8]) -> Result<()> {
    let dir = file
        .parent()
        .expect("artifact files always live inside the run directory");
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    let name = file
        .file_name()
        .expect("checked artifact paths end in a file name")
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f =
            std::fs::File::create(&tmp).map_err(io(format!("creating {}", tmp.display())))?;
        f.write_all(bytes)
            .map_err(io(format!("writing {}", tmp.display())))?;
        f.sync_all()
            .map_err(io(format!("syncing {}", tmp.display())))?;
        std::fs::rename(&tmp, file).map_err(io(format!(
            "renaming {} to {}",
            tmp.display(),
            file.display()
        )))?;
        // Makes the rename durable; not every platform can open a directory, and the
        // data itself is already synced, so a failure here is not an error.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes every file under `dir` that is not in `keep` (unrecorded or half-written files),
/// then the directories left empty, `dir` included, and returns the files it removed. A
/// missing `dir` or file is fine: a collection interrupted part-way, or running beside
/// another one, finishes the job.
pub(crate) fn remove_files_except(
    dir: &Path,
    keep: &std::collections::BTreeSet<PathBuf>,
) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(source) => {
            return Err(Error::Io {
                context: format!("listing {}", dir.display()),
                source,
            })
        }
    };
    for entry in entries {
        let entry = entry.map_err(io(format!("listing {}", dir.display())))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(io(format!("inspecting {}", path.display())))?;
        if kind.is_dir() {
            removed.extend(remove_files_except(&path, keep)?);
        } else if !keep.contains(&path) {
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        context: format!("removing {}", path.display()),
                        source,
                    })
                }
            }
        }
    }
    // Fails while files are kept inside, which leaves the directory, as intended.
    let _ = std::fs::remove_dir(dir);
    Ok(removed)
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_relative_paths_and_rejects_escapes() {
        for (label, path, ok) in [
            ("nested", "model/model.bundle", true),
            ("flat", "feature_spec.json", true),
            ("parent", "../x", false),
            ("inner parent", "a/../../x", false),
            ("absolute", "/etc/passwd", false),
            ("dot", "./x", false),
            ("empty part", "a//b", false),
            ("trailing slash", "a/", false),
            ("empty", "", false),
            ("backslash", "a\\..\\b", false),
        ] {
            assert_eq!(check_path(path).is_ok(), ok, "{label}: {path:?}");
        }
    }

    #[test]
    fn run_ids_must_be_32_lower_case_hex_digits() {
        assert!(check_run_id("0123456789abcdef0123456789abcdef").is_ok());
        assert!(check_run_id("../../../../../../../../etc/pass").is_err());
        assert!(check_run_id("0123456789ABCDEF0123456789ABCDEF").is_err());
    }
}
