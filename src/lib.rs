//! Capture Station: booth software for on-site graduation photo collection (高校学生图像采集).
//!
//! Data flows one way: camera → scan/portrait → domain → store. [`domain`] holds the pure rules,
//! [`store`] the SQLite booking store, [`transfer`] imports and exports, [`cli`] the command line.

pub mod camera;
pub mod cli;
pub mod config;
pub mod domain;
pub mod logging;
pub mod portrait;
pub mod scan;
pub mod store;
pub mod transfer;
