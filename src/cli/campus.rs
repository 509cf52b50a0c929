//! `campus …`: the campus server (init, start, stop, status, token), joining a station to it,
//! syncing now, the station's campus status, and the server's conflicts and quarantine.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::context::{Station, settings_or_refuse};
use crate::campus::cluster;
use crate::campus::link::CampusLink;
use crate::campus::server::CampusClient;
use crate::campus::settings::CampusSettings;
use crate::campus::sync::{CONNECT_TIMEOUT, sync_once};
use crate::station::Reach;

#[derive(Debug, Subcommand)]
pub enum CampusCommand {
    /// The campus server: a PostgreSQL cluster of our own, or an existing server
    #[command(subcommand)]
    Server(ServerCommand),
    /// Join this station to a campus with the join token from `campus server init`
    Join {
        token: String,
        /// This station's name on the campus (unique there), e.g. 东门-1
        #[arg(long)]
        station: String,
        /// Accept a token without the server's certificate pin (a server without TLS): the
        /// connection may then be read or faked on the network
        #[arg(long)]
        insecure: bool,
    },
    /// Upload this station's changes and pull the others' now
    Sync(SyncArgs),
    /// The station's campus state: server, connection, outbox depth, photos waiting, last sync
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Give this station's campus login a new password (the old one stops working at once); a
    /// supervisor's
    RotatePassword,
    /// Stations, open conflicts and quarantined events, as the server holds them
    Overview {
        #[arg(long)]
        json: bool,
    },
    /// The campus report from the server: bookings by state, each station's captures per hour
    /// and median seconds per student, open conflicts, stations not sealed for --school
    Report {
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Seal a school at this station before the campus close-out: no more captures of it here;
    /// the outbox is sent and the server checks it holds every event of this station
    Seal {
        #[arg(long)]
        school: String,
        #[arg(long)]
        json: bool,
    },
    /// The campus's stations, and revoking a lost or stolen one (a supervisor's).
    #[command(subcommand)]
    Station(StationCommand),
    /// Open conflicts, with the student, order number, both stations and (with --photos) both
    /// photos saved to a folder
    Conflicts(super::campus_conflicts::ConflictsArgs),
    /// Settle a conflict (a supervisor's): use_this, keep_existing or keep_both
    Resolve(super::campus_conflicts::ResolveArgs),
    /// Close a school for the whole campus (every station sealed or written off): refunds
    /// exactly the bookings nobody on the campus photographed
    CloseOut {
        #[arg(long)]
        school: String,
        /// Close without this station's seal (it cannot be reached); needs --reason
        #[arg(long = "write-off", value_name = "STATION")]
        write_off: Vec<String>,
        /// Why the written-off stations cannot seal (logged on the server)
        #[arg(long, requires = "write_off")]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StationCommand {
    /// Every station of the campus, revoked ones marked.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revokes a station: its login stops working at once; what it uploaded stays.
    Revoke { station: String },
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// One pass, then exit (for scripts and tests); without it, keep syncing until stopped
    #[arg(long)]
    pub once: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Create and start a campus server in DIR (or set one up at --url); prints the join token
    /// alone on the last line
    Init {
        #[arg(
            long,
            value_name = "DIR",
            conflicts_with = "url",
            required_unless_present = "url"
        )]
        dir: Option<PathBuf>,
        /// An existing PostgreSQL server: postgres://user:password@host:port/database
        #[arg(long)]
        url: Option<String>,
        /// Port for a new cluster [default: a free one]
        #[arg(long)]
        port: Option<u16>,
        /// The address stations use to reach the server [default: this machine's LAN address]
        #[arg(long)]
        advertise: Option<String>,
    },
    /// Start the campus server in DIR
    Start {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Stop the campus server in DIR
    Stop {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Whether the campus server in DIR runs, and where
    Status {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Issue a one-time join token for the campus server in DIR: it lets one station join,
    /// within MINUTES
    Token {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        #[arg(long, default_value_t = crate::campus::schema::JOIN_CODE_MINUTES,
              value_parser = clap::value_parser!(i32).range(1..=60))]
        minutes: i32,
    },
    /// Revoke a station of the campus server in DIR (a lost or stolen laptop): its login stops
    /// working at once; what it uploaded stays
    Revoke {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// The station's name on the campus
        station: String,
    },
}

pub fn campus(
    data_dir: &Path,
    open: impl FnOnce() -> Result<Station>,
    open_read_only: impl FnOnce() -> Result<Station>,
    command: CampusCommand,
) -> Result<()> {
    match command {
        CampusCommand::Server(command) => server_command(command),
        CampusCommand::Join {
            token,
            station,
            insecure,
        } => join(data_dir, &token, &station, insecure),
        CampusCommand::Sync(args) => sync(data_dir, open()?, args),
        CampusCommand::Status { json } => status(data_dir, open_read_only()?, json),
        CampusCommand::RotatePassword => {
            let mut station = open()?;
            let session = station.sign_in()?;
            let link = station.campus_link()?;
            crate::station::stations::rotate_password(
                &station.store,
                Reach::of(link.as_deref()),
                &session,
                data_dir,
            )?;
            say!("本工位的校区登录密码已更换 / this station's campus password was changed");
            Ok(())
        }
        CampusCommand::Overview { json } => overview(data_dir, json),
        CampusCommand::Report { school, json } => report(data_dir, school.as_deref(), json),
        CampusCommand::Seal { school, json } => seal(data_dir, open()?, &school, json),
        CampusCommand::Station(command) => stations(open()?, command),
        CampusCommand::Conflicts(args) => super::campus_conflicts::list(data_dir, args),
        CampusCommand::Resolve(args) => super::campus_conflicts::resolve(open()?, args),
        CampusCommand::CloseOut {
            school,
            write_off,
            reason,
            json,
        } => close_out(
            data_dir,
            open()?,
            &school,
            &write_off,
            reason.as_deref(),
            json,
        ),
    }
}

fn server_command(command: ServerCommand) -> Result<()> {
    match command {
        ServerCommand::Init {
            dir,
            url,
            port,
            advertise,
        } => {
            let outcome = match (dir, url) {
                (Some(dir), None) => {
                    let outcome = cluster::init(&dir, port, advertise)?;
                    say!("校区服务器已创建并启动 / campus server created and running");
                    say!("  folder: {}", dir.display());
                    outcome
                }
                (None, Some(url)) => {
                    let outcome = cluster::init_existing(&url, advertise)?;
                    say!("校区数据库已就绪 / campus schema ready on the given server");
                    outcome
                }
                _ => bail!("give either --dir DIR or --url URL"),
            };
            say!("  server: {}", outcome.enrol);
            match &outcome.enrol.tls_pin {
                Some(pin) => say!("  TLS: 证书 sha256 / certificate sha256 {pin}"),
                None => eprintln!(
                    "注意：该服务器不提供 TLS，工位连接不加密 / note: the server does not offer TLS, so stations will connect unencrypted"
                ),
            }
            say!(
                "加入码（{} 分钟内有效，仅限一台工位；下一台在已加入工位的 主管 → 校区 或 campus server token 生成）/ join token (valid {} minutes, for one station; the next from 主管 → 校区 at a joined station, or campus server token):",
                crate::campus::schema::JOIN_CODE_MINUTES,
                crate::campus::schema::JOIN_CODE_MINUTES
            );
            say!("capture-station campus join <加入码 / TOKEN> --station <名称 / NAME>");
            say!("{}", outcome.first_join.to_text());
            Ok(())
        }
        ServerCommand::Start { dir } => {
            cluster::start(&dir)?;
            let applied = cluster::upgrade(&dir)?;
            if !applied.is_empty() {
                say!("校区数据库已升级 / campus schema upgraded: {applied:?}");
            }
            say!("校区服务器已启动 / campus server running");
            Ok(())
        }
        ServerCommand::Stop { dir } => {
            cluster::stop(&dir)?;
            say!("校区服务器已停止 / campus server stopped");
            Ok(())
        }
        ServerCommand::Status { dir, json } => {
            let status = cluster::status(&dir)?;
            if json {
                say!("{}", serde_json::to_string(&status)?);
            } else if status.running {
                say!(
                    "运行中 / running on port {} (stations reach it at {}:{})",
                    status.port,
                    status.advertise,
                    status.port
                );
            } else {
                say!("已停止 / stopped (port {})", status.port);
            }
            Ok(())
        }
        ServerCommand::Token { dir, minutes } => {
            let (token, valid_until) = cluster::issue_join_token(&dir, minutes)?;
            eprintln!(
                "一次性加入码，{} 前有效 / one-time join token, valid until {}",
                valid_until.format("%H:%M"),
                valid_until.format("%H:%M")
            );
            say!("{}", token.to_text());
            Ok(())
        }
        ServerCommand::Revoke { dir, station } => {
            let revoked = cluster::revoke_station(&dir, &station)?;
            say!(
                "工位 {station} 已撤销，断开 {} 个连接 / station {station} revoked, {} connections ended",
                revoked.connections_ended,
                revoked.connections_ended
            );
            Ok(())
        }
    }
}

fn join(data_dir: &Path, token: &str, station: &str, insecure: bool) -> Result<()> {
    let station = station.trim();
    let settings = crate::campus::settings::join(data_dir, token, station, insecure)?;
    say!(
        "已加入校区 / joined the campus at {} as station {station}",
        settings.login
    );
    let closed = CampusClient::connect(&settings.login, CONNECT_TIMEOUT)
        .and_then(|mut client| client.closed_schools())
        .context("joined, but the closed schools could not be read: run `campus status` later")?;
    if !closed.is_empty() {
        say!(
            "已结算的学校 / schools already closed: {}。这些学校的拍摄将作为冲突交主管处理 / any capture of theirs goes to the supervisor as a conflict",
            closed.join("、")
        );
    }
    Ok(())
}

fn sync(data_dir: &Path, mut station: Station, args: SyncArgs) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let photos = station.config.photos_dir();
    loop {
        let started = std::time::Instant::now();
        let mut client = CampusClient::connect(&settings.login, CONNECT_TIMEOUT)?;
        let report = sync_once(&mut station.store, &mut client, &photos)?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if args.json {
            let mut value = serde_json::to_value(&report)?;
            value["ms"] = json!(ms);
            say!("{value}");
        } else {
            say!(
                "已同步 / synced: sent {} ({} applied, {} duplicates, {} conflicts, {} quarantined), pulled {}, originals {}, outbox {} left, {:.0} ms",
                report.uploaded,
                report.applied,
                report.duplicates,
                report.conflicts,
                report.quarantined,
                report.pulled.applied,
                report.originals_uploaded,
                report.outbox_depth,
                ms
            );
        }
        if args.once {
            return Ok(());
        }
        client.wait_for_change(std::time::Duration::from_secs(5))?;
    }
}

