//! TLS (`wss://`) for the reactor, through rustls with the ring provider.
//!
//! A listener given a [`TlsServerConfig`] ([`Reactor::listener_tls`](super::Reactor::listener_tls))
//! runs the TLS handshake on every connection it accepts, then the WebSocket opening
//! handshake over TLS; [`Reactor::connect_tls`](super::Reactor::connect_tls) does the same
//! as a client with a [`TlsClientConfig`]. The reactor's `handshake_timeout` bounds the TLS
//! handshake and the WebSocket handshake together.
//!
//! Both sides offer TLS 1.2 and 1.3 (or one of them, see [`TlsVersions`]) and the ALPN
//! protocol `http/1.1`. The crypto provider is rustls's ring provider, given explicitly:
//! nothing depends on a process-wide default provider.
//!
//! Failures, as events: a TLS handshake that fails is an `Error` with close code
//! [`TLS_HANDSHAKE_FAILED`] (1015) and a message that starts with `TLS handshake failed: `
//! and names the cause (`invalid peer certificate: unknown issuer...`, `...certificate
//! expired...`, `...certificate not valid for name...`, `received fatal alert: ...`,
//! `received corrupt message of type InvalidContentType` for a peer that does not speak
//! TLS...), then `Closed` with 1015 and the same message. A TLS failure after the handshake
//! (a record that does not decrypt...) is an `Error` with 1006 and a message starting with
//! `TLS error: `. A server reports these too, so a plain-text client on a TLS port ends
//! as `Error` then `Closed`.
//!
//! I/O: reads go through rustls (`read_tls`, `process_new_packets`) and the decrypted bytes
//! into the engine; writes hand the engine's output to rustls, which encrypts it into its
//! own buffer (at most 64 KiB of ciphertext at a time), written to the socket until it would
//! block. [`Reactor::buffered_amount`](super::Reactor::buffered_amount) counts the plaintext
//! not yet taken by rustls plus the ciphertext not yet written. Closing sends a TLS
//! `close_notify` alert before the TCP connection is shut down.
//!
//! Memory: an idle TLS connection end costs about 9 KiB of resident memory against about
//! 2 KiB for a plain one (measured roughly: 500 idle loopback pairs, TLS 1.3, release
//! build, x86_64 Linux, glibc, RSS difference divided by the 1000 ends; see the ignored test
//! `memory_per_idle_tls_connection`). Most of the difference is rustls's read buffer, which
//! it keeps at 4 KiB between records, and its connection and key-schedule state. While data
//! flows the read buffer grows to a record (about 17 KiB) and the write side holds at most
//! 64 KiB of ciphertext; both are given back once emptied.

use super::{ReactorError, ReactorResult};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme,
};
use std::fmt;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};

/// The close code of a connection whose TLS handshake failed (RFC 6455 7.4.1); never sent
/// in a Close frame, only reported.
///
/// cbindgen:ignore
pub const TLS_HANDSHAKE_FAILED: u16 = 1015;

/// The result code of a TLS configuration error ([`ReactorError::Tls`]) in the C ABI.
///
/// cbindgen:ignore
pub const TLS_ERROR_CODE: u32 = 402;

/// The TLS protocol versions a side accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersions {
    /// TLS 1.2 and TLS 1.3 (the default).
    #[default]
    Any,
    /// TLS 1.2 only.
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

impl TlsVersions {
    fn list(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static ANY: [&rustls::SupportedProtocolVersion; 2] =
            [&rustls::version::TLS13, &rustls::version::TLS12];
        static V12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        static V13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        match self {
            TlsVersions::Any => &ANY,
            TlsVersions::Tls12 => &V12,
            TlsVersions::Tls13 => &V13,
        }
    }
}

/// How a client checks the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVerify<'a> {
    /// Against the operating system's CA store (rustls-native-certs; loaded once per
    /// process).
    SystemRoots,
    /// Against the CA certificates of this PEM text (and only those).
    CaPem(&'a [u8]),
    /// No verification at all: any certificate for any name is accepted (the handshake
    /// signatures are still checked). Only for tests and closed networks: anyone on the path
    /// can read and change the traffic.
    DangerousNoVerification,
}

/// The ring provider, given explicitly to every configuration. (rustls 0.23.48 deprecates
/// `ring::default_provider` because ring has no post-quantum key exchange; aws-lc-rs, which
/// has, needs cmake and more to build, so ring it is for now.)
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

