//! The demo camera: cycles through synthetic booth scenes (a phone showing a demo capture code,
//! then an empty desk), each held for a couple of seconds like a real student at the counter.
//! Scenes are rendered once and reused, so the source keeps its frame rate at 1080p.

use image::RgbImage;

use super::synthetic::{PhoneScene, phone_screen_set, render_phone_frame};
use super::{CameraError, CaptureFormat, FrameSource, Pacer};

/// How many frames each scene is shown for, at the source's frame rate.
const FRAMES_PER_SCENE: u64 = 60;
const SCENES: usize = 6;

pub struct SyntheticSource {
    width: u32,
    height: u32,
    fps: u32,
    scenes: Vec<PhoneScene>,
    rendered: Vec<Option<RgbImage>>,
    frame_count: u64,
    pacer: Pacer,
}

impl SyntheticSource {
    /// `fps` 0 delivers frames as fast as they are asked for.
    pub fn new(width: u32, height: u32, fps: u32) -> Self {
        let mut scenes = phone_screen_set(SCENES, 2026);
        // Every other scene is the empty counter between students.
        for scene in scenes.iter_mut().skip(1).step_by(2) {
            scene.payload = None;
        }
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

    /// The scenes in the order they are shown.
    pub fn scenes(&self) -> &[PhoneScene] {
        &self.scenes
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
        let index = ((self.frame_count / FRAMES_PER_SCENE) as usize) % self.scenes.len();
        self.frame_count += 1;
        let (width, height) = (self.width, self.height);
        let scene = &self.scenes[index];
        let frame = self.rendered[index]
            .get_or_insert_with(|| render_phone_frame(scene, width, height))
            .clone();
        Ok(frame)
    }

    fn close(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_each_scene_for_a_while_then_the_next() {
        let mut source = SyntheticSource::new(320, 240, 0);
        assert_eq!(source.open().unwrap().width, 320);
        let first = source.next_frame().unwrap();
        for _ in 1..FRAMES_PER_SCENE {
            assert_eq!(source.next_frame().unwrap(), first);
        }
        assert_ne!(source.next_frame().unwrap(), first);
        assert!(source.scenes()[0].payload.is_some());
        assert!(source.scenes()[1].payload.is_none());
    }
}
