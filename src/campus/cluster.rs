//! A campus server of our own: a PostgreSQL cluster in a folder, made and run with the installed
//! PostgreSQL binaries (Debian's `postgresql` package), so that no DBA is needed.
//!
//! Layout of the folder: `data/` (the cluster), `postgresql.log`, `cluster.toml` (port and the
//! address stations are told) and `admin.toml` (the superuser's and the campus owner's
//! passwords, owner-only). PostgreSQL refuses to run as root, so when we are root its programs
//! run as the `postgres` account that the package creates, and the folder belongs to it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::token::{JoinToken, ServerLogin, new_secret};
use super::{schema, tls};

pub const DATA_FOLDER: &str = "data";
pub const LOG_FILE: &str = "postgresql.log";
pub const CLUSTER_FILE: &str = "cluster.toml";
pub const ADMIN_FILE: &str = "admin.toml";
pub const CAMPUS_DATABASE: &str = "campus";
pub const ADMIN_ROLE: &str = "campus_admin";
/// The account PostgreSQL runs as when we are root.
const SERVICE_ACCOUNT: &str = "postgres";
/// Where a PostgreSQL's programs live if `$CAPTURE_STATION_PG_BIN` does not say.
const PG_BIN_ENV: &str = "CAPTURE_STATION_PG_BIN";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterFile {
    pub port: u16,
    /// The address written into join tokens.
    pub advertise: String,
    pub bin_dir: PathBuf,
    /// The sha256 of the server's TLS certificate (absent for a cluster made before TLS).
    #[serde(default)]
    pub tls_fingerprint: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
struct AdminFile {
    superuser_password: String,
    admin_password: String,
    enrol_password: String,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitOutcome {
    pub port: u16,
    /// The campus owner's login (for the supervisor's own operations).
    pub admin: ServerLogin,
    /// The enrolment login: with a one-time code it registers one station.
    pub enrol: ServerLogin,
    /// A first join token (enrolment login and a one-time code) for the first station.
    pub first_join: JoinToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterStatus {
    pub running: bool,
    pub port: u16,
    pub advertise: String,
    pub data_dir: PathBuf,
}

use crate::platform::running_as_root;

/// The newest installed PostgreSQL's `bin` folder.
pub fn find_bin_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(PG_BIN_ENV) {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_string_lossy().parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow::anyhow!(
            "未找到 PostgreSQL / PostgreSQL is not installed: run `apt-get install postgresql` \
             (or set ${PG_BIN_ENV} to the folder holding initdb and pg_ctl)"
        )
    })
}

/// Runs one of PostgreSQL's programs, as the service account when we are root.
fn pg_command(bin_dir: &Path, program: &str) -> Command {
    let path = bin_dir.join(program);
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", SERVICE_ACCOUNT, "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

fn run_checked(mut command: Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        );
    }
    Ok(())
}

/// A TCP port nobody listens on now.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind(("0.0.0.0", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// This machine's address on the LAN, as other stations would reach it; loopback if none.
/// Connecting a UDP socket sends nothing: it only asks the kernel which interface it would use.
pub fn lan_address() -> String {
    let probe = || -> std::io::Result<std::net::IpAddr> {
        let socket = std::net::UdpSocket::bind(("0.0.0.0", 0))?;
        socket.connect(("192.0.2.1", 9))?;
        Ok(socket.local_addr()?.ip())
    };
    match probe() {
        Ok(ip) if !ip.is_unspecified() => ip.to_string(),
        _ => "127.0.0.1".to_string(),
    }
}

