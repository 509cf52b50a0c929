//! Reading a spreadsheet file into rows of cells, whatever it is: XLSX or XLS (calamine), or CSV
//! in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK. The format is sniffed from the
//! content, never from the file name.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader};
use chrono::NaiveDateTime;

/// One cell as the importer needs it. Numbers and dates are kept typed because spreadsheets store
/// amounts as floats and payment times as serial dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    DateTime(NaiveDateTime),
}

impl Cell {
    /// Text as a person would read the cell: whole numbers without ".0".
    pub fn as_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(text) => text.trim().to_string(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Self::Number(n) => n.to_string(),
            Self::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }
}

/// Rows with their spreadsheet row numbers (1-based, as Excel shows them).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub rows: Vec<(usize, Vec<Cell>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the spreadsheet could not be read: {0}")]
    Spreadsheet(String),
    #[error("the spreadsheet has no worksheet")]
    NoSheet,
    #[error("the text is neither UTF-8 nor GB18030/GBK")]
    UnknownEncoding,
    #[error("the CSV could not be read: {0}")]
    Csv(#[from] csv::Error),
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads the whole first sheet (or the CSV) into memory.
pub fn read_table(bytes: &[u8]) -> Result<Table, TableError> {
    let mut rows = Vec::new();
    for_each_row(bytes, |row_no, cells| {
        rows.push((row_no, cells));
        true
    })?;
    Ok(Table { rows })
}

/// Calls `on_row` with each row of the first sheet (or the CSV) in file order, streaming where
/// the format allows, so that a large import can validate and store while it still parses.
/// `on_row` returns `false` to stop early.
pub fn for_each_row(
    bytes: &[u8],
    mut on_row: impl FnMut(usize, Vec<Cell>) -> bool,
) -> Result<(), TableError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    let spreadsheet_error = |e: &dyn std::fmt::Display| TableError::Spreadsheet(e.to_string());
    if bytes.starts_with(ZIP_MAGIC) {
        let mut workbook =
            calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| spreadsheet_error(&e))?;
        let sheet = workbook
            .sheet_names()
            .first()
            .cloned()
            .ok_or(TableError::NoSheet)?;
        let mut reader = workbook
            .worksheet_cells_reader(&sheet)
            .map_err(|e| spreadsheet_error(&e))?;
        let mut current: Option<(u32, Vec<Cell>)> = None;
        while let Some(cell) = reader.next_cell().map_err(|e| spreadsheet_error(&e))? {
            let (row, col) = cell.get_position();
            if current.as_ref().is_some_and(|(r, _)| *r != row)
                && let Some((r, cells)) = current.take()
                && !on_row(r as usize + 1, cells)
            {
                return Ok(());
            }
            let (_, cells) = current.get_or_insert_with(|| (row, Vec::new()));
            let col = col as usize;
            if cells.len() <= col {
                cells.resize(col + 1, Cell::Empty);
            }
            cells[col] = cell_from_data_ref(cell.get_value());
        }
        if let Some((row, cells)) = current {
            on_row(row as usize + 1, cells);
        }
        return Ok(());
    }
    if bytes.starts_with(OLE_MAGIC) {
        let mut workbook =
            calamine::Xls::new(Cursor::new(bytes)).map_err(|e| spreadsheet_error(&e))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or(TableError::NoSheet)?
            .map_err(|e| spreadsheet_error(&e))?;
        let (first_row, first_col) = range
            .start()
            .map(|(r, c)| (r as usize, c as usize))
            .unwrap_or((0, 0));
        for (index, cells) in range.rows().enumerate() {
            let mut row: Vec<Cell> = vec![Cell::Empty; first_col];
            row.extend(cells.iter().map(cell_from_data));
            if !on_row(first_row + index + 1, row) {
                break;
            }
        }
        return Ok(());
    }
    let text = decode_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut seen_any = false;
    for record in reader.records() {
        let record = record?;
        seen_any = true;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(1);
        if !on_row(
            line,
            record.iter().map(|f| Cell::Text(f.to_string())).collect(),
        ) {
            break;
        }
    }
    if !seen_any {
        return Err(TableError::Empty);
    }
    Ok(())
}

fn cell_from_data_ref(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(dt) => dt
            .as_datetime()
            .map(Cell::DateTime)
            .unwrap_or(Cell::Number(dt.as_f64())),
    }
}

fn cell_from_data(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(Cell::DateTime)
            .unwrap_or(Cell::Number(dt.as_f64())),
    }
}

/// BOM first, then strict UTF-8, then GB18030 (a superset of GBK and GB2312).
pub fn decode_text(bytes: &[u8]) -> Result<String, TableError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return if had_errors {
            Err(TableError::UnknownEncoding)
        } else {
            Ok(text.into_owned())
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(TableError::UnknownEncoding);
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        for bytes in [
            &b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D,a\n"[..],
            b"\xE5\xA7\x93\xE5\x90\x8D,a\n",
        ] {
            let table = read_table(bytes).unwrap();
            assert_eq!(table.rows[0].1[0], Cell::Text("姓名".into()));
        }
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("姓名,订单号\n张三,A1\n");
        let table = read_table(&bytes).unwrap();
        assert_eq!(table.rows[1].1[0], Cell::Text("张三".into()));
        assert_eq!(table.rows[1].0, 2);
    }

    #[test]
    fn empty_and_garbage() {
        assert!(matches!(read_table(b""), Err(TableError::Empty)));
        assert!(matches!(read_table(b"  \n"), Err(TableError::Empty)));
        assert!(matches!(
            read_table(b"PK\x03\x04garbage"),
            Err(TableError::Spreadsheet(_))
        ));
        assert!(matches!(
            read_table(&[0x81, 0x20, 0xFF]),
            Err(TableError::UnknownEncoding)
        ));
    }

    #[test]
    fn numbers_read_like_a_person_would() {
        assert_eq!(Cell::Number(2022001.0).as_text(), "2022001");
        assert_eq!(Cell::Number(25.5).as_text(), "25.5");
    }
}
