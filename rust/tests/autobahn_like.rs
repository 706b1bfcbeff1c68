//! Scenarios in the spirit of Autobahn|Testsuite sections 1-7 and 9: the exact bytes a
//! (fuzzing) client sends are fed to a server `Connection` that echoes messages, the way
//! the Autobahn fuzzingclient drives an echo server. The server's output is decoded and
//! compared frame by frame. Case numbers follow Autobahn's.

use websocket::frame::{apply_mask, encode_frame, FrameHeader, OpCode};
use websocket::protocol::{Connection, Event, Role, State};
use websocket::{Config, Error};

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame as the fuzzing client sends it (masked).
fn f(fin: bool, rsv: u8, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    encode_frame(
        &mut v,
        fin,
        rsv,
        OpCode::from_u8(opcode),
        Some(MASK),
        payload,
    );
    v
}

fn text(s: &[u8]) -> Vec<u8> {
    f(true, 0, 1, s)
}

/// What came back from the server, frame by frame.
#[derive(PartialEq, Eq)]
enum Out {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>),
}

impl std::fmt::Debug for Out {
    // Long payloads are shown by length only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = |p: &Vec<u8>| {
            if p.len() > 64 {
                format!("<{} bytes>", p.len())
            } else {
                format!("{p:?}")
            }
        };
        match self {
            Out::Text(p) => write!(f, "Text({})", short(p)),
            Out::Binary(p) => write!(f, "Binary({})", short(p)),
            Out::Pong(p) => write!(f, "Pong({})", short(p)),
            Out::Close(c) => write!(f, "Close({c:?})"),
        }
    }
}

fn decode(mut out: &[u8]) -> Vec<Out> {
    let mut v = Vec::new();
    while !out.is_empty() {
        let (h, n) = FrameHeader::parse(out).unwrap().expect("complete frame");
        assert!(h.mask.is_none(), "a server never masks");
        assert!(h.fin);
        assert_eq!(h.rsv, 0);
        let payload = out[n..n + h.payload_len as usize].to_vec();
        out = &out[n + h.payload_len as usize..];
        v.push(match h.opcode {
            OpCode::Text => Out::Text(payload),
            OpCode::Binary => Out::Binary(payload),
            OpCode::Pong => Out::Pong(payload),
            OpCode::Close if payload.len() >= 2 => {
                Out::Close(Some(u16::from_be_bytes([payload[0], payload[1]])))
            }
            OpCode::Close => Out::Close(None),
            other => panic!("unexpected {other:?}"),
        });
    }
    v
}

/// An echo server (the Autobahn fuzzingclient's peer).
struct Echo {
    s: Connection,
    errors: Vec<Error>,
    closes: Vec<u16>,
}

impl Echo {
    fn new() -> Echo {
        Echo::with(Config::default())
    }

    fn with(config: Config) -> Echo {
        Echo {
            s: Connection::new(Role::Server, config),
            errors: Vec::new(),
            closes: Vec::new(),
        }
    }

    /// Feed bytes in chunks of `chunk` (0 = all at once), echo messages, return the output.
    fn feed_chunked(&mut self, bytes: &[u8], chunk: usize) -> Vec<Out> {
        let size = if chunk == 0 {
            bytes.len().max(1)
        } else {
            chunk
        };
        for piece in bytes.chunks(size) {
            self.s.receive(piece);
            self.drain();
        }
        decode(&self.s.take_output())
    }

    fn feed(&mut self, bytes: &[u8]) -> Vec<Out> {
        self.feed_chunked(bytes, 0)
    }