const ALPN_HTTP11: &[u8] = b"http/1.1";

fn tls_err(msg: impl Into<String>) -> ReactorError {
    ReactorError::Tls(msg.into())
}

/// A server's TLS configuration (certificate chain, key, versions), shared by the
/// connections of the listeners it is given to. Cheap to clone.
#[derive(Clone)]
pub struct TlsServerConfig {
    pub(super) inner: Arc<ServerConfig>,
}

impl fmt::Debug for TlsServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsServerConfig").finish_non_exhaustive()
    }
}

impl TlsServerConfig {
    /// Build from a PEM certificate chain (the server's certificate first, then the
    /// intermediates) and a PEM private key (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or
    /// SEC1 `EC PRIVATE KEY`; RSA, ECDSA P-256/P-384 or Ed25519). ALPN `http/1.1`.
    ///
    /// Errors ([`ReactorError::Tls`]): "no certificate found in the certificate chain PEM",
    /// "the certificate chain PEM is invalid: ...", "no private key found in the key PEM
    /// ...", "the private key does not match the certificate", "unsupported private key
    /// type: ...", "the certificate cannot be parsed: ...".
    pub fn from_pem(
        cert_chain_pem: &[u8],
        key_pem: &[u8],
        versions: TlsVersions,
    ) -> ReactorResult<Self> {
        let chain = parse_certs(cert_chain_pem, "certificate chain")?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| match e {
            rustls::pki_types::pem::Error::NoItemsFound => tls_err(
                "no private key found in the key PEM (expected a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)",
            ),
            e => tls_err(format!("the key PEM is invalid: {e}")),
        })?;
        let builder = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(versions.list())
            .map_err(|e| tls_err(format!("TLS configuration: {e}")))?
            .with_no_client_auth();
        let mut cfg = builder.with_single_cert(chain, key).map_err(|e| match e {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                tls_err("the private key does not match the certificate")
            }
            rustls::Error::General(m) => tls_err(format!("unsupported private key type: {m}")),
            rustls::Error::InvalidCertificate(c) => {
                tls_err(format!("the certificate cannot be parsed: {c}"))
            }
            e => tls_err(format!("the certificate or key cannot be used: {e}")),
        })?;
        cfg.alpn_protocols = vec![ALPN_HTTP11.to_vec()];
        Ok(TlsServerConfig {
            inner: Arc::new(cfg),
        })
    }

    /// Use a rustls configuration built by the caller as is (its ALPN list included).
    pub fn from_rustls(config: Arc<ServerConfig>) -> Self {
        TlsServerConfig { inner: config }
    }
}

/// A client's TLS configuration (how to verify the server, versions), reusable across
/// connections. Cheap to clone.
#[derive(Clone)]
pub struct TlsClientConfig {
    pub(super) inner: Arc<ClientConfig>,
}

impl fmt::Debug for TlsClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClientConfig").finish_non_exhaustive()
    }
}

impl TlsClientConfig {
    /// Build a configuration that verifies servers as `verify` says, offers `versions` and
    /// ALPN `http/1.1`.
    ///
    /// Errors ([`ReactorError::Tls`]): "no certificate found in the CA PEM", "the CA PEM is
    /// invalid: ...", "the CA PEM holds a certificate that cannot be used as a trust anchor:
    /// ...", "no usable CA certificate in the system store...".
    pub fn new(verify: TlsVerify<'_>, versions: TlsVersions) -> ReactorResult<Self> {
        let builder = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(versions.list())
            .map_err(|e| tls_err(format!("TLS configuration: {e}")))?;
        let mut cfg = match verify {
            TlsVerify::SystemRoots => builder
                .with_root_certificates(system_roots()?)
                .with_no_client_auth(),
            TlsVerify::CaPem(pem) => {
                let mut roots = RootCertStore::empty();
                for cert in parse_certs(pem, "CA")? {
                    roots.add(cert).map_err(|e| {
                        tls_err(format!("the CA PEM holds a certificate that cannot be used as a trust anchor: {e}"))
                    })?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            TlsVerify::DangerousNoVerification => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
                .with_no_client_auth(),
        };
        cfg.alpn_protocols = vec![ALPN_HTTP11.to_vec()];
        Ok(TlsClientConfig {
            inner: Arc::new(cfg),
        })
    }

    /// Use a rustls configuration built by the caller as is (its ALPN list included).
    pub fn from_rustls(config: Arc<ClientConfig>) -> Self {
        TlsClientConfig { inner: config }
    }
}

fn parse_certs(pem: &[u8], what: &str) -> ReactorResult<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(format!("the {what} PEM is invalid: {e}")))?;
    if certs.is_empty() {
        return Err(tls_err(format!(
            "no certificate found in the {what} PEM (expected a CERTIFICATE block)"
        )));
    }
    Ok(certs)
}

