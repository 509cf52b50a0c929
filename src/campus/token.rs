//! Credentials for the campus server: the join token a supervisor hands out (server address,
//! database, and the enrolment account that may only register a station), and the station's own
//! login after it joined. The text form is one URL-like line, short enough for a QR code.
//! Passwords and login names never appear in `Debug` or `Display`, so they never reach a log.

use std::fmt;

use super::CampusError;

/// The scheme that marks a join token, so that a scanned 采集码 is never mistaken for one.
pub const TOKEN_SCHEME: &str = crate::domain::capture_code::CAMPUS_TOKEN_SCHEME;

/// Where the campus server is and who logs in.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerLogin {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: String,
    /// The sha256 of the server's TLS certificate: with it, only that server is trusted.
    pub tls_pin: Option<String>,
}

impl fmt::Debug for ServerLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for ServerLogin {
    /// Where the server is (`host:port/database`), without the login's name or password: safe
    /// for logs and screens. A station's login name is half of what an attacker needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

fn host_for_url(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Characters that may appear unescaped in the token's user, password and database.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl ServerLogin {
    /// Where the server is, without the login: `host:port/database`.
    pub fn address(&self) -> String {
        format!(
            "{}:{}/{}",
            host_for_url(&self.host),
            self.port,
            self.database
        )
    }

    /// The token's text. Fields are restricted to plain characters (we generate them), so no
    /// escaping is needed and a QR code stays small. The pin, when there is one, follows as
    /// `?tls=<sha256>`.
    pub fn to_token(&self) -> String {
        let pin = self
            .tls_pin
            .as_ref()
            .map(|pin| format!("?tls={pin}"))
            .unwrap_or_default();
        format!(
            "{TOKEN_SCHEME}{}:{}@{}:{}/{}{pin}",
            self.user,
            self.password,
            host_for_url(&self.host),
            self.port,
            self.database
        )
    }

    pub fn parse_token(text: &str) -> Result<Self, CampusError> {
        let bad = |why: &str| CampusError::BadToken(why.to_string());
        let rest = text
            .trim()
            .strip_prefix(TOKEN_SCHEME)
            .ok_or_else(|| bad("it must start with capture-station-campus://"))?;
        let (credentials, address) = rest
            .rsplit_once('@')
            .ok_or_else(|| bad("no user and password"))?;
        let (user, password) = credentials
            .split_once(':')
            .ok_or_else(|| bad("no password"))?;
        let (address, tls_pin) = match address.split_once('?') {
            Some((address, query)) => {
                let pin = query
                    .strip_prefix("tls=")
                    .filter(|pin| is_fingerprint(pin))
                    .ok_or_else(|| bad("what follows '?' is not a certificate fingerprint"))?;
                (address, Some(pin.to_string()))
            }
            None => (address, None),
        };
        let (host_port, database) = address
            .split_once('/')
            .ok_or_else(|| bad("no database name"))?;
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            let (host, port) = bracketed
                .split_once("]:")
                .ok_or_else(|| bad("no port after the IPv6 address"))?;
            (host, port)
        } else {
            host_port.rsplit_once(':').ok_or_else(|| bad("no port"))?
        };
        let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
        if !plain(user) || !plain(password) || !plain(database) || host.is_empty() {
            return Err(bad("a field is empty or has characters a token never has"));
        }
        Ok(Self {
            host: host.to_string(),
            port,
            database: database.to_string(),
            user: user.to_string(),
            password: password.to_string(),
            tls_pin,
        })
    }

    /// The client's configuration for this login. A short connect timeout: a station that
    /// cannot reach the server must find out fast and keep working offline. Keepalives notice a
    /// server gone silent (the Wi-Fi dropped) within about a minute instead of two hours.
    pub fn client_config(&self, connect_timeout: std::time::Duration) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .dbname(&self.database)
            .user(&self.user)
            .password(&self.password)
            .application_name("capture-station")
            .connect_timeout(connect_timeout)
            .keepalives(true)
            .keepalives_idle(std::time::Duration::from_secs(20))
            .keepalives_interval(std::time::Duration::from_secs(5))
            .keepalives_retries(4);
        config
    }
}

