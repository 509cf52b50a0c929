//! Every error a person can be shown is worded in Chinese without English words. Each enum
//! lists one sample of every variant; the `match` beside each list has no wildcard, so a
//! variant added later does not compile until it has a sample here too.

use std::path::PathBuf;

use super::campus_samples::{campus_errors, campus_refusals};
use super::*;
use crate::camera::{CameraError, CameraFault};
use crate::domain::collection::DayError;
use crate::domain::walk_in::WalkInProblem;
use crate::i18n::checks::{check_failure, hint_text};
use crate::portrait::checks::{Check, Outcome};
use crate::portrait::encode::EncodeError;
use crate::portrait::geometry::Framing;
use crate::portrait::pipeline::{Hint, PortraitError};
use crate::scan::image_input::ImageInputError;
use crate::transfer::export::ExportError;
use crate::transfer::import::ImportError;
use crate::transfer::school_export::SchoolExportError;
use crate::transfer::table::TableError;

/// Codes, units and format names that are Chinese text's own: they may stand in it.
const ALLOWED: [&str; 15] = [
    "PIN", "X", "XLSX", "XLS", "CSV", "UTF", "GB", "GBK", "KB", "MB", "PNG", "JPEG", "GIF", "WebP",
    "jpg",
];

/// The ASCII words of `text` that are not allowed: English that leaked into Chinese.
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !word.is_empty() && !ALLOWED.contains(word))
        .map(str::to_string)
        .collect()
}

#[track_caller]
fn chinese_only(what: &str, zh: String) {
    let english = english_words(&zh);
    assert!(english.is_empty(), "{what}: {zh:?} has {english:?}");
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: {zh:?}"
    );
}

fn check_all<E: Worded + std::fmt::Debug>(samples: Vec<E>) -> usize {
    let count = samples.len();
    for sample in samples {
        chinese_only(&format!("{sample:?}"), sample.zh());
        assert!(!sample.to_string().is_empty());
    }
    count
}

fn path() -> PathBuf {
    PathBuf::from("/数据/照片")
}

fn text_errors() -> Vec<TextError> {
    let samples: Vec<TextError> = Field::ALL
        .iter()
        .flat_map(|&field| {
            [
                TextError::Empty { field },
                TextError::TooLong { field, max: 200 },
                TextError::ControlCharacter { field },
                TextError::NotAFolderName { field },
            ]
        })
        .collect();
    for sample in &samples {
        match sample {
            TextError::Empty { .. }
            | TextError::TooLong { .. }
            | TextError::ControlCharacter { .. }
            | TextError::NotAFolderName { .. } => {}
        }
    }
    samples
}

