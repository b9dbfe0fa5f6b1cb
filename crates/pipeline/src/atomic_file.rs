//! Writing a whole file so that readers see the old bytes or the new ones, never a part.

use std::io::{self, Write as _};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory, synced, then
/// renamed over `path` (creating the directory first). The file gets `mode` on Unix, from
/// its creation on; `None` lets the umask decide as for any file the process creates
/// (0644 under the usual 022), see [`reelcast_data::temp_file_in`].
pub(crate) fn write(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = reelcast_data::temp_file_in(dir, mode)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn a_file_gets_the_mode_of_a_created_file_or_the_one_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let ordinary = dir.path().join("ordinary");
        std::fs::File::create(&ordinary).unwrap();

        let shared = dir.path().join("sub/shared.bundle");
        write(&shared, b"one", None).unwrap();
        write(&shared, b"two", None).unwrap();
        let private = dir.path().join("private.json");
        write(&private, b"secret", Some(0o600)).unwrap();

        assert_eq!(std::fs::read(&shared).unwrap(), b"two");
        assert_eq!(
            format!("{:o}", mode(&shared)),
            format!("{:o}", mode(&ordinary))
        );
        assert_eq!(format!("{:o}", mode(&private)), "600");
    }
}
