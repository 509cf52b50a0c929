//! Photo files on disk, written so that a crash or power cut can never leave a half-written
//! photo under a real name: write to a temporary file in the same folder, fsync it, rename it into
//! place, fsync the folder. Temporary files are recognisable by their suffix and removed at start.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const TEMP_MARKER: &str = ".tmp-";

/// Writes `bytes` to `path` atomically and durably.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, true)
}

/// Writes `bytes` to `path` atomically (a reader never sees half a file) but leaves flushing to
/// the caller: for many files, one flush pass at the end instead of two fsyncs per file.
pub fn write_atomically_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, false)
}

fn write_via_temp(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let folder = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a photo path needs a folder"))?;
    std::fs::create_dir_all(folder)?;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("a photo path needs a file name"))?
        .to_string_lossy();
    let temp = folder.join(format!(
        "{name}{TEMP_MARKER}{}",
        uuid::Uuid::now_v7().simple()
    ));
    let result = (|| {
        let mut file = private_file_options().create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        if durable {
            file.sync_all()?;
        }
        drop(file);
        std::fs::rename(&temp, path)?;
        if durable {
            sync_folder(folder)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Options for a new file only its owner can read: photos and exports carry students' faces and
/// records, and a booth laptop is often shared.
pub fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    crate::platform::owner_only_new_files(&mut options);
    options
}

/// Creates `folder` (and its parents) and makes it owner-only on Unix.
pub fn create_private_dir_all(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    crate::platform::owner_only_folder(folder)
}

/// Makes a rename in `folder` durable.
pub fn sync_folder(folder: &Path) -> std::io::Result<()> {
    crate::platform::sync_folder(folder)
}

/// Every file below `root`, recursively.
pub fn files_below(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/photo.jpg");
        write_atomically(&path, b"jpeg bytes").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"jpeg bytes");
        write_atomically(&path, b"replaced").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"replaced");
        let names: Vec<_> = files_below(dir.path());
        assert_eq!(names, vec![path]);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be makes the rename fail.
        let path = dir.path().join("photo.jpg");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"x").unwrap();
        assert!(write_atomically(&path, b"jpeg").is_err());
        let temporaries = files_below(dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().contains(TEMP_MARKER))
            .count();
        assert_eq!(temporaries, 0);
    }
}
