//! `import`, `lookup` and `school`: the booking commands.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::context::Station;
use crate::domain::{CollectionWindow, id_number, money};
use crate::station::Reach;
use crate::transfer::ImportOptions;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The order export: .xlsx, .xls or .csv (format and encoding are detected from the content)
    pub file: PathBuf,
    /// School for rows without a 学校 column; rows naming another school are rejected
    #[arg(long)]
    pub school: Option<String>,
    /// Print one JSON object: {"inserted","updated","unchanged","rejected":[{"row","reason"}]}
    #[arg(long)]
    pub json: bool,
    /// Only say what the import would do (the window's preview), changing nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Capture code, order number, ID number, student number, last 4 phone digits, or a name
    pub query: String,
    /// Most bookings to show
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print a JSON array of bookings with their student, status and capture code
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Add a school, optionally with collection windows
    Add {
        name: String,
        /// A collection window, FIRST..LAST (dates, inclusive); repeat for several
        #[arg(long = "window", value_name = "FIRST..LAST")]
        windows: Vec<String>,
    },
    /// List schools and their windows
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn import(mut station: Station, args: ImportArgs) -> Result<()> {
    let bytes = crate::transfer::table::read_file(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .map_err(crate::transfer::import::ImportError::from)?;
    let options = ImportOptions {
        school: args.school.clone(),
        capture_code_rules: station.config.capture_code_rules.clone(),
        today: chrono::Local::now().date_naive(),
    };
    let label = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let session = station.sign_in()?;
    let link = station.campus_link()?;
    if args.dry_run {
        let preview = crate::station::import::preview(
            &mut station.store,
            Reach::of(link.as_deref()),
            &bytes,
            &options,
            &session,
        )
        .map_err(anyhow::Error::from)
        .with_context(|| format!("{} could not be previewed", args.file.display()))?;
        if args.json {
            say!("{}", serde_json::to_string(&preview)?);
        } else {
            let report = &preview.report;
            say!(
                "预览 / preview（{}）：新增 {}，更新 {}，未变 {}，拒绝 {}；未导入 / nothing imported",
                preview.format,
                report.inserted,
                report.updated,
                report.unchanged,
                report.rejected.len()
            );
        }
        return Ok(());
    }
    let report = crate::station::import::import(
        &mut station.store,
        Reach::of(link.as_deref()),
        &station.config.photos_dir(),
        &bytes,
        &label,
        &options,
        &session,
    )
    .map_err(anyhow::Error::from)
    .with_context(|| format!("{} was not imported", args.file.display()))?;
    if let Some(link) = &link
        && !args.json
    {
        say!("校区导入 / imported into the campus at {}", link.address());
    }
    if args.json {
        say!("{}", serde_json::to_string(&report)?);
    } else {
        // The command line says each thing in Chinese, then on the next line in English, as
        // its errors do: one language a line.
        let (inserted, updated, unchanged, rejected) = (
            report.inserted,
            report.updated,
            report.unchanged,
            report.rejected.len(),
        );
        say!("导入完成：新增 {inserted}，更新 {updated}，未变 {unchanged}，拒绝 {rejected}");
        say!(
            "imported: {inserted} inserted, {updated} updated, {unchanged} unchanged, \
             {rejected} rejected"
        );
        for rejection in &report.rejected {
            let problems = crate::i18n::errors::row_problems(
                &rejection.problems,
                crate::config::Language::Chinese,
            );
            say!("  第 {} 行：{problems}", rejection.row);
            say!("  row {}: {}", rejection.row, rejection.reason());
        }
    }
    Ok(())
}

pub fn lookup(station: Station, args: LookupArgs) -> Result<()> {
    let hits = station.store.lookup(&args.query, args.limit)?;
    if args.json {
        say!("{}", serde_json::to_string(&hits)?);
        return Ok(());
    }
    if hits.is_empty() {
        say!("未找到预约 no booking found");
    }
    for hit in hits {
        let b = &hit.booking;
        let s = &b.student;
        say!(
            "{:<14} {} | {} | 学号 {} | 身份证 {} | {} | {} | {} ¥{} | 采集码 {}",
            format!("{:?}", hit.matched_by),
            b.order_no.as_deref().unwrap_or("-"),
            s.name,
            s.student_no.as_deref().unwrap_or("-"),
            s.id_number
                .as_deref()
                .map(id_number::mask)
                .unwrap_or_else(|| "-".into()),
            s.school,
            b.status().map(|st| st.label_zh()).unwrap_or("?"),
            b.source,
            money::format_yuan(b.amount_fen),
            if b.capture_code.is_some() {
                "有"
            } else {
                "无"
            },
        );
    }
    Ok(())
}

pub fn school(mut station: Station, command: SchoolCommand) -> Result<()> {
    match command {
        SchoolCommand::Add { name, windows } => {
            let parsed: Vec<CollectionWindow> = windows
                .iter()
                .map(|w| parse_window(w))
                .collect::<Result<_>>()?;
            let session = station.sign_in()?;
            station.store.ensure_school(&name, &session)?;
            for window in parsed {
                station
                    .store
                    .add_collection_window(&name, window, &session)?;
            }
            say!(
                "{name}: {} window(s)",
                station.store.collection_windows(&name)?.len()
            );
        }
        SchoolCommand::List { json } => {
            let schools = station.store.schools()?;
            if json {
                say!("{}", serde_json::to_string(&schools)?);
            } else {
                for school in schools {
                    let windows: Vec<String> = school
                        .windows
                        .iter()
                        .map(|w| format!("{}..{}", w.first_day, w.last_day))
                        .collect();
                    say!("{}\t{}", school.name, windows.join(", "));
                }
            }
        }
    }
    Ok(())
}

fn parse_window(text: &str) -> Result<CollectionWindow> {
    let (first, last) = text
        .split_once("..")
        .with_context(|| format!("window '{text}' must look like 2026-11-02..2026-11-04"))?;
    let date = |d: &str| -> Result<NaiveDate> { Ok(crate::domain::collection::parse_day(d)?) };
    let (first, last) = (date(first)?, date(last)?);
    match CollectionWindow::new(first, last) {
        Ok(window) => Ok(window),
        Err(error) => bail!("{error}"),
    }
}
