//! A real full disk: the data folder on an 8 MiB tmpfs, filled until a photo no longer fits.
//! The save must fail with a message that says the disk is full, the booking must stay
//! `booked`, and no partial or temporary file may remain. Mounting needs root (as on the booth
//! laptops' CI machine); elsewhere the test uses the injected write failure instead, which
//! `store::captures` also covers.

use std::path::{Path, PathBuf};
use std::process::Command;

use capture_station::store::captures::NewCapture;
use capture_station::store::photo_files::files_below;
use capture_station::store::{NewBooking, Store};

/// A tmpfs mounted for the test's lifetime.
pub struct SmallDisk {
    pub mount_point: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    pub fn mount(size: &str) -> Option<Self> {
        let parent = tempfile::tempdir().ok()?;
        let mount_point = parent.path().join("disk");
        std::fs::create_dir(&mount_point).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&mount_point)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(Self {
            mount_point,
            _parent: parent,
        })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount_point).status();
    }
}

fn walk_in(name: &str) -> NewBooking {
    NewBooking {
        student_no: Some("S1".to_string()),
        amount_fen: 2500,
        ..NewBooking::walk_in(name, "示例大学")
    }
}

fn shot<'a>(
    booking_id: &'a str,
    jpeg: &'a [u8],
    original_jpeg: Option<&'a [u8]>,
    session: &'a capture_station::store::Session,
) -> NewCapture<'a> {
    NewCapture {
        booking_id,
        jpeg,
        original_jpeg,
        spec_report: serde_json::json!({}),
        spec_ok: true,
        overridden: false,
        session,
    }
}

/// Fills `disk` until less than `leave` bytes are free.
fn fill(disk: &Path, leave: usize) {
    use std::io::Write;
    let mut filler = std::fs::File::create(disk.join("filler")).unwrap();
    let chunk = vec![0x5a_u8; 16 * 1024];
    while fs_free(disk) >= leave && filler.write_all(&chunk).is_ok() {
        filler.flush().unwrap();
    }
}

fn fs_free(path: &Path) -> usize {
    let output = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap()
}

#[test]
fn a_full_disk_refuses_the_save_clearly_and_leaves_nothing_behind() {
    let disk = SmallDisk::mount("8m");
    let fallback = tempfile::tempdir().unwrap();
    let (data, really_full) = match &disk {
        Some(disk) => (disk.mount_point.clone(), true),
        None => {
            eprintln!("cannot mount a tmpfs here: using a file in the photos folder's place");
            (fallback.path().to_path_buf(), false)
        }
    };
    let database = data.join("station.sqlite3");
    let photos = data.join("photos");
    let mut store = Store::open(&database).unwrap();
    let boss = crate::util::boss(&mut store);
    let booking = store.create_booking(&walk_in("张三"), &boss).unwrap();
    // A first photo fits.
    let small = vec![0xd8_u8; 20_000];
    let ok = store.save_capture(&photos, shot(&booking, &small, None, &boss));
    ok.unwrap();
    let second = store.create_booking(&walk_in("李四"), &boss).unwrap();
    let before = files_below(&photos);
    if really_full {
        fill(&data, 64 * 1024);
    } else {
        std::fs::remove_dir_all(&photos).unwrap();
        std::fs::write(&photos, b"in the way").unwrap();
    }
    let big = vec![0xd8_u8; 400_000];
    let error = store
        .save_capture(&photos, shot(&second, &big, Some(&big), &boss))
        .unwrap_err();
    let zh = capture_station::i18n::Worded::zh(&error);
    let error = error.to_string();
    if really_full {
        assert!(
            zh.contains("磁盘已满") && error.contains("disk holding it is full"),
            "{zh} / {error}"
        );
    } else {
        assert!(error.contains("booking is unchanged"), "{error}");
    }
    assert_eq!(store.booking(&second).unwrap().status, "booked");
    assert!(store.captures_for(&second).unwrap().is_empty());
    if really_full {
        assert_eq!(files_below(&photos), before, "no partial or temporary file");
        // Once space is freed, the same save goes through.
        std::fs::remove_file(data.join("filler")).unwrap();
        store
            .save_capture(&photos, shot(&second, &big, None, &boss))
            .unwrap();
        assert_eq!(store.booking(&second).unwrap().status, "captured");
    }
    drop(store);
}
