//! When the live scanner looks and how hard. While a code is in view, or was read lately, every
//! frame gets the thorough look; otherwise every other frame gets the quick one, and after
//! each look the scanner rests in proportion to it, so that an idle booth costs a quarter of a
//! core whatever the scene behind the counter. And when a code is in view but does not read for
//! a second, what to tell the operator. Pure: the worker and the clip benchmark share it.

use std::time::{Duration, Instant};

use super::decode::{Effort, FrameCodes, UnreadCode, UnreadTrouble};
use super::locate::Patch;

/// While nothing is in view, every this many looks is thorough; the rest, quick. The idle cost
/// stays the same, since the rest after a look is in proportion to it. Once a code is seen,
/// every look is thorough: a far code that only the thorough look reads shows in a few frames of
/// a hand's wobble (middle band student 21: frames 11 and 13 of the first 30), and alternating
/// looks can fall on the others each time.
const THOROUGH_EVERY: u64 = 2;

/// The share of one core an idle scanner may use (the booth's promise is ≤ 30% at 30 fps; the
/// rest of the margin is the grey conversion and the hub).
const IDLE_DUTY: f64 = 0.25;

/// The longest idle rest, so that a code shown after a slow look is still looked at within a
/// quarter of a second.
const MAX_IDLE_REST: Duration = Duration::from_millis(250);

/// How long after a code was read or seen the scanner stays at full rate: the student may show
/// it again, or the next student may already be holding theirs up.
const ACTIVE_AFTER_READ: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct LookPacing {
    code_in_view: bool,
    looks: u64,
    last_code_at: Option<Instant>,
}

/// How long a code must be in view, unread, before the operator is told what to fix.
const HINT_AFTER: Duration = Duration::from_secs(1);
/// A gap in sightings longer than this starts the watch again: the phone went away.
const SIGHTING_GAP: Duration = Duration::from_millis(500);
/// How far a code must have moved, in frame pixels, to count as held in a hand. Texture on a
/// wall can pass for a code on a screen; it stays put, where a hand sways by a dozen pixels or
/// more in a second. Not less: a block of texture at a patch's edge that comes and goes with the
/// sensor's noise moves the centre of a still pattern by up to about 5 px (1 of 18 still
/// scenes that passed for a code).
const HAND_MOVES_PX: f32 = 8.0;

/// Watches codes seen but not read and decides when the operator screen should say why.
#[derive(Debug, Default)]
pub struct UnreadWatch {
    since: Option<Instant>,
    last_seen: Option<Instant>,
    first_centre: (f32, f32),
    moved: bool,
    trouble: Option<UnreadTrouble>,
    shown: Option<UnreadTrouble>,
}

impl UnreadWatch {
    /// Records one look at `at`; returns the hint to show when it changed (`Some(None)`: clear).
    pub fn observe(
        &mut self,
        read: bool,
        unread: Option<UnreadCode>,
        at: Instant,
    ) -> Option<Option<UnreadTrouble>> {
        let lost = self
            .last_seen
            .is_none_or(|seen| at.saturating_duration_since(seen) > SIGHTING_GAP);
        if read {
            *self = Self {
                shown: self.shown,
                ..Self::default()
            };
        } else if let Some(code) = unread {
            if lost {
                self.since = Some(at);
                self.first_centre = code.centre;
                self.moved = false;
            }
            let (dx, dy) = (
                code.centre.0 - self.first_centre.0,
                code.centre.1 - self.first_centre.1,
            );
            self.moved |= dx.hypot(dy) >= HAND_MOVES_PX;
            self.last_seen = Some(at);
            self.trouble = Some(code.trouble);
        } else if lost {
            self.since = None;
        }
        let hint = self
            .since
            .filter(|since| self.moved && at.saturating_duration_since(*since) >= HINT_AFTER)
            .and(self.trouble);
        (hint != self.shown).then(|| {
            self.shown = hint;
            hint
        })
    }

    /// Whether an unread code that moves as a hand does was seen within the last sighting gap.
    pub fn moving_code_in_view(&self, at: Instant) -> bool {
        self.moved && self.code_in_view(at)
    }

    /// Whether an unread code, moving or not, was seen within the last sighting gap.
    pub fn code_in_view(&self, at: Instant) -> bool {
        self.last_seen
            .is_some_and(|seen| at.saturating_duration_since(seen) <= SIGHTING_GAP)
    }
}

impl LookPacing {
    /// The effort for the look about to start at `at`.
    pub fn next_effort(&mut self, at: Instant) -> Effort {
        self.looks += 1;
        if self.code_in_view || self.active(at) || self.looks % THOROUGH_EVERY == 1 {
            Effort::Thorough
        } else {
            Effort::Quick
        }
    }

