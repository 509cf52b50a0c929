//! The portrait checks and the live advice, worded: what each failed check tells the operator
//! and the student, in Chinese or in English. The checks themselves (`portrait::checks`) only
//! say which rule failed and on which side.

use super::errors::Worded;
use crate::config::Language;
use crate::portrait::checks::{Check, Outcome};
use crate::portrait::geometry::Framing;
use crate::portrait::pipeline::{Hint, PortraitError};

/// (Chinese, English) for a rule that failed on `outcome`'s side.
fn failure(rule: &str, outcome: Outcome) -> (&'static str, &'static str) {
    use Outcome::*;
    match (rule, outcome) {
        ("eyes_open", Unconfirmed) => (
            "无法确认双眼睁开：请正视镜头",
            "cannot confirm that both eyes are open: look at the camera",
        ),
        (_, Unconfirmed) => (
            "无法确认：请正视镜头、露出五官",
            "cannot confirm: the facial landmarks were not found",
        ),
        ("head_top", Low) => ("头顶太靠上", "head top too close to the edge"),
        ("head_top", _) => ("头顶太靠下", "head top too low"),
        ("eye_line", Low) => ("眼睛太靠上", "eyes too high"),
        ("eye_line", _) => ("眼睛太靠下", "eyes too low"),
        ("face_width", Low) => ("脸太小：请靠近一些", "face too small: move closer"),
        ("face_width", _) => ("脸太大：请后退一些", "face too large: step back"),
        ("centred", _) => ("人脸不居中", "face off-centre"),
        ("spec_margin", _) => (
            "头顶、眼睛或脸宽贴近规格边缘：请微调位置",
            "head top, eye line or face width too near its limit: adjust",
        ),
        ("head_tilted", _) => ("请摆正头部", "head tilted: straighten up"),
        ("head_turned", _) => ("请正对镜头", "head turned: face the camera"),
        ("pitch", High) => (
            "请平视镜头（稍低头）",
            "chin raised: look straight at the camera",
        ),
        ("pitch", _) => (
            "请平视镜头（稍抬头）",
            "chin lowered: look straight at the camera",
        ),
        ("eyes_open", _) => ("请睁开眼睛", "eyes closed: open your eyes"),
        ("mouth_closed", _) => ("请闭上嘴", "mouth open: close your mouth"),
        ("glasses_glare", _) => (
            "眼镜反光：请调整角度或灯光",
            "glare on the glasses: tilt them or move the light",
        ),
        ("eyebrows_visible", _) => (
            "请露出眉毛（整理刘海）",
            "eyebrows hidden: move the hair off the brows",
        ),
        ("background_color", _) => (
            "背景颜色与设置不符",
            "backdrop colour does not match the setting",
        ),
        ("background_even", _) => (
            "背景不均匀：有阴影或渐变",
            "backdrop uneven: shadow or gradient",
        ),
        ("clothing_contrast", _) => (
            "衣服颜色与背景太接近",
            "clothing too close to the backdrop colour",
        ),
        ("exposure", Low) => ("脸部太暗", "face too dark"),
        ("exposure", _) => ("脸部太亮", "face too bright"),
        ("highlights_clipped", _) => ("脸部过曝", "blown highlights on the face"),
        ("shadows_clipped", _) => ("脸部阴影过重", "crushed shadows on the face"),
        ("sharpness", _) => ("照片模糊：请重拍", "blurred: retake"),
        ("integrity", _) => ("图像被镜像或修改", "image mirrored or altered"),
        _ => ("检查未通过", "check failed"),
    }
}

fn pick(pair: (&'static str, &'static str), language: Language) -> &'static str {
    match language {
        Language::Chinese => pair.0,
        Language::English => pair.1,
    }
}

/// What a failed check tells the operator. The `face` check of a shot that made no portrait at
/// all says why (`error`, the report's).
pub fn check_failure(check: &Check, error: Option<&PortraitError>, language: Language) -> String {
    match (check.rule, error) {
        ("face", Some(error)) => error.worded(language),
        _ => pick(failure(check.rule, check.outcome), language).to_string(),
    }
}

/// The live advice, in the language asked for (the student's screen shows both).
pub fn hint_text(hint: &Hint, language: Language) -> String {
    match hint {
        Hint::Check { rule, outcome } => pick(failure(rule, *outcome), language).to_string(),
        Hint::Framing { framing } => framing.worded(language),
        Hint::Face { error } => error.worded(language),
    }
}

impl Worded for Framing {
    fn zh(&self) -> String {
        match self {
            Self::MoveCloser => "请靠近一些",
            Self::TooClose => "太近了，请后退一些",
            Self::MoveRight => "人脸偏左：请向画面中央移动",
            Self::MoveLeft => "人脸偏右：请向画面中央移动",
            Self::MoveDown => "头部太靠上：请调低相机或坐低一些",
            Self::MoveUp => "头部太靠下：请调高相机或坐高一些",
            Self::Proportions => "头部与脸部的比例无法同时符合要求",
        }
        .to_string()
    }
}

impl Worded for PortraitError {
    fn zh(&self) -> String {
        use crate::portrait::encode::EncodeError;
        match self {
            Self::NoFace => "未检测到人脸".to_string(),
            Self::SeveralFaces { count } => {
                format!("检测到 {count} 张人脸：画面中只能有一人")
            }
            Self::Framing(framing) => framing.zh(),
            Self::Encode(EncodeError::TooLargeAtMinimumQuality { .. }) => {
                "质量降到 60 时文件仍超过设置的上限".to_string()
            }
            Self::Encode(EncodeError::TooSmallAtMaximumQuality { .. }) => {
                "质量升到 100 时文件仍小于设置的下限".to_string()
            }
            Self::Encode(EncodeError::Failed(_)) | Self::Resample => "图像处理失败".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An eye openness that could not be measured (the iris model read no lids) is not a pass:
    /// it fails as unconfirmed and says so about the eyes, not the whole face.
    #[test]
    fn unmeasured_eyes_fail_as_unconfirmed_with_their_own_words() {
        let check = Check::new("eyes_open", f64::NAN, [0.12, f64::INFINITY]);
        assert!(!check.ok);
        assert_eq!(check.outcome, Outcome::Unconfirmed);
        assert_eq!(
            check_failure(&check, None, Language::Chinese),
            "无法确认双眼睁开：请正视镜头"
        );
        let other = Check::new("mouth_closed", f64::NAN, [0.0, 0.08]);
        assert!(check_failure(&other, None, Language::Chinese).starts_with("无法确认："));
    }
}
