//! Moving data in and out of the station: the mini-program's order exports (XLSX/CSV) today,
//! refund lists, and export bundles. Writes go through the store; nothing here touches
//! SQLite directly.

pub mod export;
pub mod import;
pub mod refund_list;
pub mod rejected_rows;
pub mod report_sheet;
pub mod sample;
pub mod school_export;
pub mod sheets;
pub mod table;

pub use import::{
    ImportError, ImportOptions, ImportPreview, ImportReport, import_file, preview_file,
};
