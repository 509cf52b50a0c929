//! The Windows booth window under Wine: `capture-station.exe screenshot` opens the demo on a
//! private Xvfb display through Wine's OpenGL, walks the operator's and supervisor's screens and
//! saves each. Every scene must be reached (the first is the demo scan finding its student), no
//! character may lack a glyph (the tour panics on one), and the card's text must come out as the
//! Linux build draws it on the same display.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::wine::{self, check, windows_path};

/// A private X display that lives as long as the value.
struct Display {
    server: Child,
    name: String,
}

impl Display {
    /// Starts Xvfb on a free display number, which it prints once it accepts clients.
    fn start() -> Display {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1366x768x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (the README's test command installs xvfb)");
        let mut line = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb printed no display: {line:?}"));
        Display {
            server,
            name: format!(":{number}"),
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// One line of the tour: `<png path>\t<ready|timed-out>\t<the name on the card, if any>`.
#[derive(Debug, Clone, PartialEq)]
struct Scene {
    file: String,
    outcome: String,
    student: String,
}

fn scenes(stdout: &str) -> Vec<Scene> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let path = fields.next()?;
            let outcome = fields.next()?;
            let student = fields.next().unwrap_or_default();
            Some(Scene {
                file: path
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                outcome: outcome.trim().to_string(),
                student: student.trim().to_string(),
            })
        })
        .collect()
}

fn tour(command: &mut Command, display: &Display) -> Vec<Scene> {
    let output = check(command.env("DISPLAY", &display.name));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let scenes = scenes(&stdout);
    assert!(
        scenes.len() >= 10,
        "the tour stopped early:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    scenes
}

/// The card's part of a 1366×768 operator screen: the right-hand panel's text (name, ID, school,
/// capture code), above the photo box and away from the live view and the status bar.
/// The student's card (right of the preview, above the buttons), moved by `(dx, dy)` pixels.
fn card_region(image: &image::RgbaImage, (dx, dy): (i32, i32)) -> Vec<[u8; 4]> {
    let (width, height) = image.dimensions();
    let (left, right) = (width * 56 / 100, width - CARD_SHIFT);
    let (top, bottom) = (height * 8 / 100, height * 40 / 100);
    (top..bottom)
        .flat_map(|y| (left..right).map(move |x| (x, y)))
        .map(|(x, y)| {
            let x = x.saturating_add_signed(dx);
            let y = y.saturating_add_signed(dy);
            image.get_pixel(x, y).0
        })
        .collect()
}

/// Windows lays the window out a pixel or two apart from Linux (its title bar metrics, its
/// rounding): the card is compared at the best of these offsets.
const CARD_SHIFT: u32 = 3;

/// A camera that only ever shows the demo's first student: their phone, then them. The demo
/// camera moves on to the next student after two seconds whether or not the code was read, so a
/// slow start (Wine on a busy machine) could find another student than the Linux reference.
/// Replayed from a folder, the first code read is always the same one on both builds.
fn first_student_camera(dir: &Path) -> String {
    use capture_station::camera::source::FrameSource;
    use capture_station::camera::synthetic_source::SyntheticSource;
    const PHONE_FRAMES: usize = 30;
    const STUDENT_FRAMES: usize = 90;
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    let mut demo = SyntheticSource::new(1920, 1080, 0);
    demo.open().unwrap();
    let frames: Vec<_> = (0..61).map(|_| demo.next_frame().unwrap()).collect();
    let phone = dir.join("phone.png");
    let student = dir.join("student.png");
    frames[0].save(&phone).unwrap();
    frames[60].save(&student).unwrap();
    // The replay shows each file of the folder once per frame, in name order, looping.
    for index in 0..PHONE_FRAMES {
        std::fs::hard_link(&phone, dir.join(format!("a{index:03}.png"))).unwrap();
    }
    for index in 0..STUDENT_FRAMES {
        std::fs::hard_link(&student, dir.join(format!("b{index:03}.png"))).unwrap();
    }
    std::fs::remove_file(&phone).unwrap();
    std::fs::remove_file(&student).unwrap();
    dir.display().to_string()
}

fn open(path: &Path) -> image::RgbaImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgba8()
}

#[test]
fn the_window_opens_under_wine_and_the_demo_scan_finds_its_student() {
    // A prefix of its own: Wine's desktop process belongs to the prefix and keeps the display of
    // the first program started in it, and the other tests start theirs with none.
    let build = wine::build();
    let display = Display::start();
    let prefix = wine::Prefix::boot("window");
    prefix.install(&build.msi);
    let shots = wine::work_dir().join("窗口 截图");
    let data = wine::work_dir().join("窗口 数据");
    let camera_dir = wine::work_dir().join("窗口 摄像头");
    let linux_camera = first_student_camera(&camera_dir);
    for dir in [&shots, &data] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
    let windows = tour(
        prefix
            .station()
            .arg("--data-dir")
            .arg(windows_path(&data))
            .arg("--camera")
            .arg(format!("replay:{}", windows_path(&camera_dir)))
            .args(["screenshot", "--size", "1366x768", "--out"])
            .arg(windows_path(&shots)),
        &display,
    );
    let stuck: Vec<_> = windows.iter().filter(|s| s.outcome != "ready").collect();
    assert!(stuck.is_empty(), "scenes not reached under Wine: {stuck:?}");
    assert_eq!(windows[0].file, "1-operator-card.png");
    assert!(
        !windows[0].student.is_empty(),
        "no student found: {:?}",
        windows[0]
    );

    // The Linux build's tour on the same display, with the same camera, as the reference.
    let linux_shots = tempfile::tempdir().unwrap();
    let linux_data = tempfile::tempdir().unwrap();
    let mut linux = Command::new(env!("CARGO_BIN_EXE_capture-station"));
    linux
        .arg("--data-dir")
        .arg(linux_data.path())
        .arg("--camera")
        .arg(format!("replay:{linux_camera}"))
        .args(["screenshot", "--size", "1366x768", "--out"])
        .arg(linux_shots.path())
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null());
    let linux_scenes = tour(&mut linux, &display);
    assert_eq!(linux_scenes[0], windows[0]);

