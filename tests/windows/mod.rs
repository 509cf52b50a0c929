//! The Windows build, made on Linux and run under Wine (issue 34): the MSI installs silently
//! into Program Files with its Start menu entry and licences; the installed `capture-station.exe`
//! keeps its data in `%APPDATA%`, imports GB18030 and XLSX order exports from folders with
//! Chinese names, books, shoots, closes and exports like the Linux binary, judges portraits and
//! reads codes as it does; its window opens on Xvfb through Wine's OpenGL and finds the demo
//! student; an upgrade replaces it in place and an uninstall keeps the booth's data.

mod window;
mod wine;

use std::ffi::OsStr;
use std::path::Path;

use capture_station::transfer::sample::{self, CsvEncoding};
use serde_json::Value;

use wine::{Prefix, check, stdout_of, windows_path};

const SCHOOL: &str = "示例大学";
const SECOND_SCHOOL: &str = "演示学院";
const SUPERVISOR: (&str, &str) = ("测试主管", "246810");
/// As assets/windows/capture-station.wxs names them.
const PRODUCT_NAME: &str = "学历照片采集站 Capture Station";
const START_MENU_ENTRY: &str = "学历照片采集站.lnk";

fn linux_binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"));
    command
        .env_remove("CAPTURE_STATION_DATA")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null());
    command
}

