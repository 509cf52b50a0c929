//! One writer per data folder. The window and every command that changes the folder hold an
//! exclusive lock on `capture-station.lock` for the life of the process; a second one is told
//! who holds it and stops. Without it a command started beside the window tidied the photos
//! folder and could move a photo the window was saving, before its commit, into `orphans/`.
//!
//! The operating system's lock (flock, LockFileEx) ends with the process, a crash included, so a
//! stale lock never blocks a restart. Who holds it is written beside it, in a file of its own:
//! on Windows a locked file cannot be read by others.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = "capture-station.lock";
const HOLDER_FILE: &str = "capture-station.lock.holder";

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

/// Another process writes to this data folder.
#[derive(Debug, thiserror::Error)]
#[error(
    "数据文件夹 {} 正被另一个程序使用（{holder}）：请先关闭它再试 / the data folder {} is in use by another process ({holder}): close it, then try again",
    dir.display(),
    dir.display()
)]
pub struct FolderInUse {
    pub dir: PathBuf,
    /// The holder's own words: process id, what it is, since when.
    pub holder: String,
}

impl FolderLock {
    /// Takes the lock on `data_dir` for `what` (the window, a command's name), or says who holds
    /// it. Any other failure (a folder that cannot be written) is an I/O error.
    pub fn take(data_dir: &Path, what: &str) -> anyhow::Result<FolderLock> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(data_dir.join(HOLDER_FILE))
                    .ok()
                    .map(|text| text.trim().to_string())
                    .filter(|text| !text.is_empty())
                    .unwrap_or_else(|| "进程未知 / unknown process".to_string());
                return Err(FolderInUse {
                    dir: data_dir.to_path_buf(),
                    holder,
                }
                .into());
            }
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(anyhow::anyhow!("locking {}: {error}", path.display()));
            }
        }
        // Best effort: the lock holds whether or not the note is written.
        let note = format!(
            "进程 / process {}，{what}，{}",
            std::process::id(),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        if let Ok(mut holder) = File::create(data_dir.join(HOLDER_FILE)) {
            let _ = holder.write_all(note.as_bytes());
        }
        Ok(FolderLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_who_holds_the_folder_and_the_first_lets_go_when_done() {
        let dir = tempfile::tempdir().unwrap();
        let window = FolderLock::take(dir.path(), "窗口 / window").unwrap();
        let refused = FolderLock::take(dir.path(), "import").unwrap_err();
        let refused = refused.downcast::<FolderInUse>().unwrap();
        assert!(refused.holder.contains("窗口"), "{refused}");
        assert!(
            refused.holder.contains(&std::process::id().to_string()),
            "{refused}"
        );
        drop(window);
        FolderLock::take(dir.path(), "import").unwrap();
    }
}
