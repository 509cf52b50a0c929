//! Answering one job: the store's own operations, and the station's use cases for the ones
//! that may reach the campus.

use anyhow::Result;
use chrono::Local;

use crate::i18n::Message;
use crate::station;
use crate::store::captures::NewCapture;
use crate::store::{Correction, MatchKind, Permission, Store};

use super::jobs::*;

use super::support::*;

pub(super) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: StoreJob,
    send: &dyn Fn(StoreEvent),
) -> Result<StoreEvent> {
    Ok(match job {
        StoreJob::ResolveCode(code) => {
            let hit = store
                .lookup(&code, 1)?
                .into_iter()
                .find(|hit| hit.matched_by == MatchKind::CaptureCode);
            let card = match hit {
                Some(hit) => Some(Box::new(card_for(store, setup, hit.booking)?)),
                None => None,
            };
            StoreEvent::CodeResolved { code, card }
        }
        StoreJob::Search {
            query,
            generation,
            for_supervisor,
        } => StoreEvent::SearchResults {
            generation,
            for_supervisor,
            hits: store.lookup(&query, SEARCH_LIMIT)?,
        },
        StoreJob::OpenBooking(id) => {
            let booking = store.booking(&id)?;
            StoreEvent::CardLoaded(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::SaveCapture(request) => {
            station::capture::save(
                store,
                setup.reach(),
                &setup.photos_dir,
                NewCapture {
                    booking_id: &request.booking_id,
                    jpeg: &request.jpeg,
                    original_jpeg: request.original_jpeg.as_deref(),
                    spec_report: request.report.clone(),
                    spec_ok: request.spec_ok,
                    overridden: request.overridden,
                    session: &request.session,
                },
            )?;
            StoreEvent::CaptureSaved {
                booking_id: request.booking_id,
            }
        }
        StoreJob::CreateWalkIn { booking, session } => {
            if let Some((existing, matched_by)) = existing_booking(store, &booking)? {
                // A code is only a key: the same code on someone else is a mistake (a code the
                // camera read from the next phone in the queue), never a reason to open that
                // other student's booking.
                if matched_by == MatchKind::CaptureCode && !same_student(&existing, &booking) {
                    return Ok(StoreEvent::WalkInCodeTaken {
                        owner: existing.student.name,
                    });
                }
                return Ok(StoreEvent::WalkInDuplicate(Box::new(card_for(
                    store, setup, existing,
                )?)));
            }
            let id = store.create_booking(&booking, &session)?;
            let booking = store.booking(&id)?;
            StoreEvent::WalkInCreated(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::Correct {
            booking_id,
            field,
            value,
            reason,
            confirmed,
            session,
        } => {
            let outcome = store.correct_student(
                Correction {
                    booking_id: &booking_id,
                    field,
                    new_value: value,
                    reason: &reason,
                    confirmed_after_capture: confirmed,
                },
                &session,
            )?;
            StoreEvent::Corrected {
                booking: Box::new(store.booking(&booking_id)?),
                history: store.corrections_for(&booking_id)?,
                outcome,
            }
        }
        StoreJob::SelectForCorrection(id) => StoreEvent::Selected {
            booking: Box::new(store.booking(&id)?),
            history: store.corrections_for(&id)?,
        },
        StoreJob::ApproveRetake {
            booking_id,
            session,
        } => {
            store.approve_retake(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::RetakeApproved(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::FlagDetails {
            booking_id,
            session,
        } => {
            store.flag_details(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::DetailsFlagged {
                card: Box::new(card_for(store, setup, booking)?),
                history: store.corrections_for(&booking_id)?,
            }
        }
        StoreJob::OverrideDispute {
            booking_id,
            session,
        } => {
            store.override_details_dispute(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::DisputeOverridden(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::LoadSchools => StoreEvent::Schools(school_rows(store)?),
        StoreJob::AddWindow {
            school,
            window,
            session,
        } => {
            store.add_collection_window(&school, window, &session)?;
            StoreEvent::Schools(school_rows(store)?)
        }
        StoreJob::UpdateWindow {
            window_id,
            window,
            session,
        } => {
            store.update_collection_window(&window_id, window, &session)?;
            StoreEvent::Schools(school_rows(store)?)
        }
        StoreJob::RefreshCounts => StoreEvent::Counts(store.day_counts(today())?),
        StoreJob::PreviewClose { school, calendar } => StoreEvent::ClosePreviewed(Box::new(
            store.preview_close(&school, Local::now().naive_local(), &calendar)?,
        )),
        StoreJob::CloseSession {
            school,
            force,
            calendar,
            session,
        } => StoreEvent::Closed(Box::new(station::close_out::close_session(
            store,
            setup.reach(),
            &school,
            Local::now().naive_local(),
            force,
            &calendar,
            &session,
        )?)),
        StoreJob::LoadRefunds { school } => refunds(store, &school)?,
        StoreJob::MarkRefunded {
            school,
            order_no,
            reference,
            session,
        } => {
            store.mark_refunded(&order_no, &reference, &session)?;
            refunds(store, &school)?
        }
        StoreJob::WriteRefundList { school, session } => {
            store.authorize(&session, Permission::Export, Some(&school))?;
            let bytes = crate::transfer::refund_list::refunds_xlsx(&store.refunds(&school)?)?;
            StoreEvent::FileWritten(write_export(setup, &format!("退款清单-{school}"), &bytes)?)
        }
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
