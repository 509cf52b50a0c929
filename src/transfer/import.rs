//! Importing the mini-program's order export (预约订单导出): Chinese headers in any order, one
//! validation report per spreadsheet row, and an idempotent write through the store.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::table::{Cell, Table, TableError, for_each_row};
use crate::domain::{
    BookingSource, CaptureCodeRules, Field, IdNumber, PaymentMethod, RowProblem, money, slot, text,
};
use crate::store::{ImportCounts, ImportRejection, NewBooking, Store, StoreError};

/// The columns the importer understands. Anything else in the file is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    OrderNo,
    Name,
    Sex,
    IdNumber,
    StudentNo,
    School,
    Department,
    Major,
    Level,
    Phone,
    Amount,
    PaidAt,
    PaymentMethod,
    Slot,
    CaptureCode,
    Note,
}

impl Column {
    fn from_header(header: &str) -> Option<Self> {
        let header: String = header
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '*')
            .collect();
        Some(match header.as_str() {
            "订单号" | "订单编号" => Self::OrderNo,
            "姓名" | "学生姓名" => Self::Name,
            "性别" => Self::Sex,
            "身份证号" | "身份证号码" | "证件号码" => Self::IdNumber,
            "学号" => Self::StudentNo,
            "学校" | "学校名称" => Self::School,
            "院系" | "学院" => Self::Department,
            "专业" => Self::Major,
            "层次" | "学历层次" => Self::Level,
            "手机号" | "手机号码" | "手机" | "联系电话" => Self::Phone,
            "支付金额" | "金额" | "实付金额" => Self::Amount,
            "支付时间" | "付款时间" => Self::PaidAt,
            "支付方式" => Self::PaymentMethod,
            "预约时段" | "预约时间" => Self::Slot,
            "采集码" => Self::CaptureCode,
            "备注" => Self::Note,
            _ => return None,
        })
    }
}

/// The columns, by the headers the file must carry (Chinese, whatever the language).
fn list(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|field| match field {
            Field::Name => "姓名",
            Field::OrderNo => "订单号",
            _ => "?",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a whole file was refused. Nothing is imported in these cases.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("the header row lacks the required column(s): {}", list(.0))]
    MissingHeaders(Vec<Field>),
    #[error("the import stopped before the whole file was read: {0}")]
    Interrupted(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Settings that shape validation.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Fills 学校 when the file lacks it, and guards against importing another school's file.
    pub school: Option<String>,
    pub capture_code_rules: CaptureCodeRules,
    /// "Today", for rejecting birth dates in the future.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<ImportRejection>,
}

/// Rows handed from the parsing thread to the storing thread at a time.
const BATCH_ROWS: usize = 2_000;

/// What the parsing thread sends. The explicit `Done` matters: a channel that closes without it
/// means the parser died, and the store must then roll back rather than commit half a file.
enum Parsed {
    Batch(Vec<(usize, NewBooking)>),
    Failed(ImportError),
    Done,
}

/// Reads, validates and stores `bytes` (the content of an order export) in one transaction.
/// Parsing and validation run on a second thread while the store writes, so a large file costs
/// about as long as its inserts.
pub fn import_file(
    store: &mut Store,
    bytes: &[u8],
    source_label: &str,
    options: &ImportOptions,
    session: &crate::store::Session,
) -> Result<ImportReport, ImportError> {
    run_import(store, bytes, source_label, options, session, true)
}

/// What importing `bytes` would do, without writing anything: the format, the columns found
/// and ignored, and the counts the import itself would report (the same code runs, in a
/// transaction that is rolled back). A file the import would refuse is refused here too.
pub fn preview_file(
    store: &mut Store,
    bytes: &[u8],
    options: &ImportOptions,
    session: &crate::store::Session,
) -> Result<ImportPreview, ImportError> {
    let report = run_import(store, bytes, "preview", options, session, false)?;
    describe_preview(bytes, report)
}

/// A preview of `bytes` around the counts an import (here, or on a campus server) reported.
pub fn describe_preview(bytes: &[u8], report: ImportReport) -> Result<ImportPreview, ImportError> {
    let (known_columns, ignored_columns) = header_columns(bytes)?;
    Ok(ImportPreview {
        format: super::table::describe_format(bytes),
        known_columns,
        ignored_columns,
        report,
    })
}

/// The window's preview of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    /// "XLSX", "CSV GB18030", …
    pub format: &'static str,
    /// Header cells the importer reads, as the file spells them.
    pub known_columns: Vec<String>,
    /// Header cells it ignores.
    pub ignored_columns: Vec<String>,
    pub report: ImportReport,
}

