//! `scan FILE...`: decode capture codes from still images with the live scanner's code path.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;

use crate::scan::{decode_frame, decode_gray};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Image files (PNG, JPEG, GIF, WebP; the format is read from the content)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON line per file: {"file","codes","ms","attempts"} (ms: decoding the QR only;
    /// attempts: decoder calls made)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct ScanLine {
    file: String,
    codes: Vec<String>,
    ms: f64,
    attempts: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn scan(args: ScanArgs) -> Result<()> {
    let mut failures = 0;
    for file in &args.files {
        let line = scan_one(file);
        if line.error.is_some() {
            failures += 1;
        }
        if args.json {
            say!("{}", serde_json::to_string(&line)?);
        } else if let Some(error) = &line.error {
            say!("{}: 错误 error: {error}", line.file);
        } else {
            say!(
                "{}: {} ({:.1} ms)",
                line.file,
                line.codes.join(" | "),
                line.ms
            );
        }
    }
    if failures > 0 {
        bail!(
            "{failures} of {} file(s) could not be read",
            args.files.len()
        );
    }
    Ok(())
}

fn scan_one(file: &std::path::Path) -> ScanLine {
    let name = file.display().to_string();
    let failed = |error: String| ScanLine {
        file: name.clone(),
        codes: Vec::new(),
        ms: 0.0,
        attempts: 0,
        error: Some(error),
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => return failed(error.to_string()),
    };
    let gray = match decode_gray(&bytes) {
        Ok(gray) => gray,
        Err(error) => return failed(error.to_string()),
    };
    let started = Instant::now();
    let found = decode_frame(&gray);
    ScanLine {
        file: name,
        codes: found.codes,
        ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        attempts: found.attempts,
        error: None,
    }
}