/// The system CA store, loaded at the first use and kept for the life of the process.
fn system_roots() -> ReactorResult<Arc<RootCertStore>> {
    static ROOTS: Mutex<Option<Arc<RootCertStore>>> = Mutex::new(None);
    let mut slot = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = slot.as_ref() {
        return Ok(r.clone());
    }
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(tls_err(format!(
            "no usable CA certificate in the system store{why}"
        )));
    }
    let roots = Arc::new(roots);
    *slot = Some(roots.clone());
    Ok(roots)
}

/// The server name of a connection (SNI and the name checked in its certificate): a DNS
/// name or an IP address (IPv6 with or without brackets).
pub(super) fn server_name(name: &str) -> ReactorResult<ServerName<'static>> {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    ServerName::try_from(bare.to_owned())
        .map_err(|_| ReactorError::Tls(format!("invalid TLS server name {name:?}")))
}

#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What was negotiated on a TLS connection (see
/// [`Reactor::tls_info`](super::Reactor::tls_info)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// The protocol version's wire number: `0x0303` for TLS 1.2, `0x0304` for TLS 1.3.
    pub version: u16,
    /// The protocol version's name, e.g. `TLSv1_3`.
    pub version_name: String,
    /// The ALPN protocol agreed (`http/1.1`), if any.
    pub alpn: Option<Vec<u8>>,
    /// The cipher suite's IANA code, e.g. `0x1302` (TLS 1.3) or `0xC02B` (TLS 1.2).
    pub cipher_suite: u16,
    /// The cipher suite's IANA name ([`cipher_suite_name`]), e.g. `TLS_AES_256_GCM_SHA384`
    /// or `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`; `0x` and four hex digits for a code
    /// without a name here (none of the provider's suites).
    pub cipher_suite_name: String,
}

