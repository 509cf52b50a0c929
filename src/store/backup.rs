//! Backups of the database: a consistent copy made with `VACUUM INTO` (safe while the station
//! runs), the newest N kept, and a restore that checks the backup's integrity before it replaces
//! anything, keeping the replaced database beside it.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{Store, StoreError, StoreResult};

const PREFIX: &str = "station-";
const SUFFIX: &str = ".sqlite3";

impl Store {
    /// Writes a backup into `folder` and deletes all but the newest `keep`; returns its path.
    pub fn backup_to(&self, folder: &Path, keep: usize) -> StoreResult<PathBuf> {
        super::photo_files::create_private_dir_all(folder)
            .map_err(|e| StoreError::Invalid(format!("creating {}: {e}", folder.display())))?;
        // Time-ordered, unique names: a UUIDv7 sorts by creation time.
        let name = format!("{PREFIX}{}{SUFFIX}", uuid::Uuid::now_v7().simple());
        let path = folder.join(name);
        self.conn
            .execute("VACUUM INTO ?1", [path.to_string_lossy().as_ref()])?;
        for old in list_backups(folder).into_iter().rev().skip(keep.max(1)) {
            let _ = std::fs::remove_file(old);
        }
        Ok(path)
    }
}

/// Backups in `folder`, oldest first.
pub fn list_backups(folder: &Path) -> Vec<PathBuf> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                    name.is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
                })
                .collect()
        })
        .unwrap_or_default();
    backups.sort();
    backups
}

/// Replaces the database at `database` with `backup` after `PRAGMA integrity_check` passes on
/// the backup. The replaced file is kept as `<database>.replaced-<id>`; returns that path.
/// The station must not be running.
pub fn restore(backup: &Path, database: &Path) -> StoreResult<Option<PathBuf>> {
    let check: String = Connection::open(backup)?
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| e.to_string());
    if check != "ok" {
        return Err(StoreError::Corrupt {
            path: backup.to_path_buf(),
            detail: check,
        });
    }
    let kept = if database.exists() {
        let kept = PathBuf::from(format!(
            "{}.replaced-{}",
            database.display(),
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::rename(database, &kept)
            .map_err(|e| StoreError::Invalid(format!("moving the old database aside: {e}")))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", database.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{suffix}", kept.display()));
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::copy(backup, database)
        .map_err(|e| StoreError::Invalid(format!("copying the backup into place: {e}")))?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bookings::tests::sample;

    #[test]
    fn backups_rotate_and_restore_after_a_check() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("station.sqlite3");
        let backups = dir.path().join("backups");
        let mut store = Store::open(&database).unwrap();
        store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let mut made = Vec::new();
        for _ in 0..4 {
            made.push(store.backup_to(&backups, 3).unwrap());
        }
        assert_eq!(
            list_backups(&backups),
            made[1..].to_vec(),
            "newest three kept"
        );
        store
            .create_booking(
                &sample("A2", "李四"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        drop(store);

        let kept = restore(&made[3], &database)
            .unwrap()
            .expect("old database kept");
        assert!(kept.exists());
        let store = Store::open(&database).unwrap();
        assert_eq!(
            store.booking_count().unwrap(),
            1,
            "back to the backup's state"
        );
    }

    #[test]
    fn a_damaged_backup_is_refused_and_nothing_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("station.sqlite3");
        drop(Store::open(&database).unwrap());
        let before = std::fs::read(&database).unwrap();
        let bad = dir.path().join("station-bad.sqlite3");
        std::fs::write(&bad, b"definitely not sqlite, just some bytes of text").unwrap();
        assert!(matches!(
            restore(&bad, &database),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(std::fs::read(&database).unwrap(), before);
    }
}
