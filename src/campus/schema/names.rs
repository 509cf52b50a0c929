//! The names the schema's files share: the events lock, the change channel and the stations'
//! group. Kept apart so that each file names them without naming the others.

/// The advisory lock every writer of `events` takes before inserting, so that `server_seq`
/// values become visible in order and a puller's cursor never skips a row that commits late.
pub const EVENTS_LOCK: i64 = 0x6361_6d70_7573; // "campus"

/// The channel stations LISTEN on; every commit that adds shared events notifies it.
pub const CHANGES_CHANNEL: &str = "campus_changes";

pub const STATION_GROUP: &str = "campus_station";
