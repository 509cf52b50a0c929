//! One scan per student: the same payload in consecutive frames counts once, and counts again
//! only after it has been out of view for a while (the next student with the same phone would be
//! odd, but a student who steps back and shows the code again is not), or after a reset.

use std::time::{Duration, Instant};

/// How long a code must be out of view before showing it again counts as a new scan.
pub const DEFAULT_LEAVE_GAP: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone)]
pub struct Debouncer {
    leave_gap: Duration,
    current: Option<String>,
    last_seen: Option<Instant>,
}

impl Debouncer {
    pub fn new(leave_gap: Duration) -> Self {
        Self {
            leave_gap,
            current: None,
            last_seen: None,
        }
    }

    /// Feeds one frame's payloads (taken at `at`); returns the payload to report, if any.
    pub fn observe(&mut self, codes: &[String], at: Instant) -> Option<String> {
        let code = codes.first()?;
        let left_view = self
            .last_seen
            .is_none_or(|seen| at.saturating_duration_since(seen) >= self.leave_gap);
        let is_new = self.current.as_deref() != Some(code.as_str()) || left_view;
        self.current = Some(code.clone());
        self.last_seen = Some(at);
        is_new.then(|| code.clone())
    }

    /// Forgets the current code, so that it counts again when next seen.
    pub fn reset(&mut self) {
        self.current = None;
        self.last_seen = None;
    }
}

impl Default for Debouncer {
    fn default() -> Self {
        Self::new(DEFAULT_LEAVE_GAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(code: &str) -> Vec<String> {
        vec![code.to_string()]
    }

    #[test]
    fn consecutive_frames_count_once() {
        let start = Instant::now();
        let mut debouncer = Debouncer::default();
        let ms = |n: u64| start + Duration::from_millis(n);
        assert_eq!(debouncer.observe(&codes("A"), ms(0)), Some("A".into()));
        for n in 1..30 {
            assert_eq!(debouncer.observe(&codes("A"), ms(n * 33)), None);
        }
        // Missed frames shorter than the gap do not re-trigger.
        assert_eq!(debouncer.observe(&[], ms(1100)), None);
        assert_eq!(debouncer.observe(&codes("A"), ms(1200)), None);
    }

    #[test]
    fn a_new_code_or_a_return_after_the_gap_counts_again() {
        let start = Instant::now();
        let mut debouncer = Debouncer::default();
        let ms = |n: u64| start + Duration::from_millis(n);
        debouncer.observe(&codes("A"), ms(0));
        assert_eq!(debouncer.observe(&codes("B"), ms(40)), Some("B".into()));
        assert_eq!(debouncer.observe(&codes("B"), ms(1600)), Some("B".into()));
    }

    #[test]
    fn reset_makes_the_same_code_count_again() {
        let start = Instant::now();
        let mut debouncer = Debouncer::default();
        debouncer.observe(&codes("A"), start);
        debouncer.reset();
        assert_eq!(
            debouncer.observe(&codes("A"), start + Duration::from_millis(10)),
            Some("A".into())
        );
    }
}
