//! Export for upload: one photo per captured student, byte-identical to the stored JPEG, named by
//! a template, with a manifest (CSV and XLSX) and optionally a zip per school. The store's photos
//! are only read. Files are written to temporaries and renamed; a `.export-incomplete` marker
//! stays until the manifest is written, so a crash leaves a folder that `verify_export` calls
//! incomplete, never a manifest that lies. A re-run skips photos already there and identical.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::sheets::{CsvEncoding, SheetCell, csv_rows, write_csv, write_xlsx};
use crate::store::ExportRow;
use crate::store::captures::sha256_hex;
use crate::store::photo_files::{sync_folder, write_atomically, write_atomically_unsynced};

pub const DEFAULT_NAMING: &str = "{capture_code}.jpg";
pub const MANIFEST_CSV: &str = "manifest.csv";
pub const MANIFEST_XLSX: &str = "manifest.xlsx";
pub const INCOMPLETE_MARKER: &str = ".export-incomplete";

pub const MANIFEST_HEADERS: [&str; 14] = [
    "采集码",
    "姓名",
    "学号",
    "学校",
    "院系",
    "专业",
    "层次",
    "采集时间",
    "采集站",
    "操作员",
    "文件名",
    "字节数",
    "sha256",
    "检查结果",
];
const FILE_COLUMN: usize = 10;
const SIZE_COLUMN: usize = 11;
const SHA_COLUMN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "naming template '{0}': use {{capture_code}}, {{id_number}}, {{student_no}} and {{name}}, ending in .jpg"
    )]
    Template(String),
    #[error("{student}: the file name would be empty (no {field})")]
    EmptyName {
        student: String,
        field: crate::domain::Field,
    },
    #[error("{first} and {second} would both be saved as {file}")]
    Collision {
        file: String,
        first: String,
        second: String,
    },
    /// Longer than a file system takes (255 bytes on ext4, NTFS and exFAT alike): refused
    /// before anything is copied, rather than failing half-way through the export.
    #[error(
        "{student}: the file name {file} is {bytes} bytes, past the limit of {MAX_FILE_NAME_BYTES}"
    )]
    NameTooLong {
        student: String,
        file: String,
        bytes: usize,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The longest file name written, in bytes (UTF-8; a Chinese character takes three).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// A file-name template such as `{student_no}_{name}.jpg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming(String);

impl Naming {
    pub fn parse(template: &str) -> Result<Self, ExportError> {
        let known = ["{capture_code}", "{id_number}", "{student_no}", "{name}"];
        let mut rest = template.to_string();
        for key in known {
            rest = rest.replace(key, "");
        }
        let ok = template.to_ascii_lowercase().ends_with(".jpg")
            && !rest.contains(['{', '}', '/', '\\'])
            && known.iter().any(|k| template.contains(k));
        if ok {
            Ok(Self(template.to_string()))
        } else {
            Err(ExportError::Template(template.to_string()))
        }
    }

    /// The file name for `row`, or why there is none.
    pub fn file_name(&self, row: &ExportRow) -> Result<String, ExportError> {
        let mut name = self.0.clone();
        use crate::domain::Field;
        let fields: [(&str, Field, Option<&str>); 4] = [
            (
                "{capture_code}",
                Field::CaptureCode,
                row.capture_code.as_deref(),
            ),
            ("{id_number}", Field::IdNumber, row.id_number.as_deref()),
            ("{student_no}", Field::StudentNo, row.student_no.as_deref()),
            ("{name}", Field::Name, Some(row.name.as_str())),
        ];
        for (key, field, value) in fields {
            if !name.contains(key) {
                continue;
            }
            let value = value.map(safe_for_file_name).unwrap_or_default();
            if value.is_empty() {
                return Err(ExportError::EmptyName {
                    student: describe(row),
                    field,
                });
            }
            name = name.replace(key, &value);
        }
        if name.len() > MAX_FILE_NAME_BYTES {
            return Err(ExportError::NameTooLong {
                student: describe(row),
                bytes: name.len(),
                file: name,
            });
        }
        Ok(name)
    }
}

/// Characters no file system takes (and path separators) become `_`.
fn safe_for_file_name(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn describe(row: &ExportRow) -> String {
    format!(
        "{} ({})",
        row.name,
        row.student_no.as_deref().unwrap_or(&row.booking_id)
    )
}

/// Every row's file name, checked for emptiness and collisions before anything is written.
pub fn plan_names(rows: &[ExportRow], naming: &Naming) -> Result<Vec<String>, ExportError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut names = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let name = naming.file_name(row)?;
        // Case-insensitive: Windows and macOS machines receive these folders too.
        if let Some(&other) = seen.get(&name.to_lowercase()) {
            return Err(ExportError::Collision {
                file: name,
                first: describe(&rows[other]),
                second: describe(row),
            });
        }
        seen.insert(name.to_lowercase(), index);
        names.push(name);
    }
    Ok(names)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamagedPhoto {
    pub booking_id: String,
    pub student: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub folder: PathBuf,
    pub photos: usize,
    pub copied: usize,
    /// Already in the folder and identical (a resumed export).
    pub skipped: usize,
    pub bytes: u64,
    /// Students whose stored photo no longer matches its recorded checksum: not exported.
    pub damaged: Vec<DamagedPhoto>,
    pub zip: Option<PathBuf>,
    pub seconds: f64,
    pub mb_per_s: f64,
}

/// Exports `rows` (one school) from `photos_dir` into `out/<school>/`.
pub fn export_photos(
    rows: &[ExportRow],
    photos_dir: &Path,
    out: &Path,
    naming: &Naming,
    zip: bool,
    progress: impl FnMut(usize, usize),
) -> Result<ExportReport, ExportError> {
    let folder_name = export_folder_name(rows, "");
    export_photos_into(rows, photos_dir, out, &folder_name, naming, zip, progress)
}

/// The folder an export of `rows` goes into: the school's name, made safe, plus `suffix`.
pub fn export_folder_name(rows: &[ExportRow], suffix: &str) -> String {
    let school = rows
        .first()
        .map(|r| safe_for_file_name(&r.school))
        .unwrap_or_else(|| "export".to_string());
    format!("{school}{suffix}")
}

/// [`export_photos`] into `out/<folder_name>/` (and `out/<folder_name>.zip`).
pub fn export_photos_into(
    rows: &[ExportRow],
    photos_dir: &Path,
    out: &Path,
    folder_name: &str,
    naming: &Naming,
    zip: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<ExportReport, ExportError> {
    let started = std::time::Instant::now();
    let names = plan_names(rows, naming)?;
    let school = folder_name.to_string();
    let folder = out.join(&school);
    crate::store::photo_files::create_private_dir_all(&folder).map_err(io(&folder))?;
    let marker = folder.join(INCOMPLETE_MARKER);
    std::fs::write(&marker, b"export in progress\n").map_err(io(&marker))?;

    let mut report = ExportReport {
        folder: folder.clone(),
        photos: rows.len(),
        ..ExportReport::default()
    };
    let mut manifest = Vec::with_capacity(rows.len());
    let mut copied = Vec::new();
    for (index, (row, name)) in rows.iter().zip(&names).enumerate() {
        progress(index, rows.len());
        let source = photos_dir.join(&row.photo_path);
        let target = folder.join(name);
        if std::fs::read(&target).is_ok_and(|bytes| sha256_hex(&bytes) == row.sha256) {
            report.skipped += 1;
            report.bytes += std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
            manifest.push(manifest_row(row, name, &target)?);
            continue;
        }
        let bytes = std::fs::read(&source).map_err(io(&source))?;
        if sha256_hex(&bytes) != row.sha256 {
            // One bad photo must not stop the school's export: report it and go on.
            tracing::error!(student = %describe(row), "stored photo does not match its checksum");
            report.damaged.push(DamagedPhoto {
                booking_id: row.booking_id.clone(),
                student: describe(row),
            });
            continue;
        }
        write_atomically_unsynced(&target, &bytes).map_err(io(&target))?;
        copied.push(target.clone());
        report.copied += 1;
        report.bytes += bytes.len() as u64;
        manifest.push(manifest_row(row, name, &target)?);
    }
    progress(rows.len(), rows.len());
    flush_to_disk(&folder, &copied)?;
    let csv = write_csv(
        &csv_rows(&MANIFEST_HEADERS, &manifest),
        CsvEncoding::Utf8Bom,
    )
    .map_err(|e| ExportError::Other(e.to_string()))?;
    let xlsx = write_xlsx("清单", &MANIFEST_HEADERS, &manifest)
        .map_err(|e| ExportError::Other(e.to_string()))?;
    let manifest_xlsx = folder.join(MANIFEST_XLSX);
    write_atomically(&manifest_xlsx, &xlsx).map_err(io(&manifest_xlsx))?;
    let manifest_csv = folder.join(MANIFEST_CSV);
    write_atomically(&manifest_csv, &csv).map_err(io(&manifest_csv))?;
    if report.damaged.is_empty() {
        std::fs::remove_file(&marker).map_err(io(&marker))?;
    }
    if zip {
        report.zip = Some(zip_folder(&folder, &out.join(format!("{school}.zip")))?);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.mb_per_s = report.bytes as f64 / 1e6 / report.seconds.max(1e-9);
    Ok(report)
}

/// Every photo reaches the disk before the manifest that vouches for it is written. On Linux one
/// `sync -f` (coreutils) flushes the whole file system at once; elsewhere, or where that fails,
/// each file is synced on its own. Windows flushes a file only through a handle that may write
/// to it: a read-only one is refused (access denied).
fn flush_to_disk(folder: &Path, written: &[PathBuf]) -> Result<(), ExportError> {
    let synced = cfg!(target_os = "linux")
        && std::process::Command::new("sync")
            .arg("-f")
            .arg(folder)
            .status()
            .is_ok_and(|status| status.success());
    if !synced {
        for path in written {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.sync_all())
                .map_err(io(path))?;
        }
    }
    sync_folder(folder).map_err(io(folder))
}

/// A stored time as the office reads it: local, to the second, with its offset (never a bare
/// UTC "Z").
fn local_time(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|time| {
            time.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

fn manifest_row(row: &ExportRow, name: &str, target: &Path) -> Result<Vec<SheetCell>, ExportError> {
    let size = std::fs::metadata(target).map_err(io(target))?.len();
    let text = |v: Option<&str>| SheetCell::Text(v.unwrap_or_default().to_string());
    let verdict = match (row.spec_ok, row.overridden) {
        (true, _) => "合格",
        (false, true) => "不合格（主管放行）",
        (false, false) => "不合格",
    };
    Ok(vec![
        text(row.capture_code.as_deref()),
        SheetCell::Text(row.name.clone()),
        text(row.student_no.as_deref()),
        SheetCell::Text(row.school.clone()),
        text(row.department.as_deref()),
        text(row.major.as_deref()),
        text(row.level.as_deref()),
        SheetCell::Text(local_time(&row.captured_at)),
        SheetCell::Text(row.station_id.clone()),
        SheetCell::Text(row.operator.clone()),
        SheetCell::Exact(name.to_string()),
        SheetCell::Number(size as f64),
        SheetCell::Exact(row.sha256.clone()),
        SheetCell::Text(verdict.to_string()),
    ])
}

/// Zips the folder's photos and manifests (stored, not deflated: JPEGs do not shrink).
fn zip_folder(folder: &Path, zip_path: &Path) -> Result<PathBuf, ExportError> {
    use std::io::Write as _;
    let temp = zip_path.with_extension("zip.tmp");
    let file = crate::store::photo_files::private_file_options()
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(io(&temp))?;
    let mut writer = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(io(folder))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != INCOMPLETE_MARKER))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        writer
            .start_file(name, options)
            .map_err(|e| ExportError::Other(e.to_string()))?;
        writer.write_all(&bytes).map_err(io(&path))?;
    }
    let file = writer
        .finish()
        .map_err(|e| ExportError::Other(e.to_string()))?;
    file.sync_all().map_err(io(&temp))?;
    std::fs::rename(&temp, zip_path).map_err(io(zip_path))?;
    Ok(zip_path.to_path_buf())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderVerdict {
    pub folder: PathBuf,
    pub complete: bool,
    pub photos: usize,
    pub missing: Vec<String>,
    pub changed: Vec<String>,
    pub unlisted: Vec<String>,
}

impl FolderVerdict {
    pub fn ok(&self) -> bool {
        self.complete && self.missing.is_empty() && self.changed.is_empty()
    }
}

/// Checks an export folder (or a folder of school folders) against its manifests.
pub fn verify_export(dir: &Path) -> Result<Vec<FolderVerdict>, ExportError> {
    let is_export = |p: &Path| p.join(MANIFEST_CSV).exists() || p.join(INCOMPLETE_MARKER).exists();
    if is_export(dir) {
        return Ok(vec![verify_folder(dir)?]);
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && is_export(p))
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Err(ExportError::Other(format!(
            "{} holds no export (no {MANIFEST_CSV})",
            dir.display()
        )));
    }
    folders.iter().map(|f| verify_folder(f)).collect()
}

fn verify_folder(folder: &Path) -> Result<FolderVerdict, ExportError> {
    let mut verdict = FolderVerdict {
        folder: folder.to_path_buf(),
        complete: !folder.join(INCOMPLETE_MARKER).exists() && folder.join(MANIFEST_CSV).exists(),
        ..FolderVerdict::default()
    };
    let manifest_path = folder.join(MANIFEST_CSV);
    let mut listed = std::collections::HashSet::new();
    // Without a manifest (an export that died early) every photo counts as unlisted.
    if let Ok(bytes) = std::fs::read(&manifest_path) {
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record
                .map_err(|e| ExportError::Other(format!("{}: {e}", manifest_path.display())))?;
            let (Some(name), Some(size), Some(sha)) = (
                record.get(FILE_COLUMN),
                record.get(SIZE_COLUMN),
                record.get(SHA_COLUMN),
            ) else {
                return Err(ExportError::Other(format!(
                    "{}: a row is short",
                    manifest_path.display()
                )));
            };
            verdict.photos += 1;
            listed.insert(name.to_string());
            match std::fs::read(folder.join(name)) {
                Err(_) => verdict.missing.push(name.to_string()),
                Ok(bytes) => {
                    if bytes.len().to_string() != size || sha256_hex(&bytes) != sha {
                        verdict.changed.push(name.to_string());
                    }
                }
            }
        }
    }
    for entry in std::fs::read_dir(folder).map_err(io(folder))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.to_lowercase().ends_with(".jpg") && !listed.contains(&name) {
            verdict.unlisted.push(name);
        }
    }
    verdict.unlisted.sort();
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: usize, name: &str, photos: &Path) -> ExportRow {
        let bytes = format!("jpeg-bytes-{index}").into_bytes();
        let photo_path = format!("b{index}/p.jpg");
        std::fs::create_dir_all(photos.join(format!("b{index}"))).unwrap();
        std::fs::write(photos.join(&photo_path), &bytes).unwrap();
        ExportRow {
            booking_id: format!("b{index}"),
            capture_code: Some(format!("CODE/{index}")),
            name: name.to_string(),
            id_number: None,
            student_no: Some(format!("20220{index}")),
            school: "示例大学".to_string(),
            department: None,
            major: None,
            level: None,
            captured_at: "2026-11-03T10:00:00+08:00".to_string(),
            station_id: "st".to_string(),
            operator: "op".to_string(),
            photo_path,
            sha256: sha256_hex(&bytes),
            spec_ok: true,
            overridden: false,
            reexport_needed: false,
            exported_at: None,
        }
    }

    #[test]
    fn templates_name_files_and_refuse_empty_or_colliding_names() {
        let photos = tempfile::tempdir().unwrap();
        let rows = [row(1, "张三", photos.path()), row(2, "李四", photos.path())];
        let by_code = Naming::parse(DEFAULT_NAMING).unwrap();
        // A path separator in a code cannot become a folder.
        assert_eq!(
            plan_names(&rows, &by_code).unwrap(),
            ["CODE_1.jpg", "CODE_2.jpg"]
        );
        let by_student = Naming::parse("{student_no}_{name}.jpg").unwrap();
        assert_eq!(by_student.file_name(&rows[0]).unwrap(), "202201_张三.jpg");
        let by_id = Naming::parse("{id_number}.jpg").unwrap();
        assert!(matches!(
            by_id.file_name(&rows[0]),
            Err(ExportError::EmptyName {
                field: crate::domain::Field::IdNumber,
                ..
            })
        ));
        let by_name = Naming::parse("{name}.jpg").unwrap();
        let twins = [row(1, "王芳", photos.path()), row(2, "王芳", photos.path())];
        let collision = plan_names(&twins, &by_name).unwrap_err();
        assert!(
            collision.to_string().contains("王芳 (202201)"),
            "{collision}"
        );
        assert!(
            collision.to_string().contains("王芳 (202202)"),
            "{collision}"
        );
        for bad in [
            "{capture_code}.png",
            "{nope}.jpg",
            "../{name}.jpg",
            "photo.jpg",
        ] {
            assert!(Naming::parse(bad).is_err(), "{bad}");
        }
        // A name past 255 bytes (85 Chinese characters and the code) is refused at planning,
        // before anything is copied: the whole export, not the 86th file.
        let mut long = row(3, &"长".repeat(85), photos.path());
        long.capture_code = Some("CODE_3".to_string());
        let by_code_and_name = Naming::parse("{capture_code}_{name}.jpg").unwrap();
        let refused = plan_names(&[rows[0].clone(), long], &by_code_and_name).unwrap_err();
        assert!(
            matches!(refused, ExportError::NameTooLong { bytes: 266, .. }),
            "{refused:?}"
        );
    }

    #[test]
    fn an_export_is_byte_identical_resumable_and_verifiable() {
        let photos = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let rows = vec![row(1, "张三", photos.path()), row(2, "李四", photos.path())];
        let naming = Naming::parse(DEFAULT_NAMING).unwrap();
        let report =
            export_photos(&rows, photos.path(), out.path(), &naming, true, |_, _| {}).unwrap();
        assert_eq!((report.copied, report.skipped), (2, 0));
        let folder = out.path().join("示例大学");
        assert_eq!(
            std::fs::read(folder.join("CODE_1.jpg")).unwrap(),
            std::fs::read(photos.path().join("b1/p.jpg")).unwrap()
        );
        assert!(out.path().join("示例大学.zip").exists());
        let verdicts = verify_export(out.path()).unwrap();
        assert!(verdicts[0].ok(), "{verdicts:?}");
        assert_eq!(verdicts[0].photos, 2);

        let again =
            export_photos(&rows, photos.path(), out.path(), &naming, false, |_, _| {}).unwrap();
        assert_eq!((again.copied, again.skipped), (0, 2));

        // One changed byte and one missing file are both caught.
        let mut bytes = std::fs::read(folder.join("CODE_1.jpg")).unwrap();
        bytes[0] ^= 1;
        std::fs::write(folder.join("CODE_1.jpg"), bytes).unwrap();
        std::fs::remove_file(folder.join("CODE_2.jpg")).unwrap();
        let verdict = verify_export(&folder).unwrap().remove(0);
        assert!(!verdict.ok());
        assert_eq!(verdict.changed, ["CODE_1.jpg"]);
        assert_eq!(verdict.missing, ["CODE_2.jpg"]);
    }

    #[test]
    fn an_unfinished_export_is_reported_incomplete() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join(INCOMPLETE_MARKER), b"x").unwrap();
        std::fs::write(folder.path().join("a.jpg"), b"x").unwrap();
        let verdict = verify_export(folder.path()).unwrap().remove(0);
        assert!(!verdict.complete && !verdict.ok());
        assert_eq!(verdict.unlisted, ["a.jpg"]);
    }

    #[test]
    fn a_damaged_stored_photo_is_left_out_and_named() {
        let photos = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let mut rows = vec![row(1, "张三", photos.path()), row(2, "李四", photos.path())];
        rows[1].sha256 = "0".repeat(64);
        let naming = Naming::parse(DEFAULT_NAMING).unwrap();
        let report =
            export_photos(&rows, photos.path(), out.path(), &naming, false, |_, _| {}).unwrap();
        assert_eq!(report.copied, 1);
        assert_eq!(report.damaged[0].booking_id, "b2");
        let verdict = verify_export(out.path()).unwrap().remove(0);
        assert!(
            !verdict.complete,
            "the marker stays while a photo is missing"
        );
    }
}
