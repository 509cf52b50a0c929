//! Answering one job: the store's own operations, and the station's use cases for the ones
//! that may reach the campus.

use anyhow::Result;

use crate::i18n::Message;
use crate::station;
use crate::store::{Permission, Store};

use super::jobs::*;

use super::support::*;

pub(super) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: StoreJob,
    send: &dyn Fn(StoreEvent),
) -> Result<StoreEvent> {
    Ok(match job {
        StoreJob::Capture(job) => crate::app::capture::work::handle(store, setup, job)?,
        StoreJob::WalkIn(job) => crate::app::walk_in_desk::work::handle(store, setup, job)?,
        StoreJob::Corrections(job) => crate::app::corrections::work::handle(store, setup, job)?,
        StoreJob::Schools(job) => crate::app::schools::work::handle(store, setup, job)?,
        StoreJob::RefreshCounts => StoreEvent::Counts(store.day_counts(today())?),
        StoreJob::CloseOut(job) => crate::app::close_out::work::handle(store, setup, job)?,
        StoreJob::PlanExport { request, session } => {
            store.authorize(&session, Permission::Export, Some(&request.school))?;
            use crate::transfer::school_export::{available_space, plan_export};
            match plan_export(store, &setup.photos_dir, &request, available_space) {
                Ok(plan) => StoreEvent::ExportPlanned(Box::new(plan)),
                Err(error) => StoreEvent::ExportRefused(Message::of(&error)),
            }
        }
        StoreJob::Export { request, session } => {
            use crate::transfer::school_export::available_space;
            let mut last_sent = std::time::Instant::now();
            let progress = |done, total| {
                // A few updates a second are enough for a progress bar.
                if done == total || last_sent.elapsed().as_millis() >= 100 {
                    last_sent = std::time::Instant::now();
                    send(StoreEvent::ExportProgress { done, total });
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
                Ok(done) => StoreEvent::Exported(Box::new(done)),
                Err(error) => refused(error, StoreEvent::ExportRefused)?,
            }
        }
        StoreJob::Campus(job) => crate::app::campus::work::handle(store, setup, job)?,
        StoreJob::PreviewImport { path, session } => {
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => std::sync::Arc::new(bytes),
                Err(error) => {
                    return Ok(StoreEvent::ImportRefused(Message::file(&path, &error)));
                }
            };
            match station::import::preview(
                store,
                setup.reach(),
                &bytes,
                &import_options(setup),
                &session,
            ) {
                Ok(preview) => StoreEvent::ImportPreviewed {
                    path,
                    bytes,
                    preview: Box::new(preview),
                },
                Err(error) => refused(error, StoreEvent::ImportRefused)?,
            }
        }
        StoreJob::Import {
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
                Ok(report) => StoreEvent::Imported(Box::new(report)),
                Err(error) => refused(error, StoreEvent::ImportRefused)?,
            }
        }
        StoreJob::WriteRejectedRows {
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
        StoreJob::LoadReport {
            school,
            station_name,
        } => {
            let mut report = store.school_report(&school, None)?;
            report.name_stations(store.station_id(), &station_name);
            StoreEvent::ReportLoaded(Box::new(report))
        }
        StoreJob::WriteReport {
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
        StoreJob::RecordEvent {
            kind,
            subject,
            session,
        } => {
            store.record_supervisor_exception(kind, &subject, &session)?;
            StoreEvent::Recorded
        }
        StoreJob::SaveSettings { file, session } => {
            store.authorize(&session, Permission::ChangeSettings, None)?;
            StoreEvent::SettingsSaved(Box::new(crate::config::StationConfig::save(
                &setup.data_dir,
                *file,
            )?))
        }
        StoreJob::Accounts(job) => crate::app::accounts::work::handle(store, setup, job)?,
    })
}
