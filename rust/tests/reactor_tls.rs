//! TLS (`wss://`) through the reactor over loopback: a throwaway PKI made with rcgen at test
//! time (a CA, a certificate for `localhost` and 127.0.0.1, an expired one, one for another
//! name, and a second CA nobody trusts), server and client reactors, raw TCP peers.
//!
//! Compiled as a module of the `reactor` test target (Cargo.toml declares the test targets
//! and this branch does not change it); it uses that target's helpers.

use super::*;
use websocket::reactor::{
    cipher_suite_name, TlsClientConfig, TlsInfo, TlsServerConfig, TlsVerify, TlsVersions,
};

struct Pki {
    ca_pem: String,
    /// (certificate chain PEM, key PEM)
    good: (String, String),
    expired: (String, String),
    other_name: (String, String),
    /// Signed by a CA that is not `ca_pem`.
    unknown_ca: (String, String),
}

fn ca(name: &str) -> (rcgen::Certificate, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let cert = p.self_signed(&key).unwrap();
    (cert, rcgen::Issuer::new(p, key))
}

fn leaf(
    issuer: &rcgen::Issuer<'static, rcgen::KeyPair>,
    names: &[&str],
    expired: bool,
) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    if expired {
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = p.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn pki() -> Pki {
    let (ca_cert, issuer) = ca("WebSocket test CA");
    let (_, stranger) = ca("Nobody trusts me");
    Pki {
        ca_pem: ca_cert.pem(),
        good: leaf(&issuer, &["localhost", "127.0.0.1"], false),
        expired: leaf(&issuer, &["localhost", "127.0.0.1"], true),
        other_name: leaf(&issuer, &["other.example"], false),
        unknown_ca: leaf(&stranger, &["localhost", "127.0.0.1"], false),
    }
}

fn server_tls(cert: &(String, String), v: TlsVersions) -> TlsServerConfig {
    TlsServerConfig::from_pem(cert.0.as_bytes(), cert.1.as_bytes(), v).unwrap()
}

/// A server side listening with TLS on 127.0.0.1; returns it and the port.
fn tls_server(cfg: ReactorConfig, tls: TlsServerConfig) -> (Side, u16) {
    let mut s = Side::with(cfg);
    let (lid, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    s.r.listener_tls(lid, Some(tls)).unwrap();
    (s, port)
}

fn id_of(e: &ReactorEvent) -> u64 {
    e.conn().unwrap()
}

/// Server and client over TLS, both open. Returns (server, client, server conn, client conn).
fn tls_open(
    server: TlsServerConfig,
    client: TlsClientConfig,
    name: Option<&str>,
) -> (Side, Side, u64, u64) {
    let (mut s, port) = tls_server(ReactorConfig::default(), server);
    let mut cl = Side::new();
    let c =
        cl.r.connect_tls(
            "127.0.0.1",
            port,
            client_cfg("/tls", &[]),
            None,
            &client,
            name,
        )
        .unwrap();
    let sides = &mut [&mut s, &mut cl];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, request } => {
            assert_eq!(request.target, "/tls");
            assert_eq!(request.host, format!("127.0.0.1:{port}"));
            conn
        }
        _ => unreachable!(),
    };
    sides[0].r.accept(sc, None, None, &[]).unwrap();
    wait!(sides, 0, ReactorEvent::Open { conn, .. } if *conn == sc);
    wait!(sides, 1, ReactorEvent::Open { conn, .. } if *conn == c);
    s.q.retain(|e| !matches!(e, ReactorEvent::Accept { .. }));
    (s, cl, sc, c)
}

fn ca_client(p: &Pki, v: TlsVersions) -> TlsClientConfig {
    TlsClientConfig::new(TlsVerify::CaPem(p.ca_pem.as_bytes()), v).unwrap()
}

