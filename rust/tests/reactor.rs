//! The reactor over loopback (127.0.0.1 only): servers and clients in one process, each
//! test bounded in time. Raw `std::net::TcpStream` peers play misbehaving clients and
//! servers.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use websocket::frame::OpCode;
use websocket::handshake::ClientHandshakeConfig;
use websocket::reactor::{ConnOption, Reactor, ReactorConfig, ReactorError, ReactorEvent};

/// Longest any single wait may take before the test fails.
const LIMIT: Duration = Duration::from_secs(10);

struct Side {
    r: Reactor,
    q: VecDeque<ReactorEvent>,
}

impl Side {
    fn new() -> Side {
        Side::with(ReactorConfig::default())
    }

    fn with(cfg: ReactorConfig) -> Side {
        Side {
            r: Reactor::with_config(cfg).unwrap(),
            q: VecDeque::new(),
        }
    }

    fn pump(&mut self, t: Duration) {
        let evs = self.r.poll(Some(t)).unwrap();
        self.q.extend(evs);
    }
}

/// Poll every side until side `who` has an event matching `pred`; remove and return it.
fn wait_for(
    sides: &mut [&mut Side],
    who: usize,
    what: &str,
    pred: impl Fn(&ReactorEvent) -> bool,
) -> ReactorEvent {
    let deadline = Instant::now() + LIMIT;
    let step = Duration::from_millis(if sides.len() == 1 { 20 } else { 1 });
    loop {
        if let Some(i) = sides[who].q.iter().position(&pred) {
            return sides[who].q.remove(i).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; pending events: {:?}",
            sides[who].q
        );
        for s in sides.iter_mut() {
            s.pump(step);
        }
    }
}

macro_rules! wait {
    ($sides:expr, $who:expr, $pat:pat $(if $guard:expr)?) => {
        wait_for($sides, $who, stringify!($pat $(if $guard)?), |e| matches!(e, $pat $(if $guard)?))
    };
}

/// Poll for `d` and return everything that came.
fn drain(s: &mut Side, d: Duration) -> Vec<ReactorEvent> {
    let end = Instant::now() + d;
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        s.pump(end - now);
    }
    s.q.drain(..).collect()
}

fn client_cfg(path: &str, protocols: &[&str]) -> ClientHandshakeConfig {
    ClientHandshakeConfig {
        path: path.into(),
        protocols: protocols.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    }
}

/// One reactor holding a listener and a client connection to it, both opened.
/// Returns (side, server conn id, client conn id).
fn open_pair(cfg: ReactorConfig) -> (Side, u64, u64) {
    let mut s = Side::with(cfg);
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sc = match wait!(&mut [&mut s], 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    s.r.accept(sc, None, None, &[]).unwrap();
    wait!(&mut [&mut s], 0, ReactorEvent::Open { conn, .. } if *conn == sc);
    wait!(&mut [&mut s], 0, ReactorEvent::Open { conn, .. } if *conn == c);
    s.q.retain(|e| !matches!(e, ReactorEvent::Accept { .. }));
    (s, sc, c)
}

/// A raw TCP client that sent a valid opening handshake to the reactor listening on `port`
/// and read the 101 answer.
fn raw_ws_client(port: u16) -> TcpStream {
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    t.write_all(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    t
}

fn read_head(t: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            t.read(&mut b).unwrap(),
            1,
            "EOF in the head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(b[0]);
    }
    String::from_utf8(head).unwrap()
}

fn read_to_eof(t: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    t.read_to_end(&mut all).unwrap();
    all
}

/// Accept the raw client's request on the reactor side; returns the server conn id.
fn accept_raw(s: &mut Side) -> u64 {
    let sc = match wait!(&mut [&mut *s], 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    s.r.accept(sc, None, None, &[]).unwrap();
    wait!(&mut [&mut *s], 0, ReactorEvent::Open { conn, .. } if *conn == sc);
    sc
}

#[test]
fn two_reactors_handshake_subprotocol_echo_large_ping_and_close() {
    let mut server = Side::new();
    let mut client = Side::new();
    let (lid, port) = server.r.listen("127.0.0.1", 0, 128).unwrap();
    assert!(port > 0);
    assert_eq!(server.r.listener_count(), 1);
    let mut hs = client_cfg("/chat?x=1", &["chat", "superchat"]);
    hs.origin = Some("http://example.com".into());
    hs.extra_headers = vec![("Cookie".into(), "a=b".into())];
    let c = client.r.connect("127.0.0.1", port, hs, None).unwrap();
    // The request is built at once and waits for the TCP connection.
    let req = String::from_utf8(client.r.pending_handshake(c).unwrap().to_vec()).unwrap();
    assert!(req.starts_with("GET /chat?x=1 HTTP/1.1\r\n"), "{req}");
    assert!(
        req.contains("\r\nSec-WebSocket-Protocol: chat, superchat\r\n")
            && req.ends_with("\r\n\r\n"),
        "{req}"
    );
    let sides = &mut [&mut server, &mut client];

    let (sc, peer) = match wait!(sides, 0, ReactorEvent::Accept { .. }) {
        ReactorEvent::Accept {
            listener,
            conn,
            peer,
        } => {
            assert_eq!(listener, lid);
            (conn, peer)
        }
        _ => unreachable!(),
    };
    assert_eq!(peer.ip().to_string(), "127.0.0.1");
    match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, request } => {
            assert_eq!(conn, sc);
            assert_eq!(request.method, "GET");
            assert_eq!(request.target, "/chat?x=1");
            assert_eq!(request.http_version, "HTTP/1.1");
            assert_eq!(request.host, format!("127.0.0.1:{port}"));
            assert_eq!(request.version, "13");
            assert_eq!(request.origin.as_deref(), Some("http://example.com"));
            assert_eq!(request.protocols, vec!["chat", "superchat"]);
            assert_eq!(request.extensions, None);
            assert_eq!(request.key.len(), 24);
            assert!(request.headers.contains(&("Cookie".into(), "a=b".into())));
        }
        _ => unreachable!(),
    }
    // Nothing is sent before the answer: the client is still waiting.
    assert!(matches!(
        sides[1].r.send(c, OpCode::Text, true, b"x"),
        Err(ReactorError::Engine(_))
    ));
    assert!(
        sides[1].r.pending_handshake(c).unwrap().is_empty(),
        "the request was written"
    );
    sides[0]
        .r
        .accept(sc, Some("chat"), None, &[("X-Foo".into(), "bar".into())])
        .unwrap();
    match wait!(sides, 1, ReactorEvent::Open { .. }) {
        ReactorEvent::Open {
            conn,
            protocol,
            extensions,
            response_headers,
        } => {
            assert_eq!(conn, c);
            assert_eq!(protocol.as_deref(), Some("chat"));
            assert_eq!(extensions, None);
            assert!(response_headers.contains(&("X-Foo".into(), "bar".into())));
            assert!(response_headers
                .iter()
                .any(|(n, v)| n == "Sec-WebSocket-Protocol" && v == "chat"));
        }
        _ => unreachable!(),
    }
    match wait!(sides, 0, ReactorEvent::Open { .. }) {
        ReactorEvent::Open {
            conn,
            protocol,
            response_headers,
            ..
        } => {
            assert_eq!(conn, sc);
            assert_eq!(protocol.as_deref(), Some("chat"));
            assert!(response_headers.is_empty());
        }
        _ => unreachable!(),
    }
    assert_eq!(
        sides[0].r.peer_addr(sc).unwrap(),
        sides[1].r.local_addr(c).unwrap()
    );
    assert_eq!(sides[1].r.peer_addr(c).unwrap().port(), port);

    // text and binary echo
    sides[1]
        .r
        .send(c, OpCode::Text, true, "héllo".as_bytes())
        .unwrap();
    let data = match wait!(sides, 0, ReactorEvent::Text { .. }) {
        ReactorEvent::Text { conn, data } => {
            assert_eq!(conn, sc);
            data
        }
        _ => unreachable!(),
    };
    assert_eq!(data, "héllo".as_bytes());
    sides[0].r.send(sc, OpCode::Text, true, &data).unwrap();
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Text { .. }), ReactorEvent::Text { data, .. } if data == "héllo".as_bytes())
    );
    sides[1].r.send(c, OpCode::Binary, false, &[0, 1]).unwrap();
    sides[1]
        .r
        .send(c, OpCode::Continuation, true, &[2, 255])
        .unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == [0, 1, 2, 255])
    );

    // a 1 MiB message both ways (limits raised per connection)
    sides[0]
        .r
        .set_option(sc, ConnOption::MaxMessageSize(2 << 20))
        .unwrap();
    sides[1]
        .r
        .set_option(c, ConnOption::MaxMessageSize(2 << 20))
        .unwrap();
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    sides[1].r.send(c, OpCode::Binary, true, &big).unwrap();
    let got = match wait!(sides, 0, ReactorEvent::Binary { .. }) {
        ReactorEvent::Binary { data, .. } => data,
        _ => unreachable!(),
    };
    assert!(got == big, "1 MiB arrives intact");
    sides[0].r.send(sc, OpCode::Binary, true, &got).unwrap();
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == big)
    );

    // ping from the client: the server reports it and the engine answers by itself
    sides[1]
        .r
        .send(c, OpCode::Ping, true, b"are you there")
        .unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Ping { .. }), ReactorEvent::Ping { data, .. } if data == b"are you there")
    );
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Pong { .. }), ReactorEvent::Pong { data, .. } if data == b"are you there")
    );

    // the server closes with 4242 "bye"; RFC 6455 7.1.1: it also closes TCP first
    sides[0].r.close(sc, Some(4242), "bye").unwrap();
    assert!(matches!(
        sides[0].r.send(sc, OpCode::Text, true, b"late"),
        Err(ReactorError::Engine(websocket::Error::InvalidState(_)))
    ));
    let t0 = Instant::now();
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Close { .. }), ReactorEvent::Close { code: 4242, reason, .. } if reason == "bye")
    );
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Close { .. }),
        ReactorEvent::Close { code: 4242, .. }
    ));
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 4242, .. } if conn == sc)
    );
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 4242, reason } if conn == c && reason == "bye")
    );
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "the client did not wait for its close timeout"
    );
    assert_eq!(sides[0].r.connection_count(), 0);
    assert_eq!(sides[1].r.connection_count(), 0);
    for s in sides.iter_mut() {
        let rest = drain(s, Duration::from_millis(50));
        assert!(
            rest.iter()
                .all(|e| !matches!(e, ReactorEvent::Error { .. } | ReactorEvent::Closed { .. })),
            "{rest:?}"
        );
    }
    assert!(matches!(
        sides[0].r.send(sc, OpCode::Text, true, b"x"),
        Err(ReactorError::Engine(_))
    ));
}