/// The first non-blank row's cells, split into the columns the importer reads and the rest.
fn header_columns(bytes: &[u8]) -> Result<(Vec<String>, Vec<String>), ImportError> {
    let mut header = None;
    for_each_row(bytes, |_, cells| {
        if cells.iter().all(Cell::is_blank) {
            return true;
        }
        header = Some(cells);
        false
    })?;
    let (mut known, mut ignored) = (Vec::new(), Vec::new());
    for cell in header.unwrap_or_default() {
        let text = cell.as_text();
        if text.is_empty() {
            continue;
        }
        if Column::from_header(&text).is_some() {
            known.push(text);
        } else {
            ignored.push(text);
        }
    }
    Ok((known, ignored))
}

fn run_import(
    store: &mut Store,
    bytes: &[u8],
    source_label: &str,
    options: &ImportOptions,
    session: &crate::store::Session,
    commit: bool,
) -> Result<ImportReport, ImportError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Parsed>(4);
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("import-parse".to_string())
            .spawn_scoped(scope, move || parse_into(bytes, options, &sender))
            .map_err(|e| ImportError::Interrupted(e.to_string()))?;
        let rows = ParsedRows {
            receiver: &receiver,
            pending: Vec::new().into_iter(),
            finished: false,
        };
        let stored = if commit {
            store.import_bookings(rows, session, source_label)
        } else {
            store.preview_import_bookings(rows, session)
        };
        let parser_rejected = parser
            .join()
            .map_err(|_| ImportError::Interrupted("the parser panicked".to_string()))?;
        Ok(ImportReport::from_counts(stored?, parser_rejected))
    })
}

impl ImportReport {
    /// The report of rows a store (or a campus server) wrote, with the rows the parser had
    /// already rejected, all in spreadsheet order.
    pub fn from_counts(counts: ImportCounts, mut rejected: Vec<ImportRejection>) -> Self {
        rejected.extend(counts.rejected);
        rejected.sort_by_key(|r| r.row);
        Self {
            inserted: counts.inserted,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected,
        }
    }
}

/// The storing side's view of the channel: rows in order, then an error if the parser failed or
/// vanished without saying it was done.
struct ParsedRows<'r> {
    receiver: &'r std::sync::mpsc::Receiver<Parsed>,
    pending: std::vec::IntoIter<(usize, NewBooking)>,
    finished: bool,
}

impl Iterator for ParsedRows<'_> {
    type Item = Result<(usize, NewBooking), ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.pending.next() {
                return Some(Ok(row));
            }
            if self.finished {
                return None;
            }
            match self.receiver.recv() {
                Ok(Parsed::Batch(rows)) => self.pending = rows.into_iter(),
                Ok(Parsed::Done) => self.finished = true,
                Ok(Parsed::Failed(error)) => {
                    self.finished = true;
                    return Some(Err(error));
                }
                Err(_) => {
                    self.finished = true;
                    return Some(Err(ImportError::Interrupted(
                        "the parser stopped without finishing".to_string(),
                    )));
                }
            }
        }
    }
}

