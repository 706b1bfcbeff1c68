//! Opcodes and the frame header of RFC 6455 section 5.2.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! ```

use super::mask::apply_mask;
use crate::error::{Error, Result};

/// A frame opcode (the low 4 bits of the first header byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// 0x0: a continuation fragment.
    Continuation,
    /// 0x1: a text frame.
    Text,
    /// 0x2: a binary frame.
    Binary,
    /// 0x8: connection close.
    Close,
    /// 0x9: ping.
    Ping,
    /// 0xA: pong.
    Pong,
    /// 0x3-0x7 and 0xB-0xF: reserved by RFC 6455 (the value is the 4-bit opcode).
    Reserved(u8),
}

impl OpCode {
    /// The opcode of a 4-bit value. Only the low 4 bits of `b` are used, so
    /// `from_u8(b).as_u8() == b & 0x0F` for every `b`.
    #[inline]
    pub fn from_u8(b: u8) -> OpCode {
        match b & 0x0F {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            other => OpCode::Reserved(other),
        }
    }

    /// The 4-bit wire value.
    #[inline]
    pub fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
            OpCode::Reserved(b) => b & 0x0F,
        }
    }

    /// Whether this is a control opcode (bit 0x8 set: close, ping, pong and 0xB-0xF).
    #[inline]
    pub fn is_control(self) -> bool {
        self.as_u8() & 0x08 != 0
    }

    /// Whether RFC 6455 reserves this opcode (0x3-0x7, 0xB-0xF).
    #[inline]
    pub fn is_reserved(self) -> bool {
        matches!(self, OpCode::Reserved(_))
    }
}

impl From<u8> for OpCode {
    fn from(b: u8) -> Self {
        OpCode::from_u8(b)
    }
}

impl From<OpCode> for u8 {
    fn from(op: OpCode) -> Self {
        op.as_u8()
    }
}

/// The longest possible header: 2 bytes, a 64-bit length and a mask key.
pub const MAX_HEADER_LEN: usize = 14;

/// A parsed (or to be encoded) frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// FIN: the last frame of a message.
    pub fin: bool,
    /// The three RSV bits: `0b100` = RSV1, `0b010` = RSV2, `0b001` = RSV3.
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, when the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// The payload length (at most `2^63 - 1`).
    pub payload_len: u64,
}

impl FrameHeader {
    /// Parse a header at the start of `buf`.
    ///
    /// - `Ok(None)`: more bytes are needed (nothing is ever consumed; `buf` is not modified).
    /// - `Ok(Some((header, header_len)))`: the payload starts at `buf[header_len..]`.
    /// - `Err(Error::InvalidLength)`: a 64-bit length with its most significant bit set.
    ///
    /// This is structural only: reserved opcodes, RSV bits, control frame sizes or the
    /// masking direction are not checked here (the connection state machine does that).
    /// Non-minimal length encodings are accepted.
    #[inline]
    pub fn parse(buf: &[u8]) -> Result<Option<(FrameHeader, usize)>> {
        if buf.len() < 2 {
            return Ok(None);
        }
        let b0 = buf[0];
        let b1 = buf[1];
        let (payload_len, mut off) = match b1 & 0x7F {
            126 => {
                if buf.len() < 4 {
                    return Ok(None);
                }
                (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4)
            }
            127 => {
                if buf.len() < 10 {
                    return Ok(None);
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&buf[2..10]);
                let len = u64::from_be_bytes(b);
                if len >> 63 != 0 {
                    return Err(Error::InvalidLength);
                }
                (len, 10)
            }
            n => (u64::from(n), 2),
        };
        let mask = if b1 & 0x80 != 0 {
            if buf.len() < off + 4 {
                return Ok(None);
            }
            let m = [buf[off], buf[off + 1], buf[off + 2], buf[off + 3]];
            off += 4;
            Some(m)
        } else {
            None
        };
        Ok(Some((
            FrameHeader {
                fin: b0 & 0x80 != 0,
                rsv: (b0 >> 4) & 0x07,
                opcode: OpCode::from_u8(b0),
                mask,
                payload_len,
            },
            off,
        )))
    }