/// The cipher suite of `info` belongs to its version and has its IANA name: with TLS 1.3
/// one of 0x1301-0x1303 (`TLS_AES_...`, `TLS_CHACHA20_...`); with TLS 1.2 an ECDHE suite
/// for an ECDSA key (rcgen's keys are ECDSA P-256), `TLS_ECDHE_ECDSA_WITH_...`.
fn assert_suite_fits(info: &TlsInfo) {
    let name = cipher_suite_name(info.cipher_suite).expect("a suite with a name");
    assert_eq!(info.cipher_suite_name, name, "{info:?}");
    let tls13 = (0x1301..=0x1303).contains(&info.cipher_suite);
    match info.version {
        0x0304 => {
            assert!(tls13, "{info:?}");
            assert!(
                name.starts_with("TLS_") && !name.contains("_WITH_"),
                "{info:?}"
            );
        }
        0x0303 => {
            assert!(!tls13, "{info:?}");
            assert!(name.starts_with("TLS_ECDHE_ECDSA_WITH_"), "{info:?}");
        }
        v => panic!("unexpected version {v:#06x}"),
    }
}

/// Text, binary and a close handshake started by the client; the TLS info of both ends,
/// which agree on the cipher suite.
fn exchange_and_close(mut s: Side, mut cl: Side, sc: u64, c: u64, version: u16) {
    let mut suites = Vec::new();
    for (side, id) in [(&s, sc), (&cl, c)] {
        let info = side.r.tls_info(id).unwrap().expect("a TLS connection");
        assert_eq!(info.version, version, "{info:?}");
        assert_eq!(info.alpn.as_deref(), Some(&b"http/1.1"[..]), "{info:?}");
        assert_suite_fits(&info);
        suites.push(info.cipher_suite);
    }
    assert_eq!(suites[0], suites[1], "both ends name the same suite");
    let sides = &mut [&mut s, &mut cl];
    sides[1]
        .r
        .send(c, OpCode::Text, true, "héllo over TLS".as_bytes())
        .unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Text { .. }), ReactorEvent::Text { conn, data } if conn == sc && data == "héllo over TLS".as_bytes())
    );
    sides[0]
        .r
        .send(sc, OpCode::Binary, true, &[0, 1, 2, 255])
        .unwrap();
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Binary { .. }), ReactorEvent::Binary { conn, data } if conn == c && data == [0, 1, 2, 255])
    );
    sides[1].r.send(c, OpCode::Ping, true, b"p").unwrap();
    wait!(sides, 1, ReactorEvent::Pong { .. });

    // Close handshake: the server closes TCP after close_notify; the client sees a clean end.
    sides[1].r.close(c, Some(1000), "done").unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Close { .. }), ReactorEvent::Close { code: 1000, reason, .. } if reason == "done")
    );
    let t0 = Instant::now();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 1000, .. } if conn == sc)
    );
    assert!(matches!(
        wait!(sides, 1, ReactorEvent::Close { .. }),
        ReactorEvent::Close { code: 1000, .. }
    ));
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 1000, .. } if conn == c)
    );
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "the client did not wait for its close timeout"
    );
    for s in sides.iter_mut() {
        let rest = drain(s, Duration::from_millis(30));
        assert!(
            rest.iter()
                .all(|e| !matches!(e, ReactorEvent::Error { .. })),
            "{rest:?}"
        );
        assert!(
            s.q.iter().all(|e| !matches!(e, ReactorEvent::Error { .. })),
            "{:?}",
            s.q
        );
        assert_eq!(s.r.connection_count(), 0);
    }
}

#[test]
fn tls13_text_binary_alpn_and_close_handshake_verified_by_ip_address() {
    let p = pki();
    // No server name: the host (an IP address) is the name verified.
    let (s, cl, sc, c) = tls_open(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        None,
    );
    exchange_and_close(s, cl, sc, c, 0x0304);
}

#[test]
fn tls12_forced_by_the_server_and_by_the_client() {
    let p = pki();
    let (s, cl, sc, c) = tls_open(
        server_tls(&p.good, TlsVersions::Tls12),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
    );
    exchange_and_close(s, cl, sc, c, 0x0303);
    let (s, cl, sc, c) = tls_open(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Tls12),
        Some("localhost"),
    );
    exchange_and_close(s, cl, sc, c, 0x0303);
}