fn id_number_errors() -> Vec<IdNumberError> {
    let samples = vec![
        IdNumberError::WrongLength(17),
        IdNumberError::NotADigit { position: 3 },
        IdNumberError::BadCheckCharacter,
        IdNumberError::InvalidBirthDate("20010231".into()),
        IdNumberError::FutureBirthDate(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
        IdNumberError::ChecksumMismatch {
            expected: 'X',
            found: '1',
        },
    ];
    for sample in &samples {
        match sample {
            IdNumberError::WrongLength(_)
            | IdNumberError::NotADigit { .. }
            | IdNumberError::BadCheckCharacter
            | IdNumberError::InvalidBirthDate(_)
            | IdNumberError::FutureBirthDate(_)
            | IdNumberError::ChecksumMismatch { .. } => {}
        }
    }
    samples
}

fn capture_code_errors() -> Vec<CaptureCodeError> {
    let samples = vec![
        CaptureCodeError::Empty,
        CaptureCodeError::TooLong {
            len: 2000,
            max: 1024,
        },
        CaptureCodeError::ControlCharacter { position: 5 },
        CaptureCodeError::PatternMismatch,
    ];
    for sample in &samples {
        match sample {
            CaptureCodeError::Empty
            | CaptureCodeError::TooLong { .. }
            | CaptureCodeError::ControlCharacter { .. }
            | CaptureCodeError::PatternMismatch => {}
        }
    }
    samples
}

fn amount_errors() -> Vec<AmountError> {
    let samples = vec![
        AmountError::Empty,
        AmountError::NotANumber("二十五".into()),
        AmountError::TooManyDecimals("25.001".into()),
        AmountError::Negative("-5".into()),
        AmountError::TooLarge("99999999999".into()),
    ];
    for sample in &samples {
        match sample {
            AmountError::Empty
            | AmountError::NotANumber(_)
            | AmountError::TooManyDecimals(_)
            | AmountError::Negative(_)
            | AmountError::TooLarge(_) => {}
        }
    }
    samples
}

fn refusals() -> Vec<Refusal> {
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let samples = vec![
        Refusal::CodeTaken,
        Refusal::OrderExists("20261207001".into()),
        Refusal::RetakeNeedsCapture,
        Refusal::WindowStillOpen {
            school: "演示大学".into(),
            first_day: day(1),
            last_day: day(9),
        },
        Refusal::Disputed,
        Refusal::NeedsOverride,
        Refusal::Sealed("演示大学".into()),
        Refusal::PinRule,
        Refusal::UserExists("王主管".into()),
        Refusal::UserNameTooLong(32),
        Refusal::DisableSelf,
        Refusal::LastSupervisor,
        Refusal::ConfirmAfterCapture,
        Refusal::CampusCloseOnly,
        Refusal::OfflineUnknownAccount,
        Refusal::AccountNotShared,
        Refusal::PhotoNotSaved {
            folder: path(),
            disk_full: true,
            kind: std::io::ErrorKind::StorageFull,
        },
        Refusal::PhotoNotSaved {
            folder: path(),
            disk_full: false,
            kind: std::io::ErrorKind::PermissionDenied,
        },
        Refusal::Text(TextError::Empty {
            field: Field::School,
        }),
        Refusal::Window(WindowOrderError {
            first_day: day(9),
            last_day: day(1),
        }),
    ];
    for sample in &samples {
        match sample {
            Refusal::CodeTaken
            | Refusal::OrderExists(_)
            | Refusal::RetakeNeedsCapture
            | Refusal::WindowStillOpen { .. }
            | Refusal::Disputed
            | Refusal::NeedsOverride
            | Refusal::Sealed(_)
            | Refusal::PinRule
            | Refusal::UserExists(_)
            | Refusal::UserNameTooLong(_)
            | Refusal::DisableSelf
            | Refusal::LastSupervisor
            | Refusal::ConfirmAfterCapture
            | Refusal::CampusCloseOnly
            | Refusal::OfflineUnknownAccount
            | Refusal::AccountNotShared
            | Refusal::PhotoNotSaved { .. }
            | Refusal::Text(_)
            | Refusal::Window(_) => {}
        }
    }
    samples
}

fn store_errors() -> Vec<StoreError> {
    let mut samples = vec![
        StoreError::Corrupt {
            path: path(),
            detail: "malformed".into(),
        },
        StoreError::TooNew {
            path: path(),
            found: 9,
            known: 8,
        },
        StoreError::Transition(TransitionError::RetakeNotApproved),
        StoreError::NotFound {
            what: "booking",
            key: "0199".into(),
        },
        StoreError::Refused(Refusal::PinRule),
        StoreError::Invalid("unknown stored status 'x'".into()),
        StoreError::WrongPin { remaining: 4 },
        StoreError::LockedOut {
            until: "10:30:00".into(),
            seconds: 30,
        },
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        )),
        StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
    ];
    for role in ["operator", "staff", "supervisor", "none"] {
        for permission in crate::store::Permission::ALL {
            samples.push(StoreError::Forbidden {
                role: role.into(),
                action: permission.as_str().into(),
            });
        }
    }
    for what in ["booking", "order", "user", "school", "collection window"] {
        samples.push(StoreError::NotFound {
            what,
            key: "1".into(),
        });
    }
    for sample in &samples {
        match sample {
            StoreError::Corrupt { .. }
            | StoreError::TooNew { .. }
            | StoreError::Transition(_)
            | StoreError::NotFound { .. }
            | StoreError::Refused(_)
            | StoreError::Invalid(_)
            | StoreError::Forbidden { .. }
            | StoreError::WrongPin { .. }
            | StoreError::LockedOut { .. }
            | StoreError::Sqlite(_) => {}
        }
    }
    samples
}

