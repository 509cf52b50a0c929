//! `export`, `verify-export` and `report`: handing the photos over and telling how the day went.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::context::Station;
use crate::transfer::export::{DEFAULT_NAMING, Naming, verify_export};

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub school: String,
    /// Folder to write <school>/ (photos and manifests) into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// File-name template: {capture_code}.jpg, {id_number}.jpg or {student_no}_{name}.jpg
    #[arg(long, default_value = DEFAULT_NAMING, value_name = "TEMPLATE")]
    pub naming: String,
    /// Also write <school>.zip
    #[arg(long)]
    pub zip: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyExportArgs {
    /// An export folder, or a folder of them
    pub dir: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn export(mut station: Station, args: ExportArgs) -> Result<()> {
    let naming = Naming::parse(&args.naming)?;
    // export_school checks the role before a single photo is copied.
    let session = station.sign_in()?;
    let request = crate::transfer::school_export::ExportRequest {
        school: args.school.clone(),
        out: args.out.clone(),
        naming,
        zip: args.zip,
        only_reexports: false,
        station_name: Some(station.config.station_name.clone()),
    };
    let bar = (!args.json).then(|| indicatif::ProgressBar::new(0));
    let progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let link = station.campus_link()?;
    let photos_dir = station.config.photos_dir();
    let data_dir = station.config.data_dir.clone();
    // A joined station exports the campus's photos, whichever booth shot them, and verifies
    // the folder.
    let done = crate::station::export::export_school(
        &mut station.store,
        crate::station::Reach::of(link.as_deref()),
        (&data_dir, &photos_dir),
        &session,
        &request,
        crate::transfer::school_export::available_space,
        progress,
    )
    .map_err(anyhow::Error::from)
    .with_context(|| format!("exporting {}", args.school))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (report, reexports) = (done.report, done.reexported);
    let verified = done.verdict.as_ref().map(|verdict| verdict.ok());
    if args.json {
        say!(
            "{}",
            serde_json::json!({
                "report": report,
                "reexported": reexports,
                "campus": link.is_some(),
                "verified": verified,
            })
        );
    } else {
        let exported = report.photos - report.damaged.len();
        say!(
            "导出 {exported} 张 exported {exported} photos to {} ({} copied, {} already there, {:.1} MB, {:.0} MB/s); {reexports} 张为更正后重新导出",
            report.folder.display(),
            report.copied,
            report.skipped,
            report.bytes as f64 / 1e6,
            report.mb_per_s,
        );
        if let Some(verified) = verified {
            say!("校验 / verified: {}", if verified { "✓" } else { "✗" });
        }
        if let Some(zip) = &report.zip {
            say!("zip: {}", zip.display());
        }
    }
    if verified == Some(false) {
        bail!("the exported folder does not verify against its manifest");
    }
    if !report.damaged.is_empty() {
        bail!(
            "{} stored photos do not match their checksums and were left out: {}",
            report.damaged.len(),
            report
                .damaged
                .iter()
                .map(|d| d.student.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

pub fn verify(args: VerifyExportArgs) -> Result<()> {
    let verdicts = verify_export(&args.dir)?;
    let ok = verdicts.iter().all(|v| v.ok());
    if args.json {
        say!("{}", serde_json::json!({ "ok": ok, "folders": verdicts }));
    } else {
        for verdict in &verdicts {
            say!(
                "{}: {} photos, {}{}{}{}",
                verdict.folder.display(),
                verdict.photos,
                if verdict.complete {
                    "complete"
                } else {
                    "INCOMPLETE (export did not finish)"
                },
                list(" missing", &verdict.missing),
                list(" changed", &verdict.changed),
                list(" unlisted", &verdict.unlisted),
            );
        }
    }
    if !ok {
        bail!("the export does not match its manifest");
    }
    Ok(())
}

fn list(label: &str, names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(";{label}: {}", names.join(", "))
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long)]
    pub school: String,
    /// Capture figures for this day only (YYYY-MM-DD)
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub json: bool,
    /// Also write the report as an XLSX file
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
}

pub fn report(station: Station, args: ReportArgs) -> Result<()> {
    let mut report = station.store.school_report(&args.school, args.date)?;
    // Once joined, this booth goes by its campus name, as other stations' captures do.
    let own_name = station
        .campus_link()?
        .map(|link| link.station().to_string())
        .unwrap_or_else(|| station.config.station_name.clone());
    report.name_stations(station.store.station_id(), &own_name);
    if let Some(path) = &args.xlsx {
        let bytes = crate::transfer::report_sheet::report_xlsx(&report)?;
        crate::store::photo_files::write_atomically(path, &bytes)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        say!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    for (label, value) in crate::transfer::report_sheet::report_lines(&report) {
        let value = crate::transfer::report_sheet::shown_value(&value);
        say!("{label}\t{value}");
    }
    Ok(())
}
