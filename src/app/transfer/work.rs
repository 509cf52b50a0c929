//! The transfer feature's store jobs, answered on the store threads.

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup, refused};
use crate::i18n::Message;
use crate::station;
use crate::store::{Permission, Store};

use super::messages::{TransferStoreEvent, TransferStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: TransferStoreJob,
    send: &dyn Fn(StoreEvent),
) -> Result<StoreEvent> {
    Ok(match job {
        TransferStoreJob::PlanExport { request, session } => {
            store.authorize(&session, Permission::Export, Some(&request.school))?;
            use crate::transfer::school_export::{available_space, plan_export};
            match plan_export(store, &setup.photos_dir, &request, available_space) {
                Ok(plan) => StoreEvent::Transfer(TransferStoreEvent::ExportPlanned(Box::new(plan))),
                Err(error) => {
                    StoreEvent::Transfer(TransferStoreEvent::ExportRefused(Message::of(&error)))
                }
            }
        }
        TransferStoreJob::Export { request, session } => {
            use crate::transfer::school_export::available_space;
            let mut last_sent = std::time::Instant::now();
            let progress = |done, total| {
                // A few updates a second are enough for a progress bar.
                if done == total || last_sent.elapsed().as_millis() >= 100 {
                    last_sent = std::time::Instant::now();
                    send(StoreEvent::Transfer(TransferStoreEvent::ExportProgress {
                        done,
                        total,
                    }));
                }
            };
            match station::export::export_school(
                store,
                setup.reach(),
                (&setup.data_dir, &setup.photos_dir),
                &session,
                &request,
                available_space,
                progress,
            ) {
                Ok(done) => StoreEvent::Transfer(TransferStoreEvent::Exported(Box::new(done))),
                Err(error) => refused(error, |message| {
                    StoreEvent::Transfer(TransferStoreEvent::ExportRefused(message))
                })?,
            }
        }
        TransferStoreJob::PreviewImport { path, session } => {
            // Its size is checked before it is read: a file past the limit never fills memory.
            let bytes = match crate::transfer::table::read_file(&path) {
                Ok(Ok(bytes)) => std::sync::Arc::new(bytes),
                Ok(Err(too_large)) => {
                    return Ok(StoreEvent::Transfer(TransferStoreEvent::ImportRefused(
                        Message::of(&too_large),
                    )));
                }
                Err(error) => {
                    return Ok(StoreEvent::Transfer(TransferStoreEvent::ImportRefused(
                        Message::file(&path, &error),
                    )));
                }
            };
            match station::import::preview(
                store,
                setup.reach(),
                &bytes,
                &import_options(setup),
                &session,
            ) {
                Ok(preview) => StoreEvent::Transfer(TransferStoreEvent::ImportPreviewed {
                    path,
                    bytes,
                    preview: Box::new(preview),
                }),
                Err(error) => refused(error, |message| {
                    StoreEvent::Transfer(TransferStoreEvent::ImportRefused(message))
                })?,
            }
        }
        TransferStoreJob::Import {
            bytes,
            label,
            session,
        } => {
            match station::import::import(
                store,
                setup.reach(),
                &setup.photos_dir,
                &bytes,
                &label,
                &import_options(setup),
                &session,
            ) {
                Ok(report) => StoreEvent::Transfer(TransferStoreEvent::Imported(Box::new(report))),
                Err(error) => refused(error, |message| {
                    StoreEvent::Transfer(TransferStoreEvent::ImportRefused(message))
                })?,
            }
        }
        TransferStoreJob::WriteRejectedRows {
            bytes,
            rejected,
            session,
        } => {
            store.authorize(&session, Permission::ImportBookings, None)?;
            // The workbook goes back to the office: Chinese, like its headers.
            let reasons: Vec<(usize, String)> = rejected
                .iter()
                .map(|rejection| {
                    let reason = crate::i18n::errors::row_problems(
                        &rejection.problems,
                        crate::config::Language::Chinese,
                    );
                    (rejection.row, reason)
                })
                .collect();
            let workbook = crate::transfer::rejected_rows::rejected_rows_xlsx(&bytes, &reasons)?;
            StoreEvent::FileWritten(write_export(setup, "导入问题行", &workbook)?)
        }
        TransferStoreJob::LoadReport {
            school,
            station_name,
        } => {
            let mut report = store.school_report(&school, None)?;
            report.name_stations(store.station_id(), &station_name);
            StoreEvent::Transfer(TransferStoreEvent::ReportLoaded(Box::new(report)))
        }
        TransferStoreJob::WriteReport {
            school,
            station_name,
            session,
        } => {
            store.authorize(&session, Permission::Export, Some(&school))?;
            let mut report = store.school_report(&school, None)?;
            report.name_stations(store.station_id(), &station_name);
            let bytes = crate::transfer::report_sheet::report_xlsx(&report)?;
            StoreEvent::FileWritten(write_export(setup, &format!("报表-{school}"), &bytes)?)
        }
    })
}