#[test]
fn every_suite_of_the_provider_has_its_iana_name() {
    use websocket::ffi::reactor::ws_tls_cipher_suite_name;
    let all = rustls::crypto::ring::ALL_CIPHER_SUITES;
    assert_eq!(all.len(), 9, "the table lists the ring provider's 9 suites");
    for s in all {
        let code = u16::from(s.suite());
        // rustls spells the TLS 1.3 suites TLS13_...; IANA (and we) say TLS_...
        let rustls_name = s.suite().as_str().expect("rustls knows its own suite");
        let want = match rustls_name.strip_prefix("TLS13_") {
            Some(rest) => format!("TLS_{rest}"),
            None => rustls_name.to_owned(),
        };
        assert_eq!(cipher_suite_name(code), Some(want.as_str()), "{code:#06x}");
        // The C ABI gives the same name, NUL-terminated and static.
        let p = ws_tls_cipher_suite_name(code);
        assert!(!p.is_null(), "{code:#06x}");
        // SAFETY: a static NUL-terminated string.
        let c_name = unsafe { std::ffi::CStr::from_ptr(p) };
        assert_eq!(c_name.to_str().unwrap(), want);
    }
    assert_eq!(cipher_suite_name(0x1302), Some("TLS_AES_256_GCM_SHA384"));
    assert_eq!(
        cipher_suite_name(0xC02B),
        Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    );
    // Codes the engine never negotiates have no name.
    for code in [0x0000, 0x00FF, 0x1304, 0xC013, 0xFFFF] {
        assert_eq!(cipher_suite_name(code), None, "{code:#06x}");
        assert!(ws_tls_cipher_suite_name(code).is_null(), "{code:#06x}");
    }
}

#[test]
fn no_common_version_fails_the_handshake_on_both_sides() {
    let p = pki();
    let (mut s, port) = tls_server(
        ReactorConfig::default(),
        server_tls(&p.good, TlsVersions::Tls13),
    );
    let mut cl = Side::new();
    let c =
        cl.r.connect_tls(
            "127.0.0.1",
            port,
            client_cfg("/", &[]),
            None,
            &ca_client(&p, TlsVersions::Tls12),
            None,
        )
        .unwrap();
    let sides = &mut [&mut s, &mut cl];
    match wait!(sides, 1, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            conn,
            code,
            message,
        } => {
            assert_eq!((conn, code), (c, 1015));
            assert!(message.starts_with("TLS handshake failed: "), "{message}");
        }
        _ => unreachable!(),
    }
    wait!(sides, 1, ReactorEvent::Closed { code: 1015, .. });
    wait!(sides, 0, ReactorEvent::Error { code: 1015, .. });
    wait!(sides, 0, ReactorEvent::Closed { code: 1015, .. });
}

#[test]
fn a_1_mib_message_both_ways_16_mib_with_back_pressure_over_tls() {
    let p = pki();
    let (mut s, mut cl, sc, c) = tls_open(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
    );
    s.r.set_option(sc, ConnOption::MaxMessageSize(0)).unwrap();
    cl.r.set_option(c, ConnOption::MaxMessageSize(0)).unwrap();
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    cl.r.send(c, OpCode::Binary, true, &big).unwrap();
    let sides = &mut [&mut s, &mut cl];
    let got = match wait!(sides, 0, ReactorEvent::Binary { .. }) {
        ReactorEvent::Binary { data, .. } => data,
        _ => unreachable!(),
    };
    assert!(got == big, "1 MiB arrives intact");
    sides[0].r.send(sc, OpCode::Binary, true, &got).unwrap();
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == big)
    );

    // 16 MiB while the server does not poll: what the socket does not take is counted as
    // buffered (plaintext rustls has not taken, ciphertext not written), then drains.
    let huge = vec![3u8; 16 << 20];
    sides[1]
        .q
        .retain(|e| !matches!(e, ReactorEvent::Drain { .. }));
    sides[1].r.send(c, OpCode::Binary, true, &huge).unwrap();
    let waiting = sides[1].r.buffered_amount(c).unwrap();
    assert!(
        waiting > 0,
        "16 MiB do not fit in the loopback socket at once"
    );
    assert!(waiting <= huge.len() + 14 + (64 << 10) + 1024, "{waiting}");
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Drain { .. }), ReactorEvent::Drain { conn } if conn == c)
    );
    assert_eq!(sides[1].r.buffered_amount(c).unwrap(), 0);
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data.len() == 16 << 20)
    );
    // Many small messages in one go arrive in order.
    for i in 0..200u32 {
        sides[0]
            .r
            .send(sc, OpCode::Text, true, i.to_string().as_bytes())
            .unwrap();
    }
    for i in 0..200u32 {
        match wait!(sides, 1, ReactorEvent::Text { .. }) {
            ReactorEvent::Text { data, .. } => assert_eq!(data, i.to_string().as_bytes()),
            _ => unreachable!(),
        }
    }
}

