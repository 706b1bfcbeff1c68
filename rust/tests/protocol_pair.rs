//! A client `Connection` wired to a server `Connection`, bytes pumped both ways (whole
//! buffers, and one byte at a time). No sockets. Named by RFC 6455 section (RFC 7692 for
//! permessage-deflate).
//!
//! A counting allocator (per thread, so parallel tests do not disturb each other) measures
//! the memory of the deflate states and the peak of a deflate bomb.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use websocket::deflate::{Codec, DeflateParams, INFLATE_CHUNK, TAIL};
use websocket::frame::{encode_frame, OpCode};
use websocket::protocol::{Connection, Event, Role, State};
use websocket::{Config, Error};

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(n: isize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get() + n;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: every call goes to the system allocator; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            count(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            count(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(p, l) };
        count(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: as above.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            count(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes allocated and not freed by this thread.
fn live() -> isize {
    LIVE.with(Cell::get)
}

/// Start measuring the peak from now; returns the live bytes now.
fn reset_peak() -> isize {
    let v = live();
    PEAK.with(|p| p.set(v));
    v
}

fn peak() -> isize {
    PEAK.with(Cell::get)
}

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

struct Pair {
    c: Connection,
    s: Connection,
    /// Move bytes one at a time instead of whole buffers.
    bytewise: bool,
    c_events: Vec<Event>,
    s_events: Vec<Event>,
}

impl Pair {
    fn new(bytewise: bool) -> Pair {
        Pair::with_config(Config::default(), bytewise)
    }

    fn with_config(config: Config, bytewise: bool) -> Pair {
        let mut c = Connection::new(Role::Client, config.clone());
        c.set_fixed_mask(Some(MASK));
        let s = Connection::new(Role::Server, config);
        Pair {
            c,
            s,
            bytewise,
            c_events: Vec::new(),
            s_events: Vec::new(),
        }
    }

    fn transfer(from: &mut Connection, to: &mut Connection, bytewise: bool) -> bool {
        if !from.has_output() {
            return false;
        }
        if bytewise {
            // Write what the "socket" takes: one byte per call.
            while from.has_output() {
                let b = from.pending_output()[0];
                from.consume_output(1);
                to.receive(&[b]);
            }
        } else {
            let out = from.take_output();
            to.receive(&out);
        }
        true
    }

    /// Pump until both sides are quiet; collect events.
    fn pump(&mut self) {
        loop {
            let a = Pair::transfer(&mut self.c, &mut self.s, self.bytewise);
            let b = Pair::transfer(&mut self.s, &mut self.c, self.bytewise);
            while let Some(e) = self.c.next_event() {
                self.c_events.push(e);
            }
            while let Some(e) = self.s.next_event() {
                self.s_events.push(e);
            }
            if !a && !b {
                break;
            }
        }
    }

    fn take_c(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.c_events)
    }

    fn take_s(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.s_events)
    }
}

fn both_modes(f: impl Fn(bool)) {
    f(false);
    f(true);
}

#[test]
fn sec5_6_text_binary_and_empty_messages_both_ways() {
    both_modes(|bytewise| {
        let mut p = Pair::new(bytewise);
        p.c.send_text("Hello, ✓").unwrap();
        p.c.send_binary(&[0, 1, 2, 255]).unwrap();
        p.c.send_text("").unwrap();
        p.c.send_binary(&[]).unwrap();
        p.s.send_text("from server").unwrap();
        p.s.send_binary(&[9; 300]).unwrap();
        p.pump();
        assert_eq!(
            p.take_s(),
            vec![
                Event::Text("Hello, ✓".as_bytes().to_vec()),
                Event::Binary(vec![0, 1, 2, 255]),
                Event::Text(vec![]),
                Event::Binary(vec![]),
            ]
        );
        assert_eq!(
            p.take_c(),
            vec![
                Event::Text(b"from server".to_vec()),
                Event::Binary(vec![9; 300])
            ]
        );
        assert_eq!((p.c.state(), p.s.state()), (State::Open, State::Open));
    });
}

#[test]
fn sec10_4_one_mib_message_with_raised_limit() {
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let config = Config {
        max_message_size: 2 << 20,
        ..Config::default()
    };
    let mut p = Pair::with_config(config, false);
    p.c.send_binary(&big).unwrap();
    p.s.send_binary(&big).unwrap();
    p.pump();
    assert_eq!(p.take_s(), vec![Event::Binary(big.clone())]);
    assert_eq!(p.take_c(), vec![Event::Binary(big.clone())]);

    // In 1000-byte writes, too.
    let mut c = Connection::new(Role::Client, Config::default());
    let mut s = Connection::new(
        Role::Server,
        Config {
            max_message_size: 0,
            ..Config::default()
        },
    );
    c.send_binary(&big).unwrap();
    let out = c.take_output();
    for chunk in out.chunks(1000) {
        s.receive(chunk);
    }
    assert_eq!(s.next_event(), Some(Event::Binary(big)));
}

#[test]
fn sec10_4_default_limit_closes_1009() {
    let mut p = Pair::new(false);
    p.c.send_binary(&vec![0; 65537]).unwrap();
    p.pump();
    assert_eq!(
        p.take_s(),
        vec![Event::Error(Error::MessageTooBig {
            len: 65537,
            max: 65536
        })]
    );
    match p.take_c().as_slice() {
        [Event::Close { code: 1009, .. }] => {}
        other => panic!("{other:?}"),
    }
    assert!(p.s.should_close_transport());
}

#[test]
fn sec5_4_fragmented_sends() {
    both_modes(|bytewise| {
        let mut p = Pair::new(bytewise);
        p.c.send_frame(OpCode::Text, false, "Hé".as_bytes())
            .unwrap();
        p.c.send_ping(b"in between").unwrap();
        p.c.send_frame(OpCode::Continuation, false, &"€".as_bytes()[..1])
            .unwrap();
        p.c.send_frame(OpCode::Continuation, true, &"€".as_bytes()[1..])
            .unwrap();
        p.s.send_frame(OpCode::Binary, false, &[1]).unwrap();
        p.s.send_frame(OpCode::Continuation, false, &[]).unwrap();
        p.s.send_frame(OpCode::Continuation, true, &[2, 3]).unwrap();
        p.pump();
        assert_eq!(
            p.take_s(),
            vec![
                Event::Ping(b"in between".to_vec()),
                Event::Text("Hé€".as_bytes().to_vec())
            ]
        );
        // The server's frames were queued before its automatic pong.
        assert_eq!(
            p.take_c(),
            vec![
                Event::Binary(vec![1, 2, 3]),
                Event::Pong(b"in between".to_vec())
            ]
        );
    });
}

#[test]
fn sec5_5_2_ping_gets_automatic_pong_both_ways() {
    both_modes(|bytewise| {
        let mut p = Pair::new(bytewise);
        p.c.send_ping(b"c1").unwrap();
        p.s.send_ping(b"").unwrap();
        p.pump();
        assert_eq!(
            p.take_s(),
            vec![Event::Ping(b"c1".to_vec()), Event::Pong(vec![])]
        );
        assert_eq!(
            p.take_c(),
            vec![Event::Ping(vec![]), Event::Pong(b"c1".to_vec())]
        );
    });
}

#[test]
fn sec7_1_1_close_initiated_by_the_client() {
    both_modes(|bytewise| {
        let mut p = Pair::new(bytewise);
        p.c.close(Some(1000), "bye").unwrap();
        assert_eq!(p.c.state(), State::Closing);
        p.pump();
        assert_eq!(
            p.take_s(),
            vec![Event::Close {
                code: 1000,
                reason: "bye".into()
            }]
        );
        assert_eq!(
            p.take_c(),
            vec![Event::Close {
                code: 1000,
                reason: String::new()
            }]
        );
        assert_eq!((p.c.state(), p.s.state()), (State::Closed, State::Closed));
        // The server closes TCP first; the client waits for it.
        assert!(p.s.should_close_transport());
        assert!(!p.c.should_close_transport());
        p.c.receive_eof();
        assert!(p.c.should_close_transport());
        assert!(p.c.next_event().is_none(), "no 1006 after a clean close");
        assert_eq!(
            (p.s.close_code(), p.s.close_reason()),
            (Some(1000), Some("bye"))
        );
        assert_eq!(p.c.close_code(), Some(1000));
    });
}

#[test]
fn sec7_1_1_close_initiated_by_the_server() {
    both_modes(|bytewise| {
        let mut p = Pair::new(bytewise);
        p.s.close(Some(1001), "restarting").unwrap();
        assert!(!p.s.should_close_transport());
        p.pump();
        assert_eq!(
            p.take_c(),
            vec![Event::Close {
                code: 1001,
                reason: "restarting".into()
            }]
        );
        assert_eq!(
            p.take_s(),
            vec![Event::Close {
                code: 1001,
                reason: String::new()
            }]
        );
        assert_eq!((p.c.state(), p.s.state()), (State::Closed, State::Closed));
        assert!(p.s.should_close_transport());
        assert!(!p.c.should_close_transport());
        p.c.receive_eof();
        assert!(p.c.should_close_transport());
    });
}

#[test]
fn sec7_1_5_close_without_code() {
    let mut p = Pair::new(false);
    p.c.close(None, "").unwrap();
    p.pump();
    assert_eq!(
        p.take_s(),
        vec![Event::Close {
            code: 1005,
            reason: String::new()
        }]
    );
    assert_eq!(
        p.take_c(),
        vec![Event::Close {
            code: 1005,
            reason: String::new()
        }]
    );
}

#[test]
fn sec7_1_3_simultaneous_close() {
    let mut p = Pair::new(false);
    p.c.close(Some(1000), "c").unwrap();
    p.s.close(Some(1001), "s").unwrap();
    p.pump();
    assert_eq!(
        p.take_s(),
        vec![Event::Close {
            code: 1000,
            reason: "c".into()
        }]
    );
    assert_eq!(
        p.take_c(),
        vec![Event::Close {
            code: 1001,
            reason: "s".into()
        }]
    );
    assert!(p.s.should_close_transport());
}

#[test]
fn sec7_1_5_abnormal_closure_when_tcp_drops() {
    let mut p = Pair::new(false);
    p.c.send_text("x").unwrap();
    p.pump();
    assert_eq!(p.take_s(), vec![Event::Text(b"x".to_vec())]);
    p.s.receive_eof();
    assert_eq!(
        p.s.next_event(),
        Some(Event::Close {
            code: 1006,
            reason: String::new()
        })
    );
    assert_eq!(p.s.state(), State::Closed);
    assert!(p.s.should_close_transport());
}

#[test]
fn sec7_4_violations_reach_the_peer_as_close_codes() {
    // Raw client frames the API would refuse to build, injected into the server; the
    // server's Close then travels to the client.
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (raw(true, 0b100, OpCode::Text, b"rsv"), 1002),
        (raw(true, 0, OpCode::Reserved(0xb), b""), 1002),
        (raw(false, 0, OpCode::Ping, b""), 1002),
        (raw(true, 0, OpCode::Continuation, b"x"), 1002),
        (raw(true, 0, OpCode::Text, &[0xc0, 0xaf]), 1007),
        (raw(true, 0, OpCode::Close, &[0x03, 0xec]), 1002),
        (raw(true, 0, OpCode::Binary, &vec![0; 70000]), 1009),
    ];
    for (bytes, code) in cases {
        both_modes(|bytewise| {
            let mut p = Pair::new(bytewise);
            p.s.receive(&bytes);
            p.pump();
            let s_events = p.take_s();
            assert!(
                matches!(s_events.as_slice(), [Event::Error(e)] if e.close_code() == Some(code)),
                "{s_events:?}"
            );
            let c_events = p.take_c();
            assert!(
                matches!(c_events.as_slice(), [Event::Close { code: c, .. }] if *c == code),
                "{c_events:?}"
            );
            assert_eq!(p.s.state(), State::Closing);
            assert!(p.s.should_close_transport());
        });
    }
}

#[test]
fn sec5_1_masked_frame_from_server_closes_1002() {
    let mut p = Pair::new(false);
    p.c.receive(&raw(true, 0, OpCode::Text, b"masked"));
    p.pump();
    assert_eq!(p.take_c(), vec![Event::Error(Error::MaskedFrame)]);
    assert!(matches!(
        p.take_s().as_slice(),
        [Event::Close { code: 1002, .. }]
    ));
    // The server echoed the Close: its handshake is complete.
    assert_eq!(p.s.state(), State::Closed);
    assert!(p.s.should_close_transport());
    assert!(p.c.should_close_transport());
}

#[test]
fn sec5_3_random_masks_round_trip() {
    let mut c = Connection::new(Role::Client, Config::default());
    let mut s = Connection::new(Role::Server, Config::default());
    for i in 0..100u32 {
        c.send_text(&format!("message {i}")).unwrap();
    }
    s.receive(&c.take_output());
    for i in 0..100u32 {
        assert_eq!(
            s.next_event(),
            Some(Event::Text(format!("message {i}").into_bytes()))
        );
    }
}

/// A client frame with the test mask.
fn raw(fin: bool, rsv: u8, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    encode_frame(&mut v, fin, rsv, opcode, Some(MASK), payload);
    v
}

/// RFC 6455 4.1 / 4.2 then 5: the client's handshake, the server's, then the two
/// `Connection`s; the server's first frames travel in the same read as its 101 answer (the
/// handshake's leftover bytes), and a client that pipelines a frame right behind its
/// request has it handed over to the server's `Connection` the same way.
#[test]
fn sec4_handshake_then_connections_with_leftover_bytes() {
    use websocket::handshake::{
        accept_response, ClientHandshake, ClientHandshakeConfig, Limits, ServerHandshake,
    };

    for chunk in [usize::MAX, 1, 5] {
        let config = Config::default();
        let limits = Limits::from(&config);
        let cfg = ClientHandshakeConfig {
            host: "example.com".into(),
            path: "/chat".into(),
            protocols: vec!["chat".into()],
            ..Default::default()
        };
        let mut ch = ClientHandshake::new(cfg, limits).unwrap();
        let mut sh = ServerHandshake::new(limits, vec![13]);

        // Client -> server: the request, and (pipelined) a first frame.
        let mut client = Connection::new(Role::Client, config.clone());
        let mut wire = ch.request_bytes();
        // The client engine exists only once the 101 arrived; build the pipelined frame
        // with a throwaway engine of the same role.
        let mut early = Connection::new(Role::Client, config.clone());
        early.send_text("pipelined").unwrap();
        wire.extend(early.take_output());

        let mut server = Connection::new(Role::Server, config.clone());
        let mut request = None;
        for piece in wire.chunks(chunk.min(wire.len())) {
            match &request {
                None => {
                    if let Some(r) = sh.feed(piece).unwrap() {
                        request = Some(r);
                        server.receive(&sh.take_leftover());
                    }
                }
                Some(_) => server.receive(piece),
            }
        }
        let request = request.expect("complete request");
        assert_eq!(request.path, "/chat");
        assert_eq!(request.protocols, vec!["chat".to_string()]);
        assert_eq!(
            server.next_event(),
            Some(Event::Text(b"pipelined".to_vec()))
        );

        // Server -> client: the 101 and, in the same write, two frames.
        let mut wire = accept_response(&request.key, Some("chat"), &[], &[]);
        server.send_text("welcome").unwrap();
        server.send_ping(b"are you there").unwrap();
        wire.extend(server.take_output());
        let mut response = None;
        for piece in wire.chunks(chunk.min(wire.len())) {
            match &response {
                None => {
                    if let Some(r) = ch.feed(piece).unwrap() {
                        response = Some(r);
                        client.receive(&ch.take_leftover());
                    }
                }
                Some(_) => client.receive(piece),
            }
        }
        let response = response.expect("complete response");
        assert_eq!(response.protocol.as_deref(), Some("chat"));
        assert_eq!(client.next_event(), Some(Event::Text(b"welcome".to_vec())));
        assert_eq!(
            client.next_event(),
            Some(Event::Ping(b"are you there".to_vec()))
        );
        assert_eq!(client.next_event(), None);

        // The automatic pong and a clean close, client first.
        client.close(Some(1000), "done").unwrap();
        server.receive(&client.take_output());
        assert_eq!(
            server.next_event(),
            Some(Event::Pong(b"are you there".to_vec()))
        );
        assert_eq!(
            server.next_event(),
            Some(Event::Close {
                code: 1000,
                reason: "done".into()
            })
        );
        client.receive(&server.take_output());
        assert_eq!(
            client.next_event(),
            Some(Event::Close {
                code: 1000,
                reason: String::new()
            })
        );
        assert!(server.should_close_transport());
        client.receive_eof();
        assert!(client.should_close_transport());
    }
}

// ---- RFC 7692: permessage-deflate between two engines ----

fn params(server_nct: bool, client_nct: bool, bits: u8) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: server_nct,
        client_no_context_takeover: client_nct,
        server_max_window_bits: Some(bits),
        client_max_window_bits: Some(bits),
    }
}

