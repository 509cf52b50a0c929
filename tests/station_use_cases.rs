//! The use cases the window and the command line share (`src/station/`). Where the two used to
//! behave differently they now take one path; each such case is tested through both.

use capture_station::app::accounts::{AccountsStoreEvent, AccountsStoreJob};
use capture_station::app::capture::{CaptureStoreEvent, CaptureStoreJob};
use capture_station::app::transfer::{TransferStoreEvent, TransferStoreJob};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use capture_station::app::store_worker::{
    StoreEvent, StoreJob, StoreJobs, StoreSetup, spawn_store_worker,
};
use capture_station::campus::link::{CampusLink, CampusSlot};
use capture_station::campus::settings::CampusSettings;

use crate::util;
use crate::util::campus_server::TestCampus;

/// The next answer of the store worker that `pick` recognises (others, such as counts, pass).
fn answer<T>(
    events: &std::sync::mpsc::Receiver<StoreEvent>,
    mut pick: impl FnMut(StoreEvent) -> Option<T>,
) -> T {
    loop {
        match events.recv_timeout(Duration::from_secs(120)) {
            Ok(event) => {
                if let StoreEvent::Failed { message, .. } = &event {
                    panic!("the store worker failed: {message:?}");
                }
                if let Some(found) = pick(event) {
                    return found;
                }
            }
            Err(error) => panic!("no answer from the store worker: {error}"),
        }
    }
}

/// The window's store worker for the station in `data`, joined through a link with no sync
/// worker (so nothing but a use case talks to the server), once it is ready.
fn joined_store_worker(
    data: &std::path::Path,
    settings: CampusSettings,
) -> (StoreJobs, std::sync::mpsc::Receiver<StoreEvent>) {
    let slot = CampusSlot::default();
    assert!(
        slot.set(Arc::new(CampusLink::for_command(settings)))
            .is_ok(),
        "the slot was empty"
    );
    let (sender, events) = sync_channel(256);
    let jobs = spawn_store_worker(
        StoreSetup {
            database_path: data.join("station.sqlite3"),
            photos_dir: data.join("photos"),
            backups_dir: None,
            seed_demo: false,
            capture_code_rules: Default::default(),
            data_dir: data.to_path_buf(),
            campus: slot,
        },
        Arc::new(move |event| {
            let _ = sender.send(event);
        }),
    )
    .unwrap();
    answer(&events, |event| {
        matches!(event, StoreEvent::Ready { .. }).then_some(())
    });
    (jobs, events)
}

