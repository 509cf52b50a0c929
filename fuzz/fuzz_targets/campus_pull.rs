//! Fuzzes a booth applying a page pulled from the campus: events of every kind with hostile
//! fields (ids that are not UUIDs or climb out of the photos folder, missing or mistyped keys,
//! photos that do not match their hash, unknown kinds), applied to a real store. Nothing may
//! panic, and nothing may be written outside the booth's photos folder.
#![no_main]

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use capture_station::campus::inbox::{RemoteEvent, apply_page};
use capture_station::domain::changes::kind;
use capture_station::store::{NewBooking, Store};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Runs before the store is started afresh (its folder's photos would fill the disk).
const RUNS_PER_STORE: u32 = 500;

struct Booth {
    root: PathBuf,
    store: Store,
    runs: u32,
}

thread_local! {
    static BOOTH: RefCell<Option<Booth>> = const { RefCell::new(None) };
}

fn fresh_booth() -> Booth {
    let root = std::env::temp_dir().join(format!("fuzz-campus-pull-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("photos")).expect("a temporary folder");
    let store = Store::open(&root.join("station.sqlite3")).expect("a store");
    Booth {
        root,
        store,
        runs: 0,
    }
}

/// A few UUIDs, so that events of one page refer to each other.
const IDS: [&str; 4] = [
    "01890a5d-ac96-774b-bcce-b302099a8057",
    "01890a5d-ac96-774b-bcce-b302099a8058",
    "01890a5d-ac96-774b-bcce-b302099a8059",
    "01890a5d-ac96-774b-bcce-b302099a805a",
];

fn hostile_text(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=7)? {
        0 => IDS[u.choose_index(IDS.len())?].to_string(),
        1 => "../../escaped".to_string(),
        2 => "..\\..\\escaped".to_string(),
        3 => "/tmp/absolute".to_string(),
        4 => String::new(),
        5 => "a".repeat(u.int_in_range(0..=5000)?),
        _ => u.arbitrary::<String>()?,
    })
}

fn some_value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::Null,
        1 => json!(u.arbitrary::<bool>()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => json!([hostile_text(u)?]),
        _ => json!(hostile_text(u)?),
    })
}

fn id(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 8)? {
        hostile_text(u)
    } else {
        Ok(IDS[u.choose_index(IDS.len())?].to_string())
    }
}

fn payload(u: &mut Unstructured<'_>, event_kind: &str, photo: &Option<Vec<u8>>) -> Result<Value> {
    let mut payload = match event_kind {
        kind::BOOKING | kind::BOOKING_UPDATED => {
            let mut booking = NewBooking::walk_in(hostile_text(u)?, hostile_text(u)?);
            booking.order_no = u.arbitrary::<bool>()?.then(|| "WX1".to_string());
            booking.id_number = u
                .arbitrary::<bool>()?
                .then(|| "11010519491231002X".to_string());
            booking.capture_code = u.arbitrary::<Option<String>>()?;
            json!({ "booking_id": id(u)?, "student_id": id(u)?, "booking": booking })
        }
        kind::CAPTURE => {
            let sha256 = match photo {
                Some(bytes) if u.ratio(3, 4)? => {
                    capture_station::store::captures::sha256_hex(bytes)
                }
                _ => hostile_text(u)?,
            };
            json!({
                "capture_id": id(u)?, "booking_id": id(u)?, "sha256": sha256,
                "original_sha256": null, "spec_ok": u.arbitrary::<bool>()?,
                "overridden": false, "retake": u.arbitrary::<bool>()?,
                "operator": hostile_text(u)?, "captured_at": hostile_text(u)?,
                "spec_report": {},
            })
        }
        kind::CORRECTION => json!({
            "booking_id": id(u)?, "student_id": id(u)?, "field": hostile_text(u)?,
            "old_value": some_value(u)?, "new_value": some_value(u)?,
            "reason": hostile_text(u)?, "who": hostile_text(u)?,
        }),
        kind::REFUND => json!({
            "booking_id": id(u)?, "status": hostile_text(u)?, "due_date": some_value(u)?,
            "reference": some_value(u)?, "who": hostile_text(u)?,
        }),
        kind::CONFLICT_RESOLVED => json!({
            "conflict_id": u.arbitrary::<i64>()?, "kind": hostile_text(u)?,
            "decision": hostile_text(u)?, "booking_id": id(u)?, "capture_id": id(u)?,
            "decided_by": hostile_text(u)?,
        }),
        _ => json!({ "booking_id": id(u)?, "what": hostile_text(u)? }),
    };
    // Then some keys go missing or change type.
    for _ in 0..u.int_in_range(0..=2)? {
        if let Some(object) = payload.as_object_mut()
            && !object.is_empty()
        {
            let key = object.keys().nth(u.choose_index(object.len())?).cloned();
            if let Some(key) = key {
                if u.arbitrary::<bool>()? {
                    object.remove(&key);
                } else {
                    object.insert(key, some_value(u)?);
                }
            }
        }
    }
    Ok(payload)
}

fn page(u: &mut Unstructured<'_>) -> Result<Vec<RemoteEvent>> {
    const KINDS: [&str; 8] = [
        kind::BOOKING,
        kind::CAPTURE,
        kind::BOOKING_UPDATED,
        kind::CORRECTION,
        kind::EXCEPTION,
        kind::CONFLICT_RESOLVED,
        kind::REFUND,
        "unknown",
    ];
    let mut events = Vec::new();
    for _ in 0..u.int_in_range(1..=8)? {
        let event_kind = KINDS[u.choose_index(KINDS.len())?];
        let photo = if event_kind == kind::CAPTURE && u.ratio(3, 4)? {
            let length = u.int_in_range(0..=64)?;
            Some(u.bytes(length)?.to_vec())
        } else {
            None
        };
        events.push(RemoteEvent {
            server_seq: u.arbitrary()?,
            event_id: id(u)?,
            station: hostile_text(u)?,
            kind: event_kind.to_string(),
            payload: payload(u, event_kind, &photo)?,
            photo,
        });
    }
    Ok(events)
}

/// Every file under `root` is the store's or lies in `photos/`.
fn nothing_escaped(root: &Path) {
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.starts_with(root.join("photos")) {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            assert!(
                name.starts_with("station.sqlite3") && path.parent() == Some(root),
                "a pulled event wrote outside the photos folder: {}",
                path.display()
            );
        }
    }
    // Nor anywhere beside the booth's folder.
    let outside = root.parent().map(|p| p.join("escaped"));
    assert!(
        !outside.is_some_and(|p| p.exists()),
        "a pulled event wrote beside the booth's folder"
    );
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let Ok(events) = page(&mut u) else {
        return;
    };
    let cursor = u.arbitrary::<i64>().unwrap_or(1);
    BOOTH.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|b| b.runs >= RUNS_PER_STORE) {
            *slot = Some(fresh_booth());
        }
        let Some(booth) = slot.as_mut() else {
            return;
        };
        booth.runs += 1;
        let photos = booth.root.join("photos");
        let _ = apply_page(&mut booth.store, &events, cursor, &photos);
        nothing_escaped(&booth.root);
    });
});