fn deflate_pair(p: DeflateParams, bytewise: bool) -> Pair {
    let config = Config {
        max_message_size: 4 << 20,
        ..Config::default()
    };
    let mut pair = Pair::with_config(config, bytewise);
    for e in [&mut pair.c, &mut pair.s] {
        e.config_mut().deflate.threshold = 1000;
        e.set_deflate(Some(p)).unwrap();
    }
    pair
}

/// Bytes that do not compress (xorshift).
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn prose(n: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < n {
        s.push_str(&format!("message {} says ✓ héllo again; ", i % 37));
        i += 1;
    }
    s
}

/// Whether the first frame of `out` has RSV1 set.
fn rsv1(out: &[u8]) -> bool {
    out[0] & 0x40 != 0
}

#[test]
fn rfc7692_round_trips_for_every_context_takeover_and_window() {
    for server_nct in [false, true] {
        for client_nct in [false, true] {
            for bits in [9, 15] {
                let p = params(server_nct, client_nct, bits);
                let mut pair = deflate_pair(p, false);
                let big = prose(60_000);
                let rnd = noise(20_000, bits as u32);
                for round in 0..3 {
                    // client to server: compressed at and above the threshold only
                    pair.c.send_text(&big).unwrap();
                    assert!(rsv1(pair.c.pending_output()), "{p:?}");
                    let wire = pair.c.pending_output().len();
                    assert!(
                        wire < big.len() / 4,
                        "{p:?}: {wire} bytes for {}",
                        big.len()
                    );
                    pair.pump();
                    pair.c.send_text("short").unwrap();
                    assert!(!rsv1(pair.c.pending_output()));
                    pair.c.send_binary(&rnd).unwrap();
                    pair.c.send_binary(&[7; 1000]).unwrap();
                    pair.pump();
                    assert_eq!(
                        pair.take_s(),
                        vec![
                            Event::Text(big.clone().into_bytes()),
                            Event::Text(b"short".to_vec()),
                            Event::Binary(rnd.clone()),
                            Event::Binary(vec![7; 1000]),
                        ],
                        "{p:?} round {round}"
                    );
                    // server to client
                    pair.s.send_binary(&rnd).unwrap();
                    pair.s.send_text(&big).unwrap();
                    pair.s.send_binary(&[1; 999]).unwrap();
                    pair.pump();
                    assert_eq!(
                        pair.take_c(),
                        vec![
                            Event::Binary(rnd.clone()),
                            Event::Text(big.clone().into_bytes()),
                            Event::Binary(vec![1; 999]),
                        ],
                        "{p:?} round {round}"
                    );
                }
                // the states that must not take context over are gone between messages
                assert_eq!(
                    pair.s.deflate_allocated(),
                    (!server_nct, !client_nct),
                    "{p:?}"
                );
                assert_eq!(
                    pair.c.deflate_allocated(),
                    (!client_nct, !server_nct),
                    "{p:?}"
                );
            }
        }
    }
}

