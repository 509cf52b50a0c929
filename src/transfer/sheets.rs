//! Writing tables people open in Excel: CSV (UTF-8, UTF-8 with BOM, or GB18030) and XLSX with
//! the header row in bold and frozen. Every list the station hands out goes through here.

use anyhow::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    /// What Excel needs to open a UTF-8 file as UTF-8 instead of the local code page.
    Utf8Bom,
    Gb18030,
}

/// Writes rows (the first being the header) as CSV in the given encoding.
pub fn write_csv(rows: &[Vec<String>], encoding: CsvEncoding) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row)?;
    }
    let utf8 = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(match encoding {
        CsvEncoding::Utf8 => utf8,
        CsvEncoding::Utf8Bom => [&b"\xEF\xBB\xBF"[..], &utf8].concat(),
        CsvEncoding::Gb18030 => {
            let text = String::from_utf8(utf8)?;
            encoding_rs::GB18030.encode(&text).0.into_owned()
        }
    })
}

/// A cell: text stays text (order numbers and ID numbers must not become numbers), amounts and
/// counts are numbers so they can be summed.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCell {
    Text(String),
    /// Text a program reads back exactly (a manifest's file names, which `verify-export`
    /// checks): never altered, and safe because the app made it.
    Exact(String),
    Number(f64),
}

impl SheetCell {
    fn as_csv(&self) -> String {
        match self {
            Self::Text(text) => neutralise_formula(text),
            Self::Exact(text) => text.clone(),
            Self::Number(n) => n.to_string(),
        }
    }
}

/// Text that Excel would take for a formula (a name or remark beginning with `=`, `+`, `-`, `@`,
/// a tab or a carriage return, typed by anyone who booked) gets a leading apostrophe, which
/// Excel shows as plain text and does not display.
fn neutralise_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes a one-sheet XLSX: bold, frozen header, then the rows.
pub fn write_xlsx(sheet_name: &str, header: &[&str], rows: &[Vec<SheetCell>]) -> Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (col, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, 16)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, cells) in rows.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            let (r, c) = (row as u32 + 1, col as u16);
            match cell {
                // An XLSX string cell is never a formula: written as it is.
                SheetCell::Text(text) | SheetCell::Exact(text) if !text.is_empty() => {
                    sheet.write_string(r, c, text)?;
                }
                SheetCell::Text(_) | SheetCell::Exact(_) => {}
                SheetCell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The same table as CSV rows (header first), for [`write_csv`].
pub fn csv_rows(header: &[&str], rows: &[Vec<SheetCell>]) -> Vec<Vec<String>> {
    std::iter::once(header.iter().map(|h| h.to_string()).collect())
        .chain(
            rows.iter()
                .map(|r| r.iter().map(SheetCell::as_csv).collect()),
        )
        .collect()
}
