//! The frame hub: holds only the newest frame. Publishing replaces it (a frame nobody read in
//! time is dropped), and readers get a cheap clone of the `Arc`, so the camera thread never waits
//! for a consumer and a full frame is never copied to hand it on.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use image::RgbImage;

use super::Frame;

#[derive(Debug, Default)]
struct Slot {
    latest: Option<Frame>,
    published: u64,
    last_published_at: Option<Instant>,
}

/// Cloning a hub gives another handle to the same slot.
#[derive(Debug, Clone, Default)]
pub struct FrameHub {
    inner: Arc<(Mutex<Slot>, Condvar)>,
}

impl FrameHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the newest frame and wakes waiting readers. Returns its sequence number.
    pub fn publish(&self, image: RgbImage) -> u64 {
        let (lock, ready) = &*self.inner;
        let mut slot = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.published += 1;
        let now = Instant::now();
        slot.latest = Some(Frame {
            image: Arc::new(image),
            captured_at: now,
            sequence: slot.published,
        });
        slot.last_published_at = Some(now);
        ready.notify_all();
        slot.published
    }

    /// The newest frame, if any.
    pub fn latest(&self) -> Option<Frame> {
        let (lock, _) = &*self.inner;
        lock.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .latest
            .clone()
    }

    /// Waits up to `timeout` for a frame newer than `after` (a sequence number; 0 for any).
    pub fn wait_newer(&self, after: u64, timeout: Duration) -> Option<Frame> {
        let (lock, ready) = &*self.inner;
        let slot = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (slot, _) = ready
            .wait_timeout_while(slot, timeout, |slot| slot.published <= after)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.latest.clone().filter(|frame| frame.sequence > after)
    }

    /// When the last frame arrived: the camera watchdog's input.
    pub fn last_published_at(&self) -> Option<Instant> {
        let (lock, _) = &*self.inner;
        lock.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .last_published_at
    }

    /// Frames published so far.
    pub fn published(&self) -> u64 {
        let (lock, _) = &*self.inner;
        lock.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .published
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_only_the_newest_frame_without_copies() {
        let hub = FrameHub::new();
        assert!(hub.latest().is_none());
        hub.publish(RgbImage::new(2, 2));
        hub.publish(RgbImage::new(3, 3));
        let frame = hub.latest().unwrap();
        assert_eq!((frame.sequence, frame.image.width()), (2, 3));
        let again = hub.latest().unwrap();
        assert!(
            Arc::ptr_eq(&frame.image, &again.image),
            "shared, not copied"
        );
    }

    #[test]
    fn waiting_returns_a_newer_frame_or_times_out() {
        let hub = FrameHub::new();
        assert!(hub.wait_newer(0, Duration::from_millis(1)).is_none());
        let publisher = hub.clone();
        let thread = std::thread::spawn(move || publisher.publish(RgbImage::new(1, 1)));
        let frame = hub
            .wait_newer(0, Duration::from_secs(10))
            .expect("frame arrives");
        assert_eq!(frame.sequence, 1);
        thread.join().unwrap();
        assert!(hub.wait_newer(1, Duration::from_millis(1)).is_none());
    }
}
