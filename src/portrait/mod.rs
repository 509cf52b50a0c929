//! The portrait pipeline: a camera frame or a still → one face → the 学历照片 crop → checks →
//! a JPEG inside the size range. Pure functions over pixels; saving lives in the store.

pub mod checks;
pub mod detect;
pub mod encode;
pub mod eyebrows;
pub mod geometry;
pub mod glare;
pub mod landmarks;
pub mod level;
pub mod pipeline;
pub mod region;
