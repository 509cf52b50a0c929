//! Windows: the data folder lives under the user's own profile (`%APPDATA%`), whose ACL already
//! keeps other accounts out, so the owner-only calls have nothing to add. Compiled only on
//! Windows; see the README's Windows plan.

use std::fs::{Metadata, OpenOptions};
use std::io;
use std::path::Path;

pub fn owner_only_folder(_path: &Path) -> io::Result<()> {
    Ok(())
}

pub fn owner_only_file(_path: &Path) -> io::Result<()> {
    Ok(())
}

pub fn owner_only_new_files(_options: &mut OpenOptions) {}

pub fn others_may_enter(_path: &Path) -> io::Result<()> {
    Ok(())
}

pub fn closed_to_others(_metadata: &Metadata) -> Option<u32> {
    None
}

/// The campus server's PostgreSQL service account question does not arise on Windows.
pub fn running_as_root() -> bool {
    false
}

/// NTFS journals its metadata, and a folder cannot be opened as a file to flush it.
pub fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

/// Windows reports CPU times in 100 ns units; callers there use other means.
pub fn clock_ticks_per_second() -> f64 {
    10_000_000.0
}

/// The process's peak resident memory; not measured on Windows.
pub fn peak_memory_kib() -> Option<u64> {
    None
}
