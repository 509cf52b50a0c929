//! The .deb, built the way a release is (cargo-deb, `[package.metadata.deb]`) but from the binary
//! this test run already built, so CI pays for no second release build: its files, its declared
//! dependencies, its menu entry (desktop-file-validate), and the installed binary run from a
//! throwaway root, and, when the tests run as root, installed for real with dpkg and removed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(command: &mut Command) -> Output {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{shown} did not start: {error}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// cargo-deb's name for the profile the test binary was built with.
fn profile_of(exe: &Path) -> &'static str {
    match exe
        .parent()
        .and_then(|dir| dir.file_name())
        .and_then(|n| n.to_str())
    {
        Some("release") => "release",
        _ => "dev",
    }
}

/// Packages the already-built binary into `dir` and returns the .deb's path.
fn build_package(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = Path::new(env!("CARGO_BIN_EXE_capture-station"));
    let deb = dir.join("capture-station.deb");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(Command::new(cargo)
        .current_dir(root)
        .args([
            "deb",
            "--no-build",
            "--fast",
            "--profile",
            profile_of(exe),
            "--output",
        ])
        .arg(&deb));
    deb
}

#[test]
fn the_deb_holds_the_app_its_menu_entry_and_licences_and_the_installed_binary_runs() {
    let work = tempfile::tempdir().unwrap();
    let deb = build_package(work.path());

    let info = text(&run(Command::new("dpkg-deb").arg("--field").arg(&deb)));
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{info}"))
            .to_string()
    };
    assert_eq!(field("Package"), "capture-station");
    let depends = field("Depends");
    for library in [
        "libc6",
        "libx11-6",
        "libxkbcommon-x11-0",
        "libgl1",
        "libegl1",
        "libgl1-mesa-dri",
    ] {
        assert!(
            depends.contains(library),
            "Depends lacks {library}: {depends}"
        );
    }
    assert!(
        !depends.contains("postgresql"),
        "PostgreSQL is only suggested: {depends}"
    );
    assert_eq!(field("Suggests"), "postgresql");
    assert_eq!(field("Recommends"), "xdg-desktop-portal-gtk | zenity");

    let installed = work.path().join("root");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&installed));
    for file in [
        "usr/bin/capture-station",
        "usr/share/applications/capture-station.desktop",
        "usr/share/icons/hicolor/scalable/apps/capture-station.svg",
        "usr/share/doc/capture-station/copyright",
        "usr/share/doc/capture-station/licenses/NotoSansSC-OFL.txt",
        "usr/share/doc/capture-station/licenses/mediapipe-face-mesh-Apache-2.0.txt",
        "usr/share/doc/capture-station/licenses/seeta_fd_frontal_v1.0.txt",
    ] {
        assert!(installed.join(file).is_file(), "the package lacks {file}");
    }
    run(Command::new("desktop-file-validate")
        .arg(installed.join("usr/share/applications/capture-station.desktop")));

    let binary = installed.join("usr/bin/capture-station");
    let version = text(&run(Command::new(&binary).arg("--version")));
    assert!(
        version.contains(env!("CARGO_PKG_VERSION")),
        "--version says {version}"
    );
    check_headless_lookup(&binary, &work.path().join("extracted-data"));

    if capture_station::platform::running_as_root() {
        install_for_real(&deb, work.path());
    }
}

/// A lookup on a new, empty store in `data`: the installed binary opens its database and answers.
fn check_headless_lookup(binary: &Path, data: &Path) {
    let output = run(Command::new(binary)
        .arg("--data-dir")
        .arg(data)
        .args(["lookup", "张三"]));
    assert!(
        text(&output).contains("未找到预约"),
        "lookup on an empty store said {}",
        text(&output)
    );
    assert!(data.join("station.sqlite3").is_file());
}

/// dpkg -i with its dependencies (apt resolves them), the menu entry where desktops look for it,
/// the binary on the PATH, then dpkg -r leaves the machine as it was.
fn install_for_real(deb: &Path, work: &Path) {
    let already = Command::new("dpkg")
        .args(["-s", "capture-station"])
        .output()
        .is_ok_and(|o| o.status.success());
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .arg(deb)
        .env("DEBIAN_FRONTEND", "noninteractive"));
    let status = text(&run(Command::new("dpkg").args(["-s", "capture-station"])));
    assert!(status.contains("Status: install ok installed"), "{status}");
    assert!(Path::new("/usr/share/applications/capture-station.desktop").is_file());
    let binary = Path::new("/usr/bin/capture-station");
    run(Command::new(binary).arg("--version"));
    check_headless_lookup(binary, &work.join("installed-data"));
    if !already {
        run(Command::new("dpkg").args(["-r", "capture-station"]));
        assert!(!binary.exists(), "dpkg -r left the binary behind");
    }
}
