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
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        if bytes.starts_with(ZIP_MAGIC) {
            check_shared_string_claim(bytes)?;
        }
        // The spreadsheet reader is third-party code fed untrusted files: a panic in it (found
        // by fuzzing) becomes a refused file, never a crashed import.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_workbook(bytes, &mut on_row)
        }))
        .unwrap_or_else(|_| {
            Err(TableError::Spreadsheet(
                "the workbook is malformed (the spreadsheet reader failed on it)".to_string(),
            ))
        });
    }
    read_csv(bytes, on_row)
}

/// Columns read from a sheet. An order export has about fifteen; a cell far to the right (a
/// hostile `r="AKKKKKK3"` asked for a 10 GB row) is no booking field and is skipped.
pub const MAX_COLUMNS: usize = 1024;

/// Most shared strings a workbook may claim per byte of its shared-string table: even an empty
/// string takes `<si/>`, five bytes.
const MIN_BYTES_PER_SHARED_STRING: u64 = 5;

/// calamine reserves room for the number of shared strings a workbook *claims* before reading
/// any of them, so a file claiming 10^19 panics and one claiming 10^12 aborts the process on the
/// allocation. Refuse a claim the table's size cannot back.
fn check_shared_string_claim(bytes: &[u8]) -> Result<(), TableError> {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine gives the error for a broken zip
    };
    let Some(index) = (0..archive.len()).find(|&i| {
        archive
            .name_for_index(i)
            .and_then(Result::ok)
            .is_some_and(|name| {
                name.to_ascii_lowercase()
                    .trim_start_matches('/')
                    .ends_with("sharedstrings.xml")
            })
    }) else {
        return Ok(());
    };
    let Ok(entry) = archive.by_index(index) else {
        return Ok(());
    };
    let size = entry.size();
    let mut head = Vec::new();
    if entry.take(64 * 1024).read_to_end(&mut head).is_err() {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&head);
    let Some(claim) = head
        .find("uniqueCount=")
        .map(|at| &head[at + "uniqueCount=".len()..])
        .and_then(|rest| rest.get(1..))
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
    else {
        return Ok(());
    };
    let claimed = claim.trim_start_matches('0');
    let too_many = claimed.len() > 18
        || claimed.parse::<u64>().unwrap_or(0) > size / MIN_BYTES_PER_SHARED_STRING + 1;
    if too_many {
        return Err(TableError::Spreadsheet(format!(
            "the workbook claims {} shared strings in a {size}-byte table: the file is damaged",
            if claimed.is_empty() { "0" } else { claimed }
        )));
    }
    Ok(())
}

fn read_workbook(
    bytes: &[u8],
    on_row: &mut impl FnMut(usize, Vec<Cell>) -> bool,
) -> Result<(), TableError> {
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
            if col >= MAX_COLUMNS {
                continue;
            }
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
            let mut row: Vec<Cell> = vec![Cell::Empty; first_col.min(MAX_COLUMNS)];
            row.extend(
                cells
                    .iter()
                    .take(MAX_COLUMNS.saturating_sub(first_col))
                    .map(cell_from_data),
            );
            if !on_row(first_row + index + 1, row) {
                break;
            }
        }
    }
    Ok(())
}

fn read_csv(
    bytes: &[u8],
    mut on_row: impl FnMut(usize, Vec<Cell>) -> bool,
) -> Result<(), TableError> {
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

    /// Fuzzing found this too: a cell at column AKKKKKK made the row a 10 GB allocation.
    #[test]
    fn cells_beyond_the_last_read_column_are_skipped() {
        let bytes = include_bytes!("../../fuzz/regressions/xlsx-far-right-cell.xlsx");
        let table = read_table(bytes).unwrap();
        assert!(!table.rows.is_empty());
        assert!(
            table
                .rows
                .iter()
                .all(|(_, cells)| cells.len() <= MAX_COLUMNS)
        );
    }

    /// Fuzzing found these: a shared-string count of 18446744073709551610 made calamine panic
    /// ("capacity overflow"), and a count of 10^12 would abort the process on the allocation.
    #[test]
    fn workbooks_claiming_impossible_string_counts_are_refused() {
        for bytes in [
            &include_bytes!("../../fuzz/regressions/xlsx-shared-string-claim-overflow.xlsx")[..],
            &include_bytes!("../../fuzz/regressions/xlsx-shared-string-claim-huge.xlsx")[..],
        ] {
            let error = read_table(bytes).unwrap_err().to_string();
            assert!(error.contains("shared strings"), "{error}");
            assert!(error.contains("damaged"), "{error}");
        }
    }

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
