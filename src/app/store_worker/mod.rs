//! The store's own threads. The `store` thread opens (or seeds) the database, so the window
//! never waits on disk, then answers the screens' jobs one at a time. Jobs whose use case may
//! reach the campus server (imports, exports, signing in, accounts, close-out) run on a second
//! thread, `station-ops`, with its own connection to the same database, so that a shot's save
//! never waits behind a slow server or a long export. Each job is caught: a panic is logged and
//! reported as a failed job, and the thread goes on.

mod handle;
pub mod jobs;
pub(in crate::app) mod support;

use crate::app::accounts::AccountsStoreEvent;
use crate::app::capture::CaptureStoreEvent;
use crate::app::close_out::CloseOutStoreEvent;
use crate::app::corrections::CorrectionsStoreEvent;
use crate::app::transfer::TransferStoreEvent;
use crate::app::walk_in_desk::WalkInStoreEvent;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, Result};

use crate::app::demo;
use crate::i18n::Message;
pub use crate::station::close_out::CampusGateView;
use crate::store::Store;
use handle::handle;
pub use jobs::*;
use support::today;

/// Start-up backups kept in `<data>/backups`.
const STARTUP_BACKUPS_KEPT: usize = 10;

/// Starts the store threads; `send` receives every answer.
pub fn spawn_store_worker(setup: StoreSetup, send: StoreSink) -> std::io::Result<StoreJobs> {
    let (store_jobs, store_receiver) = sync_channel::<StoreJob>(64);
    let (ops_jobs, ops_receiver) = sync_channel::<StoreJob>(16);
    // The second connection is opened by the store thread once the database is ready (created,
    // migrated, seeded), and handed over.
    let (hand_over, handed) = sync_channel::<Store>(1);
    let setup = std::sync::Arc::new(setup);
    let ops_setup = std::sync::Arc::clone(&setup);
    let ops_send = std::sync::Arc::clone(&send);
    std::thread::Builder::new()
        .name("station-ops".to_string())
        .spawn(move || {
            if let Ok(mut store) = handed.recv() {
                serve(&mut store, &ops_setup, ops_receiver, &*ops_send);
            }
        })?;
    std::thread::Builder::new()
        .name("store".to_string())
        .spawn(move || run(&setup, store_receiver, hand_over, &*send))?;
    Ok(StoreJobs {
        store: store_jobs,
        station_ops: ops_jobs,
    })
}

fn run(
    setup: &StoreSetup,
    jobs: Receiver<StoreJob>,
    hand_over: SyncSender<Store>,
    send: &(dyn Fn(StoreEvent) + Send + Sync),
) {
    let mut store = match open(setup, &send) {
        Ok((store, seeded)) => {
            send(StoreEvent::Ready {
                demo_seeded: seeded,
            });
            store
        }
        Err(error) => {
            tracing::error!("{error:#}");
            send(StoreEvent::OpenFailed(Message::of_error(&error)));
            return;
        }
    };
    match store.user_count() {
        Ok(count) => send(StoreEvent::Accounts(AccountsStoreEvent::AccountCount(
            count,
        ))),
        Err(error) => tracing::warn!("reading the accounts: {error}"),
    }
    if setup.seed_demo {
        // The demo opens signed in as its staff account, so trying it needs no PIN.
        match store.login(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN) {
            Ok(session) => send(StoreEvent::Accounts(AccountsStoreEvent::SignedIn {
                session,
                elevate: false,
            })),
            Err(error) => tracing::warn!("demo sign-in: {error}"),
        }
    }
    if let Ok(counts) = store.day_counts(today()) {
        send(StoreEvent::Counts(counts));
    }
    match Store::open(&setup.database_path) {
        Ok(second) => {
            let _ = hand_over.send(second);
        }
        Err(error) => {
            tracing::error!("the station-ops connection could not open: {error}");
        }
    }
    serve(&mut store, setup, jobs, send);
}

/// Answers jobs until the window goes.
fn serve(
    store: &mut Store,
    setup: &StoreSetup,
    jobs: Receiver<StoreJob>,
    send: &(dyn Fn(StoreEvent) + Send + Sync),
) {
    for job in jobs {
        let area = job.area();
        let answer = catch_unwind(AssertUnwindSafe(|| handle(store, setup, job, &send)));
        let event = match answer {
            Ok(Ok(event)) => event,
            Ok(Err(error)) => {
                tracing::warn!("store job failed: {error:#}");
                StoreEvent::Failed {
                    area,
                    message: Message::of_error(&error),
                }
            }
            Err(_) => {
                tracing::error!("the store thread panicked on a job; it goes on");
                StoreEvent::Failed {
                    area,
                    message: Message::new(
                        "程序内部出错，详情已记入日志",
                        "internal error; see the log",
                    ),
                }
            }
        };
        // The status bar's 待拍 and counts follow every change to the bookings.
        let changed_counts = matches!(
            event,
            StoreEvent::Capture(CaptureStoreEvent::CaptureSaved { .. })
                | StoreEvent::WalkIn(WalkInStoreEvent::WalkInCreated(_))
                | StoreEvent::Transfer(TransferStoreEvent::Imported(_))
                | StoreEvent::CloseOut(CloseOutStoreEvent::Closed(_))
                | StoreEvent::Campus(crate::app::campus::CampusStoreEvent::Closed(_))
                | StoreEvent::CloseOut(CloseOutStoreEvent::Refunds { .. })
                | StoreEvent::Corrections(CorrectionsStoreEvent::Corrected { .. })
        );
        if !matches!(event, StoreEvent::Failed { .. }) {
            setup.reach().after_local_change();
        }
        send(event);
        if changed_counts && let Ok(counts) = store.day_counts(today()) {
            send(StoreEvent::Counts(counts));
        }
    }
}

fn open(setup: &StoreSetup, send: &dyn Fn(StoreEvent)) -> Result<(Store, Option<usize>)> {
    let mut store = Store::open(&setup.database_path)
        .with_context(|| format!("opening {}", setup.database_path.display()))?;
    store
        .clean_photo_folder(&setup.photos_dir)
        .context("cleaning the photos folder")?;
    if let Some(backups) = &setup.backups_dir
        && store.booking_count()? > 0
    {
        // A copy at every start: the cheapest insurance against a bad day.
        match store.backup_to(backups, STARTUP_BACKUPS_KEPT) {
            Ok(path) => tracing::info!(backup = %path.display(), "start-up backup"),
            Err(error) => tracing::warn!("start-up backup failed: {error}"),
        }
    }
    let mut seeded = None;
    if setup.seed_demo && store.booking_count()? == 0 {
        send(StoreEvent::Preparing);
        seeded = Some(demo::seed(&mut store, &setup.capture_code_rules)?);
    } else if setup.seed_demo && store.user_count()? == 0 {
        demo::ensure_accounts(&mut store)?;
    }
    Ok((store, seeded))
}