#[test]
fn rfc7692_round_trip_one_byte_at_a_time() {
    let mut pair = deflate_pair(params(false, false, 15), true);
    let big = prose(5_000);
    pair.c.send_text(&big).unwrap();
    pair.s.send_text(&big).unwrap();
    pair.c.send_text(&big).unwrap();
    pair.pump();
    assert_eq!(
        pair.take_s(),
        vec![Event::Text(big.clone().into_bytes()); 2]
    );
    assert_eq!(pair.take_c(), vec![Event::Text(big.into_bytes())]);
}

/// A message compressed as `role` would, sent as frames of the given sizes (the first with
/// RSV1, the continuations without), masked when `role` is the client.
fn fragmented(codec: &mut Codec, role: Role, opcode: OpCode, data: &[u8], parts: usize) -> Vec<u8> {
    let z = codec.compress(data).unwrap();
    let step = z.len().div_ceil(parts).max(1);
    let chunks: Vec<&[u8]> = z.chunks(step).collect();
    let mask = (role == Role::Client).then_some(MASK);
    let mut out = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        let fin = i + 1 == chunks.len();
        let (rsv, op) = if i == 0 {
            (0b100, opcode)
        } else {
            (0, OpCode::Continuation)
        };
        encode_frame(&mut out, fin, rsv, op, mask, c);
    }
    out
}

