//! The shared frame vectors of `t/data/frame-vectors.tsv` (also read by the Perl tests).
//!
//! Format (tab-separated; lines starting with `#` are comments, then a column header line):
//! `name opcode fin rsv mask payload frame`
//! - `mask`: 8 hex digits or `-`;
//! - `payload`: `hex:<bytes>` or `pattern:<n>`, the n bytes `(i * 31 + 7) % 256`, i = 0..n;
//! - `frame`: `hex:<whole frame>` or `prefix:<header incl. mask key>;sha256:<whole frame>`.
//!
//! For every vector: `encode_frame` gives the expected bytes, `FrameHeader::parse` round-trips,
//! the `Assembler` decodes the frame back to the payload, and incomplete prefixes give `None`
//! without consuming anything.

use sha2::{Digest, Sha256};
use websocket::frame::{encode_frame, Assembler, FrameHeader, OpCode, MAX_HEADER_LEN};
use websocket::Error;

#[derive(Debug)]
enum Expected {
    Bytes(Vec<u8>),
    Digest { prefix: Vec<u8>, sha256: Vec<u8> },
}

#[derive(Debug)]
struct Vector {
    name: String,
    opcode: u8,
    fin: bool,
    rsv: u8,
    mask: Option<[u8; 4]>,
    payload: Vec<u8>,
    frame: Expected,
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The deterministic payload `pattern:<n>`: byte i is `(i * 31 + 7) % 256`.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 31 + 7) % 256) as u8).collect()
}

fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/t/data/frame-vectors.tsv");
    let text = std::fs::read_to_string(path).expect("read t/data/frame-vectors.tsv");
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    assert_eq!(
        lines.next(),
        Some("name\topcode\tfin\trsv\tmask\tpayload\tframe")
    );
    let mut out = Vec::new();
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 7, "{line}");
        let mask = match cols[4] {
            "-" => None,
            m => Some(<[u8; 4]>::try_from(unhex(m)).expect("4-byte mask")),
        };
        let payload = if let Some(h) = cols[5].strip_prefix("hex:") {
            unhex(h)
        } else if let Some(n) = cols[5].strip_prefix("pattern:") {
            pattern(n.parse().expect("pattern length"))
        } else {
            panic!("bad payload column {}", cols[5]);
        };
        let frame = if let Some(h) = cols[6].strip_prefix("hex:") {
            Expected::Bytes(unhex(h))
        } else {
            let rest = cols[6].strip_prefix("prefix:").expect("hex: or prefix:");
            let (prefix, digest) = rest.split_once(";sha256:").expect(";sha256:");
            Expected::Digest {
                prefix: unhex(prefix),
                sha256: unhex(digest),
            }
        };
        out.push(Vector {
            name: cols[0].to_string(),
            opcode: cols[1].parse().unwrap(),
            fin: cols[2] == "1",
            rsv: cols[3].parse().unwrap(),
            mask,
            payload,
            frame,
        });
    }
    out
}

