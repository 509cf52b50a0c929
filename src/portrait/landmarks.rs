//! Facial landmarks from MediaPipe's face mesh (468 points), run in process with tract. The
//! model is `assets/models/face_landmark.onnx`, converted once from the mediapipe 0.10.14 wheel
//! (Apache-2.0) by `tools/convert_face_models.sh` and embedded in the binary: nothing is read
//! or downloaded at run time.
//!
//! The mesh looks at a square crop around the face that the detector found, scaled to 192×192;
//! its points come back in the crop's pixels and are mapped to the frame's. MediaPipe's iris
//! model (`iris_landmark.onnx`, same wheel) then looks at a 64×64 crop around each eye for the
//! pupil. What the portrait checks need (pupils, roll, turn, pitch, open eyes, a closed mouth)
//! is read off named points.

use image::RgbImage;
use tract_onnx::prelude::*;

use super::detect::FaceBox;

static FACE_MESH_ONNX: &[u8] = include_bytes!("../../assets/models/face_landmark.onnx");
static IRIS_ONNX: &[u8] = include_bytes!("../../assets/models/iris_landmark.onnx");

/// The mesh's input side, in pixels.
pub const MESH_INPUT: usize = 192;
/// The iris model's input side, in pixels.
const IRIS_INPUT: usize = 64;
/// The eye crop's side over the eye's corner-to-corner width, as MediaPipe's iris graph has it.
const IRIS_CROP_SCALE: f32 = 2.3;
/// The crop around the detector's box: MediaPipe feeds the mesh the face with a margin.
const CROP_SCALE: f32 = 1.6;
/// The mesh's forehead-to-chin lean on faces looking straight at the camera: the shared
/// portraits that do so measure −16° to +1° (their median about −7°).
pub const PITCH_NEUTRAL_DEGREES: f32 = -7.0;
/// Below this the mesh says there is no face in the crop.
pub const MIN_PRESENCE: f32 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum LandmarkError {
    #[error("the face-landmark model could not be loaded: {0}")]
    Model(String),
    #[error("the face-landmark model failed on this frame: {0}")]
    Run(String),
}

impl From<TractError> for LandmarkError {
    fn from(error: TractError) -> Self {
        Self::Run(format!("{error:#}"))
    }
}

/// Named points of the 468 (MediaPipe's canonical face mesh), from the camera's point of view:
/// `RIGHT_*` is the subject's right eye, on the left of the image.
pub mod point {
    pub const RIGHT_EYE_OUTER: usize = 33;
    pub const RIGHT_EYE_INNER: usize = 133;
    pub const RIGHT_EYE_UPPER: [usize; 3] = [160, 159, 158];
    pub const RIGHT_EYE_LOWER: [usize; 3] = [144, 145, 153];
    pub const LEFT_EYE_OUTER: usize = 263;
    pub const LEFT_EYE_INNER: usize = 362;
    pub const LEFT_EYE_UPPER: [usize; 3] = [387, 386, 385];
    pub const LEFT_EYE_LOWER: [usize; 3] = [373, 374, 380];
    pub const NOSE_TIP: usize = 1;
    pub const UPPER_LIP_INNER: usize = 13;
    pub const LOWER_LIP_INNER: usize = 14;
    pub const MOUTH_RIGHT: usize = 61;
    pub const MOUTH_LEFT: usize = 291;
    pub const RIGHT_CHEEK: usize = 234;
    pub const LEFT_CHEEK: usize = 454;
    pub const FOREHEAD: usize = 10;
    /// The eye outlines as the iris model gives them: the lower lid from the outer corner to
    /// the inner one, then the upper lid.
    pub const RIGHT_EYE_CONTOUR: [usize; 16] = [
        33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    ];
    pub const LEFT_EYE_CONTOUR: [usize; 16] = [
        263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
    ];
    pub const CHIN: usize = 152;
    /// Each eyebrow's upper and lower edge, outer end to inner end.
    pub const RIGHT_BROW_UPPER: [usize; 5] = [70, 63, 105, 66, 107];
    pub const RIGHT_BROW_LOWER: [usize; 5] = [46, 53, 52, 65, 55];
    pub const LEFT_BROW_UPPER: [usize; 5] = [300, 293, 334, 296, 336];
    pub const LEFT_BROW_LOWER: [usize; 5] = [276, 283, 282, 295, 285];
    /// Mid-cheek points below each eye: bare skin on nearly every face.
    pub const RIGHT_MID_CHEEK: usize = 50;
    pub const LEFT_MID_CHEEK: usize = 280;
}