#[test]
fn rfc7692_fragmented_compressed_messages_are_received() {
    for (server_nct, client_nct, bits) in [
        (false, false, 15),
        (true, true, 9),
        (false, true, 9),
        (true, false, 15),
    ] {
        let p = params(server_nct, client_nct, bits);
        let mut pair = deflate_pair(p, false);
        let mut client_codec = Codec::new(Role::Client, p);
        let mut server_codec = Codec::new(Role::Server, p);
        let big = prose(30_000);
        for parts in [1, 2, 7] {
            let frames = fragmented(
                &mut client_codec,
                Role::Client,
                OpCode::Text,
                big.as_bytes(),
                parts,
            );
            pair.s.receive(&frames);
            let frames = fragmented(
                &mut server_codec,
                Role::Server,
                OpCode::Binary,
                big.as_bytes(),
                parts,
            );
            pair.c.receive(&frames);
        }
        // a ping between the fragments
        let frames = fragmented(
            &mut client_codec,
            Role::Client,
            OpCode::Text,
            big.as_bytes(),
            2,
        );
        let (h, n) = websocket::frame::FrameHeader::parse(&frames)
            .unwrap()
            .unwrap();
        let first = n + h.payload_len as usize;
        pair.s.receive(&frames[..first]);
        pair.s.receive(&raw(true, 0, OpCode::Ping, b"p"));
        pair.s.receive(&frames[first..]);
        pair.pump();
        let mut want = vec![Event::Text(big.clone().into_bytes()); 3];
        want.push(Event::Ping(b"p".to_vec()));
        want.push(Event::Text(big.clone().into_bytes()));
        assert_eq!(pair.take_s(), want, "{p:?}");
        let c_events = pair.take_c();
        assert_eq!(c_events.len(), 4, "{p:?}");
        assert!(c_events[..3]
            .iter()
            .all(|e| *e == Event::Binary(big.clone().into_bytes())));
    }
}