/// The parsing thread: streams rows, validates them, sends batches, and returns the rows it
/// rejected.
fn parse_into(
    bytes: &[u8],
    options: &ImportOptions,
    sender: &std::sync::mpsc::SyncSender<Parsed>,
) -> Vec<ImportRejection> {
    let mut validator: Option<RowValidator<'_>> = None;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut failure = None;
    let mut receiver_gone = false;
    let result = for_each_row(bytes, |row_no, cells| {
        if cells.iter().all(Cell::is_blank) {
            return true;
        }
        let Some(validator) = validator.as_mut() else {
            match RowValidator::from_header(&cells, options) {
                Ok(new) => validator = Some(new),
                Err(error) => {
                    failure = Some(error);
                    return false;
                }
            }
            return true;
        };
        if let Some(booking) = validator.check(row_no, &cells) {
            batch.push((row_no, booking));
        }
        if batch.len() >= BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            receiver_gone = sender.send(Parsed::Batch(full)).is_err();
        }
        !receiver_gone
    });
    let failure = failure
        .or_else(|| result.err().map(ImportError::from))
        .or_else(|| validator.is_none().then(|| TableError::Empty.into()));
    let _ = match failure {
        Some(error) => sender.send(Parsed::Failed(error)),
        None => sender
            .send(Parsed::Batch(batch))
            .and_then(|()| sender.send(Parsed::Done)),
    };
    validator.map(|v| v.rejected).unwrap_or_default()
}

/// Validated bookings, each with its spreadsheet row number.
pub type ValidRows = Vec<(usize, NewBooking)>;

/// Reads and validates `bytes` row by row: only the valid bookings and the rejections are kept,
/// never the sheet (the campus import sends the bookings in one transaction).
pub fn validate_file(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(ValidRows, Vec<ImportRejection>), ImportError> {
    let mut validator: Option<RowValidator<'_>> = None;
    let mut valid = Vec::new();
    let mut failure = None;
    for_each_row(bytes, |row_no, cells| {
        if cells.iter().all(Cell::is_blank) {
            return true;
        }
        match validator.as_mut() {
            None => match RowValidator::from_header(&cells, options) {
                Ok(new) => validator = Some(new),
                Err(error) => {
                    failure = Some(error);
                    return false;
                }
            },
            Some(validator) => {
                if let Some(booking) = validator.check(row_no, &cells) {
                    valid.push((row_no, booking));
                }
            }
        }
        true
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    let validator = validator.ok_or(TableError::Empty)?;
    Ok((valid, validator.rejected))
}

/// Turns a table into validated bookings plus one rejection per bad row (all in memory).
pub fn validate_table(
    table: &Table,
    options: &ImportOptions,
) -> Result<(ValidRows, Vec<ImportRejection>), ImportError> {
    let mut rows = table
        .rows
        .iter()
        .filter(|(_, cells)| !cells.iter().all(Cell::is_blank));
    let Some((_, header)) = rows.next() else {
        return Err(TableError::Empty.into());
    };
    let mut validator = RowValidator::from_header(header, options)?;
    let valid = rows
        .filter_map(|(row_no, cells)| validator.check(*row_no, cells).map(|b| (*row_no, b)))
        .collect();
    Ok((valid, validator.rejected))
}

/// Validates rows against the header it was built from, remembering which order numbers it has
/// seen so that a repeated row does not become a second booking.
struct RowValidator<'o> {
    columns: HashMap<Column, usize>,
    options: &'o ImportOptions,
    first_row_of_order: HashMap<String, usize>,
    rejected: Vec<ImportRejection>,
}

impl<'o> RowValidator<'o> {
    fn from_header(header: &[Cell], options: &'o ImportOptions) -> Result<Self, ImportError> {
        let mut columns: HashMap<Column, usize> = HashMap::new();
        for (index, cell) in header.iter().enumerate() {
            if let Some(column) = Column::from_header(&cell.as_text()) {
                columns.entry(column).or_insert(index);
            }
        }
        let missing: Vec<Field> = [
            (Column::Name, Field::Name),
            (Column::OrderNo, Field::OrderNo),
        ]
        .into_iter()
        .filter(|(column, _)| !columns.contains_key(column))
        .map(|(_, field)| field)
        .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingHeaders(missing));
        }
        Ok(Self {
            columns,
            options,
            first_row_of_order: HashMap::new(),
            rejected: Vec::new(),
        })
    }

    /// The booking for a good row; a bad or repeated row is recorded in `rejected`.
    fn check(&mut self, row_no: usize, cells: &[Cell]) -> Option<NewBooking> {
        if cells.iter().all(Cell::is_blank) {
            return None;
        }
        let row = RowCells {
            cells,
            columns: &self.columns,
        };
        let booking = match validate_row(&row, self.options) {
            Ok(booking) => booking,
            Err(problems) => {
                self.rejected.push(ImportRejection {
                    row: row_no,
                    problems,
                });
                return None;
            }
        };
        let order_no = booking.order_no.clone().unwrap_or_default();
        if let Some(first) = self.first_row_of_order.get(&order_no) {
            self.rejected.push(ImportRejection::new(
                row_no,
                RowProblem::RepeatsRow {
                    order_no,
                    first: *first,
                },
            ));
            return None;
        }
        self.first_row_of_order.insert(order_no, row_no);
        Some(booking)
    }
}