#[test]
fn client_initiated_close_and_server_closes_tcp_first() {
    let (mut s, sc, c) = open_pair(ReactorConfig::default());
    s.r.close(c, Some(1000), "done").unwrap();
    let sides = &mut [&mut s];
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Close { conn, .. } if *conn == sc), ReactorEvent::Close { code: 1000, reason, .. } if reason == "done")
    );
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Close { conn, .. } if *conn == c),
        ReactorEvent::Close { code: 1000, .. }
    ));
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == sc), ReactorEvent::Closed { code: 1000, reason, .. } if reason == "done")
    );
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == c),
        ReactorEvent::Closed { code: 1000, .. }
    ));
    assert!(
        sides[0]
            .q
            .iter()
            .all(|e| !matches!(e, ReactorEvent::Error { .. })),
        "{:?}",
        sides[0].q
    );
}

#[test]
fn rfc6455_7_1_1_client_waits_for_the_server_to_close_tcp() {
    // A raw server sends Close and keeps the TCP connection open: the client answers, then
    // waits for the server until its close timeout, and only then drops the connection.
    let raw = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = raw.local_addr().unwrap().port();
    let mut s = Side::with(ReactorConfig {
        close_timeout: Duration::from_millis(300),
        ..Default::default()
    });
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    s.pump(Duration::from_millis(10));
    let (mut t, _) = raw.accept().unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    let req = read_head(&mut t);
    let key = req
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap()
        .trim()
        .to_owned();
    let accept = websocket::handshake::accept_key(key.as_bytes());
    write!(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").unwrap();
    // the Close frame in the same segment as nothing else
    t.write_all(&[0x88, 0x05, 0x03, 0xe8, b'b', b'y', b'e'])
        .unwrap();
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Open { .. });
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Close { .. }), ReactorEvent::Close { code: 1000, reason, .. } if reason == "bye")
    );
    let t0 = Instant::now();
    // The masked reply arrives; the client does not close.
    let mut reply = [0u8; 8];
    t.read_exact(&mut reply).unwrap();
    assert_eq!(reply[0], 0x88);
    assert_eq!(reply[1], 0x82, "masked, code only");
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 1000, .. } if conn == c)
    );
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250),
        "the client closed TCP first after {waited:?}"
    );
    assert!(waited < Duration::from_secs(3));
    assert!(read_to_eof(&mut t).is_empty());
    assert!(
        sides[0]
            .q
            .iter()
            .all(|e| !matches!(e, ReactorEvent::Error { .. })),
        "completed handshake: no error"
    );
}

