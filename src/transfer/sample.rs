//! Plausible, clearly fake order exports: for the demo database, the tests and the benchmarks.
//! Every generated ID number passes GB 11643 and every capture code carries the demo prefix.

use anyhow::Result;
use chrono::{Duration, NaiveDate};

use crate::domain::capture_code::DEMO_PREFIX;
use crate::domain::id_number::complete_with_check;

/// The columns of a mini-program order export, in the order the generator writes them.
pub const HEADERS: [&str; 15] = [
    "订单号",
    "姓名",
    "性别",
    "身份证号",
    "学号",
    "学校",
    "院系",
    "专业",
    "层次",
    "手机号",
    "支付金额",
    "支付时间",
    "预约时段",
    "采集码",
    "备注",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "子涵", "雨轩", "浩然", "思远", "欣怡", "梓萱", "一鸣",
];
const DEPARTMENTS: &[(&str, &str)] = &[
    ("计算机学院", "软件工程"),
    ("计算机学院", "计算机科学与技术"),
    ("经济管理学院", "会计学"),
    ("外国语学院", "英语"),
    ("机械工程学院", "机械设计制造及其自动化"),
    ("医学院", "临床医学"),
];
const LEVELS: &[&str] = &["本科", "专科", "硕士研究生"];
const REGIONS: &[&str] = &["110105", "310104", "440305", "410105", "510107", "330106"];

/// One row of a generated export, every field as the export would spell it.
#[derive(Debug, Clone)]
pub struct SampleOrder {
    pub fields: [String; 15],
}

impl SampleOrder {
    pub fn order_no(&self) -> &str {
        &self.fields[0]
    }
    pub fn name(&self) -> &str {
        &self.fields[1]
    }
    pub fn id_number(&self) -> &str {
        &self.fields[3]
    }
    pub fn student_no(&self) -> &str {
        &self.fields[4]
    }
    pub fn phone(&self) -> &str {
        &self.fields[9]
    }
    pub fn capture_code(&self) -> &str {
        &self.fields[13]
    }
}

/// `count` orders for `school`, the same for the same `seed`.
pub fn sample_orders(count: usize, seed: u64, school: &str) -> Vec<SampleOrder> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let first_day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
    (0..count)
        .map(|index| {
            let name = format!(
                "{}{}",
                SURNAMES[rng.usize(..SURNAMES.len())],
                GIVEN[rng.usize(..GIVEN.len())]
            );
            let birth = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
                + Duration::days(rng.i64(0..2200));
            let sequence = rng.u32(0..1000);
            let id_number = complete_with_check(&format!(
                "{}{}{sequence:03}",
                REGIONS[rng.usize(..REGIONS.len())],
                birth.format("%Y%m%d")
            ))
            .unwrap_or_default();
            let sex = if sequence % 2 == 1 { "男" } else { "女" };
            let (department, major) = DEPARTMENTS[rng.usize(..DEPARTMENTS.len())];
            let day = first_day + Duration::days(rng.i64(0..3));
            let hour = rng.u32(8..17);
            let paid = first_day - Duration::days(rng.i64(1..20));
            SampleOrder {
                fields: [
                    format!("WX{seed:02}{index:08}"),
                    name,
                    sex.to_string(),
                    id_number,
                    format!("20{:02}{index:06}", 20 + rng.u32(0..4)),
                    school.to_string(),
                    department.to_string(),
                    major.to_string(),
                    LEVELS[rng.usize(..LEVELS.len())].to_string(),
                    format!("13{:09}", rng.u64(0..1_000_000_000)),
                    "25.00".to_string(),
                    format!(
                        "{} {:02}:{:02}:{:02}",
                        paid.format("%Y-%m-%d"),
                        rng.u32(8..23),
                        rng.u32(0..60),
                        rng.u32(0..60)
                    ),
                    format!("{} {hour:02}:00-{:02}:00", day.format("%Y-%m-%d"), hour + 1),
                    format!("{DEMO_PREFIX}{seed:02}{index:08}"),
                    String::new(),
                ],
            }
        })
        .collect()
}

/// Writes orders as an XLSX workbook with Chinese headers, the way the mini-program exports.
pub fn write_xlsx(orders: &[SampleOrder]) -> Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header)?;
    }
    for (row, order) in orders.iter().enumerate() {
        for (col, value) in order.fields.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(row as u32 + 1, col as u16, value)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

pub use super::sheets::{CsvEncoding, write_csv};

/// Header plus orders, as rows for [`write_csv`].
pub fn as_rows(orders: &[SampleOrder]) -> Vec<Vec<String>> {
    std::iter::once(HEADERS.iter().map(|h| h.to_string()).collect())
        .chain(orders.iter().map(|o| o.fields.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IdNumber;

    #[test]
    fn generated_orders_are_valid_and_repeatable() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let a = sample_orders(50, 7, "示例大学");
        let b = sample_orders(50, 7, "示例大学");
        assert_eq!(a[10].fields, b[10].fields);
        for order in &a {
            IdNumber::parse(order.id_number(), today).unwrap();
            assert!(order.capture_code().starts_with(DEMO_PREFIX));
        }
    }
}