fn status(data_dir: &Path, station: Station, json: bool) -> Result<()> {
    let settings = CampusSettings::load(data_dir)?;
    let outbox_depth = station.store.outbox_depth()?;
    let photos_waiting = station.store.photos_pending_count()?;
    let last_sync = station.store.last_sync()?;
    let (connected, error, encrypted, open_conflicts) = match &settings {
        Some(settings) => match CampusClient::connect(&settings.login, CONNECT_TIMEOUT) {
            Ok(mut client) => (
                true,
                None,
                Some(client.encrypted()?),
                Some(client.open_conflict_count()?),
            ),
            Err(error) => (false, Some(error.to_string()), None, None),
        },
        None => (false, None, None, None),
    };
    let value = json!({
        "campus": settings.is_some(),
        "station": settings.as_ref().map(|s| s.station.clone()),
        "server": settings.as_ref().map(|s| s.login.to_string()),
        "connected": connected,
        "encrypted": encrypted,
        "tls_pinned": settings.as_ref().map(|s| s.login.tls_pin.is_some()),
        "error": error,
        "outbox_depth": outbox_depth,
        "photos_waiting": photos_waiting,
        "last_sync": last_sync,
        "cursor": station.store.replica_cursor()?,
        "open_conflicts": open_conflicts,
    });
    if json {
        say!("{value}");
        return Ok(());
    }
    match &settings {
        None => say!("单机模式 / single-station mode (no campus joined)"),
        Some(settings) => {
            say!(
                "工位 {} @ {}: {}",
                settings.station,
                settings.login,
                match encrypted {
                    Some(true) => "已连接（TLS 加密）/ connected (TLS)",
                    Some(false) => "已连接（未加密）/ connected (not encrypted)",
                    None => "离线 / offline",
                }
            );
            if let Some(error) = error {
                say!("  {error}");
            }
        }
    }
    say!(
        "待上传 / outbox {outbox_depth}, 照片待上传 / photos waiting {photos_waiting}, 上次同步 / last sync {}",
        last_sync.as_deref().unwrap_or("-")
    );
    if let Some(open) = open_conflicts {
        say!(
            "待主管处理的冲突 / open conflicts: {open}{}",
            if open > 0 {
                "（`campus conflicts` 列出 / lists them）"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn overview(data_dir: &Path, json: bool) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let mut client = CampusClient::connect(&settings.login, CONNECT_TIMEOUT)?;
    let stations = client.stations()?;
    let conflicts = client.open_conflicts()?;
    let quarantined = client.quarantined()?;
    if json {
        say!(
            "{}",
            json!({ "stations": stations, "conflicts": conflicts, "quarantined": quarantined })
        );
        return Ok(());
    }
    say!("工位 / stations:");
    for s in &stations {
        say!(
            "  {}: last contact {}, clock offset {} ms, outbox {}, photos waiting {}, captures today {}",
            s.name,
            s.last_contact.as_deref().unwrap_or("-"),
            s.clock_offset_ms.map_or("-".to_string(), |o| o.to_string()),
            s.outbox_depth,
            s.photos_waiting,
            s.captures_today
        );
    }
    say!("未解决的冲突 / open conflicts: {}", conflicts.len());
    for c in &conflicts {
        say!(
            "  #{} {}: {} ({}, {} / {}) booking {}",
            c.id,
            c.kind,
            c.name.as_deref().unwrap_or("-"),
            c.order_no.as_deref().unwrap_or("-"),
            c.station,
            c.other_station.as_deref().unwrap_or("-"),
            c.booking_id.as_deref().unwrap_or("-")
        );
    }
    say!("隔离的事件 / quarantined events: {}", quarantined.len());
    for q in &quarantined {
        say!(
            "  {} #{:?} {}: {}",
            q.station,
            q.station_seq,
            q.kind,
            q.reason
        );
    }
    Ok(())
}

fn stations(mut station: Station, command: StationCommand) -> Result<()> {
    match command {
        StationCommand::List { json } => {
            let link = station.campus_link()?;
            let rows = crate::station::stations::list(Reach::of(link.as_deref()))?;
            if json {
                say!("{}", serde_json::to_string(&rows)?);
                return Ok(());
            }
            for row in &rows {
                let state = if row.revoked {
                    "已吊销 / revoked"
                } else {
                    "在用 / active"
                };
                say!(
                    "{}\t{state}\t{}",
                    row.name,
                    row.last_contact.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        StationCommand::Revoke { station: name } => {
            let session = station.sign_in()?;
            let link = station.campus_link()?;
            let ended = crate::station::stations::revoke(
                &station.store,
                Reach::of(link.as_deref()),
                &session,
                &name,
            )?;
            say!(
                "已吊销工位 {name}，断开连接 {ended} 个 / revoked {name}; {ended} connections ended"
            );
            Ok(())
        }
    }
}

fn seal(data_dir: &Path, mut station: Station, school: &str, json: bool) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let session = station.sign_in()?;
    let photos = station.config.photos_dir();
    let link = station
        .campus_link()?
        .unwrap_or_else(|| std::sync::Arc::new(CampusLink::for_command(settings.clone())));
    let through_seq = crate::station::close_out::seal(
        &mut station.store,
        Reach::Campus(&link),
        &photos,
        school,
        &session,
    )?;
    if json {
        say!(
            "{}",
            json!({ "station": settings.station, "school": school, "through_seq": through_seq })
        );
    } else {
        say!(
            "已封存 / sealed {school} at station {} (events 1–{through_seq} are on the server)",
            settings.station
        );
    }
    Ok(())
}

fn close_out(
    data_dir: &Path,
    mut station: Station,
    school: &str,
    write_off: &[String],
    reason: Option<&str>,
    json: bool,
) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let session = station.sign_in()?;
    let link = station
        .campus_link()?
        .unwrap_or_else(|| std::sync::Arc::new(CampusLink::for_command(settings)));
    let reach = Reach::Campus(&link);
    for written_off in write_off {
        crate::station::close_out::write_off(
            &mut station.store,
            reach,
            school,
            written_off,
            reason.unwrap_or_default(),
            &session,
        )?;
    }
    let today = chrono::Local::now().date_naive();
    let photos = station.config.photos_dir();
    let closed = crate::station::close_out::close_out(
        &mut station.store,
        reach,
        &photos,
        school,
        today,
        &station.config.holidays,
        &session,
    );
    let outcome = match closed {
        Ok(outcome) => outcome,
        Err(error) => {
            if json
                && !error.is_store()
                && let Ok(view) = crate::station::close_out::gate(reach, school)
            {
                let gate = view.gate;
                say!(
                    "{}",
                    json!({ "closed": false, "error": error.message().text(crate::config::Language::English), "gate": gate })
                );
            }
            return Err(error.into());
        }
    };
    if json {
        let mut value = serde_json::to_value(&outcome)?;
        value["closed"] = json!(true);
        say!("{value}");
    } else {
        say!(
            "校区已结算 {school}：退款 {} 单，应退 {} 元，截止 {} / closed for the campus: {} refunds due by {}",
            outcome.refunded,
            crate::domain::money::format_yuan(outcome.refund_total_fen),
            outcome.due_date,
            outcome.refunded,
            outcome.due_date
        );
        for station in &outcome.written_off {
            say!("  放弃工位 / written off: {station}");
        }
        if outcome.held_back > 0 {
            say!(
                "  {} 名学生的照片在待处理冲突中，未退款，请在冲突中决定 / {} students have a photo in an open conflict: not refunded; decide the conflicts",
                outcome.held_back,
                outcome.held_back
            );
        }
        if !outcome.quarantined.is_empty() {
            say!(
                "  {} 名学生的照片被服务器隔离，未退款，请逐一处理 / {} students have a capture in quarantine: not refunded; settle each by hand: {}",
                outcome.quarantined.len(),
                outcome.quarantined.len(),
                outcome.quarantined.join("、")
            );
        }
    }
    Ok(())
}

fn report(data_dir: &Path, school: Option<&str>, json: bool) -> Result<()> {
    let settings = settings_or_refuse(data_dir)?;
    let mut client = CampusClient::connect(&settings.login, CONNECT_TIMEOUT)?;
    let report = client.report(school)?;
    if json {
        say!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    say!(
        "{}：预约 {}，已拍 {}，待拍 {}，待退款 {}，已退款 {} / bookings {}, captured {}, still booked {}",
        report.school.as_deref().unwrap_or("全校区 / whole campus"),
        report.bookings,
        report.captured,
        report.still_booked,
        report.refund_pending,
        report.refunded,
        report.bookings,
        report.captured,
        report.still_booked,
    );
    for station in &report.stations {
        say!(
            "  {}: {} 张 / captures, 每人中位 {} 秒 / median s per student",
            station.station,
            station.captures,
            station
                .median_seconds_per_student
                .map_or_else(|| "-".to_string(), |s| format!("{s:.0}"))
        );
        for hour in &station.per_hour {
            say!("    {} {}", hour.hour, hour.captures);
        }
    }
    say!("待处理冲突 / open conflicts: {}", report.open_conflicts);
    if !report.not_sealed.is_empty() {
        say!("未封存工位 / not sealed: {}", report.not_sealed.join("、"));
    }
    Ok(())
}