#[test]
fn reject_403_is_an_error_on_the_client() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sides = &mut [&mut s];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    sides[0]
        .r
        .reject(sc, 403, &[("X-Why".into(), "no".into())], b"go away")
        .unwrap();
    assert!(
        sides[0].r.accept(sc, None, None, &[]).is_err(),
        "answered already"
    );
    match wait!(sides, 0, ReactorEvent::Error { conn, .. } if *conn == c) {
        ReactorEvent::Error { code, message, .. } => {
            assert_eq!(code, 403);
            assert!(message.contains("403"), "{message}");
        }
        _ => unreachable!(),
    }
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == c),
        ReactorEvent::Closed { code: 1006, .. }
    ));
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == sc),
        ReactorEvent::Closed { code: 1006, .. }
    ));
    assert!(sides[0]
        .q
        .iter()
        .all(|e| !matches!(e, ReactorEvent::Error { conn, .. } if *conn == sc)));
    assert!(matches!(
        sides[0].r.reject(sc, 99, &[], b""),
        Err(ReactorError::Engine(websocket::Error::InvalidArgument(_)))
    ));
}

#[test]
fn raw_client_sees_the_rejection() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut t = raw_ws_client(port);
    let sides = &mut [&mut s];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    sides[0].r.reject(sc, 403, &[], b"nope").unwrap();
    // The answer is written and our side shut down at once (no poll needed).
    let all = String::from_utf8(read_to_eof(&mut t)).unwrap();
    assert!(all.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{all}");
    assert!(all.ends_with("\r\n\r\nnope"), "{all}");
    // The reactor lingers until the client's EOF, then reports Closed.
    let t0 = Instant::now();
    drop(t);
    wait!(sides, 0, ReactorEvent::Closed { .. });
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn invalid_requests_are_answered_by_the_reactor() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let cases: [(&[u8], u16, &str); 3] = [
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
            "HTTP/1.1 400 Bad Request\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
            426,
            "HTTP/1.1 426 Upgrade Required\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nX: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n",
            431,
            "HTTP/1.1 431 ",
        ),
    ];
    for (req, status, line) in cases {
        if status == 431 {
            s.r.config_mut().engine.max_line_length = 32;
        }
        let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
        t.set_read_timeout(Some(LIMIT)).unwrap();
        t.write_all(req).unwrap();
        let sides = &mut [&mut s];
        let sc = match wait!(sides, 0, ReactorEvent::Accept { .. }) {
            ReactorEvent::Accept { conn, .. } => conn,
            _ => unreachable!(),
        };
        assert!(
            matches!(wait!(sides, 0, ReactorEvent::Error { .. }), ReactorEvent::Error { conn, code, .. } if conn == sc && code == status)
        );
        let all = String::from_utf8(read_to_eof(&mut t)).unwrap();
        assert!(all.starts_with(line), "{all}");
        if status == 426 {
            assert!(all.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{all}");
        }
        drop(t);
        assert!(
            matches!(wait!(sides, 0, ReactorEvent::Closed { .. }), ReactorEvent::Closed { conn, code: 1006, .. } if conn == sc)
        );
        assert!(sides[0]
            .q
            .iter()
            .all(|e| !matches!(e, ReactorEvent::Request { .. })));
    }
}

#[test]
fn handshake_timeout_drops_a_silent_client() {
    let mut s = Side::with(ReactorConfig {
        handshake_timeout: Duration::from_millis(200),
        ..Default::default()
    });
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    t.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let t0 = Instant::now();
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Accept { .. });
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error { code, message, .. } => {
            assert_eq!(code, 1006);
            assert!(message.contains("handshake timeout"), "{message}");
        }
        _ => unreachable!(),
    }
    wait!(sides, 0, ReactorEvent::Closed { code: 1006, .. });
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(
        read_to_eof(&mut t).is_empty(),
        "a server answers nothing more"
    );
    assert!(
        sides[0].r.next_deadline().is_none(),
        "nothing left to wait for"
    );
}

#[test]
fn handshake_timeout_while_the_caller_does_not_answer() {
    let mut s = Side::with(ReactorConfig {
        handshake_timeout: Duration::from_millis(150),
        ..Default::default()
    });
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let _t = raw_ws_client(port);
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Request { .. });
    wait!(sides, 0, ReactorEvent::Error { code: 1006, .. });
    wait!(sides, 0, ReactorEvent::Closed { .. });
}

#[test]
fn close_timeout_drops_a_peer_that_never_answers() {
    let mut s = Side::with(ReactorConfig {
        close_timeout: Duration::from_millis(200),
        ..Default::default()
    });
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut t = raw_ws_client(port);
    let sc = accept_raw(&mut s);
    assert!(read_head(&mut t).starts_with("HTTP/1.1 101 "));
    s.r.close(sc, Some(1001), "going away").unwrap();
    let mut frame = [0u8; 14];
    t.read_exact(&mut frame).unwrap();
    assert_eq!(&frame[..4], &[0x88, 12, 0x03, 0xe9]);
    let t0 = Instant::now();
    let sides = &mut [&mut s];
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            code: 1006,
            message,
            ..
        } => assert!(message.contains("close timeout"), "{message}"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Closed { .. }),
        ReactorEvent::Closed { code: 1006, .. }
    ));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(read_to_eof(&mut t).is_empty());
}

#[test]
fn max_buffered_drops_a_client_that_never_reads_and_drain_reports_the_end_of_back_pressure() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let t = raw_ws_client(port);
    let sc = accept_raw(&mut s);
    s.r.set_option(sc, ConnOption::MaxBuffered(256 << 10))
        .unwrap();
    let chunk = vec![7u8; 64 << 10];
    let mut sent = 0usize;
    let mut error = None;
    while sent < 256 << 20 {
        if s.r.send(sc, OpCode::Binary, true, &chunk).is_err() {
            break;
        }
        sent += chunk.len();
        assert!(s
            .r
            .buffered_amount(sc)
            .map_or(true, |n| n <= (256 << 10) + chunk.len() + 14));
        s.pump(Duration::ZERO);
        if let Some(e) = s.q.iter().find_map(|e| match e {
            ReactorEvent::Error { message, .. } => Some(message.clone()),
            _ => None,
        }) {
            error = Some(e);
            break;
        }
    }
    assert_eq!(
        error.as_deref(),
        Some("send buffer limit exceeded"),
        "after {sent} bytes"
    );
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Closed { code: 1006, .. });
    assert!(sides[0].r.buffered_amount(sc).is_err());
    drop(t);

    // Back-pressure that ends: a message larger than max_buffered, sent while the buffer
    // was empty, to a client that reads late.
    let (mut s, sc, c) = open_pair(ReactorConfig::default());
    s.r.set_option(c, ConnOption::MaxMessageSize(0)).unwrap();
    s.r.set_option(sc, ConnOption::MaxBuffered(1 << 20))
        .unwrap();
    let big = vec![1u8; 16 << 20];
    s.r.send(sc, OpCode::Binary, true, &big).unwrap();
    assert!(
        s.r.buffered_amount(sc).unwrap() > 0,
        "16 MiB do not fit in the socket at once"
    );
    let sides = &mut [&mut s];
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Drain { .. }), ReactorEvent::Drain { conn } if conn == sc)
    );
    assert_eq!(sides[0].r.buffered_amount(sc).unwrap(), 0);
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { conn, data } if conn == c && data.len() == 16 << 20)
    );
}

