//! `close-session` and `refund`: ending a school's collection period and following its refunds.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDateTime;
use clap::{Args, Subcommand};

use super::context::Station;
use crate::domain::money::format_yuan;
use crate::transfer::refund_list::{refunds_csv, refunds_xlsx};

#[derive(Debug, Args)]
pub struct CloseArgs {
    #[arg(long)]
    pub school: String,
    /// Close time, local, YYYY-MM-DDTHH:MM:SS [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Close although a collection window is still open (recorded in the event log)
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object: {"cancelled","refund_total_fen","due_date","already_closed",…}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RefundCommand {
    /// Write the school's refund list (.xlsx, or .csv in UTF-8 with BOM), by the file's extension
    List {
        #[arg(long)]
        school: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Mark one order's refund done, with the payment platform's reference
    Mark {
        order: String,
        #[arg(long = "ref", value_name = "TEXT")]
        reference: String,
    },
    /// Pending, overdue and done refunds of a school, with amounts
    Summary {
        #[arg(long)]
        school: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn close_session(mut station: Station, args: CloseArgs) -> Result<()> {
    let at = match &args.at {
        Some(text) => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .with_context(|| format!("--at '{text}': write it as 2026-11-30T18:00:00"))?,
        None => chrono::Local::now().naive_local(),
    };
    let session = station.sign_in()?;
    let link = station.campus_link()?;
    let outcome = crate::station::close_out::close_session(
        &mut station.store,
        crate::station::Reach::of(link.as_deref()),
        &args.school,
        at,
        args.force,
        &station.config.holidays,
        &session,
    )?;
    if args.json {
        say!("{}", serde_json::to_string(&outcome)?);
        return Ok(());
    }
    if outcome.cancelled == 0 {
        say!(
            "没有新的未采集订单 nothing new to close for {} ({} closed earlier)",
            outcome.school,
            outcome.already_closed
        );
    } else {
        say!(
            "已关闭 {}：取消 {} 单，应退 {} 元，退款截止 {}（其中现场支付 {} 单需人工退款）",
            outcome.school,
            outcome.cancelled,
            format_yuan(outcome.refund_total_fen),
            outcome.due_date,
            outcome.paid_on_site
        );
        say!(
            "closed {}: {} orders cancelled, {} yuan to refund by {} ({} paid on site)",
            outcome.school,
            outcome.cancelled,
            format_yuan(outcome.refund_total_fen),
            outcome.due_date,
            outcome.paid_on_site
        );
    }
    if outcome.calendar_gap {
        eprintln!(
            "注意 the holiday calendar does not cover {}; the due date may be early",
            outcome.due_date
        );
    }
    Ok(())
}

pub fn refund(mut station: Station, command: RefundCommand) -> Result<()> {
    match command {
        RefundCommand::List { school, out } => {
            // The list carries names and student numbers: an export like any other.
            let session = station.sign_in()?;
            station
                .store
                .authorize(&session, crate::store::Permission::Export, Some(&school))?;
            let rows = station.store.refunds(&school)?;
            let csv = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let bytes = if csv {
                refunds_csv(&rows)?
            } else {
                refunds_xlsx(&rows)?
            };
            crate::store::photo_files::write_atomically(&out, &bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            say!("{} 行 → {}", rows.len(), out.display());
            say!("{} rows → {}", rows.len(), out.display());
        }
        RefundCommand::Mark { order, reference } => {
            let session = station.sign_in()?;
            station.store.mark_refunded(&order, &reference, &session)?;
            say!("已退款 refunded {order} ({reference})");
        }
        RefundCommand::Summary { school, json } => {
            let today = chrono::Local::now().date_naive();
            let summary = station.store.refund_summary(&school, today)?;
            if json {
                say!("{}", serde_json::to_string(&summary)?);
            } else {
                say!(
                    "待退款 pending {} ({} 元) · 逾期 overdue {} ({} 元) · 已退款 done {} ({} 元)",
                    summary.pending,
                    format_yuan(summary.pending_fen),
                    summary.overdue,
                    format_yuan(summary.overdue_fen),
                    summary.done,
                    format_yuan(summary.done_fen)
                );
            }
        }
    }
    Ok(())
}
