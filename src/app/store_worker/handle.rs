//! Answering one job: the store's own operations, and the station's use cases for the ones
//! that may reach the campus.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Local, NaiveDate};
use image::RgbImage;

use crate::app::state::{BookingCard, SchoolRow};
use crate::i18n::Message;
use crate::station;
use crate::store::captures::NewCapture;
use crate::store::{BookingView, Correction, MatchKind, NewBooking, Permission, Store};

use super::jobs::*;

const SEARCH_LIMIT: usize = 20;

/// The CLI's import settings, from the station's own.
fn import_options(setup: &StoreSetup) -> crate::transfer::ImportOptions {
    crate::transfer::ImportOptions {
        school: None,
        capture_code_rules: setup.capture_code_rules.clone(),
        today: today(),
    }
}

pub(super) fn today() -> NaiveDate {
    Local::now().date_naive()
}

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

fn refunds(store: &Store, school: &str) -> Result<StoreEvent> {
    let rows = store.refunds(school)?;
    let summary = crate::store::close_out::RefundSummary::of(&rows, today());
    Ok(StoreEvent::Refunds { rows, summary })
}

/// Writes a spreadsheet into `<data>/exports/`, named with the date and time.
fn write_export(setup: &StoreSetup, stem: &str, bytes: &[u8]) -> Result<PathBuf> {
    let stamp = Local::now().format("%Y%m%d-%H%M%S");
    let path = setup
        .data_dir
        .join("exports")
        .join(format!("{stem}-{stamp}.xlsx"));
    crate::store::photo_files::write_atomically(&path, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The booking with what the operator must see first: the earlier photo and the window check.
fn card_for(store: &Store, setup: &StoreSetup, booking: BookingView) -> Result<BookingCard> {
    let previous_photo = store
        .captures_for(&booking.booking_id)?
        .into_iter()
        .rev()
        .find(|capture| !capture.superseded)
        .and_then(|capture| thumbnail(&setup.photos_dir.join(&capture.photo_path)));
    let windows = store
        .collection_windows(&booking.student.school)
        .unwrap_or_default();
    let within_window = (!windows.is_empty())
        .then(|| crate::domain::collection::within_period(&windows, Local::now().naive_local()));
    Ok(BookingCard {
        booking,
        previous_photo,
        within_window,
        window_overridden: false,
        saved: false,
    })
}

fn thumbnail(path: &std::path::Path) -> Option<RgbImage> {
    let bytes = std::fs::read(path).ok()?;
    let image = crate::scan::image_input::decode_rgb(&bytes).ok()?;
    Some(image::imageops::thumbnail(&image, 120, 160))
}

/// Whether a booking found by the walk-in's capture code is the student at the desk: the same
/// ID number when both have one, else the same name.
fn same_student(existing: &BookingView, walk_in: &NewBooking) -> bool {
    match (&existing.student.id_number, &walk_in.id_number) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => existing.student.name.trim() == walk_in.name.trim(),
    }
}

/// The booking that already holds this ID number, student number (same school) or capture code,
/// and which of them matched.
fn existing_booking(
    store: &Store,
    booking: &NewBooking,
) -> Result<Option<(BookingView, MatchKind)>> {
    let probes = [
        (booking.capture_code.as_deref(), MatchKind::CaptureCode),
        (booking.id_number.as_deref(), MatchKind::IdNumber),
        (booking.student_no.as_deref(), MatchKind::StudentNo),
    ];
    for (value, kind) in probes {
        let Some(value) = value else { continue };
        let found = store.lookup(value, 5)?.into_iter().find(|hit| {
            hit.matched_by == kind
                && (kind != MatchKind::StudentNo || hit.booking.student.school == booking.school)
        });
        if let Some(hit) = found {
            return Ok(Some((hit.booking, kind)));
        }
    }
    Ok(None)
}

fn school_rows(store: &Store) -> Result<Vec<SchoolRow>> {
    let mut rows = Vec::new();
    for school in store.schools()? {
        let windows = store
            .collection_window_rows(&school.name)?
            .into_iter()
            .map(|(id, w)| (id, w.first_day.to_string(), w.last_day.to_string()))
            .collect();
        rows.push(SchoolRow {
            name: school.name,
            windows,
        });
    }
    Ok(rows)
}
