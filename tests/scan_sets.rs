//! The scanner on the shared test images (../shared/testdata/qr), through the same path as
//! `capture-station scan`: decode rates have floors just under what the scanner reaches, so a
//! regression fails; images meant to break decoders must not crash it.

use std::path::{Path, PathBuf};

use capture_station::scan::{decode_frame, decode_gray};

fn testdata() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/qr");
    assert!(path.is_dir(), "test data missing at {}", path.display());
    path
}

fn codes_in(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let gray = decode_gray(&bytes).unwrap();
    decode_frame(&gray).codes
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// Decoded / total for one ZXing blackbox folder, comparing as the README says.
fn zxing_rate(folder: &str) -> (usize, usize) {
    let dir = testdata().join("zxing").join(folder);
    let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    images.sort();
    let mut decoded = 0;
    let mut total = 0;
    for image in images {
        let Ok(expected) = std::fs::read_to_string(image.with_extension("txt")) else {
            continue;
        };
        total += 1;
        let expected = normalise(&expected);
        if codes_in(&image).iter().any(|c| normalise(c) == expected) {
            decoded += 1;
        }
    }
    (decoded, total)
}

#[test]
fn zxing_blackbox_floors() {
    // Reached on 2026-11-28: 15/20, 15/35, 30/42 (60/97).
    let floors = [("qrcode-1", 14), ("qrcode-2", 14), ("qrcode-3", 29)];
    let mut all = (0, 0);
    for (folder, floor) in floors {
        let (decoded, total) = zxing_rate(folder);
        eprintln!("{folder}: {decoded}/{total}");
        assert!(
            decoded >= floor,
            "{folder}: {decoded}/{total} is below the floor {floor}"
        );
        all = (all.0 + decoded, all.1 + total);
    }
    assert!(all.0 >= 58, "all: {}/{}", all.0, all.1);
}

#[test]
fn rqrr_renders_decode_to_their_text() {
    let data = testdata().join("rqrr/tests/data");
    let cases = [
        ("github.gif", "https://github.com/WanzenBug/rqrr"),
        ("mirrored.gif", "rqrr"),
        ("rqrr_incomplete.gif", "rqrr"),
        ("number.gif", "1234567891011121314151617181920"),
        ("errors/io_error.png", "For testing the IoError"),
    ];
    for (file, expected) in cases {
        let codes = codes_in(&data.join(file));
        assert!(
            codes.iter().any(|c| c.starts_with(expected)),
            "{file}: {codes:?}"
        );
    }
    let superlong = codes_in(&data.join("full/superlong.gif"));
    assert!(superlong[0].starts_with("superlongdata"));
    let multiple = codes_in(&data.join("full/multiple.png"));
    assert!(multiple[0].starts_with("Lorem ipsum"));
}

#[test]
fn corrupted_codes_give_nothing_and_hostile_images_do_not_crash() {
    let errors = testdata().join("rqrr/tests/data/errors");
    for file in ["data_ecc.png", "format_ecc.png", "invalid_version.gif"] {
        assert!(codes_in(&errors.join(file)).is_empty(), "{file}");
    }
    for file in ["should-not-panic-1.jpg", "should-not-panic-2.jpg"] {
        let bytes = std::fs::read(errors.join(file)).unwrap();
        let gray = decode_gray(&bytes).unwrap();
        let _ = decode_frame(&gray);
    }
}

#[test]
fn scan_command_prints_one_json_line_per_file() {
    let data = testdata().join("rqrr/tests/data");
    let dir = tempfile::tempdir().unwrap();
    let not_an_image = dir.path().join("notes.png");
    std::fs::write(&not_an_image, b"just text").unwrap();
    let output = crate::util::run(
        dir.path(),
        &[
            "scan",
            "--json",
            data.join("github.gif").to_str().unwrap(),
            not_an_image.to_str().unwrap(),
        ],
    );
    assert!(!output.status.success(), "an unreadable file fails the run");
    let lines: Vec<serde_json::Value> = crate::util::stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["codes"][0], "https://github.com/WanzenBug/rqrr");
    assert!(lines[0]["ms"].as_f64().unwrap() >= 0.0);
    assert!(lines[1]["error"].as_str().unwrap().contains("not an image"));
}