/// Gives the folder to the service account, after checking that it can reach it at all.
fn hand_folder_to_service(dir: &Path) -> Result<()> {
    if !running_as_root() {
        return Ok(());
    }
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.as_os_str().is_empty() {
            continue;
        }
        let metadata = std::fs::metadata(ancestor)
            .with_context(|| format!("reading {}", ancestor.display()))?;
        if let Some(mode) = crate::platform::closed_to_others(&metadata) {
            bail!(
                "PostgreSQL runs as the `{SERVICE_ACCOUNT}` account, which cannot enter {} \
                 (mode {mode:o}); choose a folder it can reach, such as /var/lib/capture-station/campus",
                ancestor.display(),
            );
        }
    }
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{SERVICE_ACCOUNT}:{SERVICE_ACCOUNT}"))
        .arg(dir)
        .status()
        .context("running chown")?;
    if !status.success() {
        bail!(
            "could not give {} to the `{SERVICE_ACCOUNT}` account (is the postgresql package installed?)",
            dir.display()
        );
    }
    Ok(())
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    crate::store::photo_files::write_atomically(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn read_cluster_file(dir: &Path) -> Result<ClusterFile> {
    let path = dir.join(CLUSTER_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is not a campus server folder (no {CLUSTER_FILE}); make one with `campus server init --dir`",
            dir.display()
        )
    })?;
    toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

fn read_admin_file(dir: &Path) -> Result<AdminFile> {
    let path = dir.join(ADMIN_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// Creates the cluster in `dir` (which must be empty or absent), starts it, and sets up the
/// campus database, its roles and its schema.
pub fn init(dir: &Path, port: Option<u16>, advertise: Option<String>) -> Result<InitOutcome> {
    let bin_dir = find_bin_dir()?;
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty; a campus server folder is made in an empty or new folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    let port = match port {
        Some(port) => port,
        None => free_port()?,
    };
    let advertise = advertise.unwrap_or_else(lan_address);
    let admin = AdminFile {
        superuser_password: new_secret(),
        admin_password: new_secret(),
        enrol_password: new_secret(),
    };
    let password_file = dir.join("initdb.pw");
    write_private(&password_file, &admin.superuser_password)?;
    hand_folder_to_service(&dir)?;
    let data = dir.join(DATA_FOLDER);
    let mut initdb = pg_command(&bin_dir, "initdb");
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
        ])
        .arg(format!("--pwfile={}", password_file.display()));
    let result = run_checked(initdb, "initdb");
    let _ = std::fs::remove_file(&password_file);
    result?;
    let mut hosts = vec![advertise.clone(), "localhost".to_string()];
    hosts.extend(["127.0.0.1".to_string(), "::1".to_string()]);
    hosts.dedup();
    let certificate = tls::make_server_certificate(&hosts).context("making the TLS certificate")?;
    write_private(&data.join("server.crt"), &certificate.certificate_pem)?;
    write_private(&data.join("server.key"), &certificate.private_key_pem)?;
    hand_folder_to_service(&data)?;
    append(
        &data.join("postgresql.conf"),
        &format!(
            "\n# Capture Station campus server\nport = {port}\nlisten_addresses = '{}'\n\
             unix_socket_directories = ''\npassword_encryption = 'scram-sha-256'\n\
             ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n\
             ssl_min_protocol_version = 'TLSv1.2'\n",
            listen_addresses(&advertise)
        ),
    )?;
    write_private(&data.join("pg_hba.conf"), &access_rules())?;
    hand_folder_to_service(&data)?;
    write_private(
        &dir.join(CLUSTER_FILE),
        &toml::to_string(&ClusterFile {
            port,
            advertise: advertise.clone(),
            bin_dir: bin_dir.clone(),
            tls_fingerprint: Some(certificate.fingerprint.clone()),
        })?,
    )?;
    write_private(&dir.join(ADMIN_FILE), &toml::to_string(&admin)?)?;
    start(&dir)?;

    let superuser = ServerLogin {
        host: "127.0.0.1".to_string(),
        port,
        database: "postgres".to_string(),
        user: "postgres".to_string(),
        password: admin.superuser_password.clone(),
        tls_pin: Some(certificate.fingerprint.clone()),
    };
    let mut client = connect_local(&superuser)?;
    let admin_literal = schema::password_literal(&mut client, &admin.admin_password)?;
    // Two calls: CREATE DATABASE refuses to run inside the implicit transaction of a batch.
    client.batch_execute(&format!(
        "CREATE ROLE {ADMIN_ROLE} LOGIN CREATEROLE PASSWORD {admin_literal}"
    ))?;
    client.batch_execute(&format!(
        "CREATE DATABASE {CAMPUS_DATABASE} OWNER {ADMIN_ROLE}"
    ))?;
    drop(client);
    let admin_login = ServerLogin {
        host: "127.0.0.1".to_string(),
        port,
        database: CAMPUS_DATABASE.to_string(),
        user: ADMIN_ROLE.to_string(),
        password: admin.admin_password.clone(),
        tls_pin: Some(certificate.fingerprint.clone()),
    };
    let mut client = connect_local(&admin_login)?;
    client.batch_execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")?;
    schema::migrate(&mut client, &admin.enrol_password)?;
    schema::role_powers::hand_to_campus_roles(
        &mut connect_local(&ServerLogin {
            database: CAMPUS_DATABASE.to_string(),
            ..superuser
        })?,
        ADMIN_ROLE,
    )?;
    let enrol = ServerLogin {
        host: advertise,
        user: schema::ENROL_ROLE.to_string(),
        password: admin.enrol_password,
        ..admin_login.clone()
    };
    let first_join = join_token_from(&mut client, &enrol, schema::JOIN_CODE_MINUTES)?.0;
    Ok(InitOutcome {
        port,
        enrol,
        first_join,
        admin: admin_login,
    })
}