#[test]
fn keep_alive_pings_an_idle_peer_and_pong_timeout_drops_a_dead_one() {
    // A live peer (the reactor's own client, automatic pongs) stays connected.
    let cfg = ReactorConfig {
        ping_interval: Duration::from_millis(80),
        pong_timeout: Duration::from_millis(150),
        ..Default::default()
    };
    let (mut s, sc, c) = open_pair(ReactorConfig::default());
    s.r.set_option(sc, ConnOption::PingInterval(cfg.ping_interval))
        .unwrap();
    s.r.set_option(sc, ConnOption::PongTimeout(cfg.pong_timeout))
        .unwrap();
    let evs = drain(&mut s, Duration::from_millis(600));
    let pings = evs
        .iter()
        .filter(|e| matches!(e, ReactorEvent::Ping { conn, .. } if *conn == c))
        .count();
    let pongs = evs
        .iter()
        .filter(|e| matches!(e, ReactorEvent::Pong { conn, .. } if *conn == sc))
        .count();
    assert!(pings >= 3 && pongs >= 3, "{evs:?}");
    assert!(
        evs.iter()
            .all(|e| !matches!(e, ReactorEvent::Closed { .. } | ReactorEvent::Error { .. })),
        "{evs:?}"
    );

    // A peer that does not answer is closed with 1001 "pong timeout" and dropped.
    let mut s = Side::with(cfg);
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut t = raw_ws_client(port);
    let t0 = Instant::now();
    let sc = accept_raw(&mut s);
    assert!(read_head(&mut t).starts_with("HTTP/1.1 101 "));
    let sides = &mut [&mut s];
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Error { .. }), ReactorEvent::Error { conn, code: 1001, message } if conn == sc && message == "pong timeout")
    );
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Closed { .. }),
        ReactorEvent::Closed { code: 1006, .. }
    ));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let wire = read_to_eof(&mut t);
    let mut wire = &wire[..];
    assert_eq!(&wire[..2], &[0x89, 0x00], "an empty ping first");
    while wire.starts_with(&[0x89, 0x00]) {
        wire = &wire[2..];
    }
    assert_eq!(&wire[..4], &[0x88, 14, 0x03, 0xe9], "then Close 1001");
    assert_eq!(&wire[4..], b"pong timeout");
}

#[test]
fn timers_one_shot_repeat_cancel() {
    let mut s = Side::new();
    let t0 = Instant::now();
    let once = s.r.add_timer(Duration::from_millis(50), None).unwrap();
    let rep =
        s.r.add_timer(Duration::from_millis(20), Some(Duration::from_millis(30)))
            .unwrap();
    let cancelled = s.r.add_timer(Duration::from_millis(40), None).unwrap();
    assert!(once != rep && rep != cancelled);
    let d = s.r.next_deadline().unwrap();
    assert!(
        d <= Duration::from_millis(20) && d > Duration::from_millis(5),
        "{d:?}"
    );
    assert!(s.r.cancel_timer(cancelled).unwrap());
    assert!(!s.r.cancel_timer(cancelled).unwrap());
    let mut fired_once = None;
    let mut reps = Vec::new();
    while t0.elapsed() < Duration::from_millis(200) {
        for e in s.r.poll(Some(Duration::from_millis(200))).unwrap() {
            match e {
                ReactorEvent::Timer { id } if id == once => {
                    assert!(fired_once.is_none(), "a one-shot timer fires once");
                    fired_once = Some(t0.elapsed());
                }
                ReactorEvent::Timer { id } if id == rep => reps.push(t0.elapsed()),
                e => panic!("unexpected {e:?}"),
            }
        }
    }
    let f = fired_once.expect("the one-shot timer fired");
    assert!(f >= Duration::from_millis(50), "{f:?}");
    assert!(reps.len() >= 4 && reps.len() <= 7, "{reps:?}");
    assert!(reps[0] >= Duration::from_millis(20));
    assert!(s.r.cancel_timer(rep).unwrap());
    assert!(drain(&mut s, Duration::from_millis(80)).is_empty());
    assert_eq!(s.r.next_deadline(), None);
    // A poll with nothing to do waits its whole timeout.
    let t1 = Instant::now();
    assert!(s
        .r
        .poll(Some(Duration::from_millis(30)))
        .unwrap()
        .is_empty());
    assert!(t1.elapsed() >= Duration::from_millis(29));
}

fn pipe() -> (i32, i32) {
    let mut fds = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    (fds[0], fds[1])
}

#[test]
fn watched_pipe_is_level_triggered() {
    let mut s = Side::new();
    let (rd, wr) = pipe();
    s.r.watch(rd, true, false).unwrap();
    let t0 = Instant::now();
    assert!(
        s.r.poll(Some(Duration::from_millis(30)))
            .unwrap()
            .is_empty(),
        "nothing to read"
    );
    assert!(t0.elapsed() >= Duration::from_millis(29));
    assert_eq!(unsafe { libc::write(wr, b"ab".as_ptr().cast(), 2) }, 2);
    for round in 0..3 {
        let t = Instant::now();
        let evs = s.r.poll(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(
            evs,
            vec![ReactorEvent::Readable { fd: rd }],
            "round {round}: reported again while readable"
        );
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "did not block while readable"
        );
    }
    let mut b = [0u8; 2];
    assert_eq!(unsafe { libc::read(rd, b.as_mut_ptr().cast(), 2) }, 2);
    assert!(
        s.r.poll(Some(Duration::from_millis(30)))
            .unwrap()
            .is_empty(),
        "read: no longer reported"
    );

    // writable end: reported at every poll; both ends at once
    s.r.watch(wr, false, true).unwrap();
    for _ in 0..2 {
        assert_eq!(
            s.r.poll(Some(Duration::from_secs(1))).unwrap(),
            vec![ReactorEvent::Writable { fd: wr }]
        );
    }
    s.r.unwatch(wr).unwrap();
    s.r.unwatch(wr).unwrap();

    // a blocking poll wakes up when another thread writes
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(unsafe { libc::write(wr, b"x".as_ptr().cast(), 1) }, 1);
    });
    let t = Instant::now();
    let evs = s.r.poll(None).unwrap();
    assert_eq!(evs, vec![ReactorEvent::Readable { fd: rd }]);
    assert!(t.elapsed() >= Duration::from_millis(90) && t.elapsed() < Duration::from_secs(3));
    writer.join().unwrap();

    // the writer closes: EOF is readable too
    unsafe { libc::close(wr) };
    assert_eq!(
        s.r.poll(Some(Duration::from_secs(1))).unwrap(),
        vec![ReactorEvent::Readable { fd: rd }]
    );
    s.r.unwatch(rd).unwrap();
    assert!(s
        .r
        .poll(Some(Duration::from_millis(20)))
        .unwrap()
        .is_empty());

    // a descriptor closed without unwatch is forgotten, not reported forever
    s.r.watch(rd, true, false).unwrap();
    unsafe { libc::close(rd) };
    let _ = s.r.poll(Some(Duration::ZERO)).unwrap();
    assert!(s
        .r
        .poll(Some(Duration::from_millis(20)))
        .unwrap()
        .is_empty());
    assert!(s.r.watch(-1, true, false).is_err());
}