fn vector(name: &str) -> Vector {
    vectors()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// Prefix lengths to try as "incomplete": all of them for small frames, a sample otherwise.
fn prefix_lengths(frame_len: usize, header_len: usize) -> Vec<usize> {
    if frame_len <= 600 {
        return (0..frame_len).collect();
    }
    let mut v: Vec<usize> = (0..=header_len + 2).collect();
    v.extend([frame_len / 2, frame_len - 3, frame_len - 1]);
    v
}

fn check(v: &Vector) {
    let name = &v.name;
    let opcode = OpCode::from_u8(v.opcode);
    assert_eq!(opcode.as_u8(), v.opcode, "{name}: opcode");

    // Encoding.
    let mut frame = Vec::new();
    encode_frame(&mut frame, v.fin, v.rsv, opcode, v.mask, &v.payload);
    match &v.frame {
        Expected::Bytes(b) => assert!(frame == *b, "{name}: encode_frame gives {frame:02x?}"),
        Expected::Digest { prefix, sha256 } => {
            assert_eq!(&frame[..prefix.len()], &prefix[..], "{name}: header");
            assert_eq!(
                Sha256::digest(&frame).as_slice(),
                &sha256[..],
                "{name}: sha256"
            );
        }
    }

    // Header parse round trip.
    let (h, hlen) = FrameHeader::parse(&frame)
        .unwrap()
        .expect("complete header");
    assert_eq!(h.fin, v.fin, "{name}");
    assert_eq!(h.rsv, v.rsv, "{name}");
    assert_eq!(h.opcode, opcode, "{name}");
    assert_eq!(h.mask, v.mask, "{name}");
    assert_eq!(h.payload_len, v.payload.len() as u64, "{name}");
    assert_eq!(hlen, h.encoded_len(), "{name}");
    assert!(hlen <= MAX_HEADER_LEN);
    assert_eq!(hlen + v.payload.len(), frame.len(), "{name}");
    let mut reencoded = Vec::new();
    h.encode(&mut reencoded);
    assert_eq!(reencoded, frame[..hlen], "{name}: header re-encoding");
    if let Expected::Digest { prefix, .. } = &v.frame {
        assert_eq!(prefix.len(), hlen, "{name}: the prefix is the whole header");
    }
    for i in 0..hlen {
        assert_eq!(
            FrameHeader::parse(&frame[..i]).unwrap(),
            None,
            "{name}: header prefix {i}"
        );
    }

    // Assembler: the whole frame. A frame with FIN clear is stored as a fragment; an empty
    // final continuation frame completes it.
    let decode = |a: &mut Assembler| -> websocket::frame::Message {
        if v.fin {
            a.next().unwrap().expect("a message")
        } else {
            assert_eq!(a.next().unwrap(), None, "{name}: fragment stored");
            assert_eq!(a.pending_fragments(), 1, "{name}");
            assert_eq!(a.pending_opcode(), Some(opcode), "{name}");
            a.append(&[0x80, 0x00]);
            a.next().unwrap().expect("the message")
        }
    };
    let mut a = Assembler::new(0, 0);
    a.append(&frame);
    let m = decode(&mut a);
    assert_eq!(m.opcode, opcode, "{name}");
    assert_eq!(m.masked, v.mask.is_some() && v.fin, "{name}");
    if v.fin {
        assert_eq!(m.rsv, v.rsv, "{name}");
    }
    assert!(m.payload == v.payload, "{name}: payload");
    assert_eq!(a.buffered(), 0, "{name}");
    assert_eq!(a.next().unwrap(), None, "{name}");

    // Incomplete prefixes: None, nothing consumed; then the rest completes the frame.
    for k in prefix_lengths(frame.len(), hlen) {
        let mut a = Assembler::new(0, 0);
        a.append(&frame[..k]);
        assert_eq!(a.next().unwrap(), None, "{name}: prefix {k}");
        assert_eq!(a.buffered(), k, "{name}: prefix {k} consumed something");
        assert_eq!(a.next().unwrap(), None, "{name}: prefix {k} again");
        a.append(&frame[k..]);
        assert!(
            decode(&mut a).payload == v.payload,
            "{name}: prefix {k} then rest"
        );
    }

    // Limits: one byte under the payload length refuses the frame on its header (a limit of
    // 0 would mean unlimited, hence at least 2 bytes).
    if v.payload.len() >= 2 {
        let max = v.payload.len() as u64 - 1;
        let mut a = Assembler::new(max, 0);
        a.append(&frame[..hlen]);
        let len = v.payload.len() as u64;
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig { len, max },
            "{name}"
        );
        assert_eq!(a.buffered(), 0, "{name}");
    }
}

#[test]
fn all_vectors() {
    let vs = vectors();
    assert!(vs.len() >= 60, "only {} vectors", vs.len());
    let mut names = std::collections::HashSet::new();
    for v in &vs {
        assert!(names.insert(v.name.clone()), "duplicate vector {}", v.name);
        check(v);
    }
    // Coverage the file promises.
    for op in [0u8, 1, 2, 8, 9, 10] {
        for masked in [false, true] {
            assert!(
                vs.iter()
                    .any(|v| v.opcode == op && v.mask.is_some() == masked),
                "opcode {op}"
            );
        }
    }
    for len in [0usize, 1, 125, 126, 65535, 65536, 1 << 20] {
        for masked in [false, true] {
            assert!(
                vs.iter()
                    .any(|v| v.payload.len() == len && v.mask.is_some() == masked),
                "len {len}"
            );
        }
    }
    for rsv in 1..=7 {
        assert!(vs.iter().any(|v| v.rsv == rsv), "rsv {rsv}");
    }
    assert!(vs.iter().any(|v| !v.fin));
}

