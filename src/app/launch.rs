//! Starting the booth window: choose demo or real mode, open the window at once (the store and
//! camera open on their own threads), and hand over to eframe.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::{AppSetup, CameraChoice, StationApp, demo};
use crate::camera::SourceSpec;
use crate::config::{self, StationConfig};

/// How the window was asked to start.
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    pub force_demo: bool,
    pub forbid_demo: bool,
    pub camera: Option<SourceSpec>,
    pub startup_probe: bool,
    pub screenshot_dir: Option<PathBuf>,
    /// The window's size for screenshots; the default fits a 1366×768 booth laptop.
    pub window_size: Option<[f32; 2]>,
    /// The screenshots are of the student's screen, in each of its states.
    pub student_screenshots: bool,
    /// The screenshots are of the first-run guide, on a fresh throwaway folder.
    pub first_run_screenshots: bool,
}

/// Booth laptops are often 1366×768; the window fits that by default.
pub const DEFAULT_WINDOW: [f32; 2] = [1366.0, 768.0];

/// Demo mode when asked, or when nothing real is there: no webcam and an empty real store.
pub fn choose_demo(
    options: &LaunchOptions,
    real: &StationConfig,
    webcam_present: impl FnOnce() -> bool,
) -> bool {
    if options.force_demo {
        return true;
    }
    if options.forbid_demo || options.camera.is_some() || real.camera.is_some() {
        return false;
    }
    !real_store_has_bookings(&real.database_path()) && !webcam_present()
}

/// Whether the real database holds any booking, read without creating or migrating it.
fn real_store_has_bookings(path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    rusqlite::Connection::open_with_flags(path, flags)
        .and_then(|conn| {
            conn.query_row("SELECT EXISTS (SELECT 1 FROM bookings)", [], |r| {
                r.get::<_, bool>(0)
            })
        })
        // A database that cannot be read is not empty as far as we know: never hide it behind
        // the demo.
        .unwrap_or(true)
}

/// Builds the app's setup for the real data folder `data_dir`.
pub fn prepare(data_dir: &Path, options: &LaunchOptions, started: Instant) -> Result<AppSetup> {
    if options.first_run_screenshots {
        return prepare_first_run_tour(options, started);
    }
    let real = StationConfig::load(data_dir)?;
    // Asked once: the camera query opens the V4L2 devices, which is not free at start-up.
    let webcam = std::cell::OnceCell::new();
    let first_webcam = || *webcam.get_or_init(crate::camera::webcam::first_camera_index);
    let demo = choose_demo(options, &real, || first_webcam().is_some());
    let config = if demo {
        let dir = demo::demo_data_dir(data_dir);
        config::create_private_dir(&dir)?;
        let mut demo_config = StationConfig::load(&dir)?;
        demo_config.language = real.language;
        demo_config
    } else {
        real
    };
    let camera = options
        .camera
        .clone()
        .or_else(|| config.camera.clone())
        .unwrap_or_else(|| {
            // In real mode without a webcam, keep asking for device 0: the camera worker reports
            // it lost and reopens it when one is plugged in. The demo camera would feed invented
            // codes into the real store's walk-in desk.
            if demo {
                SourceSpec::Synthetic
            } else {
                SourceSpec::Device(first_webcam().unwrap_or(0))
            }
        });
    tracing::info!(demo, camera = ?camera, data_dir = %config.data_dir.display(), "booth window");
    // Invented demo students never reach a campus: the demo window has none, except in the
    // screenshot tour, which shows the campus screen of a demo folder joined to a throwaway
    // server. A damaged campus file must not keep the booth from shooting: say so and go on as
    // a single station.
    let campus = if demo && options.screenshot_dir.is_none() {
        None
    } else {
        crate::campus::settings::CampusSettings::load(&config.data_dir).unwrap_or_else(|error| {
            tracing::error!("{error:#}: working as a single station");
            None
        })
    };
    Ok(AppSetup {
        config,
        demo,
        camera: CameraChoice::Source(camera),
        started,
        startup_probe: options.startup_probe,
        screenshot_dir: options.screenshot_dir.clone(),
        startup_backup: !demo,
        campus,
        // Scripted runs show the booth as it is; a real first start shows the guide.
        first_run_guide: options.screenshot_dir.is_none() && !options.startup_probe,
    })
}

