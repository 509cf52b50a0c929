//! Telling a USB keyboard-wedge scanner from a person typing. A scanner types the whole code in a
//! burst (a few ms per key) and ends with Enter; a person types slower. Keys typed while no field
//! has focus are collected here: a fast burst ending in Enter is a scan, anything slower becomes
//! a search.

/// Longest gap between keys of one scanner burst. Wedge scanners send a key every 1–20 ms;
/// the fastest typists need about 60 ms.
pub const BURST_GAP_SECONDS: f64 = 0.035;
/// Shortest code a burst may carry; shorter bursts are key chatter.
pub const MIN_BURST_CHARS: usize = 4;
/// After this long without a key, collected text is handed to the search box.
pub const HAND_TO_SEARCH_SECONDS: f64 = 0.15;

#[derive(Debug, Default)]
pub struct WedgeDetector {
    text: String,
    first_at: f64,
    last_at: f64,
    slowest_gap: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Still collecting.
    Nothing,
    /// A scanner burst: the code.
    Scan(String),
    /// A person typing: open the search with this text.
    Search(String),
    /// Enter with nothing collected: the operator's "accept".
    PlainEnter,
}

impl WedgeDetector {
    /// A character typed at `time` (seconds) while no text field had focus.
    pub fn text(&mut self, text: &str, time: f64) {
        if self.text.is_empty() {
            self.first_at = time;
            self.slowest_gap = 0.0;
        } else {
            self.slowest_gap = self.slowest_gap.max(time - self.last_at);
        }
        self.text.push_str(text);
        self.last_at = time;
    }

    /// Enter pressed at `time`.
    pub fn enter(&mut self, time: f64) -> Typed {
        if self.text.is_empty() {
            return Typed::PlainEnter;
        }
        let gap = self.slowest_gap.max(time - self.last_at);
        let text = std::mem::take(&mut self.text);
        if gap <= BURST_GAP_SECONDS && text.chars().count() >= MIN_BURST_CHARS {
            Typed::Scan(text)
        } else {
            Typed::Search(text)
        }
    }

    /// Called every frame: hands slow typing to the search box once the typist pauses.
    pub fn idle(&mut self, time: f64) -> Typed {
        if !self.text.is_empty()
            && (time - self.last_at > HAND_TO_SEARCH_SECONDS
                || self.slowest_gap > BURST_GAP_SECONDS)
        {
            return Typed::Search(std::mem::take(&mut self.text));
        }
        Typed::Nothing
    }

    pub fn is_collecting(&self) -> bool {
        !self.text.is_empty()
    }

    /// How long the collection has been going, for tests and logs.
    pub fn span(&self) -> f64 {
        self.last_at - self.first_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_scan() {
        let mut keys = WedgeDetector::default();
        for (i, c) in "CSDEMO-0001".chars().enumerate() {
            keys.text(&c.to_string(), 10.0 + i as f64 * 0.008);
            assert_eq!(keys.idle(10.0 + i as f64 * 0.008), Typed::Nothing);
        }
        assert_eq!(keys.enter(10.1), Typed::Scan("CSDEMO-0001".to_string()));
        assert!(!keys.is_collecting());
    }

    #[test]
    fn slow_typing_becomes_a_search() {
        let mut keys = WedgeDetector::default();
        keys.text("张", 1.0);
        keys.text("三", 1.2);
        assert_eq!(keys.idle(1.21), Typed::Search("张三".to_string()));
        keys.text("1", 2.0);
        keys.text("2", 2.1);
        keys.text("3", 2.2);
        keys.text("4", 2.3);
        assert_eq!(keys.enter(2.31), Typed::Search("1234".to_string()));
    }

    #[test]
    fn enter_alone_accepts_and_short_bursts_are_not_scans() {
        let mut keys = WedgeDetector::default();
        assert_eq!(keys.enter(0.0), Typed::PlainEnter);
        keys.text("ab", 1.0);
        assert_eq!(keys.enter(1.001), Typed::Search("ab".to_string()));
    }
}
