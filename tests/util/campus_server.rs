//! A throwaway campus server for a test: a real PostgreSQL cluster made by `campus server init`'s
//! own code in a temporary folder on a free port (run as the `postgres` account when the tests
//! run as root), stopped when the test ends. A machine without PostgreSQL fails these tests: the
//! README's test command installs it, and a skipped campus test would prove nothing.

use std::path::PathBuf;
use std::time::Duration;

use capture_station::campus::cluster;
use capture_station::campus::server::{CampusClient, issue_join_code_on};
use capture_station::campus::settings::CampusSettings;
use capture_station::campus::sync::{SyncReport, sync_once};
use capture_station::campus::token::{JoinToken, ServerLogin};
use capture_station::domain::{BookingSource, PaymentMethod};
use capture_station::store::captures::{CaptureRecord, NewCapture};
use capture_station::store::{NewBooking, Session, Store};

pub struct TestCampus {
    pub folder: tempfile::TempDir,
    pub server_dir: PathBuf,
    pub enrol: ServerLogin,
    pub admin: ServerLogin,
}

impl TestCampus {
    pub fn start() -> Self {
        let folder = tempfile::tempdir().unwrap();
        // The postgres account must be able to enter the folder.
        capture_station::platform::others_may_enter(folder.path()).unwrap();
        let server_dir = folder.path().join("server");
        let outcome = cluster::init(&server_dir, None, Some("127.0.0.1".to_string())).expect(
            "a campus server must start here: PostgreSQL is installed by the README's test command",
        );
        Self {
            folder,
            server_dir,
            enrol: outcome.enrol,
            admin: outcome.admin,
        }
    }

    /// The campus owner's connection, for checking what the server holds.
    pub fn admin(&self) -> postgres::Client {
        capture_station::campus::tls::connect(&self.admin, Duration::from_secs(10)).unwrap()
    }

    /// PostgreSQL's own superuser, for what even the campus owner may not do (ending another
    /// role's connections).
    pub fn superuser(&self) -> postgres::Client {
        let admin_file =
            std::fs::read_to_string(self.server_dir.join(cluster::ADMIN_FILE)).unwrap();
        let admin_file: toml::Table = toml::from_str(&admin_file).unwrap();
        let login = ServerLogin {
            user: "postgres".to_string(),
            password: admin_file["superuser_password"]
                .as_str()
                .unwrap()
                .to_string(),
            ..self.admin.clone()
        };
        capture_station::campus::tls::connect(&login, Duration::from_secs(10)).unwrap()
    }

    /// A fresh one-time join token, issued by the campus owner (as `campus server token` does).
    pub fn join_token(&self) -> JoinToken {
        let issued = issue_join_code_on(&mut self.admin(), 15).unwrap();
        JoinToken {
            server: self.enrol.clone(),
            code: issued.code,
        }
    }

    pub fn admin_client(&self) -> CampusClient {
        CampusClient::connect(&self.admin, Duration::from_secs(10)).unwrap()
    }

    /// A station joined to this campus, with its own data folder and store.
    pub fn station(&self, name: &str) -> TestStation {
        let data = self.folder.path().join(format!("station-{name}"));
        std::fs::create_dir_all(&data).unwrap();
        let login = CampusClient::enrol(&self.join_token(), name, Duration::from_secs(10)).unwrap();
        let settings = CampusSettings {
            station: name.to_string(),
            login: login.clone(),
            enrolment: Some(self.enrol.clone()),
        };
        settings.save(&data).unwrap();
        let mut store = Store::open(&data.join("station.sqlite3")).unwrap();
        let session = super::boss(&mut store);
        TestStation {
            name: name.to_string(),
            photos: data.join("photos"),
            store,
            session,
            login,
        }
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.admin().query_one(sql, &[]).unwrap().get(0)
    }
}

impl Drop for TestCampus {
    fn drop(&mut self) {
        if let Err(error) = cluster::stop(&self.server_dir) {
            eprintln!("the test campus server did not stop: {error:#}");
        }
    }
}

pub struct TestStation {
    pub name: String,
    pub photos: PathBuf,
    pub store: Store,
    pub session: Session,
    pub login: ServerLogin,
}

pub fn walk_in(name: &str, id_number: Option<&str>, student_no: &str) -> NewBooking {
    NewBooking {
        id_number: id_number.map(str::to_string),
        has_id_card: id_number.is_some(),
        student_no: Some(student_no.to_string()),
        ..NewBooking::walk_in(name, "校区大学")
    }
}

pub fn ordered(order_no: &str, student_no: &str) -> NewBooking {
    NewBooking {
        order_no: Some(order_no.to_string()),
        source: BookingSource::MiniProgram,
        amount_fen: 3000,
        payment_method: PaymentMethod::Wechat,
        ..walk_in(&format!("学生{student_no}"), None, student_no)
    }
}

impl TestStation {
    pub fn client(&self) -> CampusClient {
        CampusClient::connect(&self.login, Duration::from_secs(10)).unwrap()
    }

    /// A connection acting for the test supervisor, signed in at this station against the
    /// campus (the first such sign-in brings the account to the campus).
    pub fn supervisor_client(&mut self) -> CampusClient {
        let client = self.client();
        let (_, ticket) = capture_station::campus::accounts::sign_in(
            &mut self.store,
            Ok(client),
            super::BOSS,
            super::BOSS_PIN,
        )
        .unwrap();
        self.client()
            .with_ticket(ticket.expect("signed in online: the campus gave a ticket"))
    }

    pub fn sync(&mut self) -> SyncReport {
        let mut client = self.client();
        sync_once(&mut self.store, &mut client, &self.photos).unwrap()
    }

    pub fn walk_in(&mut self, booking: &NewBooking) -> String {
        self.store.create_booking(booking, &self.session).unwrap()
    }

    /// Saves a "photo" (distinct bytes per call; the store does not decode them).
    pub fn capture(&mut self, booking_id: &str) -> CaptureRecord {
        let jpeg = format!(
            "jpeg of {booking_id} at {} {}",
            self.name,
            uuid::Uuid::now_v7()
        );
        self.capture_photo(booking_id, jpeg.as_bytes())
    }

    /// Saves `jpeg` as the booking's photo.
    pub fn capture_photo(&mut self, booking_id: &str, jpeg: &[u8]) -> CaptureRecord {
        let original = [b"original ".as_slice(), jpeg].concat();
        self.store
            .save_capture(
                &self.photos,
                NewCapture {
                    booking_id,
                    jpeg,
                    original_jpeg: Some(&original),
                    spec_report: serde_json::json!({ "ok": true }),
                    spec_ok: true,
                    overridden: false,
                    session: &self.session,
                },
            )
            .unwrap()
    }
}