#[test]
fn max_buffered_counts_what_tls_has_not_written() {
    let p = pki();
    let (mut s, _cl, sc, _c) = tls_open(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
    );
    // The client never polls again: the server's output piles up.
    s.r.set_option(sc, ConnOption::MaxBuffered(256 << 10))
        .unwrap();
    let chunk = vec![7u8; 64 << 10];
    let mut error = None;
    for _ in 0..4096 {
        if s.r.send(sc, OpCode::Binary, true, &chunk).is_err() {
            break;
        }
        s.pump(Duration::ZERO);
        if let Some(e) = s.q.iter().find_map(|e| match e {
            ReactorEvent::Error { message, .. } => Some(message.clone()),
            _ => None,
        }) {
            error = Some(e);
            break;
        }
    }
    assert_eq!(error.as_deref(), Some("send buffer limit exceeded"));
    wait!(&mut [&mut s], 0, ReactorEvent::Closed { code: 1006, .. });
}

fn expect_client_failure(
    server: TlsServerConfig,
    client: TlsClientConfig,
    name: Option<&str>,
    needle: &str,
) {
    let (mut s, port) = tls_server(ReactorConfig::default(), server);
    let mut cl = Side::new();
    let c =
        cl.r.connect_tls("127.0.0.1", port, client_cfg("/", &[]), None, &client, name)
            .unwrap();
    let sides = &mut [&mut s, &mut cl];
    let msg = match wait!(sides, 1, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            conn,
            code,
            message,
        } => {
            assert_eq!((conn, code), (c, 1015), "{message}");
            message
        }
        _ => unreachable!(),
    };
    assert!(
        msg.starts_with("TLS handshake failed: invalid peer certificate: "),
        "{msg}"
    );
    assert!(msg.contains(needle), "{msg:?} should say {needle:?}");
    match wait!(sides, 1, ReactorEvent::Closed { .. }) {
        ReactorEvent::Closed { code, reason, .. } => {
            assert_eq!(code, 1015);
            assert_eq!(reason, msg);
        }
        _ => unreachable!(),
    }
    // The server hears the client's alert.
    let sc = id_of(&wait!(sides, 0, ReactorEvent::Accept { .. }));
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            conn,
            code,
            message,
        } => {
            assert_eq!((conn, code), (sc, 1015));
            assert!(message.contains("received fatal alert"), "{message}");
        }
        _ => unreachable!(),
    }
    wait!(sides, 0, ReactorEvent::Closed { code: 1015, .. });
    assert!(sides[0]
        .q
        .iter()
        .all(|e| !matches!(e, ReactorEvent::Request { .. })));
}

