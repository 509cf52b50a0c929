//! Finding bookings from what a student can tell the operator: capture code, order number, ID
//! number, student number, phone tail or (part of) the name. Every kind of query is answered from
//! an index, and exact matches rank first.

use std::collections::HashMap;

use serde::Serialize;

use super::bookings::writer::searchable_name;
use super::bookings::{BOOKING_VIEW_SELECT, BookingView, booking_view_from_row};
use super::{Store, StoreResult};
use crate::domain::id_number;

/// How a booking matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The booking's own id (a UUID, as a campus conflict or a log names it).
    BookingId,
    CaptureCode,
    OrderNo,
    IdNumber,
    StudentNo,
    NameExact,
    PhoneTail,
    NameSubstring,
}

#[derive(Debug, Clone, Serialize)]
pub struct LookupHit {
    pub matched_by: MatchKind,
    #[serde(flatten)]
    pub booking: BookingView,
}

impl Store {
    /// All bookings matching `query`, best match first, at most `limit`.
    pub fn lookup(&self, query: &str, limit: usize) -> StoreResult<Vec<LookupHit>> {
        let query = query.trim();
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut best: HashMap<String, MatchKind> = HashMap::new();
        let mut note = |ids: Vec<String>, kind: MatchKind| {
            for id in ids {
                best.entry(id)
                    .and_modify(|k| *k = (*k).min(kind))
                    .or_insert(kind);
            }
        };
        // LIMIT is written into the SQL: a bound LIMIT also makes SQLite re-prepare the cached
        // statement on every use (see BOOKING_VIEW_SELECT).
        let exact = |sql: &str, value: &str| -> StoreResult<Vec<String>> {
            let mut stmt = self.conn.prepare_cached(&format!("{sql} LIMIT {limit}"))?;
            let ids = stmt.query_map([value], |r| r.get(0))?;
            Ok(ids.collect::<Result<_, _>>()?)
        };
        if uuid::Uuid::parse_str(query).is_ok() {
            note(
                exact(
                    "SELECT id FROM bookings WHERE id = ?1",
                    &query.to_lowercase(),
                )?,
                MatchKind::BookingId,
            );
        }
        note(
            exact(
                "SELECT booking_id FROM capture_codes WHERE code = ?1",
                query,
            )?,
            MatchKind::CaptureCode,
        );
        note(
            exact("SELECT id FROM bookings WHERE order_no = ?1", query)?,
            MatchKind::OrderNo,
        );
        note(
            exact(
                "SELECT b.id FROM students s CROSS JOIN bookings b ON b.student_id = s.id
                 WHERE s.id_number = ?1",
                &id_number::normalize(query),
            )?,
            MatchKind::IdNumber,
        );
        note(
            exact(
                "SELECT b.id FROM students s CROSS JOIN bookings b ON b.student_id = s.id
                 WHERE s.student_no = ?1",
                query,
            )?,
            MatchKind::StudentNo,
        );
        if query.len() == 4 && query.chars().all(|c| c.is_ascii_digit()) {
            note(
                exact(
                    "SELECT b.id FROM students s CROSS JOIN bookings b ON b.student_id = s.id
                     WHERE s.phone_tail = ?1",
                    query,
                )?,
                MatchKind::PhoneTail,
            );
        }
        let (exact_names, partial_names) = self.names_containing(query, limit)?;
        note(exact_names, MatchKind::NameExact);
        note(partial_names, MatchKind::NameSubstring);

        let mut ranked: Vec<(String, MatchKind)> = best.into_iter().collect();
        ranked.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(limit);
        // One statement for all hits: a join re-prepared per hit costs more than the search.
        let ids = serde_json::to_string(&ranked.iter().map(|(id, _)| id).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".to_string());
        let mut stmt = self.conn.prepare_cached(&format!(
            "{BOOKING_VIEW_SELECT} WHERE b.id IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut views: HashMap<String, BookingView> = stmt
            .query_map([ids], booking_view_from_row)?
            .map(|view| view.map(|v| (v.booking_id.clone(), v)))
            .collect::<Result<_, _>>()?;
        Ok(ranked
            .into_iter()
            .filter_map(|(id, matched_by)| {
                views.remove(&id).map(|booking| LookupHit {
                    matched_by,
                    booking,
                })
            })
            .collect())
    }

    /// Bookings whose student's name equals `query` (through the name index), then those whose
    /// name contains it, found through the name grams (the query's first bigram, or for a
    /// one-character query every gram that starts with it) and then checked in full.
    fn names_containing(
        &self,
        query: &str,
        limit: usize,
    ) -> StoreResult<(Vec<String>, Vec<String>)> {
        let wanted = searchable_name(query);
        let Some(first) = wanted.first() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let low: String = wanted.iter().take(2).collect();
        let high = if wanted.len() == 1 {
            format!("{first}{}", char::MAX)
        } else {
            low.clone()
        };
        let wanted: String = wanted.into_iter().collect();
        let ids = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> StoreResult<Vec<String>> {
            let mut stmt = self.conn.prepare_cached(&format!("{sql} LIMIT {limit}"))?;
            let rows = stmt.query_map(params, |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let exact = ids(
            "SELECT b.id FROM students s CROSS JOIN bookings b ON b.student_id = s.id
             WHERE s.name = ?1",
            rusqlite::params![query],
        )?;
        let partial = ids(
            "SELECT DISTINCT b.id FROM name_grams g
             CROSS JOIN students s ON s.id = g.student_id
             CROSS JOIN bookings b ON b.student_id = s.id
             WHERE g.gram BETWEEN ?1 AND ?2
               AND instr(replace(lower(s.name), ' ', ''), ?3) > 0",
            rusqlite::params![low, high, wanted],
        )?;
        // The exact matches are in `partial` too; the caller keeps each booking's best kind.
        Ok((exact, partial))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::bookings::tests::sample;

    fn store_with_students() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let mut a = sample("ORD-001", "张小三");
        a.id_number = Some("11010519491231002X".to_string());
        a.student_no = Some("2022001".to_string());
        a.phone = Some("13800001234".to_string());
        a.capture_code = Some("CSDEMO-AAA".to_string());
        let mut b = sample("ORD-002", "张三");
        b.student_no = Some("2022002".to_string());
        b.phone = Some("13900005678".to_string());
        let mut c = sample("ORD-003", "Li Ming");
        c.student_no = Some("1234".to_string());
        c.phone = Some("13700009999".to_string());
        let mut d = sample("ORD-004", "王五");
        d.phone = Some("13600001234".to_string());
        for booking in [a, b, c, d] {
            store
                .create_booking(&booking, &crate::store::accounts::test_session())
                .unwrap();
        }
        store
    }

    fn orders(hits: &[LookupHit]) -> Vec<(String, MatchKind)> {
        hits.iter()
            .map(|h| (h.booking.order_no.clone().unwrap(), h.matched_by))
            .collect()
    }

    #[test]
    fn a_booking_is_found_by_its_own_id_as_a_campus_conflict_names_it() {
        let store = store_with_students();
        let id = store.lookup("ORD-003", 1).unwrap()[0]
            .booking
            .booking_id
            .clone();
        for query in [id.clone(), id.to_uppercase(), format!(" {id} ")] {
            assert_eq!(
                orders(&store.lookup(&query, 5).unwrap()),
                [("ORD-003".to_string(), MatchKind::BookingId)],
                "{query}"
            );
        }
    }

    #[test]
    fn each_query_kind_finds_its_booking() {
        let store = store_with_students();
        let cases = [
            ("CSDEMO-AAA", "ORD-001", MatchKind::CaptureCode),
            ("ORD-002", "ORD-002", MatchKind::OrderNo),
            ("11010519491231002x", "ORD-001", MatchKind::IdNumber),
            ("2022002", "ORD-002", MatchKind::StudentNo),
            ("5678", "ORD-002", MatchKind::PhoneTail),
            ("王五", "ORD-004", MatchKind::NameExact),
            ("小三", "ORD-001", MatchKind::NameSubstring),
            ("ming", "ORD-003", MatchKind::NameSubstring),
        ];
        for (query, order, kind) in cases {
            let hits = store.lookup(query, 10).unwrap();
            assert_eq!(
                orders(&hits).first(),
                Some(&(order.to_string(), kind)),
                "query {query}"
            );
        }
    }

    #[test]
    fn exact_matches_rank_before_substrings() {
        let store = store_with_students();
        let hits = orders(&store.lookup("张三", 10).unwrap());
        assert_eq!(hits[0], ("ORD-002".to_string(), MatchKind::NameExact));
        assert_eq!(hits.len(), 1, "张小三 does not contain 张三 as a substring");
        let hits = orders(&store.lookup("张", 10).unwrap());
        assert_eq!(hits.len(), 2);
        // "1234" is both a student number and two phone tails: the student number ranks first.
        let hits = orders(&store.lookup("1234", 10).unwrap());
        assert_eq!(hits[0], ("ORD-003".to_string(), MatchKind::StudentNo));
        assert_eq!(hits.len(), 3);
    }

    #[test]
    fn nothing_found_and_limits() {
        let store = store_with_students();
        assert!(store.lookup("赵六", 10).unwrap().is_empty());
        assert!(store.lookup("   ", 10).unwrap().is_empty());
        assert_eq!(store.lookup("张", 1).unwrap().len(), 1);
    }
}
