//! The demo camera: a student at the counter shows a capture code on a phone, then stands in
//! front of the backdrop for the photo; then the next student. Scenes are rendered once and
//! reused, so the source keeps its frame rate at 1080p.

use image::RgbImage;

use super::source::{CameraError, CaptureFormat, FrameSource, Pacer};
use super::synthetic::{PhoneScene, phone_screen_set, render_phone_frame};
use super::synthetic_student::{StudentScene, render_student_frame};
use crate::domain::photo_spec::Backdrop;

/// How many frames the phone is held up for, at the source's frame rate.
const PHONE_FRAMES: u64 = 60;
/// How many frames the student then stands for the photo.
const STUDENT_FRAMES: u64 = 240;
const STUDENTS: usize = 3;
const SCENE_SEED: u64 = 2026;

#[derive(Debug, Clone)]
pub enum DemoScene {
    Phone(PhoneScene),
    Student(StudentScene),
}

impl DemoScene {
    fn frames(&self) -> u64 {
        match self {
            Self::Phone(_) => PHONE_FRAMES,
            Self::Student(_) => STUDENT_FRAMES,
        }
    }

    fn render(&self, width: u32, height: u32) -> RgbImage {
        match self {
            Self::Phone(scene) => render_phone_frame(scene, width, height),
            Self::Student(scene) => render_student_frame(scene, width, height),
        }
    }
}

/// The capture codes the demo camera shows, in order. The demo database books all but the last,
/// so that the demo also shows an unknown code turning into a walk-in booking.
pub fn demo_camera_codes() -> Vec<String> {
    phone_screen_set(STUDENTS, SCENE_SEED)
        .into_iter()
        .filter_map(|scene| scene.payload)
        .collect()
}

pub struct SyntheticSource {
    width: u32,
    height: u32,
    fps: u32,
    scenes: Vec<DemoScene>,
    rendered: Vec<Option<RgbImage>>,
    frame_count: u64,
    pacer: Pacer,
}

impl SyntheticSource {
    /// `fps` 0 delivers frames as fast as they are asked for.
    pub fn new(width: u32, height: u32, fps: u32) -> Self {
        Self::with_backdrop(width, height, fps, Backdrop::Blue)
    }

    pub fn with_backdrop(width: u32, height: u32, fps: u32, backdrop: Backdrop) -> Self {
        let scenes: Vec<DemoScene> = phone_screen_set(STUDENTS, SCENE_SEED)
            .into_iter()
            .enumerate()
            .flat_map(|(index, phone)| {
                let student = StudentScene {
                    backdrop: backdrop.rgb(),
                    offset: [0.0, -0.02, 0.015][index % 3],
                    seed: index as u64,
                };
                [DemoScene::Phone(phone), DemoScene::Student(student)]
            })
            .collect();
        Self {
            width,
            height,
            fps,
            rendered: vec![None; scenes.len()],
            scenes,
            frame_count: 0,
            pacer: Pacer::new(fps),
        }
    }

    /// No one at the counter: a busy scene (shelves, posters, people) and no code, all the time.
    pub fn idle(width: u32, height: u32, fps: u32) -> Self {
        let mut empty = PhoneScene::plain("unused");
        empty.payload = None;
        empty.busy_background = true;
        Self {
            width,
            height,
            fps,
            rendered: vec![None],
            scenes: vec![DemoScene::Phone(empty)],
            frame_count: 0,
            pacer: Pacer::new(fps),
        }
    }

    /// The scenes in the order they are shown.
    pub fn scenes(&self) -> &[DemoScene] {
        &self.scenes
    }

    fn scene_index(&self, frame: u64) -> usize {
        let cycle: u64 = self.scenes.iter().map(DemoScene::frames).sum();
        let mut left = frame % cycle.max(1);
        for (index, scene) in self.scenes.iter().enumerate() {
            if left < scene.frames() {
                return index;
            }
            left -= scene.frames();
        }
        0
    }
}

impl FrameSource for SyntheticSource {
    fn name(&self) -> String {
        "synthetic (演示摄像头 demo camera)".to_string()
    }

    fn formats(&self) -> Vec<CaptureFormat> {
        vec![CaptureFormat {
            width: self.width,
            height: self.height,
            fps: self.fps,
            fourcc: "RGB".to_string(),
        }]
    }

    fn open(&mut self) -> Result<CaptureFormat, CameraError> {
        self.frame_count = 0;
        self.pacer.restart();
        Ok(self.formats().remove(0))
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        self.pacer.wait();
        let index = self.scene_index(self.frame_count);
        self.frame_count += 1;
        let (width, height) = (self.width, self.height);
        let scene = &self.scenes[index];
        let frame = self.rendered[index]
            .get_or_insert_with(|| scene.render(width, height))
            .clone();
        Ok(frame)
    }

    fn close(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_then_the_student_then_the_next_phone() {
        let mut source = SyntheticSource::new(320, 240, 0);
        assert_eq!(source.open().unwrap().width, 320);
        let first = source.next_frame().unwrap();
        for _ in 1..PHONE_FRAMES {
            assert_eq!(source.next_frame().unwrap(), first);
        }
        let student = source.next_frame().unwrap();
        assert_ne!(student, first);
        for _ in 1..STUDENT_FRAMES {
            assert_eq!(source.next_frame().unwrap(), student);
        }
        assert_ne!(source.next_frame().unwrap(), student);
        assert!(matches!(source.scenes()[0], DemoScene::Phone(_)));
        assert!(matches!(source.scenes()[1], DemoScene::Student(_)));
        assert_eq!(demo_camera_codes().len(), STUDENTS);
    }
}
