//! The school report as a spreadsheet: one row per figure, then captures per hour per station.

use anyhow::Result;

use super::sheets::{SheetCell, write_xlsx};
use crate::store::report::SchoolReport;

pub const REPORT_HEADERS: [&str; 2] = ["项目", "数值"];

/// The report's lines, in Chinese, as (label, value).
pub fn report_lines(report: &SchoolReport) -> Vec<(String, SheetCell)> {
    let n = |v: usize| SheetCell::Number(v as f64);
    let mut lines = vec![
        ("学校".to_string(), SheetCell::Text(report.school.clone())),
        (
            "日期".to_string(),
            SheetCell::Text(
                report
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "全部".to_string()),
            ),
        ),
        ("订单".to_string(), n(report.orders)),
        ("已采集".to_string(), n(report.captured)),
        (
            "现场预约（有身份证）".to_string(),
            n(report.walk_ins_with_id),
        ),
        (
            "现场预约（无身份证）".to_string(),
            n(report.walk_ins_without_id),
        ),
        ("待拍".to_string(), n(report.remaining)),
        ("已取消".to_string(), n(report.cancelled)),
        ("待退款".to_string(), n(report.refunds_pending)),
        ("已退款".to_string(), n(report.refunds_done)),
        (
            "每人用时中位数（秒）".to_string(),
            report
                .median_seconds_per_student
                .map(SheetCell::Number)
                .unwrap_or_else(|| SheetCell::Text("-".to_string())),
        ),
    ];
    for hour in &report.per_hour {
        lines.push((
            format!("采集 {} {}", hour.station, hour.hour),
            n(hour.captures),
        ));
    }
    lines
}

pub fn report_xlsx(report: &SchoolReport) -> Result<Vec<u8>> {
    let rows: Vec<Vec<SheetCell>> = report_lines(report)
        .into_iter()
        .map(|(label, value)| vec![SheetCell::Text(label), value])
        .collect();
    write_xlsx("报表", &REPORT_HEADERS, &rows)
}