    /// Length of the encoded header (2..=14): minimal length encoding plus the mask key.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        let len = match self.payload_len {
            0..=125 => 2,
            126..=0xFFFF => 4,
            _ => 10,
        };
        if self.mask.is_some() {
            len + 4
        } else {
            len
        }
    }

    /// Append the header bytes (including the mask key) to `out`, with the minimal length
    /// encoding. Only the low 3 bits of `rsv` are used. A `payload_len` with its most
    /// significant bit set cannot be represented and is a caller bug (debug assertion).
    #[inline]
    pub fn encode(&self, out: &mut Vec<u8>) {
        debug_assert!(self.payload_len >> 63 == 0, "payload length over 2^63 - 1");
        let mut h = [0u8; MAX_HEADER_LEN];
        h[0] = (u8::from(self.fin) << 7) | ((self.rsv & 0x07) << 4) | self.opcode.as_u8();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let mut n = match self.payload_len {
            len @ 0..=125 => {
                h[1] = mask_bit | len as u8;
                2
            }
            len @ 126..=0xFFFF => {
                h[1] = mask_bit | 126;
                h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                4
            }
            len => {
                h[1] = mask_bit | 127;
                h[2..10].copy_from_slice(&len.to_be_bytes());
                10
            }
        };
        if let Some(m) = self.mask {
            h[n..n + 4].copy_from_slice(&m);
            n += 4;
        }
        out.extend_from_slice(&h[..n]);
    }
}

