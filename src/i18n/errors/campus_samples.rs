//! One sample of every campus refusal and campus error, for the wording test in `tests.rs`;
//! the `match` beside each list has no wildcard, so a variant added later does not compile until
//! it has a sample here too.

use crate::campus::{CampusError, CampusRefusal};
use crate::domain::Field;
use crate::store::StoreError;
use crate::transfer::import::ImportError;
use crate::transfer::school_export::SchoolExportError;

pub(super) fn campus_refusals() -> Vec<CampusRefusal> {
    let samples = vec![
        CampusRefusal::NoConflict(7),
        CampusRefusal::RefundOfPhotographed,
        CampusRefusal::PhotoHashMismatch,
        CampusRefusal::FetchedPhotoMismatch("ab12".into()),
        CampusRefusal::NoBookingOnServer("0199".into()),
        CampusRefusal::EventsWaiting(3),
        CampusRefusal::ServerBehind {
            held: 10,
            through: 12,
        },
        CampusRefusal::WriteOffNeedsReason,
        CampusRefusal::UnknownStation("东门".into()),
        CampusRefusal::UnknownSchool("演示大学".into()),
        CampusRefusal::NotSealed {
            school: "演示大学".into(),
            stations: vec!["东门".into(), "西门".into()],
        },
        CampusRefusal::ExportsEveryPhoto,
        CampusRefusal::EventGone(4),
        CampusRefusal::AccountExists("王主管".into()),
        CampusRefusal::NoAccount("王主管".into()),
        CampusRefusal::ConflictResolved(7),
        CampusRefusal::WrongDecision {
            kind: "double_capture".into(),
            decision: "keep_both".into(),
        },
        CampusRefusal::TokenWithoutCertificate,
        CampusRefusal::JoinCodeRefused,
        CampusRefusal::TooManyJoinCodes(5),
        CampusRefusal::NoEnrolmentLogin,
        CampusRefusal::AlreadyJoined("127.0.0.1:5432/campus".into()),
        CampusRefusal::StationNameRule,
        CampusRefusal::SupervisorSignInNeeded,
        CampusRefusal::NotCampusSupervisor,
        CampusRefusal::RevokeOwnStation,
    ];
    for sample in &samples {
        match sample {
            CampusRefusal::NoConflict(_)
            | CampusRefusal::RefundOfPhotographed
            | CampusRefusal::PhotoHashMismatch
            | CampusRefusal::FetchedPhotoMismatch(_)
            | CampusRefusal::NoBookingOnServer(_)
            | CampusRefusal::EventsWaiting(_)
            | CampusRefusal::ServerBehind { .. }
            | CampusRefusal::WriteOffNeedsReason
            | CampusRefusal::UnknownStation(_)
            | CampusRefusal::UnknownSchool(_)
            | CampusRefusal::NotSealed { .. }
            | CampusRefusal::ExportsEveryPhoto
            | CampusRefusal::EventGone(_)
            | CampusRefusal::AccountExists(_)
            | CampusRefusal::NoAccount(_)
            | CampusRefusal::ConflictResolved(_)
            | CampusRefusal::WrongDecision { .. }
            | CampusRefusal::TokenWithoutCertificate
            | CampusRefusal::JoinCodeRefused
            | CampusRefusal::TooManyJoinCodes(_)
            | CampusRefusal::NoEnrolmentLogin
            | CampusRefusal::AlreadyJoined(_)
            | CampusRefusal::StationNameRule
            | CampusRefusal::SupervisorSignInNeeded
            | CampusRefusal::NotCampusSupervisor
            | CampusRefusal::RevokeOwnStation => {}
        }
    }
    samples
}

pub(super) fn campus_errors() -> Vec<CampusError> {
    let samples = vec![
        CampusError::Unreachable("connection refused".into()),
        CampusError::LoginRefused("password authentication failed".into()),
        CampusError::CertificateMismatch("pin".into()),
        CampusError::Refused("booking payload: missing field".into()),
        CampusError::Refusal(CampusRefusal::EventsWaiting(2)),
        CampusError::ServerTooNew { found: 9, known: 8 },
        CampusError::ServerTooOld { found: 7, known: 8 },
        CampusError::PhotoUnreadable {
            path: "照片/2026/1.jpg".into(),
            reason: "No such file or directory".into(),
        },
        CampusError::BadToken("bad base64".into()),
        CampusError::Store(StoreError::WrongPin { remaining: 2 }),
        CampusError::Import(ImportError::MissingHeaders(vec![Field::Name])),
        CampusError::Export(SchoolExportError::NothingToExport("演示大学".into())),
    ];
    // Postgres errors cannot be built outside the driver; their wording has no input.
    for sample in &samples {
        match sample {
            CampusError::Unreachable(_)
            | CampusError::LoginRefused(_)
            | CampusError::CertificateMismatch(_)
            | CampusError::Refused(_)
            | CampusError::Refusal(_)
            | CampusError::ServerTooNew { .. }
            | CampusError::ServerTooOld { .. }
            | CampusError::PhotoUnreadable { .. }
            | CampusError::BadToken(_)
            | CampusError::Store(_)
            | CampusError::Import(_)
            | CampusError::Export(_)
            | CampusError::Postgres(_) => {}
        }
    }
    samples
}
