//! The one-way import rule, read from each file's paths: ui → app → station → campus →
//! {store, transfer, camera, scan, portrait} → domain, and no two files import each other.

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

/// What each folder may not name, read from the `use crate::…` (and `super::…`) paths of every
/// file, with re-exports followed to the file that defines the item: the domain is pure, the
/// store knows nothing of the network or the window, the workers never reach up into the app.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "store", "campus", "app", "ui", "cli", "station", "camera", "scan", "portrait",
            "transfer", "config", "i18n",
        ],
    ),
    ("store", &["campus", "app", "ui", "cli", "station", "i18n"]),
    ("camera", &["campus", "app", "ui", "cli", "station", "i18n"]),
    ("scan", &["campus", "app", "ui", "cli", "station", "i18n"]),
    (
        "portrait",
        &["campus", "app", "ui", "cli", "station", "i18n"],
    ),
    (
        "transfer",
        &["campus", "app", "ui", "cli", "station", "i18n"],
    ),
    ("campus", &["app", "ui", "cli", "station", "i18n"]),
    ("station", &["app", "ui", "cli"]),
    ("i18n", &["app", "ui", "cli", "station"]),
];

#[test]
fn each_folder_names_only_the_folders_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = crate::util::use_graph::UseGraph::of_library(&src);
    let folder = |file: &str| {
        file.split('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string()
    };
    let mut offenders = Vec::new();
    for (file, targets) in &graph.edges {
        let Some((_, forbidden)) = FORBIDDEN.iter().find(|(f, _)| *f == folder(file)) else {
            continue;
        };
        for target in targets {
            if forbidden.contains(&folder(target).as_str()) {
                offenders.push(format!("{file} names {target}"));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
    // The test reads real imports: the store does name its own neighbours.
    assert!(graph.edges["store/bookings/mod.rs"].contains("store/outbox.rs"));
}

/// Outside crates the lower folders may not use: the window's toolkit anywhere below the app,
/// and the network in the store.
#[test]
fn lower_folders_do_not_use_the_window_or_the_network() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for folder in [
        "domain", "store", "camera", "scan", "portrait", "transfer", "campus", "station",
    ] {
        let mut files = Vec::new();
        rust_files(&src.join(folder), &mut files);
        assert!(!files.is_empty(), "{folder} has no sources");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut forbidden = vec!["egui::", "eframe::"];
            if folder == "store" || folder == "domain" {
                forbidden.extend(["postgres::", "std::net"]);
            }
            for needle in forbidden {
                if text.contains(needle) {
                    offenders.push(format!("{} uses {needle}", file.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// The store offers plain operations: none of its public names speaks of a campus, a server or
/// a remote change (what a pulled change means is decided in `campus/inbox.rs`, the pre-join
/// hand-over in `campus/hand_over.rs`). Read from every `pub` item in `src/store`.
#[test]
fn the_store_does_not_know_there_is_a_server() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("store"), &mut files);
    let mut offenders = Vec::new();
    let mut public_items = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            if !line.starts_with("pub") {
                continue;
            }
            let Some(name) = [
                "fn ", "struct ", "enum ", "mod ", "const ", "type ", "trait ",
            ]
            .iter()
            .find_map(|keyword| line.split_once(keyword).map(|(_, rest)| rest)) else {
                continue;
            };
            public_items += 1;
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let lower = name.to_lowercase();
            if ["campus", "server", "remote", "pull"]
                .iter()
                .any(|word| lower.contains(word))
            {
                offenders.push(format!("{} names {name}", file.display()));
            }
        }
    }
    // The scan reads real items (it would pass on an empty folder otherwise).
    assert!(public_items > 100, "{public_items}");
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

/// No two files import each other, directly or round a loop: each file can be read, and
/// changed, knowing only what it names.
#[test]
fn no_import_circles_between_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = crate::util::use_graph::UseGraph::of_library(&src);
    assert!(graph.edges.len() > 100, "the graph read too few files");
    let circles: Vec<Vec<String>> = graph
        .circles()
        .into_iter()
        .map(|files| {
            // Each file with what it names inside its circle, so the loop can be cut.
            files
                .iter()
                .map(|file| {
                    let inside: Vec<&String> = graph.edges[file]
                        .iter()
                        .filter(|target| files.contains(target))
                        .collect();
                    format!("{file} → {inside:?}")
                })
                .collect()
        })
        .collect();
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}