#[test]
fn unknown_ca_fails_with_1015_and_says_so() {
    let p = pki();
    expect_client_failure(
        server_tls(&p.unknown_ca, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
        "unknown issuer",
    );
}

#[test]
fn wrong_host_name_fails() {
    let p = pki();
    expect_client_failure(
        server_tls(&p.other_name, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
        "not valid for name \"localhost\"",
    );
    // The certificate for localhost does not cover another name either.
    expect_client_failure(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("example.org"),
        "not valid for name",
    );
}

#[test]
fn expired_certificate_fails() {
    let p = pki();
    expect_client_failure(
        server_tls(&p.expired, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        Some("localhost"),
        "certificate expired",
    );
}

#[test]
fn system_roots_do_not_trust_a_private_ca() {
    let p = pki();
    // Only when the system store can be loaded here (an empty store is an error at once).
    match TlsClientConfig::new(TlsVerify::SystemRoots, TlsVersions::Any) {
        Ok(sys) => expect_client_failure(
            server_tls(&p.good, TlsVersions::Any),
            sys,
            Some("localhost"),
            "unknown issuer",
        ),
        Err(e) => {
            assert_eq!(e.code(), 402);
            assert!(e.to_string().contains("system store"), "{e}");
        }
    }
}

#[test]
fn verification_off_accepts_an_unknown_ca() {
    let p = pki();
    let off = TlsClientConfig::new(TlsVerify::DangerousNoVerification, TlsVersions::Any).unwrap();
    let (s, cl, sc, c) = tls_open(
        server_tls(&p.unknown_ca, TlsVersions::Any),
        off.clone(),
        Some("whatever.example"),
    );
    exchange_and_close(s, cl, sc, c, 0x0304);
    let (s, cl, sc, c) = tls_open(server_tls(&p.expired, TlsVersions::Tls12), off, None);
    exchange_and_close(s, cl, sc, c, 0x0303);
}

#[test]
fn a_plain_client_on_the_tls_port_ends_cleanly_on_both_sides() {
    let p = pki();
    let (mut s, port) = tls_server(
        ReactorConfig::default(),
        server_tls(&p.good, TlsVersions::Any),
    );
    let mut cl = Side::new();
    let c =
        cl.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sides = &mut [&mut s, &mut cl];
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error { code, message, .. } => {
            assert_eq!(code, 1015);
            assert!(message.starts_with("TLS handshake failed: "), "{message}");
        }
        _ => unreachable!(),
    }
    wait!(sides, 0, ReactorEvent::Closed { code: 1015, .. });
    wait!(sides, 1, ReactorEvent::Error { conn, .. } if *conn == c);
    wait!(sides, 1, ReactorEvent::Closed { conn, .. } if *conn == c);
    // The server still works.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
    raw.set_read_timeout(Some(LIMIT)).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    wait!(sides, 0, ReactorEvent::Error { code: 1015, .. });
    wait!(sides, 0, ReactorEvent::Closed { code: 1015, .. });
    let answer = read_to_eof(&mut raw);
    assert!(
        !answer.starts_with(b"HTTP"),
        "a TLS alert at most, no HTTP: {answer:?}"
    );
    assert_eq!(sides[0].r.connection_count(), 0);
}

#[test]
fn a_client_that_never_starts_tls_is_dropped_by_the_handshake_timeout() {
    let p = pki();
    let cfg = ReactorConfig {
        handshake_timeout: Duration::from_millis(200),
        ..Default::default()
    };
    let (mut s, port) = tls_server(cfg, server_tls(&p.good, TlsVersions::Any));
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    let t0 = Instant::now();
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Accept { .. });
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error { code, message, .. } => {
            assert_eq!(code, 1006);
            assert!(
                message == "handshake timeout: the TLS handshake did not complete in time",
                "{message}"
            );
        }
        _ => unreachable!(),
    }
    wait!(sides, 0, ReactorEvent::Closed { .. });
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(read_to_eof(&mut t).is_empty());
}

