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
    #[error("the file is {bytes} bytes; at most {limit} bytes are read")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("the sheet has more than {limit} rows; split it into smaller files")]
    TooManyRows { limit: usize },
}

/// The largest file read (an order export of a whole university is a few MB).
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// The most rows read from one sheet, blank rows and the header included (a large university
/// graduates about 20,000 students a year).
pub const MAX_ROWS: usize = 200_000;

/// Refuses a file of `bytes` bytes past [`MAX_FILE_BYTES`]: callers check the size on disk before
/// they read the file into memory.
pub fn check_file_size(bytes: u64) -> Result<(), TableError> {
    if bytes > MAX_FILE_BYTES {
        return Err(TableError::TooLarge {
            bytes,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// Reads a spreadsheet file from disk, refusing one past [`MAX_FILE_BYTES`] before reading it.
/// The outer error is the file's (it cannot be read), the inner the table's (it is too large).
pub fn read_file(path: &std::path::Path) -> std::io::Result<Result<Vec<u8>, TableError>> {
    let size = std::fs::metadata(path)?.len();
    if let Err(too_large) = check_file_size(size) {
        return Ok(Err(too_large));
    }
    std::fs::read(path).map(Ok)
}

/// Gives each row its width and counts them. The first non-blank row is the header: a later
/// row's cells past the header's last named column belong to no field and are dropped as they
/// are read, so a sheet with one cell far to the right on every row costs no more than a narrow
/// one. Past [`MAX_ROWS`] rows the read stops with an error.
#[derive(Debug, Default)]
struct RowShaper {
    header_width: Option<usize>,
    rows: usize,
}

impl RowShaper {
    /// Columns worth reading in the next row.
    fn columns(&self) -> usize {
        self.header_width.unwrap_or(MAX_COLUMNS)
    }

    fn shape(&mut self, mut cells: Vec<Cell>) -> Result<Vec<Cell>, TableError> {
        self.rows += 1;
        if self.rows > MAX_ROWS {
            return Err(TableError::TooManyRows { limit: MAX_ROWS });
        }
        match self.header_width {
            Some(width) => cells.truncate(width),
            None => {
                if let Some(last) = cells.iter().rposition(|cell| !cell.is_blank()) {
                    cells.truncate(last + 1);
                    self.header_width = Some(last + 1);
                }
            }
        }
        Ok(cells)
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What the file is, in words for the import preview: "XLSX", "XLS", or "CSV" with its text
/// encoding, sniffed exactly as [`for_each_row`] reads it.
pub fn describe_format(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(ZIP_MAGIC) {
        return "XLSX";
    }
    if bytes.starts_with(OLE_MAGIC) {
        return "XLS";
    }
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, _)) if encoding == encoding_rs::UTF_8 => "CSV UTF-8 (BOM)",
        Some(_) => "CSV UTF-16",
        None if std::str::from_utf8(bytes).is_ok() => "CSV UTF-8",
        None => "CSV GB18030",
    }
}

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
    check_file_size(bytes.len() as u64)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    let mut shaper = RowShaper::default();
    let mut shaped_error = None;
    let mut on_row = |row_no: usize, cells: Vec<Cell>, shaper: &mut RowShaper| -> bool {
        match shaper.shape(cells) {
            Ok(cells) => on_row(row_no, cells),
            Err(error) => {
                shaped_error = Some(error);
                false
            }
        }
    };
    let read = read_shaped(bytes, &mut shaper, &mut on_row);
    match shaped_error {
        Some(error) => Err(error),
        None => read,
    }
}

fn read_shaped(
    bytes: &[u8],
    shaper: &mut RowShaper,
    on_row: &mut impl FnMut(usize, Vec<Cell>, &mut RowShaper) -> bool,
) -> Result<(), TableError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        if bytes.starts_with(ZIP_MAGIC) {
            check_shared_string_claim(bytes)?;
        }
        // The spreadsheet reader is third-party code fed untrusted files: a panic in it (found
        // by fuzzing) becomes a refused file, never a crashed import.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_workbook(bytes, shaper, on_row)
        }))
        .unwrap_or_else(|_| {
            Err(TableError::Spreadsheet(
                "the workbook is malformed (the spreadsheet reader failed on it)".to_string(),
            ))
        });
    }
    read_csv(bytes, |row_no, cells| on_row(row_no, cells, shaper))
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
    shaper: &mut RowShaper,
    on_row: &mut impl FnMut(usize, Vec<Cell>, &mut RowShaper) -> bool,
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
                && !on_row(r as usize + 1, cells, shaper)
            {
                return Ok(());
            }
            let (_, cells) = current.get_or_insert_with(|| (row, Vec::new()));
            let col = col as usize;
            if col >= shaper.columns() {
                continue;
            }
            if cells.len() <= col {
                cells.resize(col + 1, Cell::Empty);
            }
            cells[col] = cell_from_data_ref(cell.get_value());
        }
        if let Some((row, cells)) = current {
            on_row(row as usize + 1, cells, shaper);
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
            let columns = shaper.columns();
            let mut row: Vec<Cell> = vec![Cell::Empty; first_col.min(columns)];
            row.extend(
                cells
                    .iter()
                    .take(columns.saturating_sub(first_col))
                    .map(cell_from_data),
            );
            if !on_row(first_row + index + 1, row, shaper) {
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
    let mut rows = SpreadsheetRows::default();
    let mut seen_any = false;
    for record in reader.records() {
        let record = record?;
        seen_any = true;
        let read_from = record.position().map_or(0, |p| p.byte() as usize);
        let row_no = rows.row_of_record_read_from(text.as_bytes(), read_from);
        if !on_row(
            row_no,
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

/// The spreadsheet row of each CSV record, as Excel numbers it when it opens the file: every
/// line break outside quotes starts a row (blank lines too), CRLF counts once, a lone CR or LF
/// once each, and a line break inside a quoted cell starts none.
///
/// The csv crate's own `line()` counts text lines, which is wrong twice over: a quoted cell with
/// a line break adds a line, and with CRLF endings its count lags by one (it sees the CR end a
/// record but counts the line only at the LF, at the start of the next read).
#[derive(Debug, Default)]
struct SpreadsheetRows {
    last_row: usize,
}

impl SpreadsheetRows {
    /// `read_from` is where the csv reader began reading the record: after the previous record's
    /// content, possibly before its line break and before any blank lines it skipped. The
    /// record's content starts after those; the run of CR and LF bytes just before that start
    /// is the previous record's terminator plus the blank lines, because no record's content
    /// ends in CR or LF (an unquoted cell cannot hold one, a quoted cell ends with its quote).
    fn row_of_record_read_from(&mut self, text: &[u8], read_from: usize) -> usize {
        let is_break = |b: &u8| *b == b'\r' || *b == b'\n';
        let read_from = read_from.min(text.len());
        let content_start =
            read_from + text[read_from..].iter().take_while(|b| is_break(b)).count();
        let run_start = text[..content_start]
            .iter()
            .rposition(|b| !is_break(b))
            .map_or(0, |last_content| last_content + 1);
        let breaks = line_breaks(&text[run_start..content_start]);
        self.last_row = if self.last_row == 0 {
            breaks + 1
        } else {
            self.last_row + breaks
        };
        self.last_row
    }
}

/// Line breaks in a run of CR and LF bytes: CRLF is one, a lone CR or LF is one.
fn line_breaks(run: &[u8]) -> usize {
    let mut count = 0;
    let mut index = 0;
    while index < run.len() {
        index += if run[index] == b'\r' && run.get(index + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        count += 1;
    }
    count
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

    /// A header, a cell with a line break inside quotes, and a blank line: the rows as Excel
    /// numbers them. `None` is the blank row.
    const ROWS: &[Option<[&str; 3]>] = &[
        Some(["订单号", "姓名", "备注"]),
        Some(["A1", "张三", "单行"]),
        Some(["A2", "李四", "两行\n备注"]),
        Some(["A3", "王五", "x"]),
        None,
        Some(["A4", "赵六", "空行之后"]),
        Some(["A5", "钱七", "最后"]),
    ];
    const EXPECTED: &[(usize, &str)] = &[
        (1, "订单号"),
        (2, "A1"),
        (3, "A2"),
        (4, "A3"),
        (6, "A4"),
        (7, "A5"),
    ];

    fn csv_text(terminator: &str, break_in_cell: &str) -> String {
        ROWS.iter()
            .map(|row| match row {
                None => terminator.to_string(),
                Some(cells) => {
                    let cells: Vec<String> = cells
                        .iter()
                        .map(|cell| {
                            if cell.contains('\n') {
                                format!("\"{}\"", cell.replace('\n', break_in_cell))
                            } else {
                                cell.to_string()
                            }
                        })
                        .collect();
                    format!("{}{terminator}", cells.join(","))
                }
            })
            .collect()
    }

    fn numbered_rows(bytes: &[u8]) -> Vec<(usize, String)> {
        read_table(bytes)
            .unwrap()
            .rows
            .into_iter()
            .map(|(row, cells)| (row, cells[0].as_text()))
            .collect()
    }

    fn expected() -> Vec<(usize, String)> {
        EXPECTED.iter().map(|(r, t)| (*r, t.to_string())).collect()
    }

    #[test]
    fn xlsx_rows_are_numbered_as_excel_shows_them() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (row, cells) in ROWS.iter().enumerate() {
            for (col, cell) in cells.iter().flatten().enumerate() {
                sheet.write_string(row as u32, col as u16, *cell).unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(numbered_rows(&bytes), expected());
    }

    /// Excel's "Save as CSV" and Python's csv module end lines in CRLF; old Mac tools in CR. The
    /// row a rejection names must be the row the spreadsheet shows, whatever the line endings,
    /// the BOM or the encoding, and the same as for the XLSX of the same data.
    #[test]
    fn csv_rows_are_numbered_as_the_spreadsheet_shows_them_whatever_the_line_endings() {
        for terminator in ["\r\n", "\n", "\r"] {
            for break_in_cell in ["\n", "\r\n"] {
                let text = csv_text(terminator, break_in_cell);
                let utf8_bom = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
                let (gb18030, _, _) = encoding_rs::GB18030.encode(&text);
                let utf16_bom: Vec<u8> = [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect();
                for (encoding, bytes) in [
                    ("UTF-8", text.as_bytes().to_vec()),
                    ("UTF-8 BOM", utf8_bom),
                    ("GB18030", gb18030.into_owned()),
                    ("UTF-16 BOM", utf16_bom),
                ] {
                    assert_eq!(
                        numbered_rows(&bytes),
                        expected(),
                        "{encoding}, lines ending {terminator:?}, cell break {break_in_cell:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn blank_lines_before_the_header_count_as_rows() {
        let rows = numbered_rows(b"\r\n\r\nid,name\r\nA1,x\r\n");
        assert_eq!(rows, vec![(3, "id".to_string()), (4, "A1".to_string())]);
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