#[test]
fn rfc7692_rsv1_on_a_continuation_or_control_frame_is_1002() {
    let p = params(false, false, 15);
    for bad in [
        [
            raw(false, 0b100, OpCode::Text, b"\xf2\x48"),
            raw(true, 0b100, OpCode::Continuation, b"\xcd\xc9"),
        ]
        .concat(),
        raw(true, 0b100, OpCode::Ping, b""),
        raw(true, 0b100, OpCode::Pong, b""),
        raw(true, 0b100, OpCode::Close, b""),
    ] {
        let mut pair = deflate_pair(p, false);
        pair.s.receive(&bad);
        pair.pump();
        assert_eq!(
            pair.take_s(),
            vec![Event::Error(Error::ReservedBits(0b100))]
        );
        assert!(matches!(
            pair.take_c().as_slice(),
            [Event::Close { code: 1002, .. }]
        ));
    }
}

#[test]
fn rfc7692_invalid_utf8_after_inflating_is_1007() {
    let p = params(false, false, 15);
    let mut pair = deflate_pair(p, false);
    let mut codec = Codec::new(Role::Client, p);
    let mut bad = prose(3000).into_bytes();
    bad[2000] = 0xff;
    let frames = fragmented(&mut codec, Role::Client, OpCode::Text, &bad, 3);
    pair.s.receive(&frames);
    pair.pump();
    assert_eq!(pair.take_s(), vec![Event::Error(Error::InvalidUtf8)]);
    assert!(matches!(
        pair.take_c().as_slice(),
        [Event::Close { code: 1007, .. }]
    ));
}