struct RowCells<'a> {
    cells: &'a [Cell],
    columns: &'a HashMap<Column, usize>,
}

impl RowCells<'_> {
    fn cell(&self, column: Column) -> Option<&Cell> {
        self.columns
            .get(&column)
            .and_then(|index| self.cells.get(*index))
            .filter(|cell| !cell.is_blank())
    }

    fn text(&self, column: Column) -> String {
        self.cell(column).map(Cell::as_text).unwrap_or_default()
    }
}

fn validate_row(
    row: &RowCells<'_>,
    options: &ImportOptions,
) -> Result<NewBooking, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut keep = |result: Result<Option<String>, RowProblem>| match result {
        Ok(value) => value,
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let field = |field: Field, column: Column| {
        text::optional_field(field, &row.text(column)).map_err(RowProblem::from)
    };
    let required = |field: Field, column: Column| {
        text::optional_field(field, &row.text(column))
            .map_err(RowProblem::from)
            .and_then(|value| value.map(Some).ok_or(RowProblem::Missing(field)))
    };

    let name = keep(required(Field::Name, Column::Name));
    let order_no = keep(required(Field::OrderNo, Column::OrderNo));
    let id_number = keep(id_number_from(row.cell(Column::IdNumber), options.today));
    let sex = id_number
        .as_deref()
        .and_then(|id| IdNumber::parse(id, options.today).ok())
        .map(|id| match id.sex() {
            crate::domain::Sex::Male => "男".to_string(),
            crate::domain::Sex::Female => "女".to_string(),
        })
        .or_else(|| keep(field(Field::Sex, Column::Sex)));
    let student_no = keep(field(Field::StudentNo, Column::StudentNo));
    let school = keep(school_from(row, options));
    let department = keep(field(Field::Department, Column::Department));
    let major = keep(field(Field::Major, Column::Major));
    let level = keep(field(Field::Level, Column::Level));
    let phone = keep(field(Field::Phone, Column::Phone));
    let amount_fen = match row.cell(Column::Amount) {
        None if row.columns.contains_key(&Column::Amount) => {
            Err(RowProblem::Missing(Field::Amount))
        }
        None => Ok(0),
        Some(Cell::Number(yuan)) => money::yuan_float_to_fen(*yuan).map_err(RowProblem::from),
        Some(cell) => money::parse_yuan(&cell.as_text()).map_err(RowProblem::from),
    };
    let amount_fen = keep(amount_fen.map(|fen| Some(fen.to_string())));
    let paid_at = keep(paid_at_from(row.cell(Column::PaidAt)));
    let payment_method = keep(match row.cell(Column::PaymentMethod) {
        None => Ok(None),
        Some(cell) => PaymentMethod::parse(&cell.as_text())
            .map(|m| Some(m.as_str().to_string()))
            .ok_or_else(|| RowProblem::PaymentUnknown(cell.as_text())),
    });
    let slot = keep(match row.cell(Column::Slot) {
        None => Ok(None),
        Some(cell) => slot::parse_slot(&cell.as_text())
            .map(Some)
            .map_err(RowProblem::from),
    });
    let capture_code = keep(match row.cell(Column::CaptureCode) {
        None => Ok(None),
        Some(cell) => options
            .capture_code_rules
            .validate(&cell.as_text())
            .map(|code| Some(code.as_str().to_string()))
            .map_err(RowProblem::from),
    });
    let note = keep(field(Field::Note, Column::Note));

    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(name), Some(order_no), Some(school), Some(amount_fen)) =
        (name, order_no, school, amount_fen)
    else {
        return Err(vec![RowProblem::Missing(Field::Name)]);
    };
    Ok(NewBooking {
        order_no: Some(order_no),
        source: BookingSource::MiniProgram,
        name,
        sex,
        has_id_card: id_number.is_some(),
        id_number,
        student_no,
        school,
        department,
        major,
        level,
        phone,
        amount_fen: amount_fen.parse().unwrap_or(0),
        payment_method: payment_method
            .as_deref()
            .and_then(PaymentMethod::parse)
            .unwrap_or(PaymentMethod::Wechat),
        paid_at: paid_at
            .as_deref()
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok()),
        slot,
        capture_code,
        note,
    })
}