#[test]
fn all_vectors_in_one_stream() {
    // Every vector back to back, delivered in odd-sized chunks, decoded by one assembler.
    let vs = vectors();
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for v in &vs {
        let op = OpCode::from_u8(v.opcode);
        encode_frame(&mut stream, v.fin, v.rsv, op, v.mask, &v.payload);
        if !v.fin {
            encode_frame(&mut stream, true, 0, OpCode::Continuation, None, b"");
        }
        expected.push((op, v.payload.clone()));
    }
    let mut a = Assembler::new(0, 0);
    let mut got = Vec::new();
    for chunk in stream.chunks(4093) {
        a.append(chunk);
        while let Some(m) = a.next().unwrap() {
            got.push((m.opcode, m.payload));
        }
    }
    assert_eq!(got.len(), expected.len());
    assert!(got == expected);
}

#[test]
fn rfc6455_5_7_single_frame_unmasked_text() {
    let v = vector("rfc6455_5_7_single_frame_unmasked_text");
    assert_eq!(v.payload, b"Hello");
    assert!(
        matches!(&v.frame, Expected::Bytes(b) if b == &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    );
    check(&v);
}

#[test]
fn rfc6455_5_7_single_frame_masked_text() {
    let v = vector("rfc6455_5_7_single_frame_masked_text");
    let rfc = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    assert!(matches!(&v.frame, Expected::Bytes(b) if b == &rfc));
    check(&v);
}

#[test]
fn rfc6455_5_7_fragmented_unmasked_text() {
    let first = vector("rfc6455_5_7_fragmented_unmasked_text_first");
    let last = vector("rfc6455_5_7_fragmented_unmasked_text_last");
    assert!(matches!(&first.frame, Expected::Bytes(b) if b == &[0x01, 0x03, 0x48, 0x65, 0x6c]));
    assert!(matches!(&last.frame, Expected::Bytes(b) if b == &[0x80, 0x02, 0x6c, 0x6f]));
    check(&first);
    check(&last);
    let mut a = Assembler::new(65536, 128);
    a.append(&[0x01, 0x03, 0x48, 0x65, 0x6c]);
    assert_eq!(a.next().unwrap(), None);
    a.append(&[0x80, 0x02, 0x6c, 0x6f]);
    let m = a.next().unwrap().unwrap();
    assert_eq!((m.opcode, &m.payload[..]), (OpCode::Text, &b"Hello"[..]));
}

#[test]
fn rfc6455_5_7_unmasked_ping() {
    let v = vector("rfc6455_5_7_unmasked_ping");
    assert!(
        matches!(&v.frame, Expected::Bytes(b) if b == &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    );
    check(&v);
}

#[test]
fn rfc6455_5_7_masked_pong() {
    let v = vector("rfc6455_5_7_masked_pong");
    let rfc = [
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    assert!(matches!(&v.frame, Expected::Bytes(b) if b == &rfc));
    check(&v);
}

#[test]
fn rfc6455_5_7_256_bytes_binary_unmasked() {
    let v = vector("rfc6455_5_7_256_bytes_binary_unmasked");
    assert!(
        matches!(&v.frame, Expected::Bytes(b) if b[..4] == [0x82, 0x7E, 0x01, 0x00] && b.len() == 260)
    );
    check(&v);
}

#[test]
fn rfc6455_5_7_64kib_binary_unmasked() {
    let v = vector("rfc6455_5_7_64KiB_binary_unmasked");
    let hdr = [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0];
    assert!(matches!(&v.frame, Expected::Digest { prefix, .. } if prefix == &hdr));
    check(&v);
}

#[test]
fn rfc6455_5_2_close_frame_with_code_and_reason() {
    let v = vector("close_1000_with_reason_masked");
    assert_eq!(v.opcode, 8);
    assert_eq!(&v.payload[..2], &1000u16.to_be_bytes());
    assert_eq!(&v.payload[2..], b"Normal closure");
    check(&v);
}

#[test]
fn pattern_formula() {
    assert_eq!(pattern(10), [7, 38, 69, 100, 131, 162, 193, 224, 255, 30]);
}
