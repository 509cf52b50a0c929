//! `portrait IN [-o OUT] [--json] [--backdrop …] [--kb MIN-MAX]`: the booth's portrait pipeline
//! on a still, or on every image in a folder (HivisionIDPhotos' users ask for exactly this).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::domain::photo_spec::{Backdrop, SizeRange};
use crate::portrait::pipeline::{PortraitPipeline, PortraitReport, PortraitSettings};
use crate::scan::image_input::decode_rgb;

#[derive(Debug, Args)]
pub struct PortraitArgs {
    /// An image, or a folder of images
    pub input: PathBuf,
    /// Where to write the 480×640 JPEG (a folder when IN is a folder); without it, only check
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print the report as JSON (one line per image)
    #[arg(long)]
    pub json: bool,
    /// The booth backdrop: blue, white or grey
    #[arg(long, default_value = "blue", value_parser = parse_backdrop)]
    pub backdrop: Backdrop,
    /// Accepted file size in KB, MIN-MAX
    #[arg(long, default_value = "20-40", value_parser = parse_kb)]
    pub kb: SizeRange,
}

fn parse_backdrop(text: &str) -> Result<Backdrop, String> {
    Backdrop::parse(text).ok_or_else(|| format!("'{text}': use blue, white or grey"))
}

fn parse_kb(text: &str) -> Result<SizeRange, String> {
    SizeRange::parse_kb(text).ok_or_else(|| format!("'{text}': use MIN-MAX in KB, like 20-40"))
}

pub fn portrait(args: PortraitArgs) -> Result<()> {
    let settings = PortraitSettings {
        backdrop: args.backdrop,
        size: args.kb,
    };
    let mut pipeline = PortraitPipeline::new(settings).context("loading the face model")?;
    if args.input.is_dir() {
        return portrait_folder(&mut pipeline, &args);
    }
    let report = process_one(&mut pipeline, &args.input, args.output.as_deref())?;
    print_report(&args.input, &report, args.json)?;
    Ok(())
}

fn portrait_folder(pipeline: &mut PortraitPipeline, args: &PortraitArgs) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.input)
        .with_context(|| format!("reading {}", args.input.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    if let Some(out) = &args.output {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let progress = indicatif::ProgressBar::new(files.len() as u64);
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let out = args.output.as_ref().map(|dir| {
            let stem = file.file_stem().unwrap_or_default().to_string_lossy();
            dir.join(format!("{stem}.jpg"))
        });
        match process_one(pipeline, file, out.as_deref()) {
            Ok(report) => {
                if report.ok {
                    passed += 1;
                } else {
                    failed += 1;
                }
                progress.suspend(|| print_report(file, &report, args.json))?;
            }
            Err(error) => {
                failed += 1;
                progress.suspend(|| eprintln!("{}: 错误 error: {error:#}", file.display()));
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    eprintln!("合格 passed {passed}, 不合格 failed {failed}");
    Ok(())
}

/// Runs the pipeline on one file; writes `output` only when a crop was made.
fn process_one(
    pipeline: &mut PortraitPipeline,
    input: &Path,
    output: Option<&Path>,
) -> Result<PortraitReport> {
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let frame = decode_rgb(&bytes).with_context(|| format!("{}", input.display()))?;
    match pipeline.process(&frame) {
        Ok(portrait) => {
            if let Some(output) = output {
                std::fs::write(output, &portrait.jpeg)
                    .with_context(|| format!("writing {}", output.display()))?;
            }
            Ok(portrait.report)
        }
        Err(report) => Ok(report),
    }
}

fn print_report(input: &Path, report: &PortraitReport, json: bool) -> Result<()> {
    if json {
        // Each line names its file: a folder's reports are one line per image.
        let mut line = serde_json::to_value(report)?;
        if let Some(fields) = line.as_object_mut() {
            fields.insert(
                "file".to_string(),
                serde_json::Value::String(input.display().to_string()),
            );
        }
        say!("{line}");
        return Ok(());
    }
    say!(
        "{}: {} ({} bytes, quality {}, {:.0} ms)",
        input.display(),
        if report.ok {
            "合格 ok"
        } else {
            "不合格 not ok"
        },
        report.bytes,
        report.quality,
        report.ms
    );
    for check in report.checks.iter().filter(|c| !c.ok) {
        use crate::config::Language;
        use crate::i18n::checks::check_failure;
        let error = report.error.as_ref();
        say!(
            "  ✗ {}: {} ({}) (value {})",
            check.rule,
            check_failure(check, error, Language::Chinese),
            check_failure(check, error, Language::English),
            check.value
        );
    }
    if report.checks.is_empty() {
        bail!("no report");
    }
    Ok(())
}