fn id_number_from(cell: Option<&Cell>, today: NaiveDate) -> Result<Option<String>, RowProblem> {
    match cell {
        None => Ok(None),
        // Excel turns a long digit string typed into a general cell into a float and drops the
        // last digits; such a value cannot be trusted, whatever its check digit says.
        Some(Cell::Number(_)) => Err(RowProblem::IdNumberAsNumber),
        Some(cell) => IdNumber::parse(&cell.as_text(), today)
            .map(|id| Some(id.as_str().to_string()))
            .map_err(RowProblem::from),
    }
}

fn school_from(row: &RowCells<'_>, options: &ImportOptions) -> Result<Option<String>, RowProblem> {
    let in_file = text::optional_field(Field::School, &row.text(Column::School))?;
    match (in_file, &options.school) {
        (Some(file), Some(given)) if &file != given => Err(RowProblem::OtherSchool {
            file,
            given: given.clone(),
        }),
        (Some(file), _) => Ok(Some(file)),
        (None, Some(given)) => Ok(Some(given.clone())),
        (None, None) => Err(RowProblem::NoSchool),
    }
}

fn paid_at_from(cell: Option<&Cell>) -> Result<Option<String>, RowProblem> {
    let parsed = match cell {
        None => return Ok(None),
        Some(Cell::DateTime(t)) => Some(*t),
        Some(cell) => parse_local_time(&cell.as_text()),
    };
    parsed
        .map(|t| Some(t.format("%Y-%m-%d %H:%M:%S").to_string()))
        .ok_or_else(|| RowProblem::PaidAt(cell.map(Cell::as_text).unwrap_or_default()))
}