/// The face mesh and the iris model, loaded and optimised once.
pub struct FaceMesh {
    model: Arc<TypedRunnableModel>,
    iris: Arc<TypedRunnableModel>,
}

/// The 468 points in frame pixels (x, y, and the mesh's relative depth), the mesh's own
/// confidence that a face is there, and the pupils from the iris model (image-left first).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceLandmarks {
    pub points: Vec<[f32; 3]>,
    pub presence: f32,
    pub pupils: [(f32, f32); 2],
    /// Whether the iris model read both eyes. Without it the pupils are the mesh's eye centres
    /// and the lids the mesh's, which do not see an eye close: eye openness is then unconfirmed.
    pub irises_read: bool,
}

fn load_model(
    bytes: &[u8],
    batch: usize,
    side: usize,
) -> Result<Arc<TypedRunnableModel>, LandmarkError> {
    tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .and_then(|model| model.with_input_fact(0, f32::fact([batch, side, side, 3]).into()))
        .and_then(|model| model.into_optimized())
        .and_then(|model| model.into_runnable())
        .map_err(|error| LandmarkError::Model(format!("{error:#}")))
}

fn run_square(
    model: &Arc<TypedRunnableModel>,
    side: usize,
    input: Vec<f32>,
) -> Result<TVec<TValue>, LandmarkError> {
    let input = tract_ndarray::Array4::from_shape_vec((1, side, side, 3), input)
        .map_err(|error| LandmarkError::Run(error.to_string()))?;
    Ok(model.run(tvec!(Tensor::from(input).into()))?)
}

impl FaceMesh {
    pub fn new() -> Result<Self, LandmarkError> {
        Ok(Self {
            model: load_model(FACE_MESH_ONNX, 1, MESH_INPUT)?,
            iris: load_model(IRIS_ONNX, 1, IRIS_INPUT)?,
        })
    }

    /// The model's raw answer for one 192×192 RGB input in 0–1 (NHWC, row by row): 1,404
    /// coordinates (x, y, z per point, in input pixels) and the presence logit.
    pub fn run_raw(&self, input: Vec<f32>) -> Result<(Vec<f32>, f32), LandmarkError> {
        let outputs = run_square(&self.model, MESH_INPUT, input)?;
        let points = outputs[0]
            .to_plain_array_view::<f32>()?
            .iter()
            .copied()
            .collect();
        let presence = outputs
            .get(1)
            .and_then(|t| t.to_plain_array_view::<f32>().ok()?.iter().next().copied())
            .unwrap_or(0.0);
        Ok((points, presence))
    }

    /// The landmarks of the face in `face` (a detector's box in `frame`).
    pub fn landmarks(
        &self,
        frame: &RgbImage,
        face: &FaceBox,
    ) -> Result<FaceLandmarks, LandmarkError> {
        let side = face.width.max(face.height) * CROP_SCALE;
        let crop = SquareCrop::centred(
            (face.x + face.width / 2.0, face.y + face.height / 2.0),
            side,
            MESH_INPUT,
            false,
        );
        let (raw, logit) = self.run_raw(crop.sample(frame))?;
        let points: Vec<[f32; 3]> = raw
            .chunks_exact(3)
            .map(|p| {
                let (x, y) = crop.frame_point(p[0], p[1]);
                [x, y, p[2] * crop.scale()]
            })
            .collect();
        let mut marks = FaceLandmarks {
            presence: 1.0 / (1.0 + (-logit).exp()),
            pupils: [(0.0, 0.0); 2],
            points,
            irises_read: false,
        };
        marks.pupils = marks.eye_centres();
        if let Some(eyes) = self.eyes(frame, &marks) {
            marks.pupils = [eyes[0].pupil, eyes[1].pupil];
            marks.irises_read = true;
            let contours = eyes.map(|eye| eye.lids);
            // As MediaPipe does: the iris model's lids are finer than the mesh's, and only they
            // see an eye close.
            for (indices, contour) in [point::RIGHT_EYE_CONTOUR, point::LEFT_EYE_CONTOUR]
                .iter()
                .zip(contours)
            {
                for (&index, (x, y)) in indices.iter().zip(contour) {
                    marks.points[index][0] = x;
                    marks.points[index][1] = y;
                }
            }
        }
        Ok(marks)
    }