/// After an import into the campus, the booth that imported finds the new orders at once: the
/// window used to leave them to its next sync, while the command line pulled straight away.
/// Here the window's store worker has a campus link with no sync worker, so only the import
/// itself can have brought them.
#[test]
fn a_campus_import_is_found_at_the_importing_booth_at_once_in_the_window_and_the_cli() {
    let campus = TestCampus::start();
    let window_station = campus.station("窗口");
    let data = window_station.photos.parent().unwrap().to_path_buf();
    let settings = CampusSettings::load(&data).unwrap().unwrap();
    let (jobs, events) = joined_store_worker(&data, settings);
    // The supervisor signs in at the window: the campus checks the PIN and gives the ticket
    // its import needs.
    jobs.try_send(StoreJob::Accounts(AccountsStoreJob::SignIn {
        name: util::BOSS.to_string(),
        pin: util::BOSS_PIN.to_string(),
        elevate: false,
    }))
    .unwrap();
    let session = answer(&events, |event| match event {
        StoreEvent::Accounts(AccountsStoreEvent::SignedIn { session, .. }) => Some(session),
        StoreEvent::Accounts(AccountsStoreEvent::SignInRefused { message, .. }) => {
            panic!("refused: {message:?}")
        }
        _ => None,
    });
    let csv = "订单号,姓名,学校,采集码\nWIN-1,孙窗口,校区大学,WINCODE-0001\n";
    jobs.try_send(StoreJob::Transfer(TransferStoreJob::Import {
        bytes: Arc::new(csv.as_bytes().to_vec()),
        label: "orders.csv".to_string(),
        session,
    }))
    .unwrap();
    let report = answer(&events, |event| match event {
        StoreEvent::Transfer(TransferStoreEvent::Imported(report)) => Some(report),
        StoreEvent::Transfer(TransferStoreEvent::ImportRefused(message)) => {
            panic!("refused: {message:?}")
        }
        _ => None,
    });
    assert_eq!(report.inserted, 1);
    jobs.try_send(StoreJob::Capture(CaptureStoreJob::ResolveCode(
        "WINCODE-0001".to_string(),
    )))
    .unwrap();
    let card = answer(&events, |event| match event {
        StoreEvent::Capture(CaptureStoreEvent::CodeResolved { card, .. }) => Some(card),
        _ => None,
    });
    let card = card.expect("the imported order is found at this booth at once");
    assert_eq!(card.booking.student.name, "孙窗口");

    // The command line, at another joined station: import, then look up with no sync between.
    let cli_station = campus.station("命令行");
    let cli_data = cli_station.photos.parent().unwrap().to_path_buf();
    drop(cli_station);
    let orders = util::write(
        &cli_data,
        "orders.csv",
        "订单号,姓名,学校\nCLI-9,钱命令,校区大学\n".as_bytes(),
    );
    let imported = util::run(&cli_data, &["import", orders.to_str().unwrap(), "--json"]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let found = util::stdout(&util::run(&cli_data, &["lookup", "CLI-9", "--json"]));
    assert!(found.contains("钱命令"), "{found}");
}

/// A campus server that takes the connection and never answers holds up only the use cases
/// that reach it: the shot's lookup, on the store thread, is answered first.
#[test]
fn a_silent_campus_server_never_holds_up_the_store_thread() {
    use capture_station::campus::token::ServerLogin;
    use capture_station::store::{NewBooking, Store};
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_path_buf();
    let mut store = Store::open(&data.join("station.sqlite3")).unwrap();
    let session = util::boss(&mut store);
    store
        .create_booking(
            &NewBooking {
                capture_code: Some("SILENT-0001".to_string()),
                ..NewBooking::walk_in("周静", "测试大学")
            },
            &session,
        )
        .unwrap();
    drop(store);
    // Accepted by the kernel's backlog, never read: the client waits for the server's answer.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let settings = CampusSettings {
        station: "静默".to_string(),
        login: ServerLogin {
            host: "127.0.0.1".to_string(),
            port: silent.local_addr().unwrap().port(),
            database: "campus".to_string(),
            user: "station".to_string(),
            password: "unused".to_string(),
            tls_pin: None,
        },
        enrolment: None,
    };
    let (jobs, events) = joined_store_worker(&data, settings);
    jobs.try_send(StoreJob::Transfer(TransferStoreJob::Import {
        bytes: Arc::new("订单号,姓名,学校\nS-1,吴一,测试大学\n".as_bytes().to_vec()),
        label: "orders.csv".to_string(),
        session: session.clone(),
    }))
    .unwrap();
    jobs.try_send(StoreJob::Capture(CaptureStoreJob::ResolveCode(
        "SILENT-0001".to_string(),
    )))
    .unwrap();
    let first = answer(&events, |event| match event {
        StoreEvent::Capture(CaptureStoreEvent::CodeResolved { card, .. }) => Some(Ok(card)),
        StoreEvent::Transfer(TransferStoreEvent::Imported(_))
        | StoreEvent::Transfer(TransferStoreEvent::ImportRefused(_)) => Some(Err(())),
        _ => None,
    });
    let card = first.expect("the lookup is answered before the stuck import");
    assert_eq!(card.expect("found").booking.student.name, "周静");
    // The import then gives up on the silent server with a reason, not a hang.
    let refused = answer(&events, |event| match event {
        StoreEvent::Transfer(TransferStoreEvent::ImportRefused(message)) => Some(message),
        StoreEvent::Transfer(TransferStoreEvent::Imported(_)) => {
            panic!("imported into a silent server")
        }
        _ => None,
    });
    assert!(
        !refused
            .text(capture_station::config::Language::Chinese)
            .is_empty()
    );
}