/// Local times as exports write them, with or without seconds, `T` or `/`.
pub fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    let unified = text.trim().replace('/', "-").replace('T', " ");
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(&unified, format).ok())
    .or_else(|| slot::parse_date(&unified).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImportOptions {
        ImportOptions {
            school: None,
            capture_code_rules: CaptureCodeRules::default(),
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        }
    }

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| {
                    (
                        i + 1,
                        cells.iter().map(|c| Cell::Text(c.to_string())).collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn headers_in_any_order_and_unknown_ones_ignored() {
        let t = table(&[
            &["手机号", "无关列", "姓名", "学校", "订单号", "支付金额"],
            &["13800138000", "x", "张三", "示例大学", "A1", "25.00"],
        ]);
        let (valid, rejected) = validate_table(&t, &options()).unwrap();
        assert!(rejected.is_empty(), "{rejected:?}");
        let booking = &valid[0].1;
        assert_eq!(booking.name, "张三");
        assert_eq!(booking.amount_fen, 2500);
        assert_eq!(booking.phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn missing_required_headers_are_named() {
        let t = table(&[&["学号", "学校"], &["1", "示例大学"]]);
        let error = validate_table(&t, &options()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the header row lacks the required column(s): 姓名, 订单号"
        );
    }

    #[test]
    fn every_bad_field_is_reported_with_its_row() {
        let t = table(&[
            &[
                "订单号",
                "姓名",
                "学校",
                "身份证号",
                "支付金额",
                "预约时段",
                "支付时间",
            ],
            &[
                "A1",
                "",
                "示例大学",
                "110105194912310021",
                "abc",
                "someday",
                "yesterday",
            ],
        ]);
        let (valid, rejected) = validate_table(&t, &options()).unwrap();
        assert!(valid.is_empty());
        assert_eq!(rejected[0].row, 2);
        let problems = &rejected[0].problems;
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.contains(&RowProblem::Missing(Field::Name)));
        assert!(matches!(problems[1], RowProblem::IdNumber(_)));
        assert!(
            problems.contains(&RowProblem::Amount(money::AmountError::NotANumber(
                "abc".into()
            )))
        );
        assert!(problems.contains(&RowProblem::PaidAt("yesterday".into())));
        assert!(problems.iter().any(|p| matches!(p, RowProblem::Slot(_))));
    }

    #[test]
    fn school_option_fills_in_and_guards() {
        let mut with_school = options();
        with_school.school = Some("示例大学".to_string());
        let t = table(&[
            &["订单号", "姓名", "学校"],
            &["A1", "张三", ""],
            &["A2", "李四", "别的大学"],
        ]);
        let (valid, rejected) = validate_table(&t, &with_school).unwrap();
        assert_eq!(valid[0].1.school, "示例大学");
        assert_eq!(rejected[0].row, 3);
        let (_, rejected) = validate_table(&t, &options()).unwrap();
        assert_eq!(rejected[0].row, 2, "no school at all");
    }

    #[test]
    fn id_number_gives_sex_and_id_card_flag() {
        let t = table(&[
            &["订单号", "姓名", "学校", "身份证号", "性别"],
            &["A1", "张三", "示例大学", "11010519491231002x", "男"],
            &["A2", "李四", "示例大学", "", "男"],
        ]);
        let (valid, _) = validate_table(&t, &options()).unwrap();
        assert_eq!(valid[0].1.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(valid[0].1.sex.as_deref(), Some("女"));
        assert!(valid[0].1.has_id_card);
        assert!(!valid[1].1.has_id_card);
        assert_eq!(valid[1].1.sex.as_deref(), Some("男"));
    }

    #[test]
    fn id_number_stored_as_float_is_refused() {
        let t = Table {
            rows: vec![
                (
                    1,
                    vec![
                        Cell::Text("订单号".into()),
                        Cell::Text("姓名".into()),
                        Cell::Text("学校".into()),
                        Cell::Text("身份证号".into()),
                    ],
                ),
                (
                    2,
                    vec![
                        Cell::Text("A1".into()),
                        Cell::Text("张三".into()),
                        Cell::Text("示例大学".into()),
                        Cell::Number(1.1010519491231e17),
                    ],
                ),
            ],
        };
        let (_, rejected) = validate_table(&t, &options()).unwrap();
        assert_eq!(rejected[0].problems, [RowProblem::IdNumberAsNumber]);
    }

    #[test]
    fn local_times_parse() {
        let expected = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(10, 23, 0)
            .unwrap();
        assert_eq!(parse_local_time("2026/11/1 10:23"), Some(expected));
        assert_eq!(parse_local_time("2026-11-01T10:23:00"), Some(expected));
        assert_eq!(parse_local_time("soon"), None);
    }
}