    /// The iris model's pupil centre and lid outline (16 points, in the order of
    /// [`point::RIGHT_EYE_CONTOUR`]) for each eye, or `None` when it failed or strayed outside
    /// the eye (then the mesh's own eye stands in). The two eyes run on two threads: the iris
    /// model costs about 8 ms an eye, more than the mesh, and the booth has two cores.
    fn eyes(&self, frame: &RgbImage, marks: &FaceLandmarks) -> Option<[EyeReading; 2]> {
        use point::*;
        let [right_centre, left_centre] = marks.eye_centres();
        let right = EyeSeat {
            corners: (RIGHT_EYE_OUTER, RIGHT_EYE_INNER),
            mirrored: false,
            centre: right_centre,
        };
        // MediaPipe feeds the subject's left eye mirrored, so both look alike to the model.
        let left = EyeSeat {
            corners: (LEFT_EYE_INNER, LEFT_EYE_OUTER),
            mirrored: true,
            centre: left_centre,
        };
        let (right, left) = std::thread::scope(|scope| {
            let left = scope.spawn(|| self.eye(frame, marks, left));
            let right = self.eye(frame, marks, right);
            (right, left.join().ok().flatten())
        });
        Some([right?, left?])
    }

    /// One eye's pupil and lid outline, from the crop between its corners; `None` when the
    /// pupil lands outside the eye (the model lost it).
    fn eye(&self, frame: &RgbImage, marks: &FaceLandmarks, seat: EyeSeat) -> Option<EyeReading> {
        let EyeSeat {
            corners: (first, second),
            mirrored,
            centre,
        } = seat;
        let (ax, ay) = marks.at(first);
        let (bx, by) = marks.at(second);
        let width = (bx - ax).hypot(by - ay);
        let middle = ((ax + bx) / 2.0, (ay + by) / 2.0);
        let crop = SquareCrop::centred(middle, width * IRIS_CROP_SCALE, IRIS_INPUT, mirrored);
        // One eye per run: tract runs a batch of two slower than two batches of one.
        let outputs = run_square(&self.iris, IRIS_INPUT, crop.sample(frame)).ok()?;
        let iris = outputs.get(1)?.to_plain_array_view::<f32>().ok()?;
        let mut values = iris.iter().copied();
        let pupil = crop.frame_point(values.next()?, values.next()?);
        if (pupil.0 - centre.0).hypot(pupil.1 - centre.1) > width * 0.35 {
            return None;
        }
        let outline = outputs.first()?.to_plain_array_view::<f32>().ok()?;
        let outline: Vec<f32> = outline.iter().copied().take(16 * 3).collect();
        if outline.len() < 16 * 3 {
            return None;
        }
        let lids = outline
            .chunks_exact(3)
            .map(|p| crop.frame_point(p[0], p[1]))
            .collect();
        Some(EyeReading { pupil, lids })
    }
}

/// Where the mesh put one eye: its two corners (mesh indices), whether the iris model sees it
/// mirrored, and its centre.
#[derive(Debug, Clone, Copy)]
struct EyeSeat {
    corners: (usize, usize),
    mirrored: bool,
    centre: (f32, f32),
}