    /// Records what a look at `at` found; returns the new in-view state when it changed.
    pub fn observed(&mut self, code_read: bool, at: Instant) -> Option<bool> {
        if code_read {
            self.last_code_at = Some(at);
        }
        (code_read != self.code_in_view).then(|| {
            self.code_in_view = code_read;
            code_read
        })
    }

    /// Whether a code was read, or seen in a hand, lately: someone is at the counter.
    fn active(&self, at: Instant) -> bool {
        self.last_code_at
            .is_some_and(|code_at| at.saturating_duration_since(code_at) < ACTIVE_AFTER_READ)
    }

    /// Notes a code in a hand, seen but not read, at `at`: someone is at the counter, so no
    /// resting.
    pub fn noticed_code(&mut self, at: Instant) {
        self.last_code_at = Some(at);
    }

    /// How long to rest after a look that began at `started` and took `spent`: nothing while a
    /// code is in view or was read or seen lately, otherwise enough to hold the idle duty.
    pub fn rest_after(&self, spent: Duration, started: Instant) -> Duration {
        if self.code_in_view || self.active(started) {
            return Duration::ZERO;
        }
        spent
            .mul_f64((1.0 - IDLE_DUTY) / IDLE_DUTY)
            .min(MAX_IDLE_REST)
    }
}

/// What one look changed, for the operator screen.
#[derive(Debug, Default, PartialEq)]
pub struct LookChanges {
    /// Whether a code is read now, when that changed.
    pub in_view: Option<bool>,
    /// The hint to show, when it changed (`Some(None)`: clear it).
    pub hint: Option<Option<UnreadTrouble>>,
}

/// The live loop between looks: the pacing and the unread-code watch, fed by the same looks.
/// The worker and the clip benchmark both drive it.
#[derive(Debug, Default)]
pub struct LiveLooks {
    pacing: LookPacing,
    watch: UnreadWatch,
    /// The patch the last read was in, and when.
    read_in: Option<(Patch, Instant)>,
}

impl LiveLooks {
    /// The effort for the look about to start at `at`. While an unread code is in view, moving
    /// or not yet, every look is thorough: the frames it reads in can be few (see
    /// [`THOROUGH_EVERY`]). A still pattern behind an idle booth costs no more for it, as the
    /// rest after a look is in proportion to the look.
    pub fn next_effort(&mut self, at: Instant) -> Effort {
        let effort = self.pacing.next_effort(at);
        if self.watch.code_in_view(at) {
            Effort::Thorough
        } else {
            effort
        }
    }

    /// Where the look at `at` should start: the patch the last read was in, unless that was
    /// longer ago than a sighting gap (the phone went away).
    pub fn read_in(&self, at: Instant) -> Option<Patch> {
        self.read_in
            .filter(|(_, read)| at.saturating_duration_since(*read) <= SIGHTING_GAP)
            .map(|(patch, _)| patch)
    }

    /// Records what the look at `at` found.
    pub fn record(&mut self, found: &FrameCodes, at: Instant) -> LookChanges {
        let read = !found.codes.is_empty();
        if let Some(patch) = found.read_in {
            self.read_in = Some((patch, at));
        }
        let in_view = self.pacing.observed(read, at);
        let hint = self.watch.observe(read, found.unread_code, at);
        // Only a code in a hand keeps the scanner at full rate: a still pattern behind an idle
        // booth that passes for a code would otherwise cost a core all day.
        if self.watch.moving_code_in_view(at) {
            self.pacing.noticed_code(at);
        }
        LookChanges { in_view, hint }
    }

