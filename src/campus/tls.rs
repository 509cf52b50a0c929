//! Encrypted connections to the campus server (rustls), and the server's certificate.
//!
//! A campus server we make ourselves gets a self-signed certificate at `server init`; its
//! sha256 fingerprint travels in the join token, so a station trusts exactly that server and
//! refuses any other (a look-alike on the hall's Wi-Fi included). For a server someone else
//! runs, `server init --url` pins whatever certificate the server presents to the supervisor
//! then. A login without a pin behaves like libpq's `sslmode=prefer`: encrypted whenever the
//! server offers TLS, plain only when it does not.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use postgres::config::{ChannelBinding, SslMode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::token::ServerLogin;

/// The lowercase hex sha256 of a certificate's DER bytes: what a join token pins.
pub fn fingerprint(certificate_der: &[u8]) -> String {
    crate::store::captures::sha256_hex(certificate_der)
}

/// Accepts the server's certificate when it matches the pin (or, without a pin, any), and
/// remembers the fingerprint it saw. Signatures are still checked, so the server must hold the
/// certificate's key.
#[derive(Debug)]
struct PinnedCertificate {
    pin: Option<String>,
    seen: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint(end_entity.as_ref());
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(seen.clone());
        match &self.pin {
            Some(pin) if *pin != seen => Err(rustls::Error::General(PIN_MISMATCH.to_string())),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A connection and the fingerprint of the certificate the server showed (None: plain).
pub struct Connected {
    pub client: postgres::Client,
    pub certificate: Option<String>,
}

/// Connects with `config`. With a pin, TLS is required and the certificate must match it.
pub fn connect_with(
    config: &mut postgres::Config,
    pin: Option<&str>,
) -> Result<Connected, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen = Arc::new(Mutex::new(None));
    let verifier = PinnedCertificate {
        pin: pin.map(str::to_string),
        seen: Arc::clone(&seen),
        provider: Arc::clone(&provider),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ConnectError::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.ssl_mode(if pin.is_some() {
        SslMode::Require
    } else {
        SslMode::Prefer
    });
    // Pinned, the password exchange is also bound to this TLS channel (SCRAM-SHA-256-PLUS): a
    // relay in the middle that somehow held a trusted certificate still could not log in.
    config.channel_binding(if pin.is_some() {
        ChannelBinding::Require
    } else {
        ChannelBinding::Prefer
    });
    let client = config.connect(MakeRustlsConnect::new(tls))?;
    let certificate = seen.lock().unwrap_or_else(PoisonError::into_inner).take();
    Ok(Connected {
        client,
        certificate,
    })
}

/// What the pin check says when the server's certificate is another one.
pub const PIN_MISMATCH: &str =
    "服务器证书与加入令牌不符 / the server's certificate is not the one in the join token";

/// Why a connection was not made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    /// The server took the connection and did not answer in time.
    #[error("the server took the connection but did not answer within {0:?}")]
    Silent(Duration),
    #[error("no TLS settings: {0}")]
    Tls(rustls::Error),
    #[error("could not start the connecting thread: {0}")]
    Thread(std::io::Error),
}

/// Connects as `login`, pinned to its certificate when it names one. The whole handshake is
/// bounded by `timeout`: the driver's own timeout covers only the TCP connect, so a server that
/// takes the connection and never answers (a hung or overloaded host) would hold the caller
/// for good. Such a server is reported as away; the abandoned attempt ends on its own thread
/// when the server answers or goes.
pub fn connect(login: &ServerLogin, timeout: Duration) -> Result<postgres::Client, ConnectError> {
    let (sender, answer) = std::sync::mpsc::sync_channel(1);
    let login = login.clone();
    std::thread::Builder::new()
        .name("campus-connect".to_string())
        .spawn(move || {
            let mut config = login.client_config(timeout);
            let connected = connect_with(&mut config, login.tls_pin.as_deref());
            let _ = sender.send(connected.map(|connected| connected.client));
        })
        .map_err(ConnectError::Thread)?;
    // The TCP connect may take `timeout`, then the TLS and login round trips their share.
    match answer.recv_timeout(timeout * 2) {
        Ok(connected) => connected,
        Err(_) => Err(ConnectError::Silent(timeout * 2)),
    }
}

/// A self-signed certificate for a campus server, for `hosts` (names or addresses). It is valid
/// from 2000 to 2099: trust comes from the pin, not from dates, and a booth laptop's clock may
/// be far off.
pub struct ServerCertificate {
    pub certificate_pem: String,
    pub private_key_pem: String,
    pub fingerprint: String,
}

pub fn make_server_certificate(hosts: &[String]) -> Result<ServerCertificate, rcgen::Error> {
    let mut params = rcgen::CertificateParams::new(hosts.to_vec())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Capture Station campus server");
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 12, 31);
    let key = rcgen::KeyPair::generate()?;
    let certificate = params.self_signed(&key)?;
    Ok(ServerCertificate {
        certificate_pem: certificate.pem(),
        private_key_pem: key.serialize_pem(),
        fingerprint: fingerprint(certificate.der()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campus::token::is_fingerprint;

    #[test]
    fn a_made_certificate_names_its_hosts_and_its_fingerprint_is_of_its_der() {
        let made = make_server_certificate(&["192.168.1.20".to_string(), "localhost".to_string()])
            .unwrap();
        assert!(is_fingerprint(&made.fingerprint), "{}", made.fingerprint);
        assert!(
            made.certificate_pem
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(made.private_key_pem.contains("PRIVATE KEY-----"));
        let again = make_server_certificate(&["localhost".to_string()]).unwrap();
        assert_ne!(
            made.fingerprint, again.fingerprint,
            "every server has its own key"
        );
    }

    #[test]
    fn only_lowercase_sha256_hex_is_a_fingerprint() {
        assert!(is_fingerprint(&"ab".repeat(32)));
        assert!(!is_fingerprint(&"AB".repeat(32)));
        assert!(!is_fingerprint(&"ab".repeat(31)));
        assert!(!is_fingerprint("zz"));
    }
}