#[test]
fn rfc7692_deflate_bomb_peak_memory_stays_near_the_limit() {
    // 1 GiB of zeros: one segment of 1 MiB repeated (see the unit test of the same name)
    let seg = Codec::new(Role::Client, DeflateParams::default())
        .compress(&vec![0u8; 1 << 20])
        .unwrap();
    let mut payload = Vec::new();
    for _ in 0..1024 {
        payload.extend_from_slice(&seg);
        payload.extend_from_slice(&TAIL);
    }
    let frame = raw(true, 0b100, OpCode::Binary, &payload);
    let limit = 1usize << 20;
    let mut s = Connection::new(
        Role::Server,
        Config {
            max_message_size: limit as u64,
            ..Config::default()
        },
    );
    s.set_deflate(Some(DeflateParams::default())).unwrap();
    let t0 = std::time::Instant::now();
    let base = reset_peak();
    s.receive(&frame);
    let grown = peak() - base;
    let ev: Vec<Event> = std::iter::from_fn(|| s.next_event()).collect();
    assert!(
        matches!(ev.as_slice(), [Event::Error(Error::MessageTooBig { .. })]),
        "{ev:?}"
    );
    // the message buffer (limit + one chunk) and the inflater (about 40 KiB)
    let bound = (limit + INFLATE_CHUNK + 64 * 1024) as isize;
    eprintln!(
        "bomb: {} bytes on the wire, peak {grown} bytes (bound {bound}), {:?}",
        frame.len(),
        t0.elapsed()
    );
    assert!(grown <= bound, "peak {grown} > {bound}");
    assert!(t0.elapsed() < std::time::Duration::from_secs(20));
}