extern "C" fn on_usr1(_: libc::c_int) {}

#[test]
fn eintr_returns_promptly_with_no_events() {
    // A signal handler installed without SA_RESTART, as perl does: epoll_wait fails with
    // EINTR and poll returns so that the caller's deferred signal handlers can run.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_usr1 as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
    let mut s = Side::new();
    s.r.add_timer(Duration::from_secs(30), None).unwrap();
    let me = unsafe { libc::pthread_self() } as usize;
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR1) };
    });
    let t = Instant::now();
    let evs = s.r.poll(Some(Duration::from_secs(20))).unwrap();
    let took = t.elapsed();
    killer.join().unwrap();
    assert!(evs.is_empty());
    assert!(
        took >= Duration::from_millis(90) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[test]
fn connect_refused_is_error_then_closed_1006() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut s = Side::new();
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sides = &mut [&mut s];
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            conn,
            code,
            message,
        } => {
            assert_eq!(conn, c);
            assert_eq!(code, 1006);
            assert_eq!(message, "Connection refused (os error 111)");
        }
        _ => unreachable!(),
    }
    assert_eq!(
        wait!(sides, 0, ReactorEvent::Closed { .. }),
        ReactorEvent::Closed {
            conn: c,
            code: 1006,
            reason: String::new()
        }
    );
    assert_eq!(sides[0].r.connection_count(), 0);
    // resolution failure: an immediate error, no connection
    let e = sides[0]
        .r
        .connect("no-such-host.invalid", 80, client_cfg("/", &[]), None)
        .unwrap_err();
    assert_eq!(e.code(), 401);
    assert!(
        e.to_string()
            .starts_with("connect to no-such-host.invalid: "),
        "{e}"
    );
}

#[test]
fn listen_errors_carry_the_os_error() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    // SO_REUSEADDR does not allow two listeners on one port
    let e = s.r.listen("127.0.0.1", port, 16).unwrap_err();
    assert_eq!(e.code(), 401);
    assert_eq!(e.detail(), libc::EADDRINUSE as u32);
    assert!(e.to_string().contains("Address already in use"), "{e}");
}

#[test]
fn listen_fd_adopts_a_listening_socket() {
    let std_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = std_listener.local_addr().unwrap().port();
    let mut s = Side::new();
    let lid = s.r.listen_fd(std_listener.as_raw_fd()).unwrap();
    assert_eq!(s.r.listener_addr(lid).unwrap().port(), port);
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sides = &mut [&mut s];
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Accept { .. }), ReactorEvent::Accept { listener, .. } if listener == lid)
    );
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    sides[0].r.accept(sc, None, None, &[]).unwrap();
    wait!(sides, 0, ReactorEvent::Open { conn, .. } if *conn == c);
    // unlisten closes the duplicate only: the caller's socket still accepts
    sides[0].r.unlisten(lid).unwrap();
    assert!(sides[0].r.unlisten(lid).is_err());
    assert_eq!(sides[0].r.listener_count(), 0);
    let _t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let end = Instant::now() + LIMIT;
    loop {
        match std_listener.accept() {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("{e}"),
        }
    }
    // not a listening socket
    let (rd, wr) = pipe();
    assert!(sides[0].r.listen_fd(rd).is_err());
    let conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let e = sides[0].r.listen_fd(conn.as_raw_fd()).unwrap_err();
    assert!(
        matches!(
            e,
            ReactorError::Engine(websocket::Error::InvalidArgument(_))
        ),
        "{e}"
    );
    unsafe {
        libc::close(rd);
        libc::close(wr);
    }
}

#[test]
fn ids_are_never_reused_and_counts_follow() {
    let mut s = Side::new();
    let (lid, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut ids = vec![lid];
    for _ in 0..3 {
        let c =
            s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
                .unwrap();
        ids.push(c);
        let sides = &mut [&mut s];
        let sc = match wait!(sides, 0, ReactorEvent::Accept { .. }) {
            ReactorEvent::Accept { conn, .. } => conn,
            _ => unreachable!(),
        };
        ids.push(sc);
        assert_eq!(sides[0].r.connection_count(), 2);
        // close before the opening handshake completed: the TCP connection is just dropped
        sides[0].r.close(c, Some(1000), "").unwrap();
        assert!(matches!(
            wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == c),
            ReactorEvent::Closed { code: 1006, .. }
        ));
        sides[0].r.drop_conn(sc).unwrap();
        wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == sc);
        assert!(sides[0].r.drop_conn(sc).is_err());
        assert_eq!(sides[0].r.connection_count(), 0);
        ids.push(sides[0].r.add_timer(Duration::from_secs(60), None).unwrap());
        // exactly one Closed per connection
        let rest = drain(sides[0], Duration::from_millis(20));
        assert!(
            rest.iter()
                .all(|e| !matches!(e, ReactorEvent::Closed { .. })),
            "{rest:?}"
        );
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]) || sorted.len() == ids.len());
}

#[test]
fn misuse_is_reported_not_panicked() {
    let (mut s, sc, c) = open_pair(ReactorConfig::default());
    let e = s.r.send(999_999, OpCode::Text, true, b"x").unwrap_err();
    assert_eq!(e.code(), 301);
    assert!(
        e.to_string()
            .starts_with("Invalid state: no such connection"),
        "{e}"
    );
    assert!(matches!(
        s.r.accept(sc, None, None, &[]),
        Err(ReactorError::Engine(websocket::Error::InvalidState(_)))
    ));
    let e = s.r.send(c, OpCode::Ping, true, &[0; 126]).unwrap_err();
    assert_eq!(e.code(), 108);
    assert_eq!(e.detail(), 1002);
    let e = s.r.send(c, OpCode::Text, true, &[0xff]).unwrap_err();
    assert_eq!(e.code(), 114);
    assert!(s.r.close(c, Some(1005), "").is_err());
    s.r.set_option(c, ConnOption::MaxSendSize(3)).unwrap();
    assert_eq!(
        s.r.send(c, OpCode::Binary, true, b"1234")
            .unwrap_err()
            .code(),
        102
    );
    s.r.set_option(c, ConnOption::Nodelay(false)).unwrap();
    assert!(s.r.set_option(424242, ConnOption::Nodelay(false)).is_err());
    // a message over the receiver's limit: 1009 from the engine, then the close handshake
    s.r.send(c, OpCode::Binary, true, b"123").unwrap();
    let sides = &mut [&mut s];
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == b"123")
    );
    sides[0]
        .r
        .set_option(sc, ConnOption::MaxMessageSize(2))
        .unwrap();
    sides[0].r.send(c, OpCode::Binary, true, b"12").unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == b"12")
    );
    sides[0]
        .r
        .set_option(c, ConnOption::MaxSendSize(0))
        .unwrap();
    sides[0]
        .r
        .send(c, OpCode::Binary, true, b"toolong")
        .unwrap();
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Error { conn, .. } if *conn == sc),
        ReactorEvent::Error { code: 1009, .. }
    ));
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Close { conn, .. } if *conn == c),
        ReactorEvent::Close { code: 1009, .. }
    ));
    wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == sc);
    wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == c);
}

