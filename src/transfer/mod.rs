//! Moving data in and out of the station: the mini-program's order exports (XLSX/CSV) today,
//! export bundles and refund lists later. Writes go through the store; nothing here touches
//! SQLite directly.

pub mod import;
pub mod sample;
pub mod table;

pub use import::{ImportError, ImportOptions, ImportReport, import_file};
