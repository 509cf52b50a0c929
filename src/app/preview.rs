//! The live preview's thread: takes each new frame from the hub, scales it to preview size, and
//! leaves it for the UI to upload, so that the UI thread never scales a 1080p frame or waits for
//! the camera. It also measures the camera's frame rate.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fast_image_resize::images::Image;
use fast_image_resize::{PixelType, ResizeOptions, Resizer};

use crate::camera::FrameHub;

/// Preview width in pixels; the panel scales it to fit, and more would cost upload time only.
const PREVIEW_WIDTH: u32 = 960;

/// The newest scaled frame, RGB, with its size and the camera frame it came from.
pub struct PreviewFrame {
    pub sequence: u64,
    pub size: [usize; 2],
    pub rgb: Vec<u8>,
    /// The full frame's size, to place the crop guide in source pixels.
    pub source_size: [u32; 2],
}

#[derive(Default)]
pub struct PreviewSlot {
    pub frame: Option<PreviewFrame>,
    pub fps: f32,
}

pub type SharedPreview = Arc<Mutex<PreviewSlot>>;

pub struct PreviewHandle {
    pub slot: SharedPreview,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for PreviewHandle {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

pub fn spawn_preview(hub: FrameHub, wake: Box<dyn Fn() + Send>) -> std::io::Result<PreviewHandle> {
    let slot: SharedPreview = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (worker_slot, worker_stop) = (Arc::clone(&slot), Arc::clone(&stop));
    std::thread::Builder::new()
        .name("preview".to_string())
        .spawn(move || {
            let mut resizer = Resizer::new();
            let mut last = 0;
            let mut rate = RateMeter::default();
            while !worker_stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Some(frame) = hub.wait_newer(last, Duration::from_millis(200)) else {
                    continue;
                };
                last = frame.sequence;
                // A panic on one frame is logged and that frame skipped: the preview goes on
                // with the next, rather than freezing with no word.
                let shown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let per_second = rate.tick();
                    let scaled = scale(&mut resizer, &frame.image);
                    let mut slot = worker_slot.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(per_second) = per_second {
                        slot.fps = per_second;
                    }
                    if let Some((size, rgb)) = scaled {
                        slot.frame = Some(PreviewFrame {
                            sequence: frame.sequence,
                            size,
                            rgb,
                            source_size: [frame.image.width(), frame.image.height()],
                        });
                    }
                    drop(slot);
                    wake();
                }));
                if shown.is_err() {
                    tracing::error!("the preview panicked on a frame; it goes on");
                    resizer = Resizer::new();
                }
            }
        })?;
    Ok(PreviewHandle { slot, stop })
}

/// Counts events and says, about once a second, how many came per second.
#[derive(Debug)]
pub struct RateMeter {
    window_start: Instant,
    in_window: u32,
}

impl Default for RateMeter {
    fn default() -> Self {
        Self {
            window_start: Instant::now(),
            in_window: 0,
        }
    }
}

impl RateMeter {
    /// Counts one event; when a second or more has passed since the last answer, the rate.
    pub fn tick(&mut self) -> Option<f32> {
        self.in_window += 1;
        let elapsed = self.window_start.elapsed().as_secs_f32();
        if elapsed < 1.0 {
            return None;
        }
        let rate = self.in_window as f32 / elapsed;
        self.window_start = Instant::now();
        self.in_window = 0;
        Some(rate)
    }
}

fn scale(resizer: &mut Resizer, image: &image::RgbImage) -> Option<([usize; 2], Vec<u8>)> {
    let (w, h) = image.dimensions();
    if w <= PREVIEW_WIDTH {
        return Some(([w as usize, h as usize], image.as_raw().clone()));
    }
    let out_h = (h as u64 * PREVIEW_WIDTH as u64 / w as u64).max(1) as u32;
    let mut out = Image::new(PREVIEW_WIDTH, out_h, PixelType::U8x3);
    resizer
        .resize(
            image,
            &mut out,
            &ResizeOptions::new().resize_alg(fast_image_resize::ResizeAlg::Convolution(
                fast_image_resize::FilterType::Bilinear,
            )),
        )
        .ok()?;
    Some(([PREVIEW_WIDTH as usize, out_h as usize], out.into_vec()))
}