/// The first-run tour's booth: real mode on an empty throwaway folder (never the real one, whose
/// store may hold accounts), with the synthetic camera unless another is asked for.
fn prepare_first_run_tour(options: &LaunchOptions, started: Instant) -> Result<AppSetup> {
    let dir =
        std::env::temp_dir().join(format!("capture-station-first-run-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    config::create_private_dir(&dir)?;
    let config = StationConfig::load(&dir)?;
    Ok(AppSetup {
        config,
        demo: false,
        camera: CameraChoice::Source(options.camera.clone().unwrap_or(SourceSpec::Synthetic)),
        started,
        startup_probe: false,
        screenshot_dir: options.screenshot_dir.clone(),
        startup_backup: false,
        campus: None,
        first_run_guide: true,
    })
}

/// Opens the window and runs until it closes.
pub fn run(data_dir: &Path, options: LaunchOptions, started: Instant) -> Result<()> {
    let setup = prepare(data_dir, &options, started)?;
    // Held until the window closes: no command changes this folder meanwhile (see
    // `platform::FolderLock`).
    let _folder_lock = crate::platform::FolderLock::take(&setup.config.data_dir, "窗口 / window")?;
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("学历照片采集站 Capture Station")
        .with_inner_size(DEFAULT_WINDOW)
        .with_min_inner_size([1024.0, 640.0])
        // A booth laptop's screen is often 1366×768 itself: a window of that inner size plus its
        // title bar (and Windows' taskbar) ran off the bottom, hiding the status bar. Maximised,
        // it fills the work area whatever the frame and taskbar take.
        .with_maximized(options.screenshot_dir.is_none() && !options.startup_probe);
    if options.screenshot_dir.is_some() {
        viewport = viewport
            .with_inner_size(options.window_size.unwrap_or(DEFAULT_WINDOW))
            // Screenshots are of the size asked, whatever monitor the (virtual) display reports.
            .with_clamp_size_to_monitor_size(false)
            .with_resizable(false);
    }
    let mut native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        // Screenshots and start-up probes must not depend on a saved window size or tab.
        persist_window: options.screenshot_dir.is_none() && !options.startup_probe,
        ..Default::default()
    };
    // eframe restores a saved window size even when it is told not to save one: scripted runs
    // keep their state apart, so that a screenshot has the size asked.
    if !native.persist_window {
        native.persistence_path = Some(
            std::env::temp_dir().join(format!("capture-station-scripted-{}", std::process::id())),
        );
    }
    let persist = native.persist_window;
    let student_screenshots = options.student_screenshots;
    let first_run_screenshots = options.first_run_screenshots;
    let tour = setup.screenshot_dir.clone().map(|dir| {
        let tour = super::tour::Tour::new(dir);
        if student_screenshots {
            tour.student()
        } else if first_run_screenshots {
            tour.first_run()
        } else {
            tour
        }
    });
    eframe::run_native(
        "capture-station",
        native,
        Box::new(move |cc| {
            let mut app = StationApp::new(cc, setup)?;
            if !persist {
                app.state.screen = Default::default();
            }
            Ok(match tour {
                Some(tour) => {
                    if student_screenshots {
                        app.show_student_screen_in_root();
                    }
                    Box::new(super::tour::TourApp::new(app, tour))
                }
                None => Box::new(app),
            })
        }),
    )
    .map_err(|error| anyhow::anyhow!("{error}"))
    .context("the booth window could not open (is there a display? DISPLAY / WAYLAND_DISPLAY)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn demo_only_when_asked_or_nothing_real_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let real = StationConfig::load(dir.path()).unwrap();
        let auto = LaunchOptions::default();
        assert!(choose_demo(&auto, &real, || false));
        assert!(
            !choose_demo(&auto, &real, || true),
            "a webcam means real mode"
        );
        let forced = LaunchOptions {
            force_demo: true,
            ..LaunchOptions::default()
        };
        assert!(choose_demo(&forced, &real, || true));
        let forbidden = LaunchOptions {
            forbid_demo: true,
            ..LaunchOptions::default()
        };
        assert!(!choose_demo(&forbidden, &real, || false));

        let mut store = Store::open(&real.database_path()).unwrap();
        demo::seed(&mut store, &Default::default()).unwrap();
        drop(store);
        assert!(
            !choose_demo(&auto, &real, || false),
            "real bookings mean real mode"
        );
    }
}
