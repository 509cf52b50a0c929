//! The face mesh (MediaPipe's, converted to ONNX, run by tract) on real portraits: tract gives
//! the numbers onnxruntime gives, the points land on the eyes, nose and mouth of the shared
//! portraits, a tilt shows as roll, and a speaking mouth shows as open.

use std::path::PathBuf;

use capture_station::portrait::detect::{FaceBox, FaceDetector};
use capture_station::portrait::landmarks::{FaceLandmarks, FaceMesh, MESH_INPUT, point};
use image::RgbImage;

/// A shared portrait, by its path under `portraits/` (bare names are public-domain ones).
fn portrait(name: &str) -> RgbImage {
    let name = if name.contains('/') {
        name.to_string()
    } else {
        format!("public-domain/{name}")
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/portraits")
        .join(name);
    // Some files' names do not match their format (a WebP named .jpg): go by the bytes.
    image::ImageReader::open(&path)
        .and_then(|reader| reader.with_guessed_format())
        .map_err(image::ImageError::IoError)
        .and_then(|reader| reader.decode())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

fn largest_face(image: &RgbImage) -> FaceBox {
    let mut faces = FaceDetector::new().unwrap().detect(image);
    faces.sort_by(|a, b| (b.width * b.height).total_cmp(&(a.width * a.height)));
    faces.into_iter().next().expect("a face")
}

fn landmarks(mesh: &FaceMesh, image: &RgbImage) -> (FaceBox, FaceLandmarks) {
    let face = largest_face(image);
    (face, mesh.landmarks(image, &face).unwrap())
}

/// The same synthetic input the conversion script gave onnxruntime: tract must agree.
#[test]
fn tract_runs_the_face_mesh_as_onnxruntime_does() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/face_models_onnxruntime.json")).unwrap();
    let expected: Vec<f32> = fixture["outputs"]["face_landmark"]["conv2d_21"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let mut input = Vec::with_capacity(MESH_INPUT * MESH_INPUT * 3);
    for y in 0..MESH_INPUT {
        for x in 0..MESH_INPUT {
            for c in 0..3 {
                input.push(((x * 7 + y * 13 + c * 29) % 256) as f32 / 255.0);
            }
        }
    }
    let (points, _) = FaceMesh::new().unwrap().run_raw(input).unwrap();
    assert_eq!(points.len(), expected.len());
    let worst = points
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < 0.01,
        "tract and onnxruntime differ by up to {worst} px"
    );
}

#[test]
fn the_mesh_finds_eyes_nose_and_mouth_on_a_real_portrait() {
    let mesh = FaceMesh::new().unwrap();
    let image = portrait("obama.jpg");
    let (face, marks) = landmarks(&mesh, &image);
    assert!(marks.presence > 0.9, "presence {}", marks.presence);
    let [(rx, ry), (lx, ly)] = marks.eye_centres();
    assert!(rx < lx, "the subject's right eye is on the image's left");
    let inside = |x: f32, y: f32| {
        x > face.x && x < face.x + face.width && y > face.y && y < face.y + face.height
    };
    assert!(inside(rx, ry) && inside(lx, ly), "eyes inside the face box");
    let y = |i: usize| marks.points[i][1];
    let eyes = (ry + ly) / 2.0;
    assert!(y(point::FOREHEAD) < eyes);
    assert!(eyes < y(point::NOSE_TIP));
    assert!(y(point::NOSE_TIP) < y(point::UPPER_LIP_INNER));
    assert!(y(point::LOWER_LIP_INNER) < y(point::CHIN));
    assert!(
        marks.roll_degrees().abs() < 5.0,
        "roll {}",
        marks.roll_degrees()
    );
    assert!(marks.turn().abs() < 0.25, "turn {}", marks.turn());
    let [right, left] = marks.eye_openness();
    assert!(right > 0.15 && left > 0.15, "open eyes: {right} {left}");
    assert!(
        marks.face_width() > face.width * 0.7 && marks.face_width() < face.width * 1.5,
        "cheek to cheek {} for a box of {}",
        marks.face_width(),
        face.width
    );
}

#[test]
fn a_tilted_head_shows_as_roll() {
    let mesh = FaceMesh::new().unwrap();
    let image = portrait("obama.jpg");
    let (_, level) = landmarks(&mesh, &image);
    for degrees in [-12.0f32, -6.0, 6.0, 12.0] {
        let rotated = imageproc::geometric_transformations::rotate_about_center(
            &image,
            degrees.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            imageproc::geometric_transformations::Border::Constant(image::Rgb([128, 128, 128])),
        );
        let (_, tilted) = landmarks(&mesh, &rotated);
        let measured = tilted.roll_degrees() - level.roll_degrees();
        assert!(
            (measured - degrees).abs() < 2.5,
            "rotated {degrees}°, measured {measured}°"
        );
    }
}

/// Mouth openness is the inner-lip gap over the mouth's width. 学历照片 want the mouth closed:
/// a speaking mouth (obama3.jpg, 0.10) and a smile showing the teeth (obama.jpg, 0.26) are both
/// open; Biden's portrait and two generated students have their lips together (≤ 0.02).
/// (test1.jpg and test4.jpg, lips barely parted, measure 0.06 and 0.05: between the two.)
#[test]
fn a_speaking_or_toothy_mouth_is_open_and_closed_lips_are_not() {
    let mesh = FaceMesh::new().unwrap();
    let openness = |name: &str| landmarks(&mesh, &portrait(name)).1.mouth_openness();
    let mut report = Vec::new();
    for name in ["obama.jpg", "obama3.jpg"] {
        let value = openness(name);
        report.push(format!("{name} {value:.3}"));
        assert!(value > 0.08, "{name} is open: {value}");
    }
    for name in ["biden.jpg", "generated/test2.jpg", "generated/test3.jpg"] {
        let value = openness(name);
        report.push(format!("{name} {value:.3}"));
        assert!(value < 0.04, "{name} is closed: {value}");
    }
    println!("mouth openness: {}", report.join(", "));
}
