//! The hidden `soak-capture` loop: the booth's capture path without a window, as fast as it goes.
//! The crash harness kills it at random moments; the campus fault harness runs three of them
//! against one server while it stops the server and cuts connections.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use super::context::Station;
use crate::camera::synthetic_student::{StudentScene, render_student_frame};
use crate::campus::link::CampusLink;
use crate::campus::settings::CampusSettings;
use crate::domain::BookingStatus;
use crate::portrait::pipeline::{PortraitPipeline, PortraitSettings};
use crate::station::{Reach, StationError};
use crate::store::captures::NewCapture;
use crate::store::{NewBooking, Store};

#[derive(Debug, Args)]
pub struct SoakArgs {
    #[arg(long, default_value = "压测大学")]
    pub school: String,
    /// Stop after this many saves [default: run until killed, or until the roster is done]
    #[arg(long)]
    pub count: Option<u64>,
    /// Shoot once and save that photo over and over, so that most of the time is spent saving
    /// (where a kill matters most)
    #[arg(long)]
    pub shot_once: bool,
    /// Photograph the school's booked students (an imported roster) instead of walk-ins: each
    /// one claimed on the campus server first when the station joined one and it answers
    #[arg(long)]
    pub roster: bool,
    /// The order the roster is worked through (each booth its own, as queues differ)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Photograph only this booking (its id or order number)
    #[arg(long)]
    pub booking: Option<String>,
    /// Behave as a booth whose Wi-Fi is down: no claim, no sync; the outbox keeps everything
    #[arg(long)]
    pub offline: bool,
    /// At least this many milliseconds from one save to the next, as a booth has a queue to
    /// serve (a real one takes 20–40 s per student)
    #[arg(long, default_value_t = 0)]
    pub pace_ms: u64,
}

/// One accepted shot, reused when `--shot-once` or in roster mode, where rendering each student
/// would only slow the harness down.
struct Shot {
    jpeg: Vec<u8>,
    original: Vec<u8>,
    report: serde_json::Value,
    ok: bool,
}

/// Runs the loop. After each save commits it prints `saved <booking> <capture> <sha256>`, so a
/// harness that kills the process knows which photos were accepted; a roster booking another
/// booth holds prints `held <booking> <station>`.
pub fn soak_capture(mut station: Station, args: SoakArgs) -> Result<()> {
    let session = station.sign_in()?;
    let photos = station.config.photos_dir();
    let mut pipeline =
        PortraitPipeline::new(PortraitSettings::default()).context("loading the face detector")?;
    let link = match CampusSettings::load(&station.config.data_dir)? {
        Some(settings) if !args.offline => Some(CampusLink::start(
            settings,
            station.config.database_path(),
            photos.clone(),
        )),
        _ => None,
    };
    let started = std::process::id() as u64;
    let mut queue = RosterQueue::new(&args);
    let mut stdout = std::io::stdout().lock();
    let mut saved = 0u64;
    let mut kept_shot: Option<Shot> = None;
    let pace = std::time::Duration::from_millis(args.pace_ms);
    let mut last_save = std::time::Instant::now();
    while args.count.is_none_or(|count| saved < count) {
        if let Some(rest) = pace.checked_sub(last_save.elapsed()) {
            std::thread::sleep(rest);
        }
        let seed = started.wrapping_mul(1_000_003).wrapping_add(saved);
        let booking_id = if args.roster || args.booking.is_some() {
            match queue.next(&station.store)? {
                Some(id) => id,
                None => break,
            }
        } else {
            station
                .store
                .create_booking(&walk_in(&args.school, seed), &session)?
        };
        let shot = match kept_shot.take() {
            Some(shot) => shot,
            None => shoot(&mut pipeline, seed)?,
        };
        // Each student's file differs (a JPEG comment naming the booking), as real photos do.
        let jpeg = if args.roster || args.booking.is_some() {
            with_comment(&shot.jpeg, &booking_id)
        } else {
            shot.jpeg.clone()
        };
        let saved_capture = crate::station::capture::save(
            &mut station.store,
            Reach::of(link.as_ref()),
            &photos,
            NewCapture {
                booking_id: &booking_id,
                jpeg: &jpeg,
                original_jpeg: Some(&shot.original),
                spec_report: shot.report.clone(),
                spec_ok: shot.ok,
                overridden: false,
                session: &session,
            },
        );
        let record = match saved_capture {
            Ok(record) => record,
            Err(StationError::HeldElsewhere(held)) => {
                writeln!(stdout, "held {booking_id} {}", held.station)?;
                queue.held_elsewhere(&booking_id);
                kept_shot = Some(shot);
                continue;
            }
            // The pull brought another booth's photo between the pick and the save.
            Err(_) if !still_booked(&station.store, &booking_id) => continue,
            Err(error) => return Err(error.into()),
        };
        if args.shot_once || args.roster || args.booking.is_some() {
            kept_shot = Some(shot);
        }
        writeln!(stdout, "saved {booking_id} {} {}", record.id, record.sha256)?;
        stdout.flush()?;
        saved += 1;
        last_save = std::time::Instant::now();
    }
    Ok(())
}

fn still_booked(store: &Store, booking_id: &str) -> bool {
    store
        .booking(booking_id)
        .is_ok_and(|booking| booking.status() == Some(BookingStatus::Booked))
}

/// How many drawn students the loop tries for one accepted shot: the mesh reads the drawn
/// face's turn from its skin grain, and about one seed in 900 reads it just past 8°
/// (`head_turned` −8.12 for seed 5134015402), as a real student may turn; the booth then
/// shoots again, and so does the loop.
const SHOTS_PER_STUDENT: u64 = 5;

