//! Capture Station: booth software for on-site graduation photo collection (高校学生图像采集).
//!
//! Data flows one way: camera → scan/portrait → domain → store. [`domain`] holds the pure rules,
//! [`store`] the SQLite booking store, [`campus`] campus mode (a shared PostgreSQL store and the sync), [`transfer`] imports and exports, [`cli`] the command line, [`app`]
//! the booth window's logic and workers, and [`ui`] its screens.

pub mod app;
pub mod camera;
pub mod campus;
pub mod cli;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod logging;
pub mod platform;
pub mod portrait;
pub mod scan;
pub mod station;
pub mod store;
pub mod transfer;
pub mod ui;