/// The IANA names of the cipher suites the engine's provider (ring) can negotiate, from the
/// "TLS Cipher Suites" registry (RFC 8446 B.4, RFC 5289, RFC 7905), each followed by a NUL
/// for the C ABI. rustls spells the TLS 1.3 ones `TLS13_...`; IANA, OpenSSL's
/// `SSL_CIPHER_standard_name` and browsers say `TLS_...`.
const CIPHER_SUITE_NAMES: [(u16, &str); 9] = [
    (0x1301, "TLS_AES_128_GCM_SHA256\0"),
    (0x1302, "TLS_AES_256_GCM_SHA384\0"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256\0"),
    (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\0"),
    (0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\0"),
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\0"),
    (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\0"),
    (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\0"),
    (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\0"),
];

/// The IANA name of cipher suite `code` followed by a NUL (for the C ABI), if it is one the
/// engine can negotiate.
pub(crate) fn cipher_suite_name_nul(code: u16) -> Option<&'static str> {
    CIPHER_SUITE_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// The IANA name of cipher suite `code` (`0x1302` is `TLS_AES_256_GCM_SHA384`), for every
/// suite the engine can negotiate; `None` for other codes.
pub fn cipher_suite_name(code: u16) -> Option<&'static str> {
    cipher_suite_name_nul(code).map(|n| &n[..n.len() - 1])
}

/// The TLS state of one connection.
pub(super) struct Tls {
    pub conn: rustls::Connection,
    /// Ciphertext waiting to be written, as of the last `process_new_packets` (the exact
    /// amount is only known from it; `wants_write` is always current).
    pub out: usize,
    pub close_notify_sent: bool,
    /// The TLS layer failed (an alert was queued): no close_notify after it.
    pub failed: bool,
}

impl Tls {
    pub fn server(cfg: &TlsServerConfig) -> Result<Self, rustls::Error> {
        Ok(Tls::new(
            rustls::ServerConnection::new(cfg.inner.clone())?.into(),
        ))
    }

    pub fn client(cfg: &TlsClientConfig, name: ServerName<'static>) -> Result<Self, rustls::Error> {
        Ok(Tls::new(
            rustls::ClientConnection::new(cfg.inner.clone(), name)?.into(),
        ))
    }

    fn new(conn: rustls::Connection) -> Self {
        Tls {
            conn,
            out: 0,
            close_notify_sent: false,
            failed: false,
        }
    }

    /// Bytes of ciphertext not written yet (at least 1 while rustls wants to write).
    pub fn pending(&self) -> usize {
        if self.conn.wants_write() {
            self.out.max(1)
        } else {
            0
        }
    }

    /// Refresh `out` after plaintext was handed to rustls.
    pub fn refresh(&mut self) {
        self.out = if self.conn.wants_write() {
            self.conn
                .process_new_packets()
                .map_or(1, |s| s.tls_bytes_to_write())
        } else {
            0
        };
    }

    /// Write queued ciphertext until the socket would block or fails (best effort).
    pub fn write_some(&mut self, sock: &mio::net::TcpStream) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut NoSigPipe(sock)) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Send `close_notify` (once, after a completed handshake, not after a TLS failure) and
    /// try to write it now.
    pub fn close_notify(&mut self, sock: &mio::net::TcpStream) {
        if self.close_notify_sent || self.failed || self.conn.is_handshaking() {
            return;
        }
        self.close_notify_sent = true;
        self.conn.send_close_notify();
        let _ = self.write_some(sock);
    }

    pub fn info(&self) -> Option<TlsInfo> {
        if self.conn.is_handshaking() {
            return None;
        }
        let v = self.conn.protocol_version()?;
        let suite = u16::from(self.conn.negotiated_cipher_suite()?.suite());
        Some(TlsInfo {
            version: u16::from(v),
            version_name: format!("{v:?}"),
            alpn: self.conn.alpn_protocol().map(<[u8]>::to_vec),
            cipher_suite: suite,
            cipher_suite_name: cipher_suite_name(suite)
                .map_or_else(|| format!("0x{suite:04X}"), str::to_owned),
        })
    }
}

/// The message of a TLS failure: what failed and why, in words for the usual certificate
/// problems.
pub(super) fn describe(e: &rustls::Error, handshaking: bool) -> String {
    let what = if handshaking {
        "TLS handshake failed"
    } else {
        "TLS error"
    };
    let why = match e {
        rustls::Error::InvalidCertificate(c) => {
            let c = match c {
                CertificateError::UnknownIssuer => {
                    "unknown issuer (the certificate is not signed by a trusted certificate authority)".to_owned()
                }
                CertificateError::Expired => "certificate expired".to_owned(),
                CertificateError::NotValidYet => "certificate not valid yet".to_owned(),
                CertificateError::NotValidForName => "certificate not valid for the server name".to_owned(),
                CertificateError::BadSignature => "bad signature".to_owned(),
                CertificateError::UnknownRevocationStatus => "unknown revocation status".to_owned(),
                CertificateError::BadEncoding => "bad encoding".to_owned(),
                c => c.to_string(),
            };
            format!("invalid peer certificate: {c}")
        }
        e => e.to_string(),
    };
    format!("{what}: {why}")
}

/// A writer on a socket that never raises SIGPIPE: `send`/`sendmsg` with `MSG_NOSIGNAL`
/// (rustls writes several records at once with `write_vectored`, which on a `TcpStream`
/// is a `writev` that would kill a process with the default SIGPIPE disposition, as Perl
/// has).
pub(super) struct NoSigPipe<'a>(pub &'a mio::net::TcpStream);

impl io::Write for NoSigPipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // std's TcpStream::write is send(MSG_NOSIGNAL) on Linux.
        io::Write::write(&mut &*self.0, buf)
    }

    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        // SAFETY: a zeroed msghdr is valid; IoSlice is ABI-compatible with iovec on Unix;
        // the array outlives the call.
        let n = unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = bufs.as_ptr() as *mut libc::iovec;
            msg.msg_iovlen = bufs.len().min(1024) as _;
            libc::sendmsg(self.0.as_raw_fd(), &msg, libc::MSG_NOSIGNAL)
        };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