fn shoot(pipeline: &mut PortraitPipeline, seed: u64) -> Result<Shot> {
    let mut last_failure = None;
    for retake in 0..SHOTS_PER_STUDENT {
        let scene = drawn_student(seed.wrapping_add(retake.wrapping_mul(7_919)));
        let frame = render_student_frame(&scene, 1280, 720);
        match pipeline.process(&frame) {
            Ok(portrait) if portrait.report.ok => return shot_of(&frame, portrait),
            Ok(portrait) => last_failure = Some(format!("{:?}", failed_rules(&portrait.report))),
            Err(report) => last_failure = Some(format!("{:?}", report.error)),
        }
    }
    anyhow::bail!(
        "the drawn student failed {SHOTS_PER_STUDENT} shots: {}",
        last_failure.unwrap_or_default()
    )
}

/// The student the loop draws for `seed`, placed a little off centre by it.
fn drawn_student(seed: u64) -> StudentScene {
    StudentScene {
        backdrop: PortraitSettings::default().backdrop.rgb(),
        offset: ((seed % 7) as f32 - 3.0) * 0.01,
        seed,
    }
}

fn failed_rules(report: &crate::portrait::pipeline::PortraitReport) -> Vec<&'static str> {
    report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.rule)
        .collect()
}

fn shot_of(frame: &image::RgbImage, portrait: crate::portrait::pipeline::Portrait) -> Result<Shot> {
    Ok(Shot {
        original: crate::portrait::encode::encode_jpeg(frame, 90)?,
        report: serde_json::to_value(&portrait.report)?,
        ok: portrait.report.ok,
        jpeg: portrait.jpeg,
    })
}

/// The JPEG with a comment segment (`FF FE`) right after its start marker.
fn with_comment(jpeg: &[u8], comment: &str) -> Vec<u8> {
    let text = comment.as_bytes();
    let length = (text.len() + 2).min(u16::MAX as usize) as u16;
    let mut out = Vec::with_capacity(jpeg.len() + text.len() + 4);
    out.extend_from_slice(&jpeg[..2.min(jpeg.len())]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&text[..length as usize - 2]);
    out.extend_from_slice(&jpeg[2.min(jpeg.len())..]);
    out
}

fn walk_in(school: &str, seed: u64) -> NewBooking {
    NewBooking {
        student_no: Some(format!("S{seed}")),
        ..NewBooking::walk_in(format!("压测{seed}"), school)
    }
}

/// The bookings still to photograph, in this booth's own order. Refilled from the store when it
/// runs dry, so that bookings the pull brought in are photographed too; done when the store has
/// none waiting. A booking another booth holds is passed over until the pull says what became of
/// it.
struct RosterQueue {
    school: String,
    only: Option<String>,
    only_done: bool,
    seed: u64,
    pending: Vec<String>,
    held: std::collections::HashSet<String>,
    rounds: u64,
}

/// How long a booth whose every waiting student is held elsewhere waits before asking again.
const ALL_HELD_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

impl RosterQueue {
    fn new(args: &SoakArgs) -> Self {
        Self {
            school: args.school.clone(),
            only: args.booking.clone(),
            only_done: false,
            seed: args.seed,
            pending: Vec::new(),
            held: Default::default(),
            rounds: 0,
        }
    }

    fn held_elsewhere(&mut self, booking_id: &str) {
        self.held.insert(booking_id.to_string());
    }

    fn next(&mut self, store: &Store) -> Result<Option<String>> {
        if let Some(only) = &self.only {
            if std::mem::replace(&mut self.only_done, true) {
                return Ok(None);
            }
            let booking = store
                .booking(only)
                .or_else(|_| store.booking_by_order_no(only))
                .with_context(|| format!("no booking {only}"))?;
            // Asked for one student who is not waiting for a photo: say so, never end silently.
            if !still_booked(store, &booking.booking_id) {
                let status = booking.status().map_or("?", |status| status.label_zh());
                anyhow::bail!(
                    "预约 {only} 不在待拍状态（{status}），未拍摄 / booking {only} is not waiting for a photo ({status}): nothing was shot"
                );
            }
            return Ok(Some(booking.booking_id));
        }
        loop {
            while let Some(id) = self.pending.pop() {
                if !self.held.contains(&id) && still_booked(store, &id) {
                    return Ok(Some(id));
                }
            }
            let mut waiting = store.bookings_waiting(&self.school)?;
            if waiting.is_empty() {
                return Ok(None);
            }
            if waiting.iter().all(|id| self.held.contains(id)) {
                std::thread::sleep(ALL_HELD_PAUSE);
            }
            self.held.clear();
            fastrand::Rng::with_seed(self.seed.wrapping_add(self.rounds)).shuffle(&mut waiting);
            self.rounds += 1;
            self.pending = waiting;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_student_read_as_turned_is_shot_again() {
        let mut pipeline = PortraitPipeline::new(PortraitSettings::default()).unwrap();
        // This seed's drawn student reads `head_turned` −8.12: the loop's first shot fails.
        let seed = 5_134_015_402;
        let first = pipeline.process(&render_student_frame(&drawn_student(seed), 1280, 720));
        assert!(first.is_ok_and(|portrait| !portrait.report.ok));
        let shot = shoot(&mut pipeline, seed).unwrap();
        assert!(shot.ok && !shot.jpeg.is_empty());
    }
}