/// Where the server listens: the address stations are told, and loopback for the server's own
/// tools. Never every interface: a laptop on the hall's Wi-Fi and a cable to the campus LAN
/// answers on the one it was set up for.
fn listen_addresses(advertise: &str) -> String {
    let mut addresses = vec![advertise.to_string(), "127.0.0.1".to_string()];
    if advertise.contains(':') {
        addresses.push("::1".to_string());
    }
    addresses.dedup();
    addresses.join(", ")
}

/// Who may log in from where (`pg_hba.conf`, replacing initdb's). Every network connection,
/// loopback included, is encrypted and logs in with a password. Stations and the enrolment
/// login reach the campus database (and only it) from the network; PostgreSQL's superuser and
/// the campus owner only from this machine, so a stolen owner password is no use in the hall.
fn access_rules() -> String {
    let station = schema::STATION_GROUP;
    let enrol = schema::ENROL_ROLE;
    let mut rules = String::from(
        "# Capture Station campus server: TLS and a password for every connection.\n\
         local all all peer\n",
    );
    for network in ["0.0.0.0/0", "::/0"] {
        rules.push_str(&format!(
            "hostssl {CAMPUS_DATABASE} +{station},{enrol} {network} scram-sha-256\n"
        ));
    }
    for loopback in ["127.0.0.1/32", "::1/128"] {
        rules.push_str(&format!("hostssl all all {loopback} scram-sha-256\n"));
    }
    rules
}

/// Brings a cluster made by an older version to today's rules before it starts: it listened on
/// every interface and let every login in from everywhere. Changes nothing on a current one.
fn tighten_access(data: &Path, advertise: &str) -> Result<()> {
    let conf_path = data.join("postgresql.conf");
    let conf = std::fs::read_to_string(&conf_path)
        .with_context(|| format!("reading {}", conf_path.display()))?;
    let mut changed = false;
    let tightened: Vec<String> = conf
        .lines()
        .map(|line| {
            if line.trim() == "listen_addresses = '*'" {
                changed = true;
                format!("listen_addresses = '{}'", listen_addresses(advertise))
            } else {
                line.to_string()
            }
        })
        .collect();
    if changed {
        write_private(&conf_path, &(tightened.join("\n") + "\n"))?;
    }
    let hba_path = data.join("pg_hba.conf");
    let rules = access_rules();
    let hba = std::fs::read_to_string(&hba_path)
        .with_context(|| format!("reading {}", hba_path.display()))?;
    if hba != rules {
        write_private(&hba_path, &rules)?;
        changed = true;
    }
    if changed {
        hand_folder_to_service(data)?;
    }
    Ok(())
}

