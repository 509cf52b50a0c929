//! The one-way import rule: the worker folders and the domain never reach up into the window.
//! ui → app → {store, camera, scan, portrait, transfer} → domain.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn lower_folders_do_not_import_the_window() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for folder in [
        "domain", "store", "camera", "scan", "portrait", "transfer", "campus",
    ] {
        let mut files = Vec::new();
        rust_files(&src.join(folder), &mut files);
        assert!(!files.is_empty(), "{folder} has no sources");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for forbidden in [
                "crate::app",
                "crate::ui",
                "crate::i18n",
                "egui::",
                "eframe::",
            ] {
                if text.contains(forbidden) {
                    offenders.push(format!("{} uses {forbidden}", file.display()));
                }
            }
        }
    }
    // The store knows nothing of the network: campus sync reads its outbox, not the reverse.
    let mut store = Vec::new();
    rust_files(&src.join("store"), &mut store);
    for file in store {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in ["crate::campus", "postgres::", "std::net"] {
            if text.contains(forbidden) {
                offenders.push(format!("{} uses {forbidden}", file.display()));
            }
        }
    }
    let mut domain = Vec::new();
    rust_files(&src.join("domain"), &mut domain);
    for file in domain {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in [
            "crate::store",
            "crate::camera",
            "crate::scan",
            "crate::portrait",
            "crate::transfer",
            "crate::config",
        ] {
            if text.contains(forbidden) {
                offenders.push(format!("{} uses {forbidden}", file.display()));
            }
        }
    }
    // The strings table is below the app: the app's state reads it, never the reverse.
    for file in ["mod.rs", "errors.rs", "checks.rs"] {
        let i18n = std::fs::read_to_string(src.join("i18n").join(file)).unwrap();
        if i18n.contains("crate::app") {
            offenders.push(format!("src/i18n/{file} uses crate::app"));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Unix-only calls live in `src/platform/unix.rs`, which has a Windows twin; elsewhere they only
/// appear in tests under `#[cfg(unix)]`. Keeps the Windows build (see the README's plan) one
/// `platform/windows.rs` away.
#[test]
fn unix_only_calls_stay_in_the_platform_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let unix_module = root.join("src/platform/unix.rs");
    let windows_twin = root.join("src/platform/windows.rs");
    assert!(
        windows_twin.exists(),
        "platform/unix.rs needs its Windows twin"
    );
    let mut files = Vec::new();
    for folder in ["src", "tests", "benches", "build.rs"] {
        let path = root.join(folder);
        if path.is_file() {
            files.push(path);
        } else if path.is_dir() {
            rust_files(&path, &mut files);
        }
    }
    let mut offenders = Vec::new();
    for file in files {
        if file == unix_module {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // Spelled in two halves, so that this test does not find itself.
            let needles = [concat!("std::os::", "unix"), concat!("lib", "c::")];
            if !needles.iter().any(|needle| code.contains(needle)) {
                continue;
            }
            let guarded = lines[index.saturating_sub(3)..index]
                .iter()
                .any(|above| above.trim() == "#[cfg(unix)]");
            let in_src = file.starts_with(root.join("src"));
            if in_src || !guarded {
                offenders.push(format!("{}:{}: {}", file.display(), index + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "unguarded Unix-only calls: {offenders:#?}"
    );
}
