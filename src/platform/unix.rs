//! Unix: modes 0700 and 0600 keep students' records from other accounts on a shared laptop.
// The crate denies `unsafe`; two libc calls (the effective user, the clock tick) need it here.
#![allow(unsafe_code)]

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Makes an existing folder readable by its owner only.
pub fn owner_only_folder(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
}

/// Makes an existing file readable by its owner only.
pub fn owner_only_file(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// New files made with `options` are readable by their owner only.
pub fn owner_only_new_files(options: &mut OpenOptions) {
    options.mode(0o600);
}

/// Lets other accounts (the `postgres` service account) enter the folder, without reading it.
pub fn others_may_enter(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

/// The folder's mode when other accounts cannot enter it, for an error that says why.
pub fn closed_to_others(metadata: &Metadata) -> Option<u32> {
    let mode = metadata.permissions().mode();
    (mode & 0o001 == 0).then_some(mode & 0o777)
}

pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Makes a rename inside `folder` durable: the folder's entry is flushed too.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

/// Clock ticks per second, the unit of CPU times in /proc.
pub fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// The process's peak resident memory so far, in KiB (Linux's `VmHWM`); `None` where the system
/// does not say.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