#[test]
fn client_rejects_a_bad_server_answer() {
    let raw = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = raw.local_addr().unwrap().port();
    let mut s = Side::new();
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    s.pump(Duration::from_millis(10));
    let (mut t, _) = raw.accept().unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    read_head(&mut t);
    t.write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n").unwrap();
    let sides = &mut [&mut s];
    match wait!(sides, 0, ReactorEvent::Error { .. }) {
        ReactorEvent::Error {
            conn,
            code,
            message,
        } => {
            assert_eq!((conn, code), (c, 502));
            assert!(message.contains("Sec-WebSocket-Accept"), "{message}");
        }
        _ => unreachable!(),
    }
    wait!(sides, 0, ReactorEvent::Closed { code: 1006, .. });
    assert!(read_to_eof(&mut t).is_empty());

    // the server hangs up during the handshake
    let c = sides[0]
        .r
        .connect("127.0.0.1", port, client_cfg("/", &[]), None)
        .unwrap();
    sides[0].pump(Duration::from_millis(10));
    let (t, _) = raw.accept().unwrap();
    t.shutdown(Shutdown::Both).unwrap();
    drop(t);
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Error { .. }), ReactorEvent::Error { conn, code: 1006, .. } if conn == c)
    );
    wait!(sides, 0, ReactorEvent::Closed { .. });
}

#[test]
fn frames_in_the_same_segment_as_the_handshake_are_not_lost() {
    // A raw client sends its request and a masked text frame in one write.
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .to_vec();
    req.extend_from_slice(&[
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    t.write_all(&req).unwrap();
    let sides = &mut [&mut s];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    // more arrives while the caller decides (no new edge will be read until accept)
    t.write_all(&[0x82, 0x81, 0, 0, 0, 0, 9]).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert!(sides[0]
        .r
        .poll(Some(Duration::from_millis(20)))
        .unwrap()
        .is_empty());
    sides[0].r.accept(sc, None, None, &[]).unwrap();
    wait!(sides, 0, ReactorEvent::Open { .. });
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Text { .. }), ReactorEvent::Text { data, .. } if data == b"Hello")
    );
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Binary { .. }), ReactorEvent::Binary { data, .. } if data == [9])
    );
    // unmasked frames are accepted by default, refused when strict
    t.write_all(&[0x81, 0x02, b'h', b'i']).unwrap();
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Text { .. }), ReactorEvent::Text { data, .. } if data == b"hi")
    );
    sides[0]
        .r
        .set_option(sc, ConnOption::AcceptUnmaskedFrames(false))
        .unwrap();
    t.write_all(&[0x81, 0x02, b'h', b'i']).unwrap();
    assert!(matches!(
        wait!(sides, 0, ReactorEvent::Error { .. }),
        ReactorEvent::Error { code: 1002, .. }
    ));
    // the engine failed the connection and closes TCP once its Close is out; Closed
    // reports the code it sent
    match wait!(sides, 0, ReactorEvent::Closed { .. }) {
        ReactorEvent::Closed { code, reason, .. } => {
            assert_eq!(code, 1002);
            assert_eq!(reason, "Unmasked frame from a client");
        }
        _ => unreachable!(),
    }
    t.set_read_timeout(Some(LIMIT)).unwrap();
    assert!(read_head(&mut t).starts_with("HTTP/1.1 101 "));
    let wire = read_to_eof(&mut t);
    assert_eq!(
        &wire[..4],
        &[0x88, 30, 0x03, 0xea],
        "Close 1002 on the wire"
    );
    assert_eq!(&wire[4..], b"Unmasked frame from a client");
}

#[test]
fn fork_is_detected() {
    let mut s = Side::new();
    let (lid, _) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let pid = s.r.pid();
    assert_eq!(pid, std::process::id());

    // A real child: the parent's reactor refuses, a new one works.
    let child = unsafe { libc::fork() };
    assert!(child >= 0);
    if child == 0 {
        let mut code = 0;
        match s.r.poll(Some(Duration::ZERO)) {
            Err(ReactorError::Engine(websocket::Error::InvalidState(m))) if m.contains("fork") => {}
            _ => code |= 1,
        }
        if s.r.unlisten(lid).is_ok() {
            code |= 2;
        }
        match Reactor::new() {
            Ok(mut r) => match r.listen("127.0.0.1", 0, 4) {
                Ok(_) => {}
                Err(_) => code |= 4,
            },
            Err(_) => code |= 8,
        }
        // dropping the parent's reactor in the child touches nothing of the parent's
        drop(std::mem::replace(&mut s.r, Reactor::new().unwrap()));
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
    assert!(libc::WIFEXITED(status), "child crashed: {status}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "child checks failed (bit mask)"
    );
    // The parent's reactor still works, its listener included.
    assert_eq!(s.r.listener_count(), 1);
    let port = s.r.listener_addr(lid).unwrap().port();
    let c =
        s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
            .unwrap();
    let sides = &mut [&mut s];
    wait!(sides, 0, ReactorEvent::Accept { .. });
    // simulated: every operation refuses
    sides[0].r.simulate_fork();
    assert!(sides[0].r.is_foreign());
    let e = sides[0].r.send(c, OpCode::Text, true, b"x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid state: the reactor was created in another process (fork); create a new one in the child"
    );
    assert_eq!(e.code(), 301);
    assert!(sides[0].r.poll(Some(Duration::ZERO)).is_err());
    assert!(sides[0].r.listen("127.0.0.1", 0, 1).is_err());
    assert!(sides[0].r.add_timer(Duration::ZERO, None).is_err());
    assert!(sides[0].r.watch(0, true, false).is_err());
}

fn cpu_time() -> Duration {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Not a test: `cargo test --release --test reactor -- --ignored --nocapture bench` prints the
/// CPU time per echo round trip of a 16-byte text message through two reactors (a server
/// thread that echoes, a client thread that sends and waits), both sides together.
#[test]
#[ignore]
fn bench_echo_round_trips() {
    const N: usize = 100_000;
    let mut server = Reactor::new().unwrap();
    let (_, port) = server.listen("127.0.0.1", 0, 16).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let srv = std::thread::spawn(move || {
        let mut evs = Vec::new();
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            evs.clear();
            server
                .poll_into(Some(Duration::from_millis(50)), &mut evs)
                .unwrap();
            for e in evs.drain(..) {
                match e {
                    ReactorEvent::Request { conn, .. } => {
                        server.accept(conn, None, None, &[]).unwrap()
                    }
                    ReactorEvent::Text { conn, data } => {
                        server.send(conn, OpCode::Text, true, &data).unwrap()
                    }
                    _ => {}
                }
            }
        }
    });
    let mut client = Reactor::new().unwrap();
    let c = client
        .connect("127.0.0.1", port, ClientHandshakeConfig::default(), None)
        .unwrap();
    let mut evs = Vec::new();
    'open: loop {
        evs.clear();
        client
            .poll_into(Some(Duration::from_millis(50)), &mut evs)
            .unwrap();
        for e in &evs {
            if matches!(e, ReactorEvent::Open { .. }) {
                break 'open;
            }
        }
    }
    let msg = b"0123456789abcdef";
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    for _ in 0..N {
        client.send(c, OpCode::Text, true, msg).unwrap();
        'echo: loop {
            evs.clear();
            client.poll_into(None, &mut evs).unwrap();
            for e in &evs {
                if matches!(e, ReactorEvent::Text { .. }) {
                    break 'echo;
                }
            }
        }
    }
    let wall = t0.elapsed();
    let cpu = cpu_time() - cpu0;
    println!(
        "{N} round trips of 16 B, one at a time: {:.2} us CPU per round trip (both reactors, user+sys), {:.2} us wall",
        cpu.as_secs_f64() * 1e6 / N as f64,
        wall.as_secs_f64() * 1e6 / N as f64
    );
    // 64 messages in flight: the cost of the I/O work itself, with fewer wake-ups.
    const W: usize = 64;
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let mut got = 0usize;
    for _ in 0..W {
        client.send(c, OpCode::Text, true, msg).unwrap();
    }
    let mut sent = W;
    while got < N {
        evs.clear();
        client.poll_into(None, &mut evs).unwrap();
        for e in &evs {
            if matches!(e, ReactorEvent::Text { .. }) {
                got += 1;
                if sent < N {
                    client.send(c, OpCode::Text, true, msg).unwrap();
                    sent += 1;
                }
            }
        }
    }
    let wall = t0.elapsed();
    let cpu = cpu_time() - cpu0;
    println!(
        "{N} echoes of 16 B, {W} in flight: {:.2} us CPU per echoed message (both reactors, user+sys), {:.2} us wall",
        cpu.as_secs_f64() * 1e6 / N as f64,
        wall.as_secs_f64() * 1e6 / N as f64
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    srv.join().unwrap();
}