#[test]
fn the_handshake_timeout_covers_tls_and_websocket_handshakes_together() {
    // The TLS handshake completes; the caller never answers the request.
    let p = pki();
    let cfg = ReactorConfig {
        handshake_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let (mut s, port) = tls_server(cfg, server_tls(&p.good, TlsVersions::Any));
    let mut cl = Side::new();
    let c =
        cl.r.connect_tls(
            "127.0.0.1",
            port,
            client_cfg("/", &[]),
            None,
            &ca_client(&p, TlsVersions::Any),
            None,
        )
        .unwrap();
    let sides = &mut [&mut s, &mut cl];
    wait!(sides, 0, ReactorEvent::Request { .. });
    wait!(sides, 0, ReactorEvent::Error { code: 1006, .. });
    wait!(sides, 0, ReactorEvent::Closed { .. });
    wait!(sides, 1, ReactorEvent::Closed { conn, .. } if *conn == c);
}

#[test]
fn server_close_and_rejection_over_tls() {
    let p = pki();
    let (mut s, mut cl, sc, c) = tls_open(
        server_tls(&p.good, TlsVersions::Any),
        ca_client(&p, TlsVersions::Any),
        None,
    );
    let sides = &mut [&mut s, &mut cl];
    sides[0].r.close(sc, Some(4242), "bye").unwrap();
    assert!(matches!(
        wait!(sides, 1, ReactorEvent::Close { .. }),
        ReactorEvent::Close { code: 4242, .. }
    ));
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 4242, .. } if conn == c)
    );
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 4242, .. } if conn == sc)
    );

    // A rejection is written over TLS, followed by close_notify.
    let (_, port) = (0, sides[0].r.listener_addr(1).unwrap().port());
    let c2 = sides[1]
        .r
        .connect_tls(
            "127.0.0.1",
            port,
            client_cfg("/", &[]),
            None,
            &ca_client(&p, TlsVersions::Any),
            None,
        )
        .unwrap();
    let sc2 = id_of(&wait!(sides, 0, ReactorEvent::Request { .. }));
    sides[0].r.reject(sc2, 403, &[], b"no").unwrap();
    match wait!(sides, 1, ReactorEvent::Error { conn, .. } if *conn == c2) {
        ReactorEvent::Error { code, .. } => assert_eq!(code, 403),
        _ => unreachable!(),
    }
    wait!(sides, 1, ReactorEvent::Closed { conn, .. } if *conn == c2);
    wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == sc2);
}

#[test]
fn bad_pem_input_is_a_clear_error() {
    let p = pki();
    let err = |r: Result<TlsServerConfig, ReactorError>| -> String {
        let e = r.unwrap_err();
        assert_eq!(e.code(), 402);
        e.to_string()
    };
    let (cert, key) = (&p.good.0, &p.good.1);
    let m = err(TlsServerConfig::from_pem(
        b"",
        key.as_bytes(),
        TlsVersions::Any,
    ));
    assert!(
        m.contains("no certificate found in the certificate chain PEM"),
        "{m}"
    );
    let m = err(TlsServerConfig::from_pem(
        key.as_bytes(),
        key.as_bytes(),
        TlsVersions::Any,
    ));
    assert!(m.contains("no certificate found"), "{m}");
    let m = err(TlsServerConfig::from_pem(
        cert.as_bytes(),
        cert.as_bytes(),
        TlsVersions::Any,
    ));
    assert!(m.contains("no private key found in the key PEM"), "{m}");
    let m = err(TlsServerConfig::from_pem(
        cert.as_bytes(),
        p.other_name.1.as_bytes(),
        TlsVersions::Any,
    ));
    assert_eq!(m, "the private key does not match the certificate");
    let garbage_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let m = err(TlsServerConfig::from_pem(
        cert.as_bytes(),
        garbage_key.as_bytes(),
        TlsVersions::Any,
    ));
    assert!(m.contains("unsupported private key type"), "{m}");
    let garbage_cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let m = err(TlsServerConfig::from_pem(
        garbage_cert.as_bytes(),
        key.as_bytes(),
        TlsVersions::Any,
    ));
    assert!(m.contains("the certificate cannot be parsed"), "{m}");

    let e = TlsClientConfig::new(TlsVerify::CaPem(b"nothing here"), TlsVersions::Any).unwrap_err();
    assert_eq!(e.code(), 402);
    assert!(
        e.to_string().contains("no certificate found in the CA PEM"),
        "{e}"
    );
    let e = TlsClientConfig::new(TlsVerify::CaPem(garbage_cert.as_bytes()), TlsVersions::Any)
        .unwrap_err();
    assert!(e.to_string().contains("CA PEM"), "{e}");

    // An invalid server name fails at once; a listener id that does not exist too.
    let mut s = Side::new();
    let e =
        s.r.connect_tls(
            "127.0.0.1",
            9,
            client_cfg("/", &[]),
            None,
            &ca_client(&p, TlsVersions::Any),
            Some("not a name!"),
        )
        .unwrap_err();
    assert!(e.to_string().contains("invalid TLS server name"), "{e}");
    assert!(s
        .r
        .listener_tls(12345, Some(server_tls(&p.good, TlsVersions::Any)))
        .is_err());
}

