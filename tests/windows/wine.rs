//! The harness of the Windows tests: builds the installer once per run (`tools/windows/build.sh`
//! with the light `windows-test` profile), boots throwaway Wine prefixes, installs the MSI with
//! `msiexec` and runs the installed programs. Wine 8.0 lacks `ProcessPrng`, which Rust's standard
//! library imports; the test shim (`tests/fixtures/wine/bcryptprimitives.c`) goes into the
//! prefix's system32, never into the installer. A missing Wine or MinGW fails the tests: they
//! are part of CI and never skip.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINE: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "/usr/lib/wine/wineserver";
/// Where the installer puts the programs, as Windows sees it.
pub const INSTALL_DIR: &str = r"C:\Program Files\Capture Station";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Scratch space of these tests (prefixes, shim, files): under `target/`, replaced on every run.
pub fn work_dir() -> PathBuf {
    root().join("target").join("wine-tests")
}

/// How Windows under Wine names a Linux path: drive Z: is `/`.
pub fn windows_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).expect("an absolute path");
    format!("Z:{}", absolute.display()).replace('/', "\\")
}

/// The longest any one program may run under Wine: a program stuck in Wine (it happens, after
/// an error, when a window cannot open) fails its test instead of holding the run until CI's
/// limit.
const COMMAND_LIMIT: Duration = Duration::from_secs(15 * 60);

/// Runs a command to completion and fails the test, with its output, unless it succeeded within
/// [`COMMAND_LIMIT`].
pub fn check(command: &mut Command) -> Output {
    let shown = format!("{command:?}");
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{shown} did not start: {error}"));
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match finished.recv_timeout(COMMAND_LIMIT) {
        Ok(output) => output.unwrap_or_else(|error| panic!("{shown}: {error}")),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
            let output = finished
                .recv_timeout(Duration::from_secs(30))
                .ok()
                .and_then(Result::ok);
            let stderr = output
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .unwrap_or_default();
            panic!("{shown} was still running after {COMMAND_LIMIT:?}:\n{stderr}");
        }
    };
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// What the build produced: the MSI and the two programs it packs.
pub struct Build {
    pub msi: PathBuf,
    pub stage: PathBuf,
    pub version: String,
}

/// The installer, built on first use and shared by every test of the run. A failed build is
/// remembered, so the other tests fail at once with its message instead of building again.
pub fn build() -> Arc<Build> {
    static BUILD: Mutex<Option<Result<Arc<Build>, String>>> = Mutex::new(None);
    let mut slot = BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let outcome = slot.get_or_insert_with(build_installer);
    match outcome {
        Ok(build) => Arc::clone(build),
        Err(message) => panic!("{message}"),
    }
}

