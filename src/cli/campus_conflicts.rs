//! `campus conflicts` and `campus resolve`: the campus's open conflicts as the window's campus
//! screen shows them (the student, the order number, both stations, both photos) and the
//! supervisor's decision on one, from the command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::context::{Station, settings_or_refuse};
use crate::campus::server::{CampusClient, ConflictRow};
use crate::campus::sync::CONNECT_TIMEOUT;
use crate::station::Reach;

#[derive(Debug, Args)]
pub struct ConflictsArgs {
    /// Save both photos of each conflict into this folder (conflict-<id>-current.jpg, the
    /// booking's photo now, and conflict-<id>-other.jpg, the one the conflict is about)
    #[arg(long, value_name = "DIR")]
    pub photos: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The conflict's number, as `campus conflicts` lists it
    pub conflict: i64,
    /// use_this: the conflict's photo (or correction) wins; keep_existing: the booking keeps
    /// what it has; keep_both: two walk-ins of one student stay two bookings
    #[arg(long, value_parser = ["use_this", "keep_existing", "keep_both"])]
    pub decision: String,
}

/// One conflict as listed: the server's row and, with `--photos`, where its photos were saved.
#[derive(Debug, serde::Serialize)]
struct ListedConflict {
    #[serde(flatten)]
    row: ConflictRow,
    current_photo: Option<PathBuf>,
    other_photo: Option<PathBuf>,
}

pub fn list(data_dir: &Path, args: ConflictsArgs) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let mut client = CampusClient::connect(&settings.login, CONNECT_TIMEOUT)?;
    let mut listed = Vec::new();
    for row in client.open_conflicts()? {
        let (current_photo, other_photo) = match &args.photos {
            Some(folder) => save_photos(&mut client, folder, row.id)?,
            None => (None, None),
        };
        listed.push(ListedConflict {
            row,
            current_photo,
            other_photo,
        });
    }
    if args.json {
        say!("{}", serde_json::to_string(&listed)?);
        return Ok(());
    }
    say!("未解决的冲突 / open conflicts: {}", listed.len());
    for conflict in &listed {
        let row = &conflict.row;
        say!(
            "#{} {}：{}（订单 / order {}，{}）",
            row.id,
            conflict_kind_zh(&row.kind),
            row.name.as_deref().unwrap_or("–"),
            row.order_no.as_deref().unwrap_or("–"),
            row.school.as_deref().unwrap_or("–"),
        );
        say!(
            "    {} · 上传工位 / from station {} · 另一方 / other side {} · {}",
            row.kind,
            row.station,
            row.other_station.as_deref().unwrap_or("–"),
            row.created_at
        );
        for (label, path) in [
            ("现有照片 / current photo", &conflict.current_photo),
            ("冲突照片 / conflicting photo", &conflict.other_photo),
        ] {
            if let Some(path) = path {
                say!("    {label}: {}", path.display());
            }
        }
    }
    if args.photos.is_none() && !listed.is_empty() {
        say!("两张照片：加 --photos DIR 保存 / both photos: add --photos DIR to save them");
    }
    Ok(())
}

pub fn resolve(mut station: Station, args: ResolveArgs) -> Result<()> {
    let session = station.sign_in()?;
    let link = station.campus_link()?;
    crate::station::stations::resolve_conflict(
        &station.store,
        Reach::of(link.as_deref()),
        &session,
        args.conflict,
        &args.decision,
    )?;
    say!(
        "冲突 #{} 已处理：{} / conflict #{} settled: {}",
        args.conflict,
        args.decision,
        args.conflict,
        args.decision
    );
    Ok(())
}

/// Writes the conflict's two photos (those the server holds) into `folder`.
fn save_photos(
    client: &mut CampusClient,
    folder: &Path,
    conflict_id: i64,
) -> Result<(Option<PathBuf>, Option<PathBuf>)> {
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let photos = client.conflict_photos(conflict_id)?;
    let save = |bytes: Option<Vec<u8>>, side: &str| -> Result<Option<PathBuf>> {
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let path = folder.join(format!("conflict-{conflict_id}-{side}.jpg"));
        crate::store::photo_files::write_atomically(&path, &bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(Some(path))
    };
    Ok((
        save(photos.current, "current")?,
        save(photos.other, "other")?,
    ))
}

/// The conflict kinds in the words of the window's campus screen.
fn conflict_kind_zh(kind: &str) -> &'static str {
    let t = crate::i18n::for_language(crate::config::Language::Chinese);
    match kind {
        "double_capture" => t.conflict_double_capture,
        "capture_after_cancel" => t.conflict_capture_after_cancel,
        "capture_after_close" => t.conflict_capture_after_close,
        "duplicate_walk_in" => t.conflict_duplicate_walk_in,
        "stale_correction" => t.conflict_stale_correction,
        "refund_of_captured" => t.conflict_refund_of_captured,
        _ => "冲突",
    }
}