/// Append a whole frame to `out`: the header (with the mask key when `mask` is `Some`) and
/// the payload, masked with `mask` when `Some`. Minimal length encoding; only the low 3 bits
/// of `rsv` are used. Size limits are the caller's business.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    payload: &[u8],
) {
    let header = FrameHeader {
        fin,
        rsv,
        opcode,
        mask,
        payload_len: payload.len() as u64,
    };
    out.reserve(header.encoded_len() + payload.len());
    header.encode(out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(m) = mask {
        apply_mask(&mut out[start..], m, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(fin: bool, rsv: u8, opcode: OpCode, mask: Option<[u8; 4]>, len: u64) -> FrameHeader {
        FrameHeader {
            fin,
            rsv,
            opcode,
            mask,
            payload_len: len,
        }
    }

    fn roundtrip(h: FrameHeader) -> Vec<u8> {
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out.len(), h.encoded_len());
        let (p, n) = FrameHeader::parse(&out).unwrap().unwrap();
        assert_eq!((p, n), (h, out.len()));
        // Extra bytes after the header do not matter.
        let mut longer = out.clone();
        longer.extend_from_slice(&[0xAA; 20]);
        assert_eq!(
            FrameHeader::parse(&longer).unwrap().unwrap(),
            (h, out.len())
        );
        // Every strict prefix needs more.
        for i in 0..out.len() {
            assert_eq!(
                FrameHeader::parse(&out[..i]).unwrap(),
                None,
                "prefix {i} of {out:02x?}"
            );
        }
        out
    }

    #[test]
    fn opcodes_round_trip_and_classify() {
        for b in 0u8..=255 {
            let op = OpCode::from_u8(b);
            assert_eq!(op.as_u8(), b & 0x0F);
            assert_eq!(op.is_control(), b & 0x08 != 0);
            assert_eq!(
                op.is_reserved(),
                !matches!(b & 0x0F, 0 | 1 | 2 | 8 | 9 | 10)
            );
        }
        assert_eq!(OpCode::from_u8(1), OpCode::Text);
        assert_eq!(OpCode::from_u8(0xA), OpCode::Pong);
        assert_eq!(OpCode::from_u8(3), OpCode::Reserved(3));
        assert!(OpCode::Close.is_control() && OpCode::Ping.is_control());
        assert!(!OpCode::Continuation.is_control() && !OpCode::Binary.is_control());
    }

    #[test]
    fn length_boundaries_use_minimal_encoding() {
        let cases: &[(u64, usize, u8)] = &[
            (0, 2, 0),
            (1, 2, 1),
            (125, 2, 125),
            (126, 4, 126),
            (127, 4, 126),
            (65535, 4, 126),
            (65536, 10, 127),
            (1 << 32, 10, 127),
            ((1 << 63) - 1, 10, 127),
        ];
        for &(len, hlen, b1) in cases {
            for mask in [None, Some([0x37, 0xfa, 0x21, 0x3d])] {
                let h = hdr(true, 0, OpCode::Binary, mask, len);
                let out = roundtrip(h);
                let extra = if mask.is_some() { 4 } else { 0 };
                assert_eq!(out.len(), hlen + extra, "len {len}");
                assert_eq!(out[1] & 0x7F, b1);
                assert_eq!(out[1] & 0x80 != 0, mask.is_some());
            }
        }
        let mut out = Vec::new();
        hdr(true, 0, OpCode::Binary, None, 65535).encode(&mut out);
        assert_eq!(out, [0x82, 0x7E, 0xFF, 0xFF]);
        out.clear();
        hdr(true, 0, OpCode::Binary, None, 65536).encode(&mut out);
        assert_eq!(out, [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn every_bit_of_the_first_byte() {
        for b0 in 0u8..=255 {
            let h = hdr(b0 & 0x80 != 0, (b0 >> 4) & 7, OpCode::from_u8(b0), None, 5);
            let out = roundtrip(h);
            assert_eq!(out[0], b0);
        }
    }

    #[test]
    fn need_more_at_every_prefix() {
        // 64-bit length with mask: 14 bytes.
        let buf = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4];
        for i in 0..buf.len() {
            assert_eq!(FrameHeader::parse(&buf[..i]).unwrap(), None);
        }
        let (h, n) = FrameHeader::parse(&buf).unwrap().unwrap();
        assert_eq!(n, 14);
        assert_eq!(h.payload_len, 65536);
        assert_eq!(h.mask, Some([1, 2, 3, 4]));
    }

    #[test]
    fn msb_of_64_bit_length_is_an_error() {
        let buf = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(FrameHeader::parse(&buf), Err(Error::InvalidLength));
        // Reported as soon as the length is complete, even if the mask key is missing.
        let buf = [0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        assert_eq!(FrameHeader::parse(&buf), Err(Error::InvalidLength));
        // One byte short of the length: still need more.
        assert_eq!(FrameHeader::parse(&buf[..9]), Ok(None));
        let buf = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        assert_eq!(
            FrameHeader::parse(&buf).unwrap().unwrap().0.payload_len,
            (1 << 63) - 1
        );
    }

    #[test]
    fn non_minimal_lengths_are_accepted() {
        let (h, n) = FrameHeader::parse(&[0x81, 126, 0, 5]).unwrap().unwrap();
        assert_eq!((h.payload_len, n), (5, 4));
        let (h, n) = FrameHeader::parse(&[0x81, 127, 0, 0, 0, 0, 0, 0, 0, 5])
            .unwrap()
            .unwrap();
        assert_eq!((h.payload_len, n), (5, 10));
    }

    #[test]
    fn encode_frame_rfc_examples() {
        let mut out = Vec::new();
        encode_frame(&mut out, true, 0, OpCode::Text, None, b"Hello");
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        out.clear();
        encode_frame(
            &mut out,
            true,
            0,
            OpCode::Text,
            Some([0x37, 0xfa, 0x21, 0x3d]),
            b"Hello",
        );
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        // encode_frame appends.
        encode_frame(&mut out, false, 0b101, OpCode::Binary, None, b"");
        assert_eq!(&out[11..], [0x52, 0x00]);
    }
}