/// What the iris model read in one eye, in frame pixels.
#[derive(Debug, Clone)]
struct EyeReading {
    pupil: (f32, f32),
    lids: Vec<(f32, f32)>,
}

/// A square region of the frame, resampled to a model's square input (mirrored left to right
/// when `mirrored`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct SquareCrop {
    left: f32,
    top: f32,
    side: f32,
    input: usize,
    mirrored: bool,
}

impl SquareCrop {
    fn centred((cx, cy): (f32, f32), side: f32, input: usize, mirrored: bool) -> Self {
        Self {
            left: cx - side / 2.0,
            top: cy - side / 2.0,
            side,
            input,
            mirrored,
        }
    }

    /// Frame pixels per input pixel.
    fn scale(&self) -> f32 {
        self.side / self.input as f32
    }

    fn frame_point(&self, x: f32, y: f32) -> (f32, f32) {
        let x = if self.mirrored {
            self.input as f32 - x
        } else {
            x
        };
        (self.left + x * self.scale(), self.top + y * self.scale())
    }

    /// The crop resampled (bilinear) to the model's input, in 0–1; outside the frame is black.
    fn sample(&self, frame: &RgbImage) -> Vec<f32> {
        let (width, height) = (frame.width() as i64, frame.height() as i64);
        let pixel = |x: i64, y: i64| -> [f32; 3] {
            if x < 0 || y < 0 || x >= width || y >= height {
                return [0.0; 3];
            }
            let p = frame.get_pixel(x as u32, y as u32).0;
            [p[0] as f32, p[1] as f32, p[2] as f32]
        };
        let mut out = Vec::with_capacity(self.input * self.input * 3);
        for row in 0..self.input {
            for column in 0..self.input {
                let (x, y) = self.frame_point(column as f32 + 0.5, row as f32 + 0.5);
                let (x, y) = (x - 0.5, y - 0.5);
                let (x0, y0) = (x.floor(), y.floor());
                let (fx, fy) = (x - x0, y - y0);
                let (x0, y0) = (x0 as i64, y0 as i64);
                let (a, b, c, d) = (
                    pixel(x0, y0),
                    pixel(x0 + 1, y0),
                    pixel(x0, y0 + 1),
                    pixel(x0 + 1, y0 + 1),
                );
                for channel in 0..3 {
                    let top = a[channel] * (1.0 - fx) + b[channel] * fx;
                    let bottom = c[channel] * (1.0 - fx) + d[channel] * fx;
                    out.push((top * (1.0 - fy) + bottom * fy) / 255.0);
                }
            }
        }
        out
    }
}

impl FaceLandmarks {
    fn at(&self, index: usize) -> (f32, f32) {
        let p = self.points[index];
        (p[0], p[1])
    }

    fn mean(&self, indices: &[usize]) -> (f32, f32) {
        let n = indices.len() as f32;
        let (sx, sy) = indices.iter().fold((0.0, 0.0), |(sx, sy), &i| {
            let (x, y) = self.at(i);
            (sx + x, sy + y)
        });
        (sx / n, sy / n)
    }

    /// The eye centres (right eye first, i.e. the one on the image's left), each the mean of
    /// its corners and lids: close to the pupil when the student looks ahead.
    pub fn eye_centres(&self) -> [(f32, f32); 2] {
        use point::*;
        let eye = |outer, inner, upper: [usize; 3], lower: [usize; 3]| {
            let mut all = vec![outer, inner];
            all.extend(upper);
            all.extend(lower);
            self.mean(&all)
        };
        [
            eye(
                RIGHT_EYE_OUTER,
                RIGHT_EYE_INNER,
                RIGHT_EYE_UPPER,
                RIGHT_EYE_LOWER,
            ),
            eye(
                LEFT_EYE_OUTER,
                LEFT_EYE_INNER,
                LEFT_EYE_UPPER,
                LEFT_EYE_LOWER,
            ),
        ]
    }

