//! Demo mode: its own data folder beside the real one, a few hundred generated bookings, and the
//! synthetic camera. The demo database is never the real store, so trying the app out can never
//! mix invented students into a school's records.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Days, Local};

use crate::camera::synthetic_source::demo_camera_codes;
use crate::domain::{CaptureCodeRules, CollectionWindow};
use crate::store::{Role, Session, Store};
use crate::transfer::import::{ImportOptions, import_file};
use crate::transfer::sample::{CsvEncoding, as_rows, sample_orders, write_csv};

pub const DEMO_FOLDER: &str = "demo";
pub const DEMO_SCHOOL: &str = "演示大学";
pub const DEMO_BOOKINGS: usize = 300;

/// Demo accounts. Their PINs are printed on the demo screen: the demo database holds only
/// invented students, and the real store never has these accounts.
pub const DEMO_SUPERVISOR: &str = "演示主管";
pub const DEMO_SUPERVISOR_PIN: &str = "123456";
pub const DEMO_STAFF: &str = "演示员";
pub const DEMO_STAFF_PIN: &str = "000000";
pub const DEMO_OPERATOR: &str = "演示摄影";
pub const DEMO_OPERATOR_PIN: &str = "111111";

/// Makes sure the demo accounts exist and returns the demo supervisor's session.
pub fn ensure_accounts(store: &mut Store) -> Result<Session> {
    if store.user_count()? == 0 {
        let boss = store.create_first_supervisor(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)?;
        store.add_user(&boss, DEMO_STAFF, Role::Staff, DEMO_STAFF_PIN)?;
        store.add_user(&boss, DEMO_OPERATOR, Role::Operator, DEMO_OPERATOR_PIN)?;
        return Ok(boss);
    }
    Ok(store.login(DEMO_SUPERVISOR, DEMO_SUPERVISOR_PIN)?)
}

/// The demo data folder inside the real one.
pub fn demo_data_dir(real_data_dir: &Path) -> PathBuf {
    real_data_dir.join(DEMO_FOLDER)
}

/// Fills an empty demo database: generated orders whose first capture codes are the ones the demo
/// camera shows (all but the last, which stays unknown to show the walk-in desk), and a collection
/// window around today. Returns how many bookings were stored.
pub fn seed(store: &mut Store, rules: &CaptureCodeRules) -> Result<usize> {
    let boss = ensure_accounts(store)?;
    let mut orders = sample_orders(DEMO_BOOKINGS, 1, DEMO_SCHOOL);
    let camera_codes = demo_camera_codes();
    let booked = camera_codes.len().saturating_sub(1);
    for (order, code) in orders.iter_mut().zip(camera_codes.into_iter().take(booked)) {
        order.fields[13] = code;
    }
    let csv = write_csv(&as_rows(&orders), CsvEncoding::Utf8)?;
    let today = Local::now().date_naive();
    let options = ImportOptions {
        school: Some(DEMO_SCHOOL.to_string()),
        capture_code_rules: rules.clone(),
        today,
    };
    let report =
        import_file(store, &csv, "demo", &options, &boss).context("seeding the demo database")?;
    let window = CollectionWindow::new(
        today.checked_sub_days(Days::new(1)).unwrap_or(today),
        today.checked_add_days(Days::new(14)).unwrap_or(today),
    )?;
    store.add_collection_window(DEMO_SCHOOL, window, &boss)?;
    Ok(report.inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MatchKind;

    #[test]
    fn the_demo_camera_codes_are_booked_except_the_last() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(
            seed(&mut store, &CaptureCodeRules::default()).unwrap(),
            DEMO_BOOKINGS
        );
        let codes = demo_camera_codes();
        let (last, booked) = codes.split_last().unwrap();
        for code in booked {
            let hits = store.lookup(code, 1).unwrap();
            assert_eq!(hits[0].matched_by, MatchKind::CaptureCode);
        }
        assert!(
            store
                .lookup(last, 1)
                .unwrap()
                .iter()
                .all(|hit| hit.matched_by != MatchKind::CaptureCode)
        );
        assert_eq!(store.collection_windows(DEMO_SCHOOL).unwrap().len(), 1);
    }
}
