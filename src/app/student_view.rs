//! What the student's screen shows, worked out from the booth's state on every frame. Nothing is
//! kept for it: when the operator's card changes, the student's screen changes in the same frame,
//! so it can never hold on to the previous student. It shows only the card's own student, and of
//! the record only what the student must check (the ID number all but its last four hidden).

use std::time::{Duration, Instant};

use image::RgbImage;

use super::state::{AppState, CardState, ShotState};
use crate::portrait::pipeline::Guidance;

/// The 3-2-1 before the shot.
pub const COUNTDOWN: Duration = Duration::from_secs(3);
/// The student's window when it is a window of its own (not full screen).
pub const WINDOW_SIZE: [f32; 2] = [960.0, 540.0];

#[derive(Debug)]
pub enum StudentView<'a> {
    /// No student at the counter: how to show the capture code.
    Waiting,
    /// A code is being looked up, or staff are booking the student: nothing personal yet.
    PleaseWait,
    /// The student's record to check, and the framing view when the student may be shot.
    Record(StudentRecord<'a>),
    /// Seconds left before the shot, over the framing view.
    Countdown(u64),
    Processing,
    /// The photo just taken, for the student to approve by telling the operator.
    Result {
        shot_id: u64,
        photo: &'a RgbImage,
    },
    /// Saved: thanks, and nothing personal left on the screen for the next in the queue.
    Thanks,
}

#[derive(Debug)]
pub struct StudentRecord<'a> {
    pub name: &'a str,
    pub school: &'a str,
    pub department: Option<&'a str>,
    pub major: Option<&'a str>,
    pub level: Option<&'a str>,
    /// Every character hidden but the last four.
    pub masked_id: Option<String>,
    /// The student said the record is wrong and it is not corrected yet.
    pub disputed: bool,
    /// The student may be shot now: show the live framing view and the pose advice.
    pub framing: bool,
    pub guidance: Option<&'a Guidance>,
}

/// The student's screen for the booth's state at `now`.
pub fn student_view(state: &AppState, now: Instant) -> StudentView<'_> {
    if state.session.is_none() {
        return StudentView::Waiting;
    }
    if let Some(started) = state.operator.countdown_started {
        let left = COUNTDOWN.saturating_sub(now.saturating_duration_since(started));
        return StudentView::Countdown(left.as_secs_f64().ceil().max(1.0) as u64);
    }
    let card = match &state.operator.card {
        CardState::Empty => return StudentView::Waiting,
        CardState::Looking(_) | CardState::Unknown(_) => return StudentView::PleaseWait,
        CardState::Found(card) => card,
    };
    match &state.operator.shot {
        ShotState::Processing { .. } => return StudentView::Processing,
        ShotState::Ready { shot_id, image, .. } => {
            return StudentView::Result {
                shot_id: *shot_id,
                photo: image,
            };
        }
        ShotState::Saved { .. } => return StudentView::Thanks,
        // A failed shot goes back to the framing view, where the advice says what to fix.
        ShotState::None | ShotState::Failed { .. } => {}
    }
    let student = &card.booking.student;
    StudentView::Record(StudentRecord {
        name: &student.name,
        school: &student.school,
        department: student.department.as_deref(),
        major: student.major.as_deref(),
        level: student.level.as_deref(),
        masked_id: student
            .id_number
            .as_deref()
            .map(crate::domain::id_number::mask_all_but_last_four),
        disputed: card.booking.details_disputed,
        framing: card.shoot_block().is_none(),
        guidance: state
            .operator
            .guidance
            .as_ref()
            .filter(|guidance| guidance.face_found),
    })
}