fn row_problems() -> Vec<RowProblem> {
    let samples = vec![
        RowProblem::Text(TextError::ControlCharacter { field: Field::Note }),
        RowProblem::Missing(Field::Name),
        RowProblem::IdNumberAsNumber,
        RowProblem::IdNumber(IdNumberError::WrongLength(3)),
        RowProblem::Amount(AmountError::NotANumber("二十五".into())),
        RowProblem::PaymentUnknown("银联".into()),
        RowProblem::Slot(SlotError("下周".into())),
        RowProblem::CaptureCode(CaptureCodeError::PatternMismatch),
        RowProblem::PaidAt("昨天".into()),
        RowProblem::OtherSchool {
            file: "甲大学".into(),
            given: "乙大学".into(),
        },
        RowProblem::NoSchool,
        RowProblem::RepeatsRow {
            order_no: "20261207001".into(),
            first: 2,
        },
        RowProblem::CodeTaken(Some("20261207001".into())),
        RowProblem::CodeTaken(None),
        RowProblem::ChangedAfterBooking {
            order_no: "20261207001".into(),
            status: BookingStatus::Captured,
        },
    ];
    for sample in &samples {
        match sample {
            RowProblem::Text(_)
            | RowProblem::Missing(_)
            | RowProblem::IdNumberAsNumber
            | RowProblem::IdNumber(_)
            | RowProblem::Amount(_)
            | RowProblem::PaymentUnknown(_)
            | RowProblem::Slot(_)
            | RowProblem::CaptureCode(_)
            | RowProblem::PaidAt(_)
            | RowProblem::OtherSchool { .. }
            | RowProblem::NoSchool
            | RowProblem::RepeatsRow { .. }
            | RowProblem::CodeTaken(_)
            | RowProblem::ChangedAfterBooking { .. } => {}
        }
    }
    samples
}

