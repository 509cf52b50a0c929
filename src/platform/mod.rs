//! What differs between Unix and Windows, behind one set of functions: owner-only files and
//! folders, whether the process runs as root, making a rename durable. The rest of the crate
//! calls these and stays free of platform APIs; `tests/layering.rs` checks that `std::os::unix`
//! and `libc` appear only in `unix.rs`.

mod folder_lock;
pub use folder_lock::{FolderInUse, FolderLock};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
