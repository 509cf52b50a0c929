//! What the store jobs' handlers share: a booking's card, the refunds, the exports folder,
//! the import settings, the schools' rows, today.

use crate::app::close_out::CloseOutStoreEvent;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Local, NaiveDate};
use image::RgbImage;

use crate::app::state::{BookingCard, SchoolRow};
use crate::store::{BookingView, MatchKind, NewBooking, Store};

use super::jobs::*;

pub(in crate::app) const SEARCH_LIMIT: usize = 20;

/// The CLI's import settings, from the station's own.
pub(in crate::app) fn import_options(setup: &StoreSetup) -> crate::transfer::ImportOptions {
    crate::transfer::ImportOptions {
        school: None,
        capture_code_rules: setup.capture_code_rules.clone(),
        today: today(),
    }
}

pub(in crate::app) fn today() -> NaiveDate {
    Local::now().date_naive()
}

pub(in crate::app) fn refunds(store: &Store, school: &str) -> Result<StoreEvent> {
    let rows = store.refunds(school)?;
    let summary = crate::store::close_out::RefundSummary::of(&rows, today());
    Ok(StoreEvent::CloseOut(CloseOutStoreEvent::Refunds {
        rows,
        summary,
    }))
}

/// Writes a spreadsheet into `<data>/exports/`, named with the date and time.
pub(in crate::app) fn write_export(
    setup: &StoreSetup,
    stem: &str,
    bytes: &[u8],
) -> Result<PathBuf> {
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
pub(in crate::app) fn card_for(
    store: &Store,
    setup: &StoreSetup,
    booking: BookingView,
) -> Result<BookingCard> {
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

pub(in crate::app) fn thumbnail(path: &std::path::Path) -> Option<RgbImage> {
    let bytes = std::fs::read(path).ok()?;
    let image = crate::scan::image_input::decode_rgb(&bytes).ok()?;
    Some(image::imageops::thumbnail(&image, 120, 160))
}

/// Whether a booking found by the walk-in's capture code is the student at the desk: the same
/// ID number when both have one, else the same name.
pub(in crate::app) fn same_student(existing: &BookingView, walk_in: &NewBooking) -> bool {
    match (&existing.student.id_number, &walk_in.id_number) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => existing.student.name.trim() == walk_in.name.trim(),
    }
}

/// The booking that already holds this ID number, student number (same school) or capture code,
/// and which of them matched.
pub(in crate::app) fn existing_booking(
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

pub(in crate::app) fn school_rows(store: &Store) -> Result<Vec<SchoolRow>> {
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