    fn drain(&mut self) {
        while let Some(e) = self.s.next_event() {
            match e {
                // After a Close went out (e.g. a later frame of the same read failed), the
                // echo is refused with InvalidState, as it would be for any application.
                Event::Text(t) => {
                    let r = self.s.send_text(std::str::from_utf8(&t).unwrap());
                    assert!(r.is_ok() || self.s.close_sent(), "{r:?}");
                }
                Event::Binary(b) => {
                    let r = self.s.send_binary(&b);
                    assert!(r.is_ok() || self.s.close_sent(), "{r:?}");
                }
                Event::Ping(_) | Event::Pong(_) => {}
                Event::Close { code, .. } => self.closes.push(code),
                Event::Error(e) => self.errors.push(e),
            }
        }
    }
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// Whether `actual` is `expected` with some echoed messages missing (Autobahn's
/// "NON-STRICT"): a message that arrived in the same read as a failing frame is reported,
/// but the Close is already queued when the application tries to echo it.
fn non_strict_eq(actual: &[Out], expected: &[Out]) -> bool {
    let mut it = actual.iter().peekable();
    for e in expected {
        match it.peek() {
            Some(a) if *a == e => {
                it.next();
            }
            _ if matches!(e, Out::Text(_) | Out::Binary(_)) => {}
            _ => return false,
        }
    }
    it.next().is_none()
}

/// Run a case in 1-byte chunks (exact output: every message is echoed before the next
/// frame arrives), whole and in 7-byte chunks (non-strict). Returns the whole-read run.
fn run(bytes: &[u8], expected: &[Out]) -> Echo {
    let mut e = Echo::new();
    assert_eq!(e.feed_chunked(bytes, 1), expected, "byte by byte");
    let mut e = Echo::new();
    let out = e.feed_chunked(bytes, 7);
    assert!(non_strict_eq(&out, expected), "7-byte chunks: {out:?}");
    let mut e = Echo::new();
    let out = e.feed(bytes);
    assert!(non_strict_eq(&out, expected), "whole: {out:?}");
    e
}

#[test]
fn case1_framing_text_and_binary_lengths_echo() {
    // 1.1.1-1.1.8 and 1.2.1-1.2.8: 0, 125, 126, 127, 128, 65535, 65536 bytes.
    for len in [0usize, 125, 126, 127, 128, 65535, 65536] {
        let t = vec![b'*'; len];
        let mut e = Echo::new();
        let out = e.feed(&text(&t));
        assert_eq!(out, vec![Out::Text(t.clone())], "text {len}");
        let b = vec![0xfe; len];
        let out = e.feed(&f(true, 0, 2, &b));
        assert_eq!(out, vec![Out::Binary(b)], "binary {len}");
    }
    // 1.1.8: 65536 bytes in 997-byte chops
    let mut e = Echo::new();
    let out = e.feed_chunked(&text(&vec![b'*'; 65536]), 997);
    assert_eq!(out, vec![Out::Text(vec![b'*'; 65536])]);
}

#[test]
fn case2_pings_and_pongs() {
    // 2.1 ping without payload, 2.2 text payload, 2.3 binary payload, 2.4 125 bytes
    run(&f(true, 0, 9, b""), &[Out::Pong(vec![])]);
    run(
        &f(true, 0, 9, b"Hello, world!"),
        &[Out::Pong(b"Hello, world!".to_vec())],
    );
    run(
        &f(true, 0, 9, &[0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff]),
        &[Out::Pong(vec![0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff])],
    );
    run(&f(true, 0, 9, &[0xfe; 125]), &[Out::Pong(vec![0xfe; 125])]);
    // 2.5 ping with 126 bytes: protocol error
    let e = run(&f(true, 0, 9, &[0xfe; 126]), &[Out::Close(Some(1002))]);
    assert_eq!(e.errors, vec![Error::ControlFrameTooLong(126)]);
    // 2.7 unsolicited pong: nothing; 2.8 unsolicited pong with payload: nothing
    run(&f(true, 0, 10, b""), &[]);
    run(&f(true, 0, 10, b"unsolicited pong payload"), &[]);
    // 2.9 unsolicited pong, then ping
    run(
        &cat(&[f(true, 0, 10, b"pong"), f(true, 0, 9, b"ping")]),
        &[Out::Pong(b"ping".to_vec())],
    );
    // 2.10 ten pings
    let pings: Vec<Vec<u8>> = (0..10)
        .map(|i| f(true, 0, 9, format!("payload-{i}").as_bytes()))
        .collect();
    let expected: Vec<Out> = (0..10)
        .map(|i| Out::Pong(format!("payload-{i}").into_bytes()))
        .collect();
    run(&cat(&pings), &expected);
}

#[test]
fn case3_reserved_bits() {
    // 3.1 RSV1 on text
    run(
        &f(true, 0b100, 1, b"Hello, world!"),
        &[Out::Close(Some(1002))],
    );
    // 3.2 RSV2 after a valid text: the first is echoed
    run(
        &cat(&[text(b"Hello, world!"), f(true, 0b010, 1, b"Hello, world!")]),
        &[Out::Text(b"Hello, world!".to_vec()), Out::Close(Some(1002))],
    );
    // 3.3 RSV3 between two texts and a ping: nothing after the error is processed
    run(
        &cat(&[
            text(b"Hello, world!"),
            f(true, 0b011, 1, b"Hello, world!"),
            f(true, 0, 9, b""),
        ]),
        &[Out::Text(b"Hello, world!".to_vec()), Out::Close(Some(1002))],
    );
    // 3.5 RSV on binary, 3.6 on ping, 3.7 on close
    run(&f(true, 0b101, 2, &[0xff; 8]), &[Out::Close(Some(1002))]);
    run(&f(true, 0b110, 9, b"Hello"), &[Out::Close(Some(1002))]);
    let e = run(&f(true, 0b111, 8, b""), &[Out::Close(Some(1002))]);
    assert_eq!(e.errors, vec![Error::ReservedBits(0b111)]);
}

#[test]
fn case4_reserved_opcodes() {
    // 4.1.1-4.1.5: opcodes 3-7; 4.2.1-4.2.5: opcodes 0xB-0xF; with and without payload,
    // after a text and followed by a ping that must not be answered.
    for op in (3..=7u8).chain(0xb..=0xf) {
        run(&f(true, 0, op, b""), &[Out::Close(Some(1002))]);
        let e = run(
            &cat(&[
                text(b"Hello, world!"),
                f(true, 0, op, b"reserved"),
                f(true, 0, 9, b""),
            ]),
            &[Out::Text(b"Hello, world!".to_vec()), Out::Close(Some(1002))],
        );
        assert_eq!(e.errors, vec![Error::ReservedOpcode(op)]);
    }
}

#[test]
fn case5_fragmentation() {
    // 5.1 / 5.2: fragmented ping / pong
    run(
        &cat(&[f(false, 0, 9, b"fragment1"), f(true, 0, 0, b"fragment2")]),
        &[Out::Close(Some(1002))],
    );
    run(
        &cat(&[f(false, 0, 10, b"fragment1"), f(true, 0, 0, b"fragment2")]),
        &[Out::Close(Some(1002))],
    );
    // 5.3 / 5.4 text in two fragments
    run(
        &cat(&[f(false, 0, 1, b"fragment1"), f(true, 0, 0, b"fragment2")]),
        &[Out::Text(b"fragment1fragment2".to_vec())],
    );
    // 5.6 / 5.7 ping between the fragments
    run(
        &cat(&[
            f(false, 0, 1, b"fragment1"),
            f(true, 0, 9, b""),
            f(true, 0, 0, b"fragment2"),
        ]),
        &[Out::Pong(vec![]), Out::Text(b"fragment1fragment2".to_vec())],
    );
    // 5.9 / 5.10 continuation without a message, with FIN set
    let e = run(
        &cat(&[
            f(true, 0, 0, b"non-continuation payload"),
            text(b"Hello, world!"),
        ]),
        &[Out::Close(Some(1002))],
    );
    assert_eq!(e.errors, vec![Error::UnexpectedContinuation]);
    // 5.12 / 5.13 continuation without a message, FIN clear
    run(
        &cat(&[
            f(false, 0, 0, b"non-continuation payload"),
            text(b"Hello, world!"),
        ]),
        &[Out::Close(Some(1002))],
    );
    // 5.15 text in two fragments, then two stray continuations
    run(
        &cat(&[
            f(false, 0, 1, b"fragment1"),
            f(true, 0, 0, b"fragment2"),
            f(false, 0, 0, b"fragment3"),
            f(true, 0, 1, b"fragment4"),
        ]),
        &[
            Out::Text(b"fragment1fragment2".to_vec()),
            Out::Close(Some(1002)),
        ],
    );
    // 5.18 two text starts
    let e = run(
        &cat(&[f(false, 0, 1, b"fragment1"), f(true, 0, 1, b"fragment2")]),
        &[Out::Close(Some(1002))],
    );
    assert_eq!(e.errors, vec![Error::ExpectedContinuation]);
    // 5.19 / 5.20 five fragments with pings in between
    run(
        &cat(&[
            f(false, 0, 1, b"fragment1"),
            f(false, 0, 0, b"fragment2"),
            f(true, 0, 9, b"pongme 1!"),
            f(false, 0, 0, b"fragment3"),
            f(false, 0, 0, b"fragment4"),
            f(true, 0, 9, b"pongme 2!"),
            f(true, 0, 0, b"fragment5"),
        ]),
        &[
            Out::Pong(b"pongme 1!".to_vec()),
            Out::Pong(b"pongme 2!".to_vec()),
            Out::Text(b"fragment1fragment2fragment3fragment4fragment5".to_vec()),
        ],
    );
}

#[test]
fn case6_1_empty_text_fragments() {
    // 6.1.1-6.1.3: empty text, three empty fragments, empty fragments around a payload
    run(&text(b""), &[Out::Text(vec![])]);
    run(
        &cat(&[f(false, 0, 1, b""), f(false, 0, 0, b""), f(true, 0, 0, b"")]),
        &[Out::Text(vec![])],
    );
    run(
        &cat(&[
            f(false, 0, 1, b""),
            f(false, 0, 0, b"middle"),
            f(true, 0, 0, b""),
        ]),
        &[Out::Text(b"middle".to_vec())],
    );
}

#[test]
fn case6_2_valid_utf8_split_anywhere() {
    // 6.2.1-6.2.4: "Hello-µ@ßöäüàá-UTF-8!!" and 𝄞 (4 bytes) in one frame, in two, byte-wise
    let s = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 𝄞".as_bytes();
    run(&text(s), &[Out::Text(s.to_vec())]);
    for split in 1..s.len() {
        run(
            &cat(&[f(false, 0, 1, &s[..split]), f(true, 0, 0, &s[split..])]),
            &[Out::Text(s.to_vec())],
        );
    }
    let mut frames = vec![f(false, 0, 1, &s[..1])];
    for b in &s[1..s.len() - 1] {
        frames.push(f(false, 0, 0, std::slice::from_ref(b)));
    }
    frames.push(f(true, 0, 0, &s[s.len() - 1..]));
    let mut e = Echo::with(Config {
        max_fragments: 0,
        ..Config::default()
    });
    assert_eq!(e.feed(&cat(&frames)), vec![Out::Text(s.to_vec())]);
}

#[test]
fn case6_3_to_6_x_invalid_utf8_closes_1007() {
    let invalid: &[&[u8]] = &[
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64", // 6.3.1 surrogate
        b"\xf4\x90\x80\x80",     // 6.8: above U+10FFFF
        b"\xc0\xaf",             // 6.9: overlong '/'
        b"\xe0\x80\xaf",         // 6.9: overlong
        b"\xf8\x88\x80\x80\x80", // 6.6: 5-byte sequence
        b"\x80",                 // 6.10: lone continuation byte
        b"\xc2\x41",             // 6.12: missing continuation
        b"\xfe",                 // 6.11: impossible byte
        b"\xed\xbf\xbf",         // 6.14: surrogate U+DFFF
        b"\xe2\x82",             // truncated at the end of the message
    ];
    for bad in invalid {
        let e = run(&text(bad), &[Out::Close(Some(1007))]);
        assert_eq!(e.errors, vec![Error::InvalidUtf8]);
        // also split into fragments, byte by byte
        let mut frames = vec![f(false, 0, 1, b"ok")];
        for b in bad.iter() {
            frames.push(f(false, 0, 0, std::slice::from_ref(b)));
        }
        frames.push(f(true, 0, 0, b""));
        run(&cat(&frames), &[Out::Close(Some(1007))]);
    }
}

#[test]
fn case6_4_invalid_utf8_fails_fast() {
    // 6.4.1: three fragments, the second holds the invalid code point; the server must
    // fail before the third arrives.
    let mut e = Echo::new();
    let out = e.feed(&f(false, 0, 1, "κόσμε".as_bytes()));
    assert_eq!(out, vec![]);
    let out = e.feed(&f(false, 0, 0, b"\xf4\x90\x80\x80"));
    assert_eq!(out, vec![Out::Close(Some(1007))]);
    assert_eq!(e.s.state(), State::Closing);
    assert_eq!(e.feed(&f(true, 0, 0, b"edited")), vec![]);

    // 6.4.3 / 6.4.4: one frame, announced whole but delivered in pieces; the invalid bytes
    // are in the second piece and the frame's end never arrives.
    let payload = ["κόσμε".as_bytes(), b"\xf4\x90\x80\x80", b"edited"].concat();
    let frame = text(&payload);
    let header_len = frame.len() - payload.len();
    let mut e = Echo::new();
    assert_eq!(e.feed(&frame[..header_len + 3]), vec![]);
    assert_eq!(
        e.feed(&frame[header_len + 3..header_len + "κόσμε".len() + 2]),
        vec![Out::Close(Some(1007))]
    );
}

#[test]
fn case7_1_close_handling() {
    // 7.1.1 echo then close
    let e = run(
        &cat(&[text(b"Hello World!"), f(true, 0, 8, &1000u16.to_be_bytes())]),
        &[Out::Text(b"Hello World!".to_vec()), Out::Close(Some(1000))],
    );
    assert_eq!(e.closes, vec![1000]);
    assert_eq!(e.s.state(), State::Closed);
    assert!(e.s.should_close_transport());
    // 7.1.2 close twice, 7.1.3 ping after close, 7.1.4 text after close: all ignored
    run(
        &cat(&[
            f(true, 0, 8, &1000u16.to_be_bytes()),
            f(true, 0, 8, &1000u16.to_be_bytes()),
        ]),
        &[Out::Close(Some(1000))],
    );
    run(
        &cat(&[f(true, 0, 8, &1000u16.to_be_bytes()), f(true, 0, 9, b"")]),
        &[Out::Close(Some(1000))],
    );
    run(
        &cat(&[f(true, 0, 8, &1000u16.to_be_bytes()), text(b"Hello World!")]),
        &[Out::Close(Some(1000))],
    );
    // 7.1.5 fragment, close, rest of the message
    run(
        &cat(&[
            f(false, 0, 1, b"fragment1"),
            f(true, 0, 8, &1000u16.to_be_bytes()),
            f(true, 0, 0, b"fragment2"),
        ]),
        &[Out::Close(Some(1000))],
    );
    // 7.1.6 a large message, then (next read) a close and a ping: the message is echoed,
    // the close answered, the ping ignored
    let big = vec![b'B'; 256 * 1024];
    let mut e = Echo::with(Config {
        max_message_size: 0,
        ..Config::default()
    });
    let mut out = e.feed(&text(&big));
    out.extend(e.feed(&cat(&[
        f(true, 0, 8, &1000u16.to_be_bytes()),
        f(true, 0, 9, b""),
    ])));
    assert!(
        out == vec![Out::Text(big.clone()), Out::Close(Some(1000))],
        "{out:?}"
    );
    // all in one read: the Close reply is queued before the application can echo
    // (Autobahn's NON-STRICT outcome)
    let mut e = Echo::with(Config {
        max_message_size: 0,
        ..Config::default()
    });
    let out = e.feed(&cat(&[
        text(&big),
        f(true, 0, 8, &1000u16.to_be_bytes()),
        f(true, 0, 9, b""),
    ]));
    assert!(
        non_strict_eq(&out, &[Out::Text(big), Out::Close(Some(1000))]),
        "{out:?}"
    );
}

#[test]
fn case7_3_close_payloads() {
    // 7.3.1 empty close: echoed empty
    let e = run(&f(true, 0, 8, b""), &[Out::Close(None)]);
    assert_eq!(e.closes, vec![1005]);
    // 7.3.2 one byte: protocol error
    let e = run(&f(true, 0, 8, b"\x03"), &[Out::Close(Some(1002))]);
    assert_eq!(e.errors, vec![Error::InvalidClosePayload]);
    // 7.3.3 code only, 7.3.4 code and reason, 7.3.5 code and 123-byte reason
    run(
        &f(true, 0, 8, &1000u16.to_be_bytes()),
        &[Out::Close(Some(1000))],
    );
    run(
        &f(true, 0, 8, b"\x03\xe8Hello World!"),
        &[Out::Close(Some(1000))],
    );
    run(
        &f(true, 0, 8, &[&b"\x03\xe8"[..], &[b'*'; 123]].concat()),
        &[Out::Close(Some(1000))],
    );
    // 7.3.6 code and 124-byte reason: a control frame of 126 bytes
    run(
        &f(true, 0, 8, &[&b"\x03\xe8"[..], &[b'*'; 124]].concat()),
        &[Out::Close(Some(1002))],
    );
    // 7.5.1 invalid UTF-8 in the reason
    let e = run(&f(true, 0, 8, b"\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"), &[Out::Close(Some(1007))]);
    assert_eq!(e.errors, vec![Error::InvalidUtf8]);
}

#[test]
fn case7_7_and_7_9_close_codes() {
    // 7.7.x valid codes are echoed
    for code in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ] {
        let e = run(
            &f(true, 0, 8, &code.to_be_bytes()),
            &[Out::Close(Some(code))],
        );
        assert_eq!(e.closes, vec![code]);
    }
    // 7.9.x invalid codes are a protocol error
    for code in [
        0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] {
        let e = run(
            &f(true, 0, 8, &code.to_be_bytes()),
            &[Out::Close(Some(1002))],
        );
        assert_eq!(e.errors, vec![Error::InvalidCloseCode(code)]);
    }
}