fn build_installer() -> Result<Arc<Build>, String> {
    for tool in [
        WINE,
        WINESERVER,
        "/usr/bin/wixl",
        "/usr/bin/msibuild",
        "/usr/bin/x86_64-w64-mingw32-gcc",
    ] {
        if !Path::new(tool).exists() {
            return Err(format!(
                "{tool} is missing: the README's test command installs wine64, wixl, msitools \
                 and gcc-mingw-w64-x86-64"
            ));
        }
    }
    let started = Instant::now();
    let log_path = root().join("target").join("windows-test-build.log");
    std::fs::create_dir_all(log_path.parent().unwrap()).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut command = Command::new("sh");
    command
        .arg(root().join("tools/windows/build.sh"))
        .arg("windows-test")
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(log);
    // The outer `cargo test` leaves its own variables behind; the cross build sets what it needs.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("CARGO") || name.starts_with("RUSTC") || name == "RUSTFLAGS" {
            command.env_remove(&name);
        }
    }
    let output = command
        .output()
        .map_err(|error| format!("tools/windows/build.sh did not start: {error}"))?;
    if !output.status.success() {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        return Err(format!(
            "tools/windows/build.sh windows-test failed ({}); the end of {}:\n{}",
            output.status,
            log_path.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let msi = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    if !msi.is_file() {
        return Err(format!("the build printed no installer: {stdout}"));
    }
    println!(
        "windows build (windows-test profile): {:.0} s, {} ({} bytes)",
        started.elapsed().as_secs_f64(),
        msi.display(),
        std::fs::metadata(&msi).map(|m| m.len()).unwrap_or(0)
    );
    Ok(Arc::new(Build {
        stage: root().join("target/windows/windows-test"),
        msi,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }))
}

/// The test-only `ProcessPrng` shim, built with MinGW into the scratch folder.
fn shim() -> PathBuf {
    static SHIM: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut slot = SHIM.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    slot.get_or_insert_with(|| {
        let fixtures = root().join("tests/fixtures/wine");
        let dir = work_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let dll = dir.join("bcryptprimitives.dll");
        check(
            Command::new("x86_64-w64-mingw32-gcc")
                .arg("-shared")
                .arg("-o")
                .arg(&dll)
                .arg(fixtures.join("bcryptprimitives.c"))
                .arg(fixtures.join("bcryptprimitives.def"))
                .arg("-ladvapi32"),
        );
        dll
    })
    .clone()
}

/// A throwaway Wine prefix: a Windows of its own, with its own C: drive and user profile.
pub struct Prefix {
    pub dir: PathBuf,
}

impl Prefix {
    /// Boots a fresh prefix at `work_dir()/name`, replacing whatever an earlier run left there.
    pub fn boot(name: &str) -> Prefix {
        let dir = work_dir().join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let prefix = Prefix { dir };
        check(prefix.command(OsStr::new("wineboot")).arg("--init"));
        prefix.wait();
        let system32 = prefix.drive_c().join("windows/system32");
        std::fs::copy(shim(), system32.join("bcryptprimitives.dll")).unwrap();
        prefix
    }

    /// `program` (a Windows path, or a program Wine knows by name) under this prefix. Without a
    /// display (the CLI needs none); the window's test adds one.
    pub fn command(&self, program: &OsStr) -> Command {
        let mut command = Command::new(WINE);
        command
            .arg(program)
            .env("WINEPREFIX", &self.dir)
            .env("WINEDEBUG", "-all")
            // The shim before Wine's own DLL; no Mono or Gecko installer; no menu entries
            // written into the Linux desktop.
            .env(
                "WINEDLLOVERRIDES",
                "bcryptprimitives=n,b;mscoree=;mshtml=;winemenubuilder.exe=d",
            )
            // Wine turns the arguments into UTF-16 through the locale's character set.
            .env("LANG", "C.UTF-8")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("CAPTURE_STATION_DATA")
            .env_remove("CAPTURE_STATION_PIN")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        command
    }

    /// The installed `capture-station.exe` with these arguments.
    pub fn station(&self) -> Command {
        self.command(OsStr::new(&format!(r"{INSTALL_DIR}\capture-station.exe")))
    }

    /// Waits for every process of the prefix to end (msiexec finishes its work in the server).
    pub fn wait(&self) {
        check(
            Command::new(WINESERVER)
                .arg("-w")
                .env("WINEPREFIX", &self.dir),
        );
    }

    pub fn drive_c(&self) -> PathBuf {
        self.dir.join("drive_c")
    }

    /// The installed programs' folder, as Linux sees it.
    pub fn install_dir(&self) -> PathBuf {
        self.drive_c().join("Program Files/Capture Station")
    }

    /// The Windows user's profile folder (named after the Linux user running Wine).
    pub fn profile(&self) -> PathBuf {
        let users = self.drive_c().join("users");
        std::fs::read_dir(&users)
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.file_name() != Some(OsStr::new("Public")))
            .unwrap_or_else(|| panic!("no user profile in {}", users.display()))
    }

    /// The Start menu entries named `name`: in the all-users Programs folder, where Windows puts
    /// a per-machine install's, or in the user's own, where Wine 8 puts them.
    pub fn start_menu_entries(&self, name: &str) -> Vec<PathBuf> {
        let programs = "Microsoft/Windows/Start Menu/Programs";
        [
            self.drive_c().join("ProgramData").join(programs),
            self.profile().join("AppData/Roaming").join(programs),
        ]
        .into_iter()
        .map(|folder| folder.join(name))
        .filter(|entry| entry.is_file())
        .collect()
    }

    /// Programs and Features: each installed product's `(DisplayName, DisplayVersion)`, read
    /// with `reg export` (UTF-16, unlike `reg query`'s output, which loses the Chinese name).
    pub fn installed_products(&self) -> Vec<(String, String)> {
        let export = self.dir.join("uninstall-export.reg");
        check(
            self.command(OsStr::new("reg"))
                .args([
                    "export",
                    r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall",
                ])
                .arg(windows_path(&export))
                .arg("/y"),
        );
        let bytes = std::fs::read(&export).unwrap();
        let (text, _, _) = encoding_rs::UTF_16LE.decode(&bytes);
        let mut products = Vec::new();
        let mut current: Option<(String, String)> = None;
        for line in text.lines() {
            if line.starts_with('[') {
                products.extend(current.take().filter(|(name, _)| !name.is_empty()));
                current = Some(Default::default());
            } else if let Some(entry) = current.as_mut() {
                let value = |key: &str| {
                    line.strip_prefix(key)
                        .map(|v| v.trim_matches('"').to_string())
                };
                if let Some(name) = value("\"DisplayName\"=") {
                    entry.0 = name;
                } else if let Some(version) = value("\"DisplayVersion\"=") {
                    entry.1 = version;
                }
            }
        }
        products.extend(current.filter(|(name, _)| !name.is_empty()));
        products
    }

    /// `%APPDATA%\CaptureStation\capture-station\data`: where the station keeps its data when
    /// no folder is named, as `directories` places it on Windows.
    pub fn data_dir(&self) -> PathBuf {
        self.profile()
            .join("AppData/Roaming/CaptureStation/capture-station/data")
    }

    /// Installs (or upgrades to) `msi` silently, as IT deploys it.
    pub fn install(&self, msi: &Path) {
        check(
            self.command(OsStr::new("msiexec"))
                .arg("/i")
                .arg(windows_path(msi))
                .arg("/qn"),
        );
        self.wait();
    }

    /// Removes the product installed from `msi`, silently.
    pub fn uninstall(&self, msi: &Path) {
        check(
            self.command(OsStr::new("msiexec"))
                .arg("/x")
                .arg(windows_path(msi))
                .arg("/qn"),
        );
        self.wait();
    }

    /// Ends the prefix's processes and deletes it.
    pub fn remove(self) {
        let _ = Command::new(WINESERVER)
            .arg("-k")
            .env("WINEPREFIX", &self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The prefix the CLI, portrait, scan and window tests share: booted and installed once.
pub fn installed() -> Arc<Prefix> {
    static INSTALLED: Mutex<Option<Result<Arc<Prefix>, String>>> = Mutex::new(None);
    let mut slot = INSTALLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let outcome = slot.get_or_insert_with(|| {
        let build = build();
        std::panic::catch_unwind(|| {
            let prefix = Prefix::boot("installed");
            prefix.install(&build.msi);
            Arc::new(prefix)
        })
        .map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "installing under Wine failed".to_string())
        })
    });
    match outcome {
        Ok(prefix) => Arc::clone(prefix),
        Err(message) => panic!("{message}"),
    }
}

/// Runs `command` and returns its output, failing the test unless it succeeded.
pub fn stdout_of(command: &mut Command) -> String {
    String::from_utf8_lossy(&check(command).stdout).into_owned()
}
