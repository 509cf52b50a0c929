//! The close_out feature's store jobs, answered on the store threads.

use anyhow::Result;
use chrono::Local;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::station;
use crate::store::{Permission, Store};

use super::messages::{CloseOutStoreEvent, CloseOutStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: CloseOutStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        CloseOutStoreJob::PreviewClose { school, calendar } => {
            StoreEvent::CloseOut(CloseOutStoreEvent::ClosePreviewed(Box::new(
                store.preview_close(&school, Local::now().naive_local(), &calendar)?,
            )))
        }
        CloseOutStoreJob::CloseSession {
            school,
            force,
            calendar,
            session,
        } => StoreEvent::CloseOut(CloseOutStoreEvent::Closed(Box::new(
            station::close_out::close_session(
                store,
                setup.reach(),
                &school,
                Local::now().naive_local(),
                force,
                &calendar,
                &session,
            )?,
        ))),
        CloseOutStoreJob::LoadRefunds { school } => refunds(store, &school)?,
        CloseOutStoreJob::MarkRefunded {
            school,
            order_no,
            reference,
            session,
        } => {
            store.mark_refunded(&order_no, &reference, &session)?;
            refunds(store, &school)?
        }
        CloseOutStoreJob::WriteRefundList { school, session } => {
            store.authorize(&session, Permission::Export, Some(&school))?;
            let bytes = crate::transfer::refund_list::refunds_xlsx(&store.refunds(&school)?)?;
            StoreEvent::FileWritten(write_export(setup, &format!("退款清单-{school}"), &bytes)?)
        }
    })
}
