//! The rows an import rejected, written back as a workbook for the office to fix and send again:
//! the file's own header and cells, the spreadsheet row they came from, and the reason.

use anyhow::Result;

use super::sheets::{SheetCell, write_xlsx};
use super::table::{Cell, for_each_row};

/// Column added before the file's own columns: where the row was in the original file.
pub const ROW_HEADER: &str = "原行号";
/// Column added after them: why the row was rejected.
pub const REASON_HEADER: &str = "问题原因";

/// An XLSX of the rejected rows of `bytes` (the file that was imported), in file order: each
/// `(row, reason)` with the reason already worded for the office (in Chinese, like the headers).
pub fn rejected_rows_xlsx(bytes: &[u8], rejected: &[(usize, String)]) -> Result<Vec<u8>> {
    // Read row by row, keeping the header and the rejected rows only, never the whole sheet.
    let wanted: std::collections::HashSet<usize> = rejected.iter().map(|(row, _)| *row).collect();
    let mut header: Option<Vec<String>> = None;
    let mut kept: std::collections::HashMap<usize, Vec<Cell>> = std::collections::HashMap::new();
    for_each_row(bytes, |row_no, cells| {
        if header.is_none() {
            if !cells.iter().all(Cell::is_blank) {
                header = Some(cells.iter().map(Cell::as_text).collect());
            }
        } else if wanted.contains(&row_no) {
            kept.insert(row_no, cells);
        }
        header.is_none() || kept.len() < wanted.len()
    })?;
    let header = header.unwrap_or_default();
    let mut columns: Vec<&str> = vec![ROW_HEADER];
    columns.extend(header.iter().map(String::as_str));
    columns.push(REASON_HEADER);
    let lines: Vec<Vec<SheetCell>> = rejected
        .iter()
        .map(|(rejected_row, reason)| {
            let cells = kept
                .get(rejected_row)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut line = vec![SheetCell::Number(*rejected_row as f64)];
            line.extend(
                (0..header.len())
                    .map(|i| SheetCell::Text(cells.get(i).map(Cell::as_text).unwrap_or_default())),
            );
            line.push(SheetCell::Text(reason.clone()));
            line
        })
        .collect();
    write_xlsx("问题行", &columns, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::table::read_table;

    #[test]
    fn each_rejected_row_comes_back_with_its_cells_and_reason() {
        let csv =
            "订单号,姓名,身份证号\r\nA1,张三,11010519491231002X\r\nA2,李四,bad\r\n\r\nA3,,x\r\n";
        let rejected = vec![
            (3, "身份证号应为 18 位，实际 3 位".to_string()),
            (5, "姓名为空".to_string()),
        ];
        let bytes = rejected_rows_xlsx(csv.as_bytes(), &rejected).unwrap();
        let table = read_table(&bytes).unwrap();
        let text: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|(_, cells)| cells.iter().map(Cell::as_text).collect())
            .collect();
        assert_eq!(
            text[0],
            ["原行号", "订单号", "姓名", "身份证号", "问题原因"]
        );
        assert_eq!(
            text[1],
            ["3", "A2", "李四", "bad", "身份证号应为 18 位，实际 3 位"]
        );
        assert_eq!(text[2], ["5", "A3", "", "x", "姓名为空"]);
    }
}