fn transfer_errors() -> (Vec<ImportError>, Vec<ExportError>, Vec<SchoolExportError>) {
    let csv_error = csv::ReaderBuilder::new()
        .from_reader("a,b\n1,2,3\n".as_bytes())
        .records()
        .find_map(Result::err)
        .expect("a ragged CSV row is an error");
    let tables = vec![
        TableError::Empty,
        TableError::Spreadsheet("zip error".into()),
        TableError::NoSheet,
        TableError::UnknownEncoding,
        TableError::Csv(csv_error),
        TableError::TooLarge {
            bytes: 150 * 1_048_576,
            limit: 100 * 1_048_576,
        },
        TableError::TooManyRows { limit: 200_000 },
    ];
    for sample in &tables {
        match sample {
            TableError::Empty
            | TableError::Spreadsheet(_)
            | TableError::NoSheet
            | TableError::UnknownEncoding
            | TableError::TooLarge { .. }
            | TableError::TooManyRows { .. }
            | TableError::Csv(_) => {}
        }
    }
    let mut imports: Vec<ImportError> = tables.into_iter().map(ImportError::Table).collect();
    imports.push(ImportError::MissingHeaders(vec![
        Field::Name,
        Field::OrderNo,
    ]));
    imports.push(ImportError::Interrupted("parser thread died".into()));
    imports.push(ImportError::Store(StoreError::Refused(Refusal::CodeTaken)));
    for sample in &imports {
        match sample {
            ImportError::Table(_)
            | ImportError::MissingHeaders(_)
            | ImportError::Interrupted(_)
            | ImportError::Store(_) => {}
        }
    }
    let exports = |kind| {
        let mut samples: Vec<ExportError> = vec![
            ExportError::Template("{x}.png".into()),
            ExportError::Collision {
                file: "王芳.jpg".into(),
                first: "王芳（1号）".into(),
                second: "王芳（2号）".into(),
            },
            ExportError::NameTooLong {
                student: "王芳（1号）".into(),
                file: "很长.jpg".into(),
                bytes: 300,
            },
            ExportError::Io {
                path: path(),
                source: std::io::Error::from(kind),
            },
            ExportError::Other("zip writer".into()),
        ];
        for field in [
            Field::CaptureCode,
            Field::IdNumber,
            Field::StudentNo,
            Field::Name,
        ] {
            samples.push(ExportError::EmptyName {
                student: "王芳".into(),
                field,
            });
        }
        for sample in &samples {
            match sample {
                ExportError::Template(_)
                | ExportError::EmptyName { .. }
                | ExportError::Collision { .. }
                | ExportError::NameTooLong { .. }
                | ExportError::Io { .. }
                | ExportError::Other(_) => {}
            }
        }
        samples
    };
    let school_exports = vec![
        SchoolExportError::NothingToExport("演示大学".into()),
        SchoolExportError::NoSpace {
            needed: 90_000_000,
            available: 10_000_000,
        },
        SchoolExportError::Export(ExportError::Other("x".into())),
        SchoolExportError::Store(StoreError::WrongPin { remaining: 1 }),
    ];
    for sample in &school_exports {
        match sample {
            SchoolExportError::NothingToExport(_)
            | SchoolExportError::NoSpace { .. }
            | SchoolExportError::Export(_)
            | SchoolExportError::Store(_) => {}
        }
    }
    (
        imports,
        exports(std::io::ErrorKind::NotFound),
        school_exports,
    )
}

fn device_errors() -> (Vec<CameraFault>, Vec<ImageInputError>) {
    let cameras = vec![
        CameraError::NoCamera,
        CameraError::Open("busy".into()),
        CameraError::Read("gone".into()),
        CameraError::Decode("bad huffman".into()),
        CameraError::NothingToReplay(path()),
    ];
    for sample in &cameras {
        match sample {
            CameraError::NoCamera
            | CameraError::Open(_)
            | CameraError::Read(_)
            | CameraError::Decode(_)
            | CameraError::NothingToReplay(_) => {}
        }
    }
    let quiet = std::time::Duration::from_millis(600);
    let mut faults: Vec<CameraFault> = cameras.into_iter().map(CameraFault::Device).collect();
    faults.extend([
        CameraFault::Panicked,
        CameraFault::ThreadNotStarted,
        CameraFault::Stopped,
        CameraFault::DidNotStart,
        CameraFault::NoFrames { quiet },
        CameraFault::CorruptFrames {
            quiet,
            detail: "bad huffman".into(),
        },
        CameraFault::SizeChanged {
            from: (1920, 1080),
            to: (640, 480),
        },
    ]);
    for sample in &faults {
        match sample {
            CameraFault::Device(_)
            | CameraFault::Panicked
            | CameraFault::ThreadNotStarted
            | CameraFault::Stopped
            | CameraFault::DidNotStart
            | CameraFault::NoFrames { .. }
            | CameraFault::CorruptFrames { .. }
            | CameraFault::SizeChanged { .. } => {}
        }
    }
    let images = vec![
        ImageInputError::UnknownFormat,
        ImageInputError::TooLarge {
            width: 20_000,
            height: 20_000,
        },
        ImageInputError::Damaged("eof".into()),
    ];
    for sample in &images {
        match sample {
            ImageInputError::UnknownFormat
            | ImageInputError::TooLarge { .. }
            | ImageInputError::Damaged(_) => {}
        }
    }
    (faults, images)
}