// ---- permessage-deflate (RFC 7692) ----

fn deflate_cfg() -> ReactorConfig {
    let mut cfg = ReactorConfig::default();
    cfg.engine.deflate.enabled = true;
    cfg.engine.max_message_size = 4 << 20;
    cfg
}

/// A raw client offering `offer` to the reactor on `port`; returns the stream and the head
/// of the answer.
fn raw_deflate_client(
    s: &mut Side,
    port: u16,
    offer: &str,
    accept_with: Option<&str>,
) -> (TcpStream, String, Option<String>, u64) {
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(LIMIT)).unwrap();
    write!(
        t,
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Extensions: {offer}\r\n\r\n"
    )
    .unwrap();
    let sc = match wait!(&mut [&mut *s], 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, request } => {
            assert_eq!(request.extensions.as_deref(), Some(offer));
            conn
        }
        _ => unreachable!(),
    };
    s.r.accept(sc, None, accept_with, &[]).unwrap();
    let ext = match wait!(&mut [&mut *s], 0, ReactorEvent::Open { conn, .. } if *conn == sc) {
        ReactorEvent::Open { extensions, .. } => extensions,
        _ => unreachable!(),
    };
    let head = read_head(&mut t);
    (t, head, ext, sc)
}

#[test]
fn rfc7692_two_reactors_negotiate_and_round_trip_a_large_message() {
    let mut server = Side::with(deflate_cfg());
    let mut client = Side::with(deflate_cfg());
    let (_, port) = server.r.listen("127.0.0.1", 0, 16).unwrap();
    let mut hs = client_cfg("/", &[]);
    // the caller's own permessage-deflate element is replaced by the engine's offer
    hs.extensions =
        websocket::handshake::parse_extensions(&["x-foo; a=1, permessage-deflate; bogus"]).unwrap();
    let c = client.r.connect("127.0.0.1", port, hs, None).unwrap();
    let req = String::from_utf8(client.r.pending_handshake(c).unwrap().to_vec()).unwrap();
    assert!(
        req.contains("\r\nSec-WebSocket-Extensions: x-foo; a=1, permessage-deflate; client_max_window_bits\r\n"),
        "{req}"
    );
    let sides = &mut [&mut server, &mut client];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, request } => {
            assert_eq!(
                request.extensions.as_deref(),
                Some("x-foo; a=1, permessage-deflate; client_max_window_bits")
            );
            conn
        }
        _ => unreachable!(),
    };
    sides[0]
        .r
        .set_option(sc, ConnOption::DeflateClientMaxWindowBits(10))
        .unwrap();
    sides[0].r.accept(sc, None, None, &[]).unwrap();
    let want = "permessage-deflate; client_max_window_bits=10";
    assert!(
        matches!(wait!(sides, 0, ReactorEvent::Open { conn, .. } if *conn == sc),
        ReactorEvent::Open { extensions: Some(e), .. } if e == want)
    );
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Open { conn, .. } if *conn == c),
        ReactorEvent::Open { extensions: Some(e), .. } if e == want)
    );
    // settings that shape the negotiation are fixed once it is done
    assert!(matches!(
        sides[0].r.set_option(sc, ConnOption::Deflate(false)),
        Err(ReactorError::Engine(websocket::Error::InvalidState(_)))
    ));
    let text: String = (0..40_000)
        .map(|i| format!("line {} of a compressible text\n", i % 100))
        .collect();
    assert!(text.len() > 1 << 20);
    sides[1]
        .r
        .send(c, OpCode::Text, true, text.as_bytes())
        .unwrap();
    match wait!(sides, 0, ReactorEvent::Text { .. }) {
        ReactorEvent::Text { data, .. } => assert!(data == text.as_bytes()),
        _ => unreachable!(),
    }
    let bin: Vec<u8> = (0..300_000u32).map(|i| (i % 7) as u8).collect();
    sides[0].r.send(sc, OpCode::Binary, true, &bin).unwrap();
    sides[0].r.send(sc, OpCode::Text, true, b"small").unwrap();
    match wait!(sides, 1, ReactorEvent::Binary { .. }) {
        ReactorEvent::Binary { data, .. } => assert!(data == bin),
        _ => unreachable!(),
    }
    assert!(
        matches!(wait!(sides, 1, ReactorEvent::Text { .. }), ReactorEvent::Text { data, .. } if data == b"small")
    );
    sides[1].r.close(c, Some(1000), "").unwrap();
    assert!(matches!(
        wait!(sides, 1, ReactorEvent::Closed { conn, .. } if *conn == c),
        ReactorEvent::Closed { code: 1000, .. }
    ));
    assert!(sides
        .iter()
        .all(|s| s.q.iter().all(|e| !matches!(e, ReactorEvent::Error { .. }))));
}

