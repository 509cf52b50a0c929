//! The refund list the supervisor hands to finance after a close-out: Chinese headers, amounts in
//! yuan, XLSX or CSV (UTF-8 with BOM, so Excel opens it correctly).

use anyhow::Result;

use super::sheets::{CsvEncoding, SheetCell, csv_rows, write_csv, write_xlsx};
use crate::domain::PaymentMethod;
use crate::domain::money::format_yuan;
use crate::store::close_out::RefundRow;

pub const REFUND_HEADERS: [&str; 8] = [
    "订单号",
    "姓名",
    "学号",
    "金额",
    "支付方式",
    "支付时间",
    "退款截止日期",
    "状态",
];

fn cells(row: &RefundRow) -> Vec<SheetCell> {
    let text = |v: Option<&str>| SheetCell::Text(v.unwrap_or_default().to_string());
    let method = PaymentMethod::parse(&row.payment_method)
        .map(|m| m.label_zh().to_string())
        .unwrap_or_else(|| row.payment_method.clone());
    let status = match row.status.as_str() {
        "refunded" => "已退款",
        _ => "待退款",
    };
    vec![
        text(row.order_no.as_deref()),
        SheetCell::Text(row.name.clone()),
        text(row.student_no.as_deref()),
        SheetCell::Text(format_yuan(row.amount_fen)),
        SheetCell::Text(method),
        text(row.paid_at.as_deref()),
        text(row.refund_due.as_deref()),
        SheetCell::Text(status.to_string()),
    ]
}

pub fn refunds_xlsx(rows: &[RefundRow]) -> Result<Vec<u8>> {
    let cells: Vec<_> = rows.iter().map(cells).collect();
    write_xlsx("退款清单", &REFUND_HEADERS, &cells)
}

pub fn refunds_csv(rows: &[RefundRow]) -> Result<Vec<u8>> {
    let cells: Vec<_> = rows.iter().map(cells).collect();
    write_csv(&csv_rows(&REFUND_HEADERS, &cells), CsvEncoding::Utf8Bom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RefundRow {
        RefundRow {
            order_no: Some("WX0001".to_string()),
            name: "李四".to_string(),
            student_no: Some("2022001".to_string()),
            amount_fen: 2500,
            payment_method: "cash".to_string(),
            paid_at: Some("2026-11-01 10:00:00".to_string()),
            refund_due: Some("2026-11-11".to_string()),
            status: "refund_pending".to_string(),
            source: "walk_in".to_string(),
            refund_ref: None,
        }
    }

    #[test]
    fn the_csv_has_a_bom_and_chinese_headers() {
        let bytes = refunds_csv(&[row()]).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), REFUND_HEADERS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "WX0001,李四,2022001,25.00,现金,2026-11-01 10:00:00,2026-11-11,待退款"
        );
    }

    #[test]
    fn the_xlsx_reads_back_with_the_same_headers() {
        use calamine::{Reader, Xlsx};
        let bytes = refunds_xlsx(&[row()]).unwrap();
        let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = workbook.worksheet_range("退款清单").unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, REFUND_HEADERS);
        assert_eq!(range.rows().nth(1).unwrap()[0].to_string(), "WX0001");
    }
}