/// What a new station scans or types to join: where the server is, the enrolment login, and a
/// one-time code (valid for minutes, for one station). The text form is the login's token with
/// `code=<code>` in its query.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinToken {
    pub server: ServerLogin,
    pub code: String,
}

impl fmt::Debug for JoinToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "join token for {}", self.server)
    }
}

impl JoinToken {
    pub fn to_text(&self) -> String {
        let login = self.server.to_token();
        let separator = if login.contains('?') { '&' } else { '?' };
        format!("{login}{separator}code={}", self.code)
    }

    /// Reads a join token; one without a code (from a version that kept a reusable enrolment
    /// password) is refused with the reason.
    pub fn parse(text: &str) -> Result<Self, CampusError> {
        let bad = |why: &str| CampusError::BadToken(why.to_string());
        let text = text.trim();
        let (head, code) = match text.rsplit_once("code=") {
            Some((head, code)) if head.ends_with('?') || head.ends_with('&') => {
                (&head[..head.len() - 1], code)
            }
            _ => {
                return Err(bad(
                    "it has no one-time code: ask the supervisor for a new join code (主管 → 校区)",
                ));
            }
        };
        if code.len() != 32 || !code.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad("the one-time code is not 32 hex digits"));
        }
        Ok(Self {
            server: ServerLogin::parse_token(head)?,
            code: code.to_string(),
        })
    }
}

/// Whether `text` looks like a fingerprint (64 lowercase hex digits).
pub fn is_fingerprint(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

/// A random secret of 32 hex digits (128 bits, from the OS generator through UUIDv4).
pub fn new_secret() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(host: &str) -> ServerLogin {
        ServerLogin {
            host: host.to_string(),
            port: 5433,
            database: "campus".to_string(),
            user: "campus_enrol".to_string(),
            password: new_secret(),
            tls_pin: None,
        }
    }

    #[test]
    fn a_token_reads_back_as_written_for_names_and_addresses() {
        for host in ["192.168.1.20", "booth-server.local", "fe80::1"] {
            let original = login(host);
            let token = original.to_token();
            assert_eq!(
                ServerLogin::parse_token(&token).unwrap(),
                original,
                "{token}"
            );
        }
    }

    #[test]
    fn a_pinned_token_reads_back_with_its_pin() {
        let pinned = ServerLogin {
            tls_pin: Some("0f".repeat(32)),
            ..login("10.0.0.2")
        };
        let token = pinned.to_token();
        assert!(
            token.ends_with(&format!("/campus?tls={}", "0f".repeat(32))),
            "{token}"
        );
        assert_eq!(ServerLogin::parse_token(&token).unwrap(), pinned);
    }

    #[test]
    fn the_password_and_the_login_name_never_show_in_debug_or_display() {
        let original = login("10.0.0.2");
        for shown in [format!("{original:?}"), original.to_string()] {
            assert!(!shown.contains(&original.password), "{shown}");
            assert!(!shown.contains(&original.user), "{shown}");
            assert!(shown.contains("10.0.0.2:5433/campus"), "{shown}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for text in [
            "",
            "SCHOOL-2026-0001",
            "postgres://a:b@h:1/d",
            "capture-station-campus://user@h:1/d",
            "capture-station-campus://u:p@h/d",
            "capture-station-campus://u:p@h:99999/d",
            "capture-station-campus://u:p w@h:1/d",
            "capture-station-campus://u:p@h:1/",
            "capture-station-campus://u:p@h:1/d?tls=",
            "capture-station-campus://u:p@h:1/d?tls=XYZ",
            "capture-station-campus://u:p@h:1/d?sslmode=disable",
        ] {
            let error = ServerLogin::parse_token(text).expect_err(text);
            assert!(matches!(error, CampusError::BadToken(_)), "{text}: {error}");
        }
    }
}
