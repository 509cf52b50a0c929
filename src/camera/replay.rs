//! Replays a folder of images (or one image) as a camera, looping, at a set frame rate. Used to
//! reproduce field problems from saved frames, and in tests.

use std::path::PathBuf;

use image::RgbImage;

use super::source::{CameraError, CaptureFormat, FrameSource, Pacer};

pub struct ReplaySource {
    path: PathBuf,
    fps: u32,
    files: Vec<PathBuf>,
    next_index: usize,
    pacer: Pacer,
}

impl ReplaySource {
    /// `fps` 0 delivers frames as fast as they are asked for (tests, benchmarks).
    pub fn new(path: PathBuf, fps: u32) -> Self {
        Self {
            path,
            fps,
            files: Vec::new(),
            next_index: 0,
            pacer: Pacer::new(fps),
        }
    }

    fn list_files(&self) -> Vec<PathBuf> {
        if self.path.is_file() {
            return vec![self.path.clone()];
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.path)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    fn load(&self, path: &PathBuf) -> Result<RgbImage, CameraError> {
        let bytes = std::fs::read(path)
            .map_err(|e| CameraError::Read(format!("{}: {e}", path.display())))?;
        crate::scan::image_input::decode_rgb(&bytes)
            .map_err(|e| CameraError::Decode(format!("{}: {e}", path.display())))
    }
}

impl FrameSource for ReplaySource {
    fn name(&self) -> String {
        format!("replay: {}", self.path.display())
    }

    fn formats(&self) -> Vec<CaptureFormat> {
        Vec::new()
    }

    fn open(&mut self) -> Result<CaptureFormat, CameraError> {
        // Files that are not images are skipped, so a folder with notes in it still plays.
        self.files = self
            .list_files()
            .into_iter()
            .filter(|p| self.load(p).is_ok())
            .collect();
        let first = self
            .files
            .first()
            .ok_or_else(|| CameraError::NothingToReplay(self.path.clone()))?;
        let image = self.load(first)?;
        self.next_index = 0;
        self.pacer.restart();
        Ok(CaptureFormat {
            width: image.width(),
            height: image.height(),
            fps: self.fps,
            fourcc: "RGB".to_string(),
        })
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        if self.files.is_empty() {
            return Err(CameraError::NothingToReplay(self.path.clone()));
        }
        self.pacer.wait();
        let path = self.files[self.next_index % self.files.len()].clone();
        self.next_index += 1;
        self.load(&path)
    }

    fn close(&mut self) {
        self.files.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_images_in_order_and_loops_skipping_non_images() {
        let dir = tempfile::tempdir().unwrap();
        for (name, width) in [("a.png", 3u32), ("b.png", 5)] {
            RgbImage::new(width, 2).save(dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "not a frame").unwrap();
        let mut source = ReplaySource::new(dir.path().to_path_buf(), 0);
        assert_eq!(source.open().unwrap().width, 3);
        let widths: Vec<u32> = (0..3)
            .map(|_| source.next_frame().unwrap().width())
            .collect();
        assert_eq!(widths, vec![3, 5, 3]);
    }

    #[test]
    fn an_empty_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = ReplaySource::new(dir.path().to_path_buf(), 0);
        assert!(matches!(
            source.open(),
            Err(CameraError::NothingToReplay(_))
        ));
    }
}
