//! Applying the schools feature's commands, and the store threads' answers to its jobs.

use anyhow::Result;

use crate::app::StationApp;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::domain::CollectionWindow;
use crate::store::Permission;

use super::messages::{SchoolsCommand, SchoolsStoreEvent, SchoolsStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_schools(&mut self, command: SchoolsCommand) {
        let _t = self.state.texts();
        match command {
            SchoolsCommand::LoadSchools => {
                self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools))
            }
            SchoolsCommand::AddWindow {
                school,
                first_day,
                last_day,
            } => {
                let Some(session) = self.require_supervisor(Permission::ManageSchools) else {
                    return;
                };
                match parse_window(&first_day, &last_day, self.state.language) {
                    Ok(window) => {
                        self.state.supervisor.new_school.clear();
                        self.send_store(StoreJob::Schools(SchoolsStoreJob::AddWindow {
                            school,
                            window,
                            session,
                        }));
                    }
                    Err(error) => self.state.notify(NoticeLevel::Error, error),
                }
            }
            SchoolsCommand::UpdateWindow {
                window_id,
                first_day,
                last_day,
            } => {
                let Some(session) = self.require_supervisor(Permission::ManageSchools) else {
                    return;
                };
                match parse_window(&first_day, &last_day, self.state.language) {
                    Ok(window) => {
                        self.send_store(StoreJob::Schools(SchoolsStoreJob::UpdateWindow {
                            window_id,
                            window,
                            session,
                        }));
                    }
                    Err(error) => self.state.notify(NoticeLevel::Error, error),
                }
            }
        }
    }

    pub(in crate::app) fn schools_answered(&mut self, event: SchoolsStoreEvent) {
        match event {
            SchoolsStoreEvent::Schools(rows) => {
                self.state.supervisor.schools = rows;
                self.state.supervisor.schools_loaded = true;
            }
        }
    }
}

/// A collection window as typed in 场次: the same date spellings the command line reads.
fn parse_window(
    first: &str,
    last: &str,
    language: crate::config::Language,
) -> Result<CollectionWindow, String> {
    use crate::domain::collection::parse_day;
    use crate::i18n::errors::Worded as _;
    let day = |text: &str| parse_day(text).map_err(|e| e.worded(language));
    CollectionWindow::new(day(first)?, day(last)?).map_err(|e| e.worded(language))
}