fn setting_errors() -> Vec<SettingError> {
    let samples = vec![
        SettingError::Pattern("[".into()),
        SettingError::HolidayFile {
            path: path(),
            detail: "line 3".into(),
        },
        SettingError::Language("法语".into()),
        SettingError::Camera("某某".into()),
        SettingError::Resolution("大".into()),
        SettingError::Backdrop("红".into()),
        SettingError::JpegKb("二十".into()),
        SettingError::IdleMinutes(0),
        SettingError::WalkInAmount {
            value: "二十五".into(),
            error: AmountError::NotANumber("二十五".into()),
        },
        SettingError::WalkInPayment("银联".into()),
        SettingError::StudentScreen("左边".into()),
    ];
    for sample in &samples {
        match sample {
            SettingError::Pattern(_)
            | SettingError::HolidayFile { .. }
            | SettingError::Language(_)
            | SettingError::Camera(_)
            | SettingError::Resolution(_)
            | SettingError::Backdrop(_)
            | SettingError::JpegKb(_)
            | SettingError::IdleMinutes(_)
            | SettingError::WalkInAmount { .. }
            | SettingError::WalkInPayment(_)
            | SettingError::StudentScreen(_) => {}
        }
    }
    samples
}

fn walk_in_problems() -> Vec<WalkInProblem> {
    let samples = vec![
        WalkInProblem::Text(TextError::Empty { field: Field::Name }),
        WalkInProblem::IdNumber(IdNumberError::BadCheckCharacter),
        WalkInProblem::IdNumberMissing,
        WalkInProblem::StudentNoNeeded,
        WalkInProblem::Amount(AmountError::Empty),
        WalkInProblem::CaptureCode(CaptureCodeError::Empty),
        WalkInProblem::CaptureCodeMissing,
    ];
    for sample in &samples {
        match sample {
            WalkInProblem::Text(_)
            | WalkInProblem::IdNumber(_)
            | WalkInProblem::IdNumberMissing
            | WalkInProblem::StudentNoNeeded
            | WalkInProblem::Amount(_)
            | WalkInProblem::CaptureCode(_)
            | WalkInProblem::CaptureCodeMissing => {}
        }
    }
    samples
}

fn portrait_errors() -> Vec<PortraitError> {
    let mut samples = vec![
        PortraitError::NoFace,
        PortraitError::SeveralFaces { count: 2 },
        PortraitError::Encode(EncodeError::TooLargeAtMinimumQuality {
            bytes: 50_000,
            max: 40_000,
        }),
        PortraitError::Encode(EncodeError::TooSmallAtMaximumQuality {
            bytes: 10_000,
            min: 20_000,
        }),
        PortraitError::Encode(EncodeError::Failed("x".into())),
        PortraitError::Resample,
    ];
    for framing in [
        Framing::MoveCloser,
        Framing::TooClose,
        Framing::MoveRight,
        Framing::MoveLeft,
        Framing::MoveDown,
        Framing::MoveUp,
        Framing::Proportions,
    ] {
        match framing {
            Framing::MoveCloser
            | Framing::TooClose
            | Framing::MoveRight
            | Framing::MoveLeft
            | Framing::MoveDown
            | Framing::MoveUp
            | Framing::Proportions => {}
        }
        samples.push(PortraitError::Framing(framing));
    }
    for sample in &samples {
        match sample {
            PortraitError::NoFace
            | PortraitError::SeveralFaces { .. }
            | PortraitError::Framing(_)
            | PortraitError::Encode(_)
            | PortraitError::Resample => {}
        }
    }
    samples
}

