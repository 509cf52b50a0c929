//! The school report as a spreadsheet: one row per figure, then captures per hour per station.

use anyhow::Result;

use super::sheets::{SheetCell, write_xlsx};
use crate::store::report::SchoolReport;

pub const REPORT_HEADERS: [&str; 2] = ["项目", "数值"];

/// One figure of the report. The spreadsheet labels it in Chinese ([`chinese_label`]); the
/// window words it in the person's language (`i18n`).
#[derive(Debug, Clone, PartialEq)]
pub enum ReportFigure {
    School,
    Date,
    Orders,
    Captured,
    WalkInsWithId,
    WalkInsWithoutId,
    Remaining,
    Cancelled,
    RefundsPending,
    RefundsDone,
    MedianSecondsPerStudent,
    /// Captures at one station in one hour.
    CapturesAt {
        station: String,
        hour: String,
    },
}

/// The report's figures in order, with their values. The date reads 全部 when the report covers
/// every day; the median is rounded to a tenth of a second.
pub fn report_figures(report: &SchoolReport) -> Vec<(ReportFigure, SheetCell)> {
    let n = |v: usize| SheetCell::Number(v as f64);
    let mut lines = vec![
        (ReportFigure::School, SheetCell::Text(report.school.clone())),
        (
            ReportFigure::Date,
            SheetCell::Text(
                report
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "全部".to_string()),
            ),
        ),
        (ReportFigure::Orders, n(report.orders)),
        (ReportFigure::Captured, n(report.captured)),
        (ReportFigure::WalkInsWithId, n(report.walk_ins_with_id)),
        (
            ReportFigure::WalkInsWithoutId,
            n(report.walk_ins_without_id),
        ),
        (ReportFigure::Remaining, n(report.remaining)),
        (ReportFigure::Cancelled, n(report.cancelled)),
        (ReportFigure::RefundsPending, n(report.refunds_pending)),
        (ReportFigure::RefundsDone, n(report.refunds_done)),
        (
            ReportFigure::MedianSecondsPerStudent,
            report
                .median_seconds_per_student
                .map(|seconds| SheetCell::Number((seconds * 10.0).round() / 10.0))
                .unwrap_or_else(|| SheetCell::Text("-".to_string())),
        ),
    ];
    for hour in &report.per_hour {
        lines.push((
            ReportFigure::CapturesAt {
                station: hour.station.clone(),
                hour: hour.hour.clone(),
            },
            n(hour.captures),
        ));
    }
    lines
}

/// The figure's label in the spreadsheet (and the command line).
pub fn chinese_label(figure: &ReportFigure) -> String {
    match figure {
        ReportFigure::School => "学校".to_string(),
        ReportFigure::Date => "日期".to_string(),
        ReportFigure::Orders => "订单".to_string(),
        ReportFigure::Captured => "已采集".to_string(),
        ReportFigure::WalkInsWithId => "现场预约（有身份证）".to_string(),
        ReportFigure::WalkInsWithoutId => "现场预约（无身份证）".to_string(),
        ReportFigure::Remaining => "待拍".to_string(),
        ReportFigure::Cancelled => "已取消".to_string(),
        ReportFigure::RefundsPending => "待退款".to_string(),
        ReportFigure::RefundsDone => "已退款".to_string(),
        ReportFigure::MedianSecondsPerStudent => "每人用时中位数（秒）".to_string(),
        ReportFigure::CapturesAt { station, hour } => format!("采集 {station} {hour}"),
    }
}

/// The report's lines, labelled in Chinese, as (label, value).
pub fn report_lines(report: &SchoolReport) -> Vec<(String, SheetCell)> {
    report_figures(report)
        .into_iter()
        .map(|(figure, value)| (chinese_label(&figure), value))
        .collect()
}

/// A value as a person reads it: whole numbers without a decimal point.
pub fn shown_value(value: &SheetCell) -> String {
    match value {
        SheetCell::Text(text) | SheetCell::Exact(text) => text.clone(),
        SheetCell::Number(n) => format!("{n}"),
    }
}

pub fn report_xlsx(report: &SchoolReport) -> Result<Vec<u8>> {
    let rows: Vec<Vec<SheetCell>> = report_lines(report)
        .into_iter()
        .map(|(label, value)| vec![SheetCell::Text(label), value])
        .collect();
    write_xlsx("报表", &REPORT_HEADERS, &rows)
}
