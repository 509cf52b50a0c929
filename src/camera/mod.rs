//! Frame sources: the real webcam, replayed image files, and synthetic scenes, behind one trait,
//! plus the hub that hands the newest frame to whoever wants it.

pub mod synthetic;
