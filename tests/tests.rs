//! Integration tests, built as one binary (ripgrep's layout): each module drives the library or
//! the real `capture-station` binary end to end.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod booth_desk;
mod booth_hands;
mod booth_layout;
mod booth_messages;
mod booth_names;
mod booth_supervisor;
mod booth_window;
mod campus;
mod campus_cli;
mod campus_close_guards;
mod campus_faults;
mod campus_supervision;
mod campus_trust;
mod cli_import_lookup;
mod close_out_export;
mod crash_harness;
mod disk_full;
mod first_run;
mod import_files;
mod landmarks;
mod large_files;
mod layering;
mod package;
mod portrait_pipeline;
mod privacy;
mod readme_and_ci;
mod scan_sets;
mod station_use_cases;
mod student_screen;
mod windows;