#[test]
fn every_error_a_person_sees_is_worded_in_chinese_without_english_words() {
    let (imports, exports, school_exports) = transfer_errors();
    let (faults, images) = device_errors();
    let mut walked = 0;
    walked += check_all(text_errors());
    walked += check_all(id_number_errors());
    walked += check_all(capture_code_errors());
    walked += check_all(amount_errors());
    walked += check_all(vec![SlotError("下周一".into())]);
    walked += check_all(vec![DayError("明天".into())]);
    walked += check_all(vec![
        TransitionError::Illegal {
            from: BookingStatus::Refunded,
            to: BookingStatus::Captured,
        },
        TransitionError::RetakeNotApproved,
    ]);
    walked += check_all(vec![
        CorrectionError::Text(TextError::Empty {
            field: Field::School,
        }),
        CorrectionError::IdNumber(IdNumberError::WrongLength(3)),
        CorrectionError::NoReason,
    ]);
    walked += check_all(refusals());
    walked += check_all(store_errors());
    walked += check_all(row_problems());
    walked += check_all(campus_refusals());
    walked += check_all(campus_errors());
    walked += check_all(imports);
    walked += check_all(exports);
    walked += check_all(school_exports);
    walked += check_all(faults);
    walked += check_all(images);
    walked += check_all(setting_errors());
    walked += check_all(walk_in_problems());
    walked += check_all(portrait_errors());
    assert!(walked > 250, "{walked} samples");
    // Field names and operating-system errors.
    for field in Field::ALL {
        chinese_only(&format!("{field:?}"), field_zh(field).to_string());
    }
    use std::io::ErrorKind::*;
    for kind in [NotFound, PermissionDenied, StorageFull, Other, InvalidData] {
        chinese_only(&format!("{kind:?}"), io_zh(kind).to_string());
    }
}

#[test]
fn every_failed_check_and_live_hint_is_worded_in_both_languages() {
    let rules = [
        "head_top",
        "eye_line",
        "face_width",
        "centred",
        "spec_margin",
        "head_tilted",
        "head_turned",
        "pitch",
        "eyes_open",
        "mouth_closed",
        "glasses_glare",
        "eyebrows_visible",
        "background_color",
        "background_even",
        "clothing_contrast",
        "exposure",
        "highlights_clipped",
        "shadows_clipped",
        "sharpness",
        "integrity",
    ];
    for rule in rules {
        for (value, outcome) in [
            (-1.0, Outcome::Low),
            (2.0, Outcome::High),
            (f64::NAN, Outcome::Unconfirmed),
        ] {
            let check = Check::new(rule, value, [0.0, 1.0]);
            assert_eq!(check.outcome, outcome);
            let zh = check_failure(&check, None, Language::Chinese);
            chinese_only(rule, zh.clone());
            let en = check_failure(&check, None, Language::English);
            assert!(english_words(&en).len() >= 2, "{rule}: {en}");
            assert_ne!(zh, en);
            let hint = Hint::Check {
                rule: check.rule,
                outcome,
            };
            assert_eq!(hint_text(&hint, Language::Chinese), zh);
        }
    }
    for error in portrait_errors() {
        let face = Check::new("face", 0.0, [1.0, 1.0]);
        chinese_only(
            "face",
            check_failure(&face, Some(&error), Language::Chinese),
        );
        chinese_only("hint", hint_text(&Hint::Face { error }, Language::Chinese));
    }
}

#[test]
fn an_error_across_a_worker_is_worded_by_its_first_typed_cause() {
    let error = anyhow::Error::from(StoreError::Refused(Refusal::PinRule))
        .context("adding the account 王五");
    assert_eq!(describe(&error, Language::Chinese), "PIN 须为 6–12 位数字");
    assert_eq!(
        describe(&error, Language::English),
        "the PIN must be 6 to 12 digits"
    );
    let io = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::NotFound))
        .context("reading /数据/订单.xlsx");
    assert_eq!(describe(&io, Language::Chinese), "找不到该文件或文件夹");
    let unknown = anyhow::anyhow!("something else").context("while doing it");
    chinese_only("unknown", describe(&unknown, Language::Chinese));
    // A refusal the command line wrote in both languages is shown as written.
    let bilingual = anyhow::anyhow!(
        "本工位未加入校区 / this station has not joined a campus: run `capture-station campus join`"
    );
    assert!(
        describe(&bilingual, Language::Chinese).starts_with("本工位未加入校区"),
        "{}",
        describe(&bilingual, Language::Chinese)
    );
}