    pub fn rest_after(&self, spent: Duration, started: Instant) -> Duration {
        self.pacing.rest_after(spent, started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_looks_are_half_quick_and_rest_three_times_as_long_as_they_took() {
        let mut pacing = LookPacing::default();
        let start = Instant::now();
        let efforts: Vec<Effort> = (0..8).map(|_| pacing.next_effort(start)).collect();
        assert_eq!(
            efforts.iter().filter(|e| **e == Effort::Thorough).count(),
            4
        );
        assert_eq!(
            pacing.rest_after(Duration::from_millis(10), start),
            Duration::from_millis(30)
        );
        assert_eq!(
            pacing.rest_after(Duration::from_millis(400), start),
            MAX_IDLE_REST
        );
    }

    #[test]
    fn a_read_keeps_every_look_thorough_and_unrested_for_a_while() {
        let mut pacing = LookPacing::default();
        let start = Instant::now();
        assert_eq!(pacing.observed(true, start), Some(true));
        assert_eq!(pacing.observed(true, start), None);
        assert!((0..4).all(|_| pacing.next_effort(start) == Effort::Thorough));
        assert_eq!(
            pacing.rest_after(Duration::from_millis(40), start),
            Duration::ZERO
        );
        let later = start + Duration::from_secs(1);
        assert_eq!(pacing.observed(false, later), Some(false));
        assert_eq!(
            pacing.rest_after(Duration::from_millis(40), later),
            Duration::ZERO
        );
        let idle_again = start + ACTIVE_AFTER_READ;
        assert_eq!(
            pacing.rest_after(Duration::from_millis(40), idle_again),
            Duration::from_millis(120)
        );
    }

    fn unread(x: f32, trouble: UnreadTrouble) -> Option<UnreadCode> {
        Some(UnreadCode {
            trouble,
            centre: (x, 300.0),
        })
    }

    #[test]
    fn a_moving_unread_code_is_hinted_after_a_second_and_cleared_by_a_read() {
        let mut watch = UnreadWatch::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let small = UnreadTrouble::TooSmall;
        assert_eq!(watch.observe(false, unread(100.0, small), at(0)), None);
        assert_eq!(watch.observe(false, unread(109.0, small), at(500)), None);
        // A look that does not see the code does not end the watch.
        assert_eq!(watch.observe(false, None, at(800)), None);
        assert_eq!(
            watch.observe(false, unread(101.0, small), at(1000)),
            Some(Some(small))
        );
        assert_eq!(watch.observe(false, unread(102.0, small), at(1100)), None);
        let bright = UnreadTrouble::Overexposed;
        assert_eq!(
            watch.observe(false, unread(102.0, bright), at(1200)),
            Some(Some(bright))
        );
        assert_eq!(watch.observe(true, None, at(1300)), Some(None));
        assert_eq!(watch.observe(false, unread(102.0, small), at(1400)), None);
    }

    #[test]
    fn a_still_pattern_or_a_phone_that_went_away_is_never_hinted() {
        let mut watch = UnreadWatch::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let small = UnreadTrouble::TooSmall;
        for ms in (0..3000).step_by(100) {
            // A still pattern's centre wanders by a few pixels as blocks at its edge come and go.
            let wander = if ms % 300 == 0 { 5.0 } else { 0.2 };
            assert_eq!(
                watch.observe(false, unread(100.0 + wander, small), at(ms)),
                None
            );
            assert!(!watch.moving_code_in_view(at(ms)));
        }
        let mut watch = UnreadWatch::default();
        assert_eq!(watch.observe(false, unread(100.0, small), at(0)), None);
        assert!(!watch.moving_code_in_view(at(0)));
        assert_eq!(watch.observe(false, unread(110.0, small), at(400)), None);
        assert!(watch.moving_code_in_view(at(400)));
        assert_eq!(watch.observe(false, None, at(1000)), None);
        assert!(!watch.moving_code_in_view(at(1000)));
        assert_eq!(watch.observe(false, unread(120.0, small), at(1100)), None);
        assert!(
            !watch.moving_code_in_view(at(1100)),
            "a new sighting has not moved yet"
        );
    }

    #[test]
    fn the_next_look_starts_where_the_last_code_was_read_until_the_phone_is_gone() {
        use crate::scan::locate::Region;
        let start = Instant::now();
        let region = Region {
            x: 100,
            y: 200,
            width: 120,
            height: 120,
        };
        let patch = Patch {
            region,
            core: region,
            block: 12,
        };
        let mut looks = LiveLooks::default();
        assert_eq!(looks.read_in(start), None);
        looks.record(
            &FrameCodes {
                codes: vec!["CODE".to_string()],
                read_in: Some(patch),
                ..FrameCodes::default()
            },
            start,
        );
        // A look that finds nothing leaves the last place standing, for a while.
        let later = start + SIGHTING_GAP;
        looks.record(&FrameCodes::default(), later);
        assert_eq!(looks.read_in(later), Some(patch));
        assert_eq!(looks.read_in(later + Duration::from_millis(1)), None);
    }

    #[test]
    fn only_an_unread_code_in_a_hand_keeps_the_scanner_from_resting() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let look = Duration::from_millis(10);
        let seen_at = |x: f32| FrameCodes {
            unread_code: unread(x, UnreadTrouble::TooSmall),
            ..FrameCodes::default()
        };
        let mut looks = LiveLooks::default();
        for ms in [0, 100, 200] {
            looks.record(&seen_at(100.0), at(ms));
        }
        assert!(looks.rest_after(look, at(200)) > Duration::ZERO);
        // A code in view, still so far, is looked at thoroughly all the same.
        assert!((0..4).all(|_| looks.next_effort(at(200)) == Effort::Thorough));
        let gone = at(200) + SIGHTING_GAP + Duration::from_millis(1);
        let efforts: Vec<Effort> = (0..4).map(|_| looks.next_effort(gone)).collect();
        assert!(efforts.contains(&Effort::Quick), "{efforts:?}");
        looks.record(&seen_at(112.0), at(300));
        assert_eq!(looks.rest_after(look, at(300)), Duration::ZERO);
        // Someone holds a code up: every frame is looked at thoroughly.
        assert!((0..4).all(|_| looks.next_effort(at(300)) == Effort::Thorough));
    }
}