/// Bytes that `f` leaves allocated.
fn retained(f: impl FnOnce()) -> isize {
    let before = live();
    f();
    live() - before
}

#[test]
fn deflate_memory_per_connection() {
    let msg = prose(64 * 1024).into_bytes();
    let mut report = Vec::new();
    for (nct, bits) in [(false, 15), (false, 9), (true, 15), (true, 9)] {
        let p = params(nct, nct, bits);
        let mut s = Connection::new(Role::Server, Config::default());
        s.config_mut().deflate.threshold = 0;
        s.set_deflate(Some(p)).unwrap();
        let mut c = Connection::new(
            Role::Client,
            Config {
                max_message_size: 1 << 20,
                ..Config::default()
            },
        );
        c.set_deflate(Some(p)).unwrap();
        let mut wire = Vec::new();
        let compressor = retained(|| {
            s.send_binary(&msg).unwrap();
            wire = s.take_output();
        }) - wire.capacity() as isize;
        let inflater = retained(|| {
            c.receive(&wire);
            assert!(matches!(c.next_event(), Some(Event::Binary(b)) if b == msg));
            c.shrink_buffers();
        });
        report.push(format!(
            "window {bits}, no_context_takeover {nct}: compressor {compressor} B, inflater {inflater} B"
        ));
        if nct {
            assert!(compressor < 1024 && inflater < 1024, "{report:?}");
        } else {
            assert!(
                compressor > 64 * 1024 && compressor < 600 * 1024,
                "{report:?}"
            );
            assert!(inflater > 512 && inflater < 80 * 1024, "{report:?}");
        }
    }
    eprintln!("{}", report.join("\n"));
}