#[test]
fn c_abi_tls_listener_connect_info_and_errors() {
    use websocket::ffi::reactor::*;
    use websocket::ffi::WS_OK;
    let p = pki();
    unsafe {
        let mut r: *mut ws_reactor = std::ptr::null_mut();
        assert_eq!(ws_reactor_new(&mut r), WS_OK);
        let host = b"127.0.0.1";
        let (mut lid, mut port) = (0u64, 0u16);
        assert_eq!(
            ws_reactor_listen(r, host.as_ptr(), host.len(), 0, 16, &mut lid, &mut port),
            WS_OK
        );
        // Bad input: a clear message through ws_reactor_error.
        let (cert, key) = (p.good.0.as_bytes(), p.good.1.as_bytes());
        let rc = ws_reactor_listener_tls(
            r,
            lid,
            cert.as_ptr(),
            cert.len(),
            cert.as_ptr(),
            cert.len(),
            0,
        );
        assert_eq!(rc, WS_ERR_TLS);
        let mut buf = [0u8; 256];
        let (mut code, mut detail) = (0u32, 0u32);
        let n = ws_reactor_error(r, &mut code, &mut detail, buf.as_mut_ptr(), buf.len());
        let msg = std::str::from_utf8(&buf[..n.min(255)]).unwrap();
        assert_eq!(code, WS_ERR_TLS);
        assert!(
            msg.starts_with("no private key found in the key PEM"),
            "{msg}"
        );
        assert_ne!(
            ws_reactor_listener_tls(
                r,
                lid,
                cert.as_ptr(),
                cert.len(),
                key.as_ptr(),
                key.len(),
                3
            ),
            WS_OK
        );
        assert_eq!(
            ws_reactor_listener_tls(
                r,
                lid,
                cert.as_ptr(),
                cert.len(),
                key.as_ptr(),
                key.len(),
                0
            ),
            WS_OK
        );

        let ca = p.ca_pem.as_bytes();
        let name = b"localhost";
        let connect = |r: *mut ws_reactor, flags: u32, ca: Option<&[u8]>| {
            let mut id = 0u64;
            let (ca_p, ca_l) = ca.map_or((std::ptr::null(), 0), |c| (c.as_ptr(), c.len()));
            let rc = ws_reactor_connect_tls(
                r,
                host.as_ptr(),
                host.len(),
                port,
                b"/".as_ptr(),
                1,
                std::ptr::null(),
                0,
                std::ptr::null(),
                0,
                std::ptr::null(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                0,
                std::ptr::null(),
                std::ptr::null(),
                0,
                name.as_ptr(),
                name.len(),
                ca_p,
                ca_l,
                flags,
                &mut id,
            );
            (rc, id)
        };
        let (rc, c) = connect(r, WS_TLS_VERSION_1_2_ONLY, Some(ca));
        assert_eq!(rc, WS_OK);
        let (rc, _) = connect(r, 0, Some(b"not a pem"));
        assert_eq!(rc, WS_ERR_TLS);

        // Drive the reactor until both ends are open.
        let deadline = Instant::now() + LIMIT;
        let mut opened = Vec::new();
        let mut server_conn = 0;
        while opened.len() < 2 {
            assert!(Instant::now() < deadline, "timed out");
            let mut count = 0usize;
            assert_eq!(ws_reactor_poll(r, 10_000, &mut count), WS_OK);
            loop {
                let (mut kind, mut id, mut id2, mut code) = (0u8, 0u64, 0u64, 0u32);
                let (mut d, mut l, mut d2, mut l2) =
                    (std::ptr::null(), 0usize, std::ptr::null(), 0usize);
                if ws_reactor_next_event(
                    r, &mut kind, &mut id, &mut id2, &mut code, &mut d, &mut l, &mut d2, &mut l2,
                ) != WS_OK
                {
                    break;
                }
                match kind {
                    WS_REACTOR_EVENT_REQUEST => {
                        server_conn = id;
                        assert_eq!(
                            ws_reactor_accept(
                                r,
                                id,
                                std::ptr::null(),
                                0,
                                std::ptr::null(),
                                0,
                                std::ptr::null(),
                                std::ptr::null(),
                                0
                            ),
                            WS_OK
                        );
                    }
                    WS_REACTOR_EVENT_OPEN => opened.push(id),
                    WS_REACTOR_EVENT_ERROR => panic!(
                        "{}",
                        String::from_utf8_lossy(std::slice::from_raw_parts(d, l))
                    ),
                    _ => {}
                }
            }
        }
        let mut suites = Vec::new();
        for id in [c, server_conn] {
            let (mut v, mut a, mut al, mut cs) = (0u16, std::ptr::null(), 0usize, 0u16);
            assert_eq!(
                ws_reactor_tls_info(r, id, &mut v, &mut a, &mut al, &mut cs),
                WS_OK
            );
            assert_eq!(v, 0x0303);
            assert_eq!(std::slice::from_raw_parts(a, al), b"http/1.1");
            // A TLS 1.2 suite for the ECDSA certificate, named by ws_tls_cipher_suite_name.
            let name = std::ffi::CStr::from_ptr(ws_tls_cipher_suite_name(cs));
            assert!(
                name.to_str().unwrap().starts_with("TLS_ECDHE_ECDSA_WITH_"),
                "{cs:#06x} {name:?}"
            );
            suites.push(cs);
        }
        assert_eq!(suites[0], suites[1], "both ends name the same suite");
        // A NULL output pointer is refused; the others are left alone.
        let (mut v, mut a, mut al) = (0u16, std::ptr::null(), 0usize);
        assert_eq!(
            ws_reactor_tls_info(r, c, &mut v, &mut a, &mut al, std::ptr::null_mut()),
            websocket::ffi::WS_ERR_NULL_POINTER
        );
        assert_eq!((v, al), (0, 0));
        ws_reactor_free(r);
    }
}

fn rss_kib() -> usize {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = s.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

/// Not a test: `cargo test --release --test reactor -- --ignored --nocapture memory_per_idle`
/// prints the resident memory per idle connection pair (server and client end), plain and
/// TLS 1.3.
#[test]
#[ignore]
fn memory_per_idle_tls_connection() {
    const N: usize = 500;
    let p = pki();
    for tls in [false, true] {
        let mut s = Side::new();
        let (lid, port) = s.r.listen("127.0.0.1", 0, 1024).unwrap();
        if tls {
            s.r.listener_tls(lid, Some(server_tls(&p.good, TlsVersions::Any)))
                .unwrap();
        }
        let mut cl = Side::new();
        let client = ca_client(&p, TlsVersions::Any);
        let before = rss_kib();
        let mut open = 0;
        for _ in 0..N {
            if tls {
                cl.r.connect_tls("127.0.0.1", port, client_cfg("/", &[]), None, &client, None)
                    .unwrap();
            } else {
                cl.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
                    .unwrap();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while open < 2 * N && Instant::now() < deadline {
            s.pump(Duration::from_millis(1));
            cl.pump(Duration::from_millis(1));
            for e in s.q.drain(..).collect::<Vec<_>>() {
                match e {
                    ReactorEvent::Request { conn, .. } => {
                        s.r.accept(conn, None, None, &[]).unwrap()
                    }
                    ReactorEvent::Open { .. } => open += 1,
                    _ => {}
                }
            }
            open +=
                cl.q.drain(..)
                    .filter(|e| matches!(e, ReactorEvent::Open { .. }))
                    .count();
        }
        assert_eq!(open, 2 * N);
        // Idle: let the idle-shrink timers run.
        let _ = drain(&mut s, Duration::from_millis(2500));
        let _ = drain(&mut cl, Duration::from_millis(10));
        let after = rss_kib();
        println!(
            "{}: {:.1} KiB per connection end ({} pairs, RSS {} -> {} KiB)",
            if tls { "TLS 1.3" } else { "plain" },
            (after - before) as f64 / (2 * N) as f64,
            N,
            before,
            after
        );
    }
}
