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
    let i18n = std::fs::read_to_string(src.join("i18n.rs")).unwrap();
    if i18n.contains("crate::app") {
        offenders.push("src/i18n.rs uses crate::app".to_string());
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