/// `user add` of the test's supervisor, the first account of a booth.
fn add_supervisor(mut station: std::process::Command) {
    check(
        station
            .args([
                "user",
                "add",
                "--name",
                SUPERVISOR.0,
                "--role",
                "supervisor",
            ])
            .env("CAPTURE_STATION_NEW_PIN", SUPERVISOR.1),
    );
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn file_name(reported: &Value) -> String {
    let path = reported["file"].as_str().unwrap_or_default();
    path.rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Total size of the files under `dir`.
fn size_of_tree(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                size_of_tree(&path)
            } else {
                entry.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

/// 2,000 orders of two schools in one GB18030 CSV, with six bad rows among them (a missing
/// name, a bad ID number, a bad amount, an impossible slot, a duplicate and a broken row).
fn gb18030_orders() -> Vec<u8> {
    let orders = sample::sample_orders(1_994, 34, SCHOOL);
    let mut rows = sample::as_rows(&orders);
    let mut bad = |index: usize, field: usize, value: &str| {
        let mut row = orders[index].fields.to_vec();
        row[0] = format!("BAD-{index}");
        row[field] = value.to_string();
        row[13] = String::new();
        rows.push(row);
    };
    bad(0, 1, "");
    bad(1, 3, "110105194912310021");
    bad(2, 10, "二十五");
    bad(3, 12, "2026-11-31 09:00-10:00");
    rows.push(orders[4].fields.to_vec());
    let mut bytes = sample::write_csv(&rows, CsvEncoding::Gb18030).unwrap();
    // A row cut short, as a hand-edited file has: the writer would refuse to write it.
    let (broken, _, _) = encoding_rs::GB18030.encode("BROKEN,赵\r\n");
    bytes.extend_from_slice(&broken);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GB18030");
    bytes
}

#[test]
fn the_installer_puts_the_programs_the_start_menu_entry_and_the_licences_in_place() {
    let build = wine::build();
    let prefix = wine::installed();
    let installed = prefix.install_dir();
    for file in [
        "capture-station.exe",
        "capture-station-window.exe",
        "licenses/NotoSansSC-OFL.txt",
        "licenses/HanaMinB-LICENSE.txt",
        "licenses/mediapipe-face-mesh-Apache-2.0.txt",
        "licenses/seeta_fd_frontal_v1.0.txt",
    ] {
        assert!(installed.join(file).is_file(), "{file} not installed");
    }
    // The test shim lives in the prefix's system32, never beside the program.
    assert!(!installed.join("bcryptprimitives.dll").exists());
    let shortcuts = prefix.start_menu_entries(START_MENU_ENTRY);
    assert_eq!(shortcuts.len(), 1, "Start menu entries: {shortcuts:?}");
    let link = std::fs::read(&shortcuts[0]).unwrap();
    let target: Vec<u8> = "capture-station-window.exe"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(
        link.windows(target.len()).any(|w| w == target.as_slice())
            || link.windows(26).any(|w| w == b"capture-station-window.exe"),
        "the Start menu entry does not open the windowless launcher"
    );
    let products = prefix.installed_products();
    assert_eq!(
        products,
        vec![(PRODUCT_NAME.to_string(), build.version.clone())],
        "Programs and Features"
    );
    println!(
        "installer {} bytes; installed {} bytes",
        std::fs::metadata(&build.msi).unwrap().len(),
        size_of_tree(&installed)
    );

    let version = stdout_of(prefix.station().arg("--version"));
    let linux = stdout_of(linux_binary().arg("--version"));
    assert_eq!(
        version.split_whitespace().take(2).collect::<Vec<_>>(),
        linux.split_whitespace().take(2).collect::<Vec<_>>(),
        "{version} against {linux}"
    );
    // The Start menu's windowless launcher passes its arguments on and returns the result.
    let launcher = format!(r"{}\capture-station-window.exe", wine::INSTALL_DIR);
    check(prefix.command(OsStr::new(&launcher)).arg("--version"));
    let failed = prefix
        .command(OsStr::new(&launcher))
        .arg("--no-such-option")
        .output()
        .unwrap();
    assert!(!failed.status.success(), "the launcher hid a failure");
}

/// The installed CLI, with no `--data-dir`: the data goes to `%APPDATA%`. Every step a school's
/// collection takes, with file and folder names in Chinese, and the import's report compared
/// with the Linux binary's on the same file.
#[test]
fn the_installed_cli_imports_shoots_closes_and_exports_with_chinese_paths() {
    let prefix = wine::installed();
    let files = wine::work_dir().join("预约 导出");
    std::fs::create_dir_all(&files).unwrap();
    let csv = files.join("订单 第一批.csv");
    std::fs::write(&csv, gb18030_orders()).unwrap();
    let xlsx = files.join("订单 第二批.xlsx");
    let second = sample::sample_orders(40, 35, SECOND_SCHOOL);
    std::fs::write(&xlsx, sample::write_xlsx(&second).unwrap()).unwrap();
    let station = || {
        let mut command = prefix.station();
        command
            .arg("--user")
            .arg(SUPERVISOR.0)
            .env("CAPTURE_STATION_PIN", SUPERVISOR.1);
        command
    };

    add_supervisor(prefix.station());
    assert!(
        prefix.data_dir().join("station.sqlite3").is_file(),
        "no store in %APPDATA%: {:?}",
        prefix.data_dir()
    );

    let imported: Value = serde_json::from_str(&stdout_of(
        station()
            .arg("import")
            .arg(windows_path(&csv))
            .arg("--json"),
    ))
    .unwrap();
    assert_eq!(imported["inserted"], 1_994, "{imported}");
    let rejected: Vec<u64> = imported["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rejected,
        vec![1996, 1997, 1998, 1999, 2000, 2001],
        "{imported}"
    );
    // The same file through the Linux binary: the same report, word for word.
    let linux_data = tempfile::tempdir().unwrap();
    crate::util::ensure_boss(linux_data.path());
    let linux: Value = serde_json::from_str(&crate::util::stdout(&crate::util::run(
        linux_data.path(),
        &["import", csv.to_str().unwrap(), "--json"],
    )))
    .unwrap();
    assert_eq!(imported, linux);

    let from_xlsx: Value = serde_json::from_str(&stdout_of(
        station()
            .arg("import")
            .arg(windows_path(&xlsx))
            .arg("--json"),
    ))
    .unwrap();
    assert_eq!(from_xlsx["inserted"], 40, "{from_xlsx}");

    let order = sample::sample_orders(1_994, 34, SCHOOL).remove(10);
    let found: Value = serde_json::from_str(&stdout_of(prefix.station().args([
        "lookup",
        order.name(),
        "--json",
    ])))
    .unwrap();
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|hit| hit.to_string().contains(order.capture_code())),
        "{found}"
    );
    let by_code = stdout_of(prefix.station().args(["lookup", order.capture_code()]));
    assert!(by_code.contains(order.name()), "{by_code}");

    check(station().args([
        "school",
        "add",
        SCHOOL,
        "--window",
        "2026-11-02..2026-11-04",
    ]));
    let shots = stdout_of(station().args([
        "soak-capture",
        "--roster",
        "--school",
        SCHOOL,
        "--count",
        "6",
    ]));
    assert_eq!(
        shots.lines().filter(|l| l.starts_with("saved ")).count(),
        6,
        "{shots}"
    );
    let photos = prefix.data_dir().join("photos");
    assert!(
        size_of_tree(&photos) > 6 * 15_000,
        "photos not in {photos:?}"
    );

    let closed: Value = serde_json::from_str(&stdout_of(station().args([
        "close-session",
        "--school",
        SCHOOL,
        "--at",
        "2026-11-06T18:00:00",
        "--json",
    ])))
    .unwrap();
    assert_eq!(closed["cancelled"], 1_994 - 6, "{closed}");

    let refunds = files.join("退款 名单.csv");
    check(
        station()
            .args(["refund", "list", "--school", SCHOOL, "--out"])
            .arg(windows_path(&refunds)),
    );
    let refund_bytes = std::fs::read(&refunds).unwrap();
    assert!(
        refund_bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a BOM, for Excel"
    );
    assert!(String::from_utf8_lossy(&refund_bytes).contains("订单号,姓名"));

    let export = wine::work_dir().join("U盘 导出");
    if export.exists() {
        std::fs::remove_dir_all(&export).unwrap();
    }
    let exported: Value = serde_json::from_str(&stdout_of(
        station()
            .args(["export", "--school", SCHOOL, "--json", "--naming"])
            .arg("{student_no}_{name}.jpg")
            .arg("--out")
            .arg(windows_path(&export)),
    ))
    .unwrap();
    assert_eq!(exported["report"]["photos"], 6, "{exported}");
    let folder = export.join(SCHOOL);
    let named: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jpg"))
        .collect();
    assert_eq!(named.len(), 6, "{named:?}");
    assert!(
        named.iter().all(|name| !name.is_ascii()),
        "names in Chinese: {named:?}"
    );
    check(
        prefix
            .station()
            .arg("verify-export")
            .arg(windows_path(&export)),
    );
    // And the Linux binary agrees with the Windows one's manifest, byte for byte of the photos.
    check(linux_binary().arg("verify-export").arg(&export));
}

/// `portrait --json` on the shared portraits: the same verdicts, the same outcome for every check
/// and JPEGs within 1% of the Linux binary's.
#[test]
fn portraits_are_judged_as_on_linux() {
    let prefix = wine::installed();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/portraits");
    let mut compared = 0;
    for set in ["public-domain", "generated"] {
        let folder = shared.join(set);
        let out = wine::work_dir().join(format!("肖像 {set}"));
        let windows = json_lines(&stdout_of(
            prefix
                .station()
                .args(["portrait", "--json"])
                .arg(windows_path(&folder))
                .arg("-o")
                .arg(windows_path(&out)),
        ));
        let linux_out = tempfile::tempdir().unwrap();
        let linux = json_lines(&stdout_of(
            linux_binary()
                .args(["portrait", "--json"])
                .arg(&folder)
                .arg("-o")
                .arg(linux_out.path()),
        ));
        assert_eq!(windows.len(), linux.len());
        assert!(!windows.is_empty());
        for (w, l) in windows.iter().zip(&linux) {
            let name = file_name(w);
            assert_eq!(name, file_name(l));
            assert_eq!(w["ok"], l["ok"], "{name}");
            assert_eq!(w["error"], l["error"], "{name}");
            let outcomes = |report: &Value| -> Vec<(String, Value, Value)> {
                report["checks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| (c["rule"].to_string(), c["ok"].clone(), c["outcome"].clone()))
                    .collect()
            };
            assert_eq!(outcomes(w), outcomes(l), "{name}");
            let (wb, lb) = (w["bytes"].as_f64().unwrap(), l["bytes"].as_f64().unwrap());
            assert!(
                (wb - lb).abs() <= lb * 0.01,
                "{name}: {wb} bytes on Windows, {lb} on Linux"
            );
            println!(
                "{set}/{name}: ok {} on both, {wb} / {lb} bytes, {} / {} ms (Wine / Linux)",
                w["ok"], w["ms"], l["ms"]
            );
            compared += 1;
        }
    }
    assert!(compared >= 8, "{compared}");
}

/// `scan --json` on the shared QR photos (qrcode-1 and qrcode-3, photos of printed codes): the
/// same codes from every file as the Linux binary.
#[test]
fn codes_are_read_as_on_linux() {
    let prefix = wine::installed();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/qr/zxing");
    let mut files = Vec::new();
    for set in ["qrcode-1", "qrcode-3"] {
        let mut images: Vec<_> = std::fs::read_dir(shared.join(set))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"))
            .collect();
        images.sort();
        files.extend(images);
    }
    assert!(files.len() >= 30, "{}", files.len());
    let windows = json_lines(&stdout_of(
        prefix
            .station()
            .args(["scan", "--json"])
            .args(files.iter().map(|f| windows_path(f))),
    ));
    let linux = json_lines(&stdout_of(
        linux_binary().args(["scan", "--json"]).args(&files),
    ));
    assert_eq!(windows.len(), files.len());
    assert_eq!(linux.len(), files.len());
    let mut read = 0;
    let (mut windows_ms, mut linux_ms) = (0.0, 0.0);
    for (w, l) in windows.iter().zip(&linux) {
        assert_eq!(file_name(w), file_name(l));
        assert_eq!(w["codes"], l["codes"], "{}", file_name(w));
        read += usize::from(w["codes"].as_array().is_some_and(|c| !c.is_empty()));
        windows_ms += w["ms"].as_f64().unwrap_or(0.0);
        linux_ms += l["ms"].as_f64().unwrap_or(0.0);
    }
    println!(
        "scan: {read} of {} photos read, the same codes on both; decoding {windows_ms:.0} ms \
         under Wine, {linux_ms:.0} ms on Linux",
        files.len()
    );
    assert!(read * 10 >= files.len() * 7, "{read} of {}", files.len());
}

/// A Windows-only company's campus: PostgreSQL from its own installer (here a throwaway cluster
/// standing in for it), set up with the installed program's `campus server init --url`; a
/// Windows booth joins with the token it printed, shoots two walk-ins and syncs over TLS; a Linux booth
/// pulls both photos with their checksums.
#[test]
fn a_windows_booth_sets_up_an_existing_server_and_shares_its_photos() {
    let prefix = wine::installed();
    let campus = crate::util::campus_server::TestCampus::start();
    // Someone else's server: its owner may create roles (the campus's own cluster keeps that
    // from its owner).
    capture_station::campus::schema::role_powers::lend_to_owner(
        &mut campus.superuser(),
        &campus.admin.user,
    )
    .unwrap();
    let url = format!(
        "postgres://{}:{}@127.0.0.1:{}/{}",
        campus.admin.user, campus.admin.password, campus.admin.port, campus.admin.database
    );
    let booth = wine::work_dir().join("校区 东门工位");
    if booth.exists() {
        std::fs::remove_dir_all(&booth).unwrap();
    }
    let at_booth = |args: &[&str]| {
        let mut command = prefix.station();
        command
            .arg("--data-dir")
            .arg(windows_path(&booth))
            .arg("--user")
            .arg(SUPERVISOR.0)
            .env("CAPTURE_STATION_PIN", SUPERVISOR.1)
            .args(args);
        stdout_of(&mut command)
    };
    let mut at_new_booth = prefix.station();
    at_new_booth.arg("--data-dir").arg(windows_path(&booth));
    add_supervisor(at_new_booth);
    let init = at_booth(&[
        "campus",
        "server",
        "init",
        "--url",
        &url,
        "--advertise",
        "127.0.0.1",
    ]);
    let token = init.lines().last().unwrap_or_default().trim().to_string();
    assert!(token.starts_with("capture-station-campus://"), "{init}");
    assert!(
        token.contains("?tls="),
        "the token pins the certificate: {token}"
    );
    at_booth(&["campus", "join", &token, "--station", "东门-W"]);
    let shots = at_booth(&["soak-capture", "--count", "2", "--school", "校区大学"]);
    assert_eq!(
        shots.lines().filter(|l| l.starts_with("saved ")).count(),
        2,
        "{shots}"
    );
    let synced: Value =
        serde_json::from_str(at_booth(&["campus", "sync", "--once", "--json"]).trim()).unwrap();
    assert_eq!(synced["outbox_depth"], 0, "{synced}");
    let status: Value =
        serde_json::from_str(at_booth(&["campus", "status", "--json"]).trim()).unwrap();
    assert_eq!(
        (
            &status["connected"],
            &status["encrypted"],
            &status["tls_pinned"]
        ),
        (&Value::Bool(true), &Value::Bool(true), &Value::Bool(true)),
        "{status}"
    );

    // A Linux booth joins the campus the Windows booth set up, as a second booth would: with the
    // same server and enrolment login, and its own one-time code (a code joins one station).
    let mut second = capture_station::campus::token::JoinToken::parse(&token).unwrap();
    second.code = capture_station::campus::server::issue_join_code_on(&mut campus.admin(), 15)
        .unwrap()
        .code;
    let token = second.to_text();
    let linux_booth = tempfile::tempdir().unwrap();
    let at_linux_booth = |args: &[&str]| {
        let mut command = linux_binary();
        command
            .arg("--data-dir")
            .arg(linux_booth.path())
            .env("CAPTURE_STATION_NEW_PIN", SUPERVISOR.1)
            .env("CAPTURE_STATION_PIN", SUPERVISOR.1)
            .args(args);
        stdout_of(&mut command)
    };
    at_linux_booth(&[
        "user",
        "add",
        "--name",
        SUPERVISOR.0,
        "--role",
        "supervisor",
    ]);
    let as_supervisor = |args: &[&str]| {
        let mut all = vec!["--user", SUPERVISOR.0];
        all.extend_from_slice(args);
        at_linux_booth(&all)
    };
    as_supervisor(&["campus", "join", &token, "--station", "东门-L"]);
    as_supervisor(&["campus", "sync", "--once", "--json"]);
    let store = rusqlite::Connection::open(linux_booth.path().join("station.sqlite3")).unwrap();
    let photos: Vec<(String, String)> = store
        .prepare("SELECT photo_path, sha256 FROM captures WHERE superseded = 0")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        photos.len(),
        2,
        "the Windows booth's photos on the Linux booth"
    );
    for (path, sha) in photos {
        let bytes = std::fs::read(linux_booth.path().join("photos").join(&path)).unwrap();
        assert_eq!(capture_station::store::captures::sha256_hex(&bytes), sha);
    }
}

/// An upgrade to a newer MSI replaces the program in place (one entry in Programs and
/// Features); an uninstall removes the programs and the Start menu entry and keeps the booth's
/// data folder, store and accounts included.
#[test]
fn an_upgrade_replaces_the_program_and_an_uninstall_keeps_the_data() {
    let build = wine::build();
    let prefix = Prefix::boot("lifecycle");
    prefix.install(&build.msi);
    add_supervisor(prefix.station());
    let store = prefix.data_dir().join("station.sqlite3");
    assert!(store.is_file());

    let newer = newer_installer(&build);
    prefix.install(&newer);
    assert_eq!(
        prefix.installed_products(),
        vec![(PRODUCT_NAME.to_string(), bumped(&build.version))],
        "the upgrade replaces the product in Programs and Features"
    );
    let users = stdout_of(prefix.station().args(["user", "list"]));
    assert!(users.contains(SUPERVISOR.0), "{users}");

    prefix.uninstall(&newer);
    assert!(!prefix.install_dir().join("capture-station.exe").exists());
    assert_eq!(
        prefix.start_menu_entries(START_MENU_ENTRY),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(prefix.installed_products(), vec![]);
    assert!(store.is_file(), "the uninstall removed the booth's data");
    prefix.remove();
}

/// `x.y.z` with z one higher.
fn bumped(version: &str) -> String {
    let mut parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    *parts.last_mut().unwrap() += 1;
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The same programs packed as the next version, by the script a release uses.
fn newer_installer(build: &wine::Build) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let msi = wine::work_dir().join("capture-station-next.msi");
    check(
        std::process::Command::new("sh")
            .arg(root.join("tools/windows/pack-msi.sh"))
            .arg(bumped(&build.version))
            .arg(&build.stage)
            .arg(&msi),
    );
    msi
}
