//! Temporary files that become output files by a rename, with the mode an ordinary file
//! gets.
//!
//! `tempfile` creates its files owner-only (0600) and a rename keeps the mode, so every
//! processed dataset, manifest and download would be unreadable to anyone else (a server
//! running as another user, a colleague sharing `data/`). Asking for 0666 when the file is
//! created lets the OS apply the umask, exactly as `File::create` does (0644 under the
//! usual 022 umask, 0600 under 077).

use std::io;
use std::path::Path;

use tempfile::NamedTempFile;

/// A new temporary file in `dir`, removed on drop unless persisted. On Unix it is created
/// with `mode`, or with `None` the mode `File::create` would give a file in `dir`; the
/// mode is ignored elsewhere.
///
/// # Errors
/// The I/O error of creating the file.
pub fn temp_file_in(dir: &Path, mode: Option<u32>) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // 0666 minus the umask, like `File::create`; tempfile's default is 0600.
        builder.permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o666)));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn a_persisted_temp_file_has_the_mode_of_a_created_file() {
        let dir = tempfile::tempdir().unwrap();
        let ordinary = dir.path().join("ordinary");
        std::fs::File::create(&ordinary).unwrap();
        let renamed = dir.path().join("renamed");

        temp_file_in(dir.path(), None)
            .unwrap()
            .persist(&renamed)
            .unwrap();

        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            format!("{:o}", mode(&renamed)),
            format!("{:o}", mode(&ordinary))
        );
    }
}
