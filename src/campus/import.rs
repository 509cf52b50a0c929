//! The mini-program export imported once, into the campus server, for every station: the file
//! is read and checked row by row by the station's own importer (the same headers, row numbers
//! and per-row reasons), and the server applies the rows with the same rules in one
//! transaction. Stations receive the orders through their pull.

use super::CampusResult;
use super::server::CampusClient;
use crate::transfer::import::{
    ImportOptions, ImportPreview, ImportReport, describe_preview, validate_file,
};

/// Imports `bytes` (XLSX, XLS or CSV in GB18030 or UTF-8) into the campus.
pub fn import_file(
    client: &mut CampusClient,
    bytes: &[u8],
    options: &ImportOptions,
) -> CampusResult<ImportReport> {
    run(client, bytes, options, true)
}

/// What importing `bytes` into the campus would do, computed by the server without keeping it.
pub fn preview_file(
    client: &mut CampusClient,
    bytes: &[u8],
    options: &ImportOptions,
) -> CampusResult<ImportPreview> {
    let report = run(client, bytes, options, false)?;
    Ok(describe_preview(bytes, report)?)
}

fn run(
    client: &mut CampusClient,
    bytes: &[u8],
    options: &ImportOptions,
    commit: bool,
) -> CampusResult<ImportReport> {
    let (valid, rejected) = validate_file(bytes, options)?;
    let counts = if commit {
        client.import_rows(&valid)?
    } else {
        client.preview_import_rows(&valid)?
    };
    Ok(ImportReport::from_counts(counts, rejected))
}