#[test]
fn case9_limits_and_large_messages() {
    // 9.1.x-like: 4 MiB text and binary messages with the limit raised, in 64 KiB frames
    let mut e = Echo::with(Config {
        max_message_size: 8 << 20,
        max_fragments: 0,
        ..Config::default()
    });
    let msg = vec![b'x'; 4 << 20];
    let mut frames = Vec::new();
    let chunks: Vec<&[u8]> = msg.chunks(65536).collect();
    for (i, c) in chunks.iter().enumerate() {
        frames.push(f(i + 1 == chunks.len(), 0, if i == 0 { 1 } else { 0 }, c));
    }
    assert_eq!(
        e.feed_chunked(&cat(&frames), 4096),
        vec![Out::Text(msg.clone())]
    );
    // default limit: 1009 as soon as the header is seen
    let frame = f(true, 0, 2, &vec![0; 1 << 20]);
    let mut e = Echo::new();
    assert_eq!(e.feed(&frame[..14]), vec![Out::Close(Some(1009))]);
    assert_eq!(
        e.errors,
        vec![Error::MessageTooBig {
            len: 1 << 20,
            max: 65536
        }]
    );
    // 129 fragments with the default limit of 128
    let mut frames = vec![f(false, 0, 2, b"a")];
    frames.extend((0..127).map(|_| f(false, 0, 0, b"a")));
    frames.push(f(true, 0, 0, b"a"));
    let mut e = Echo::new();
    assert_eq!(e.feed(&cat(&frames)), vec![Out::Close(Some(1009))]);
    assert_eq!(e.errors, vec![Error::TooManyFragments { max: 128 }]);
}

#[test]
fn sec5_1_strict_server_rejects_unmasked_client_frames() {
    let mut v = Vec::new();
    encode_frame(&mut v, true, 0, OpCode::Text, None, b"unmasked");
    let mut e = Echo::new();
    assert_eq!(
        e.feed(&v),
        vec![Out::Text(b"unmasked".to_vec())],
        "accepted by default"
    );
    let mut e = Echo::with(Config {
        accept_unmasked_frames: false,
        ..Config::default()
    });
    assert_eq!(e.feed(&v), vec![Out::Close(Some(1002))]);
    assert_eq!(e.errors, vec![Error::UnmaskedFrame]);
    // masking sanity: apply_mask twice is the identity
    let mut p = b"abcdef".to_vec();
    apply_mask(&mut p, MASK, 1);
    apply_mask(&mut p, MASK, 1);
    assert_eq!(p, b"abcdef");
}