fn append(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn connect_local(login: &ServerLogin) -> Result<postgres::Client> {
    tls::connect(login, Duration::from_secs(10)).with_context(|| format!("connecting to {login}"))
}

/// Starts the cluster in `dir` and waits until it accepts connections.
pub fn start(dir: &Path) -> Result<()> {
    let cluster = read_cluster_file(dir)?;
    if status(dir)?.running {
        return Ok(());
    }
    tighten_access(&dir.join(DATA_FOLDER), &cluster.advertise)?;
    let mut command = pg_command(&cluster.bin_dir, "pg_ctl");
    command
        .arg("-D")
        .arg(dir.join(DATA_FOLDER))
        .arg("-l")
        .arg(dir.join(LOG_FILE))
        .args(["-w", "-t", "120", "start"]);
    run_checked(command, "pg_ctl start").with_context(|| {
        format!(
            "the campus server did not start; see {}",
            dir.join(LOG_FILE).display()
        )
    })
}

/// Stops the cluster in `dir` (fast shutdown: open transactions roll back, nothing committed is
/// lost).
pub fn stop(dir: &Path) -> Result<()> {
    let cluster = read_cluster_file(dir)?;
    if !status(dir)?.running {
        return Ok(());
    }
    let mut command = pg_command(&cluster.bin_dir, "pg_ctl");
    command
        .arg("-D")
        .arg(dir.join(DATA_FOLDER))
        .args(["-m", "fast", "-w", "-t", "120", "stop"]);
    run_checked(command, "pg_ctl stop")
}

pub fn status(dir: &Path) -> Result<ClusterStatus> {
    let cluster = read_cluster_file(dir)?;
    let mut command = pg_command(&cluster.bin_dir, "pg_ctl");
    command.arg("-D").arg(dir.join(DATA_FOLDER)).arg("status");
    let output = command.output().context("running pg_ctl status")?;
    // pg_ctl status: 0 running, 3 not running, 4 no data folder.
    let running = match output.status.code() {
        Some(0) => true,
        Some(3) => false,
        _ => bail!(
            "pg_ctl status failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    };
    Ok(ClusterStatus {
        running,
        port: cluster.port,
        advertise: cluster.advertise,
        data_dir: dir.join(DATA_FOLDER),
    })
}

/// The campus owner's login for a cluster made here.
pub fn admin_login(dir: &Path) -> Result<ServerLogin> {
    let cluster = read_cluster_file(dir)?;
    let admin = read_admin_file(dir)?;
    Ok(ServerLogin {
        host: "127.0.0.1".to_string(),
        port: cluster.port,
        database: CAMPUS_DATABASE.to_string(),
        user: ADMIN_ROLE.to_string(),
        password: admin.admin_password,
        tls_pin: cluster.tls_fingerprint,
    })
}

/// A one-time join token for the cluster made here, valid for `minutes`, issued with the campus
/// owner's login (on this machine), and until when it is valid.
pub fn issue_join_token(
    dir: &Path,
    minutes: i32,
) -> Result<(JoinToken, chrono::DateTime<chrono::Local>)> {
    let mut client = connect_local(&admin_login(dir)?)?;
    join_token_from(&mut client, &enrol_login(dir)?, minutes)
}

/// A join code issued on `client` (the campus owner's), in a token with `enrol`.
fn join_token_from(
    client: &mut postgres::Client,
    enrol: &ServerLogin,
    minutes: i32,
) -> Result<(JoinToken, chrono::DateTime<chrono::Local>)> {
    let issued = super::server::issue_join_code_on(client, minutes)?;
    Ok((
        JoinToken {
            server: enrol.clone(),
            code: issued.code,
        },
        issued.valid_until,
    ))
}

/// Brings the campus schema of the cluster made here up to this version (the owner's login, on
/// this machine), with its grants, row policies and session limits; the versions applied.
/// `campus server start` runs it, so a server folder is upgraded by starting the new version.
pub fn upgrade(dir: &Path) -> Result<Vec<i32>> {
    let admin = read_admin_file(dir)?;
    // The owner may create roles only while it migrates (see `schema::role_powers`).
    let mut superuser = connect_local(&superuser_login(dir)?)?;
    schema::role_powers::lend_to_owner(&mut superuser, ADMIN_ROLE)?;
    let mut client = connect_local(&admin_login(dir)?)?;
    let migrated = schema::migrate(&mut client, &admin.enrol_password);
    schema::role_powers::hand_to_campus_roles(&mut superuser, ADMIN_ROLE)?;
    Ok(migrated?)
}

/// PostgreSQL's superuser on the campus database of the cluster made here (this machine only).
fn superuser_login(dir: &Path) -> Result<ServerLogin> {
    Ok(ServerLogin {
        user: "postgres".to_string(),
        password: read_admin_file(dir)?.superuser_password,
        ..admin_login(dir)?
    })
}

/// What revoking a station did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevokedStation {
    pub connections_ended: i64,
}

/// Revokes `station` of the cluster made here: its login may not log in any more and its open
/// connections end now (as PostgreSQL's superuser, on this machine). Its events, photos and
/// captures stay on the campus; its seals still count. Revoking twice is harmless.
pub fn revoke_station(dir: &Path, station: &str) -> Result<RevokedStation> {
    // The superuser: only it may end another role's connections.
    let mut client = connect_local(&superuser_login(dir)?)?;
    let mut tx = client.transaction()?;
    let Some(row) = tx.query_opt(
        "UPDATE stations SET revoked_at = coalesce(revoked_at, clock_timestamp())
         WHERE name = $1 RETURNING format('ALTER ROLE %I NOLOGIN', role_name), role_name",
        &[&station],
    )?
    else {
        bail!("本校区没有名为 {station} 的工位 / no station named {station} on this campus");
    };
    let (alter, role): (String, String) = (row.get(0), row.get(1));
    tx.batch_execute(&alter)?;
    tx.commit()?;
    let connections_ended: i64 = client
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
             FROM pg_stat_activity WHERE usename = $1",
            &[&role],
        )?
        .get(0);
    Ok(RevokedStation { connections_ended })
}

/// The enrolment login for a cluster made here.
pub fn enrol_login(dir: &Path) -> Result<ServerLogin> {
    let cluster = read_cluster_file(dir)?;
    let admin = read_admin_file(dir)?;
    Ok(ServerLogin {
        host: cluster.advertise,
        port: cluster.port,
        database: CAMPUS_DATABASE.to_string(),
        user: schema::ENROL_ROLE.to_string(),
        password: admin.enrol_password,
        tls_pin: cluster.tls_fingerprint,
    })
}

/// Sets up the campus schema on a server someone else runs: `url`'s account must own the
/// database (or be able to create in it) and may create roles. When the server offers TLS, the
/// certificate it shows now is pinned in the tokens; when it does not, the tokens carry no pin
/// and stations connect in plain text (the CLI says so).
pub fn init_existing(url: &str, advertise: Option<String>) -> Result<InitOutcome> {
    let mut config: postgres::Config = url
        .parse()
        .context("not a PostgreSQL URL (postgres://user:password@host:port/database)")?;
    let tls::Connected {
        mut client,
        certificate,
    } = tls::connect_with(&mut config, None).context("connecting to the given server")?;
    let enrol_password = new_secret();
    schema::migrate(&mut client, &enrol_password)?;
    let host = advertise
        .or_else(|| {
            config.get_hosts().first().and_then(|host| match host {
                postgres::config::Host::Tcp(name) => Some(name.clone()),
                #[allow(unreachable_patterns)]
                _ => None,
            })
        })
        .unwrap_or_else(lan_address);
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config
        .get_dbname()
        .map(str::to_string)
        .or_else(|| config.get_user().map(str::to_string))
        .unwrap_or_else(|| "postgres".to_string());
    let admin = ServerLogin {
        host: host.clone(),
        port,
        database: database.clone(),
        user: config.get_user().unwrap_or("postgres").to_string(),
        password: config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default(),
        tls_pin: certificate.clone(),
    };
    let enrol = ServerLogin {
        host,
        port,
        database,
        user: schema::ENROL_ROLE.to_string(),
        password: enrol_password,
        tls_pin: certificate,
    };
    let first_join = join_token_from(&mut client, &enrol, schema::JOIN_CODE_MINUTES)?.0;
    Ok(InitOutcome {
        port,
        enrol,
        first_join,
        admin,
    })
}