#[test]
fn rfc7692_server_compresses_on_the_wire_and_answers_its_element_first() {
    let mut s = Side::with(deflate_cfg());
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let (mut t, head, ext, sc) = raw_deflate_client(
        &mut s,
        port,
        "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover, x-foo",
        Some("x-foo, permessage-deflate; server_max_window_bits=15"),
    );
    let want = "permessage-deflate; server_no_context_takeover, x-foo";
    assert!(
        head.contains(&format!("\r\nSec-WebSocket-Extensions: {want}\r\n")),
        "{head}"
    );
    assert_eq!(ext.as_deref(), Some(want));
    let msg = vec![b'a'; 20_000];
    s.r.send(sc, OpCode::Binary, true, &msg).unwrap();
    s.r.send(sc, OpCode::Binary, true, b"tiny").unwrap();
    s.pump(Duration::from_millis(10));
    let mut h = [0u8; 2];
    t.read_exact(&mut h).unwrap();
    assert_eq!(h[0], 0xc2, "FIN, RSV1, binary");
    assert!(
        h[1] < 126,
        "20000 bytes of 'a' compress below 126: {}",
        h[1]
    );
    let mut z = vec![0u8; h[1] as usize];
    t.read_exact(&mut z).unwrap();
    let mut tiny = [0u8; 6];
    t.read_exact(&mut tiny).unwrap();
    assert_eq!(
        tiny,
        [0x82, 0x04, b't', b'i', b'n', b'y'],
        "below the threshold: uncompressed"
    );
}

#[test]
fn rfc7692_server_with_deflate_disabled_never_accepts_it() {
    let mut s = Side::new();
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let (_t, head, ext, _) = raw_deflate_client(
        &mut s,
        port,
        "permessage-deflate",
        Some("permessage-deflate"),
    );
    assert!(!head.contains("Sec-WebSocket-Extensions"), "{head}");
    assert_eq!(ext, None);
    // an invalid extensions value is refused and the request still waits for an answer
    let mut s = Side::with(deflate_cfg());
    let (_, port) = s.r.listen("127.0.0.1", 0, 16).unwrap();
    let _t = raw_ws_client(port);
    let sc = match wait!(&mut [&mut s], 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    assert!(matches!(
        s.r.accept(sc, None, Some("a;"), &[]),
        Err(ReactorError::Engine(websocket::Error::InvalidArgument(_)))
    ));
    s.r.accept(sc, None, Some("x-foo"), &[]).unwrap();
}

#[test]
fn rfc7692_client_requiring_deflate_fails_1010_against_a_server_without_it() {
    let mut server = Side::new();
    let mut cfg = deflate_cfg();
    cfg.engine.deflate.required = true;
    let mut client = Side::with(cfg);
    let (_, port) = server.r.listen("127.0.0.1", 0, 16).unwrap();
    let c = client
        .r
        .connect("127.0.0.1", port, client_cfg("/", &[]), None)
        .unwrap();
    let sides = &mut [&mut server, &mut client];
    let sc = match wait!(sides, 0, ReactorEvent::Request { .. }) {
        ReactorEvent::Request { conn, .. } => conn,
        _ => unreachable!(),
    };
    sides[0].r.accept(sc, None, None, &[]).unwrap();
    match wait!(sides, 1, ReactorEvent::Error { conn, .. } if *conn == c) {
        ReactorEvent::Error { code, message, .. } => {
            assert_eq!(code, 1010);
            assert!(message.contains("requires"), "{message}");
        }
        _ => unreachable!(),
    }
    assert!(matches!(
        wait!(sides, 1, ReactorEvent::Closed { conn, .. } if *conn == c),
        ReactorEvent::Closed { code: 1010, .. }
    ));
    assert!(!sides[1]
        .q
        .iter()
        .any(|e| matches!(e, ReactorEvent::Open { .. })));
    // the server saw the client's Close with 1010
    match wait!(sides, 0, ReactorEvent::Close { conn, .. } if *conn == sc) {
        ReactorEvent::Close { code, reason, .. } => {
            assert_eq!(code, 1010);
            assert!(reason.contains("permessage-deflate"), "{reason}");
        }
        _ => unreachable!(),
    }
}

#[test]
fn rfc7692_client_fails_1010_on_an_invalid_answer() {
    for (answer, why) in [
        ("permessage-deflate; foo", "unknown parameter"),
        (
            "permessage-deflate; server_max_window_bits=12",
            "above the 10 offered",
        ),
        (
            "permessage-deflate; client_max_window_bits",
            "needs a value",
        ),
    ] {
        let raw = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = raw.local_addr().unwrap().port();
        let mut cfg = deflate_cfg();
        cfg.engine.deflate.server_max_window_bits = 10;
        let mut s = Side::with(cfg);
        let c =
            s.r.connect("127.0.0.1", port, client_cfg("/", &[]), None)
                .unwrap();
        // per connection, before the request is written: the offer is rebuilt
        s.r.set_option(c, ConnOption::DeflateServerNoContextTakeover(true))
            .unwrap();
        s.pump(Duration::from_millis(10));
        assert!(matches!(
            s.r.set_option(c, ConnOption::Deflate(false)),
            Err(ReactorError::Engine(websocket::Error::InvalidState(_)))
        ));
        let (mut t, _) = raw.accept().unwrap();
        t.set_read_timeout(Some(LIMIT)).unwrap();
        let req = read_head(&mut t);
        assert!(req.contains(
            "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits\r\n"
        ), "{req}");
        let key = req
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap()
            .trim()
            .to_owned();
        let accept = websocket::handshake::accept_key(key.as_bytes());
        write!(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Extensions: {answer}; server_no_context_takeover\r\n\r\n").unwrap();
        let sides = &mut [&mut s];
        match wait!(sides, 0, ReactorEvent::Error { conn, .. } if *conn == c) {
            ReactorEvent::Error { code, message, .. } => {
                assert_eq!(code, 1010, "{answer}");
                assert!(message.contains(why), "{answer}: {message}");
            }
            _ => unreachable!(),
        }
        assert!(matches!(
            wait!(sides, 0, ReactorEvent::Closed { conn, .. } if *conn == c),
            ReactorEvent::Closed { code: 1010, .. }
        ));
        // a masked Close with 1010 was sent
        let mut h = [0u8; 4];
        t.read_exact(&mut h).unwrap();
        assert_eq!(h[0], 0x88);
    }
}

mod reactor_tls;
