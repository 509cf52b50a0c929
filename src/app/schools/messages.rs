//! What the schools feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::app::state::*;
use crate::domain::CollectionWindow;
use crate::store::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum SchoolsCommand {
    LoadSchools,
    AddWindow {
        school: String,
        first_day: String,
        last_day: String,
    },
    UpdateWindow {
        window_id: String,
        first_day: String,
        last_day: String,
    },
}

pub enum SchoolsStoreJob {
    LoadSchools,
    AddWindow {
        school: String,
        window: CollectionWindow,
        session: Session,
    },
    UpdateWindow {
        window_id: String,
        window: CollectionWindow,
        session: Session,
    },
}

#[derive(Debug)]
pub enum SchoolsStoreEvent {
    Schools(Vec<SchoolRow>),
}
