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
/// the copy that goes into place. The replaced database is kept as `<database>.replaced-<id>`;
/// returns that path. The caller holds the data folder's lock (no process has the database
/// open).
///
/// Crash-safe: at every moment the database's path holds either the old database, whole, or the
/// new one, written and synced. The live database is checkpointed (its write-ahead log folded
/// in), linked aside, and the synced copy renamed over it; a crash never leaves an empty store.
pub fn restore(backup: &Path, database: &Path) -> StoreResult<Option<PathBuf>> {
    let invalid =
        |what: &str, error: std::io::Error| StoreError::Invalid(format!("{what}: {error}"));
    let id = uuid::Uuid::now_v7().simple();
    let incoming = PathBuf::from(format!("{}.restoring-{id}", database.display()));
    copy_synced(backup, &incoming).map_err(|e| invalid("copying the backup", e))?;
    let check: String = Connection::open(&incoming)
        .and_then(|conn| conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
        .unwrap_or_else(|e| e.to_string());
    if check != "ok" {
        let _ = std::fs::remove_file(&incoming);
        return Err(StoreError::Corrupt {
            path: backup.to_path_buf(),
            detail: check,
        });
    }
    let kept = if database.exists() {
        // Everything the old database holds, in its main file: its log may then go.
        Connection::open(database)?.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })?;
        let kept = PathBuf::from(format!("{}.replaced-{id}", database.display()));
        if std::fs::hard_link(database, &kept).is_err() {
            // A file system without links: a synced copy does as well.
            copy_synced(database, &kept).map_err(|e| invalid("keeping the old database", e))?;
        }
        Some(kept)
    } else {
        None
    };
    // The old log and index belong to the old file: left beside the new one, SQLite would read
    // them into it.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", database.display()));
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(invalid("removing the old database's log", error)),
        }
    }
    std::fs::rename(&incoming, database).map_err(|e| invalid("putting the backup in place", e))?;
    if let Some(folder) = database.parent() {
        crate::platform::sync_folder(folder).map_err(|e| invalid("syncing the data folder", e))?;
    }
    Ok(kept)
}

/// Copies `from` to `to` and syncs the copy to disk.
fn copy_synced(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    std::fs::File::open(to)?.sync_all()
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
        assert_eq!(
            Store::open(&kept).unwrap().booking_count().unwrap(),
            2,
            "the replaced database is kept whole"
        );
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
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.contains(".restoring-")),
            "no half-made copy left: {names:?}"
        );
    }
}
