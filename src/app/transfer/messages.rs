//! What the transfer feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::i18n::Message;
use crate::store::Session;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub enum TransferCommand {
    LoadReport {
        school: String,
    },
    /// Write the school's report (XLSX) into `exports/`.
    WriteReport {
        school: String,
    },
    /// Read and preview an order export (picked, typed or dropped); nothing is written.
    PreviewImport {
        path: std::path::PathBuf,
    },
    /// Import the previewed bytes.
    ConfirmImport,
    /// Write the last import's rejected rows (with their reasons) to an XLSX in `exports/`.
    WriteRejectedRows,
    /// Work out what the export in the form needs and what the target has; nothing written.
    PlanExport,
    /// Run the export in the form.
    StartExport,
}

pub enum TransferStoreJob {
    PlanExport {
        request: Box<crate::transfer::school_export::ExportRequest>,
        session: Session,
    },
    Export {
        request: Box<crate::transfer::school_export::ExportRequest>,
        session: Session,
    },
    PreviewImport {
        path: PathBuf,
        session: Session,
    },
    Import {
        bytes: std::sync::Arc<Vec<u8>>,
        label: String,
        session: Session,
    },
    WriteRejectedRows {
        bytes: std::sync::Arc<Vec<u8>>,
        rejected: Vec<crate::store::ImportRejection>,
        session: Session,
    },
    /// The school's report; `station_name` names this booth in the hourly figures.
    LoadReport {
        school: String,
        station_name: String,
    },
    WriteReport {
        school: String,
        station_name: String,
        session: Session,
    },
}

#[derive(Debug)]
pub enum TransferStoreEvent {
    ReportLoaded(Box<crate::store::report::SchoolReport>),
    ImportPreviewed {
        path: PathBuf,
        bytes: std::sync::Arc<Vec<u8>>,
        preview: Box<crate::transfer::ImportPreview>,
    },
    Imported(Box<crate::transfer::ImportReport>),
    /// The file cannot be imported at all (unreadable, a required header missing); nothing
    /// was written.
    ImportRefused(Message),
    ExportPlanned(Box<crate::transfer::school_export::ExportPlan>),
    ExportProgress {
        done: usize,
        total: usize,
    },
    Exported(Box<crate::transfer::school_export::SchoolExport>),
    ExportRefused(Message),
}
