//! The school report's figures as the window shows them, in the person's language. The
//! spreadsheet keeps its Chinese labels (`transfer::report_sheet`); English is worded here.

use crate::config::Language;
use crate::transfer::report_sheet::{ReportFigure, chinese_label, shown_value};
use crate::transfer::sheets::SheetCell;

/// The figure's label.
pub fn report_label(figure: &ReportFigure, language: Language) -> String {
    if language == Language::Chinese {
        return chinese_label(figure);
    }
    match figure {
        ReportFigure::School => "School".to_string(),
        ReportFigure::Date => "Date".to_string(),
        ReportFigure::Orders => "Orders".to_string(),
        ReportFigure::Captured => "Photographed".to_string(),
        ReportFigure::WalkInsWithId => "Walk-ins (with ID card)".to_string(),
        ReportFigure::WalkInsWithoutId => "Walk-ins (without ID card)".to_string(),
        ReportFigure::Remaining => "Still to photograph".to_string(),
        ReportFigure::Cancelled => "Cancelled".to_string(),
        ReportFigure::RefundsPending => "Refunds pending".to_string(),
        ReportFigure::RefundsDone => "Refunded".to_string(),
        ReportFigure::MedianSecondsPerStudent => "Median seconds per student".to_string(),
        ReportFigure::CapturesAt { station, hour } => format!("Photos at {station}, {hour}"),
    }
}

/// The figure's value: the whole-period date reads 全部 or "All".
pub fn report_value(figure: &ReportFigure, value: &SheetCell, language: Language) -> String {
    match (figure, value, language) {
        (ReportFigure::Date, SheetCell::Text(text), Language::English) if text == "全部" => {
            "All".to_string()
        }
        _ => shown_value(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::report::{HourCount, SchoolReport};
    use crate::transfer::report_sheet::report_figures;

    #[test]
    fn the_report_reads_in_english_with_its_median_rounded() {
        let report = SchoolReport {
            school: "示例大学".to_string(),
            median_seconds_per_student: Some(157.085),
            per_hour: vec![HourCount {
                station: "东门-1".to_string(),
                hour: "2026-12-07 09:00".to_string(),
                captures: 3,
            }],
            ..SchoolReport::default()
        };
        let lines: Vec<(String, String)> = report_figures(&report)
            .iter()
            .map(|(figure, value)| {
                (
                    report_label(figure, Language::English),
                    report_value(figure, value, Language::English),
                )
            })
            .collect();
        for (label, value) in &lines {
            assert!(label.is_ascii() || label.contains("东门"), "{label}");
            assert!(!value.contains("全部"), "{value}");
        }
        assert!(lines.contains(&("Median seconds per student".into(), "157.1".into())));
        assert!(lines.contains(&("Photos at 东门-1, 2026-12-07 09:00".into(), "3".into())));
        let chinese = report_label(&ReportFigure::Captured, Language::Chinese);
        assert_eq!(chinese, "已采集");
    }
}