    /// The head's roll: the angle of the line through the pupils, in degrees, positive when the
    /// pupil on the image's right is lower.
    pub fn roll_degrees(&self) -> f32 {
        let [(rx, ry), (lx, ly)] = self.pupils;
        (ly - ry).atan2(lx - rx).to_degrees()
    }

    /// The eye line: the pupils' mean height.
    pub fn eye_line_y(&self) -> f32 {
        (self.pupils[0].1 + self.pupils[1].1) / 2.0
    }

    /// The pupils' midpoint across: where the face's centre line runs at the eyes.
    pub fn eyes_middle_x(&self) -> f32 {
        (self.pupils[0].0 + self.pupils[1].0) / 2.0
    }

    /// The head's turn (yaw) in degrees, estimated from where the nose tip sits between the
    /// cheeks (its sine): positive when the nose points to the image's right.
    pub fn yaw_degrees(&self) -> f32 {
        self.turn().clamp(-1.0, 1.0).asin().to_degrees()
    }

    /// The head's nod (pitch) in degrees from the mesh's depth: the forehead-to-chin line's
    /// lean toward the camera, less [`PITCH_NEUTRAL_DEGREES`]. Positive when the chin is raised.
    /// An estimate: the mesh's depth is learnt, not measured.
    pub fn pitch_degrees(&self) -> f32 {
        let forehead = self.points[point::FOREHEAD];
        let chin = self.points[point::CHIN];
        (forehead[2] - chin[2])
            .atan2(chin[1] - forehead[1])
            .to_degrees()
            - PITCH_NEUTRAL_DEGREES
    }

    /// Eye openness, lid gap over eye width (about 0.25–0.35 open, under 0.12 closed), for
    /// the right and the left eye.
    pub fn eye_openness(&self) -> [f32; 2] {
        use point::*;
        let ratio = |outer, inner, upper: [usize; 3], lower: [usize; 3]| {
            let (ox, oy) = self.at(outer);
            let (ix, iy) = self.at(inner);
            let width = (ox - ix).hypot(oy - iy).max(1e-3);
            let gap: f32 = upper
                .iter()
                .zip(lower)
                .map(|(&u, l)| {
                    let ((ux, uy), (lx, ly)) = (self.at(u), self.at(l));
                    (ux - lx).hypot(uy - ly)
                })
                .sum::<f32>()
                / upper.len() as f32;
            gap / width
        };
        [
            ratio(
                RIGHT_EYE_OUTER,
                RIGHT_EYE_INNER,
                RIGHT_EYE_UPPER,
                RIGHT_EYE_LOWER,
            ),
            ratio(
                LEFT_EYE_OUTER,
                LEFT_EYE_INNER,
                LEFT_EYE_UPPER,
                LEFT_EYE_LOWER,
            ),
        ]
    }

    /// Mouth openness: the gap between the inner lips over the mouth's width.
    pub fn mouth_openness(&self) -> f32 {
        use point::*;
        let ((ux, uy), (lx, ly)) = (self.at(UPPER_LIP_INNER), self.at(LOWER_LIP_INNER));
        let ((rx, ry), (mx, my)) = (self.at(MOUTH_RIGHT), self.at(MOUTH_LEFT));
        (ux - lx).hypot(uy - ly) / (rx - mx).hypot(ry - my).max(1e-3)
    }

    /// How far the head is turned: where the nose tip sits between the cheeks, −1 (at the
    /// cheek on the image's left) to 1, 0 facing the camera.
    pub fn turn(&self) -> f32 {
        use point::*;
        let (nose, _) = self.at(NOSE_TIP);
        let (right, _) = self.at(RIGHT_CHEEK);
        let (left, _) = self.at(LEFT_CHEEK);
        let middle = (right + left) / 2.0;
        let half = ((left - right) / 2.0).abs().max(1e-3);
        (nose - middle) / half
    }

    /// Cheek to cheek, in frame pixels.
    pub fn face_width(&self) -> f32 {
        let (rx, ry) = self.at(point::RIGHT_CHEEK);
        let (lx, ly) = self.at(point::LEFT_CHEEK);
        (lx - rx).hypot(ly - ry)
    }
}