    let card: PathBuf = shots.join("1-operator-card.png");
    let on_windows = open(&card);
    assert_eq!(on_windows.dimensions(), (1366, 768));
    let on_linux = open(&linux_shots.path().join("1-operator-card.png"));
    // Not blank: the whole screen has many colours, the card's panel dark text on light.
    let colours: std::collections::HashSet<[u8; 4]> = on_windows.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 500, "{} colours", colours.len());
    let windows_card = card_region(&on_windows, (0, 0));
    let ink = |pixels: &[[u8; 4]]| pixels.iter().filter(|p| p[0] < 110 && p[1] < 110).count();
    assert!(
        ink(&windows_card) > windows_card.len() / 50,
        "the card holds no text: {} dark pixels",
        ink(&windows_card)
    );
    let shift = CARD_SHIFT as i32;
    let same = (-shift..=shift)
        .flat_map(|dx| (-shift..=shift).map(move |dy| (dx, dy)))
        .map(|offset| {
            windows_card
                .iter()
                .zip(&card_region(&on_linux, offset))
                .filter(|(w, l)| w.iter().zip(l.iter()).all(|(a, b)| a.abs_diff(*b) <= 8))
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        same * 100 >= windows_card.len() * 99,
        "the card differs from Linux's in {} of {} pixels",
        windows_card.len() - same,
        windows_card.len()
    );
    // The supervisor's screens drew too (no glyph missing anywhere: the tour panics on one).
    for Scene { file: name, .. } in &windows {
        let shot = open(&shots.join(name));
        let distinct: std::collections::HashSet<[u8; 4]> = shot.pixels().map(|p| p.0).collect();
        assert!(distinct.len() > 50, "{name} is blank");
    }
    prefix.remove();
    std::fs::remove_dir_all(&camera_dir).unwrap();
}
