//! Message assembly with the semantics of the original Perl `WebSocket::Frame::next_bytes`.
//!
//! Bytes are appended as they arrive; [`Assembler::next`] returns complete messages:
//!
//! - a frame with FIN set and no pending fragments is returned as is;
//! - a frame with FIN clear is stored as a fragment (the first one records the opcode);
//! - a frame with FIN set while fragments are pending ends the message: the opcode is the
//!   first fragment's and the payload is all fragments joined;
//! - a control frame (opcode bit 0x8) arriving while fragments are pending is returned at once
//!   (whatever its FIN bit) and the pending fragments stay pending.
//!
//! Limits are checked on the header, before the payload is buffered or allocated: a frame
//! longer than `max_payload_size` is refused, the bytes buffered are dropped and pending
//! fragments are forgotten ([`Error::PayloadTooBig`], as the original did). A message whose
//! fragments together would exceed `max_payload_size` is refused the same way (the `len` of
//! the error is then the sum). More than `max_fragments` frames in one message gives
//! [`Error::TooManyFragments`].
//!
//! Like the original, nothing else is validated here (RSV bits, reserved opcodes, masking
//! direction, control frame sizes, UTF-8): that is the job of the connection state machine.
//! Masked payloads are unmasked.
//!
//! # How the bytes flow (performance)
//!
//! Each payload byte is copied once: [`Assembler::append`] splits the input into frames as it
//! arrives. As soon as a frame's header is complete (and within the limit), its payload is
//! copied straight from the caller's slice into the frame's own buffer, unmasked on the way
//! (also across several `append` calls); complete frames wait in a queue, and
//! [`Assembler::next`] applies the message rules to them in order and moves the payload into
//! the [`Message`] without copying it again. Only partial headers (under 14 bytes) are kept
//! as raw bytes.
//!
//! Everything observable is as if `next` parsed a raw buffer (the original's behaviour):
//! the limits in force when `next` reaches a frame are the ones applied, errors come in stream
//! order, and a frame that `append` could not take (its header announces more than the limit,
//! or an invalid length) stops the splitting: it and everything after it stay raw bytes for
//! `next` to parse (or to refuse) itself.

use super::header::{FrameHeader, OpCode, MAX_HEADER_LEN};
use super::legacy;
use super::mask::extend_masked;
use crate::error::{Error, Result};
use std::collections::VecDeque;

/// One complete message (or control frame) returned by [`Assembler::next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The opcode: the first fragment's for a fragmented message.
    pub opcode: OpCode,
    /// The FIN bit of the last frame (false only for a control frame sent with FIN clear
    /// between fragments, which the original returned as is).
    pub fin: bool,
    /// The RSV bits of the last frame (`0b100` = RSV1), as the original's `rsv` accessor.
    pub rsv: u8,
    /// Whether the last frame was masked.
    pub masked: bool,
    /// The payload, unmasked; all fragments joined.
    pub payload: Vec<u8>,
}

/// A frame split off the input: its header (as received) and its payload (unmasked; complete
/// once queued, partial while in flight).
#[derive(Debug, Clone)]
struct Frame {
    header: FrameHeader,
    head: [u8; MAX_HEADER_LEN],
    head_len: u8,
    payload: Vec<u8>,
}

impl Frame {
    fn new(header: FrameHeader, head: &[u8], reserve: usize) -> Self {
        let mut h = [0u8; MAX_HEADER_LEN];
        h[..head.len()].copy_from_slice(head);
        Frame {
            header,
            head: h,
            head_len: head.len() as u8,
            payload: Vec::with_capacity(reserve),
        }
    }

    /// Payload bytes still to come.
    #[inline]
    fn missing(&self) -> usize {
        self.header.payload_len as usize - self.payload.len()
    }

    /// Take the next payload bytes (masked on the wire).
    #[inline]
    fn extend(&mut self, bytes: &[u8]) {
        match self.header.mask {
            Some(m) => {
                let off = self.payload.len();
                extend_masked(&mut self.payload, bytes, m, off);
            }
            None => self.payload.extend_from_slice(bytes),
        }
    }

    /// Bytes of the stream this frame holds (header and payload so far).
    #[inline]
    fn wire_len(&self) -> usize {
        usize::from(self.head_len) + self.payload.len()
    }

    /// The frame as it was received (re-masked).
    fn write_wire(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head[..usize::from(self.head_len)]);
        match self.header.mask {
            Some(m) => extend_masked(out, &self.payload, m, 0),
            None => out.extend_from_slice(&self.payload),
        }
    }
}

/// Turns a byte stream into messages. See the [module documentation](self).
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    /// Raw bytes not split into frames yet: `raw[pos..]`. In the fast mode, a partial header;
    /// in the slow mode (`slow`, or legacy framing), everything from the first frame that
    /// `append` could not take.
    raw: Vec<u8>,
    pos: usize,
    slow: bool,
    /// Complete frames, in stream order, and the stream bytes they hold.
    ready: VecDeque<Frame>,
    ready_bytes: usize,
    /// The frame whose payload is arriving (after the `ready` ones).
    in_flight: Option<Frame>,
    /// Payload of the message in progress (the fragments joined so far).
    fragments: Vec<u8>,
    /// Opcode of the first fragment, when a message is in progress.
    first_opcode: Option<OpCode>,
    /// Number of fragments (frames with FIN clear) stored for the message in progress.
    fragment_count: u64,
    max_payload_size: u64,
    max_fragments: u64,
    legacy: bool,
    /// Legacy framing: bytes of `raw[pos..]` already searched for the closing 0xFF.
    legacy_scanned: usize,
}

/// Once this many bytes are consumed at the front of the raw buffer, the rest is moved to the
/// front even if it is longer than what was consumed.
const COMPACT_AT: usize = 1 << 20;

/// Most bytes reserved ahead for a payload on the word of its header alone.
const RESERVE_MAX: usize = 1 << 24;

impl Assembler {
    /// An assembler for RFC 6455 framing. `max_payload_size`: largest frame (and message)
    /// payload, `0` = unlimited. `max_fragments`: most frames in one message, `0` = unlimited.
    pub fn new(max_payload_size: u64, max_fragments: u64) -> Self {
        Assembler {
            max_payload_size,
            max_fragments,
            ..Default::default()
        }
    }

    /// An assembler for the legacy draft framing (hixie-75/76, hybi-00..03), without limits.
    pub fn new_legacy() -> Self {
        Assembler {
            legacy: true,
            ..Default::default()
        }
    }

    /// Switch between the legacy draft framing and RFC 6455 framing. Bytes appended and not
    /// consumed yet are kept and will be parsed with the new framing.
    pub fn set_legacy(&mut self, legacy: bool) {
        if legacy && (!self.ready.is_empty() || self.in_flight.is_some()) {
            // Give the frames split off so far back to the raw stream, as received.
            let mut bytes = Vec::with_capacity(self.buffered());
            for f in self.ready.drain(..).chain(self.in_flight.take()) {
                f.write_wire(&mut bytes);
            }
            bytes.extend_from_slice(&self.raw[self.pos..]);
            self.raw = bytes;
            self.pos = 0;
            self.ready_bytes = 0;
        }
        self.legacy = legacy;
        self.legacy_scanned = 0;
        self.slow = self.raw.len() > self.pos;
    }

    /// Whether the legacy draft framing is in use.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Change the limits (`0` = unlimited); they apply to every frame `next` has not returned
    /// yet.
    pub fn set_limits(&mut self, max_payload_size: u64, max_fragments: u64) {
        self.max_payload_size = max_payload_size;
        self.max_fragments = max_fragments;
    }

    /// The current `(max_payload_size, max_fragments)`.
    pub fn limits(&self) -> (u64, u64) {
        (self.max_payload_size, self.max_fragments)
    }

    /// Bytes appended and not consumed yet by `next` (whole frames not returned yet, partial
    /// frames and partial headers).
    pub fn buffered(&self) -> usize {
        self.raw.len() - self.pos
            + self.ready_bytes
            + self.in_flight.as_ref().map_or(0, Frame::wire_len)
    }

    /// Number of fragments (frames with FIN clear) stored for the message in progress.
    pub fn pending_fragments(&self) -> usize {
        self.fragment_count as usize
    }

    /// Opcode of the first fragment of the message in progress, if any.
    pub fn pending_opcode(&self) -> Option<OpCode> {
        self.first_opcode
    }

    /// Bytes of the message in progress (the fragments stored so far).
    pub fn pending_len(&self) -> usize {
        self.fragments.len()
    }

    /// Forget everything: buffered bytes and pending fragments (the limits and the framing
    /// mode are kept). Releases the memory.
    pub fn reset(&mut self) {
        self.raw = Vec::new();
        self.pos = 0;
        self.slow = false;
        self.ready = VecDeque::new();
        self.ready_bytes = 0;
        self.in_flight = None;
        self.legacy_scanned = 0;
        self.drop_fragments();
    }

    fn drop_fragments(&mut self) {
        self.fragments = Vec::new();
        self.first_opcode = None;
        self.fragment_count = 0;
    }

    /// Append received bytes.
    pub fn append(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.legacy || self.slow {
            self.push_raw(bytes);
            return;
        }
        let mut input = bytes;
        loop {
            if let Some(f) = self.in_flight.as_mut() {
                let take = f.missing().min(input.len());
                f.extend(&input[..take]);
                input = &input[take..];
                if f.missing() > 0 {
                    return;
                }
                let f = self.in_flight.take().expect("in flight");
                self.ready_bytes += f.wire_len();
                self.ready.push_back(f);
            }
            if input.is_empty() {
                return;
            }
            // The next header, from the partial header kept raw (if any) and the input.
            let kept = self.raw.len() - self.pos;
            let take = MAX_HEADER_LEN.min(input.len());
            let mut head = [0u8; 2 * MAX_HEADER_LEN];
            head[..kept].copy_from_slice(&self.raw[self.pos..]);
            head[kept..kept + take].copy_from_slice(&input[..take]);
            match FrameHeader::parse(&head[..kept + take]) {
                Ok(None) => {
                    // Fewer than 14 bytes in all: the whole input is part of the header.
                    self.push_raw(input);
                    return;
                }
                Ok(Some((h, hlen))) if self.may_take(&h) => {
                    input = &input[hlen - kept..];
                    self.raw.clear();
                    self.pos = 0;
                    let len = h.payload_len as usize;
                    self.in_flight = Some(Frame::new(h, &head[..hlen], len.min(RESERVE_MAX)));
                }
                _ => {
                    // Over the limit or an invalid length: `next` deals with it (and with what
                    // follows it) from raw bytes.
                    self.slow = true;
                    self.push_raw(input);
                    return;
                }
            }
        }
    }

    /// Whether `append` may split off (and allocate for) a frame with this header.
    #[inline]
    fn may_take(&self, h: &FrameHeader) -> bool {
        (self.max_payload_size == 0 || h.payload_len <= self.max_payload_size)
            && usize::try_from(h.payload_len).is_ok()
    }

    fn push_raw(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            let unread = self.raw.len() - self.pos;
            if unread == 0 {
                self.raw.clear();
                self.pos = 0;
            } else if unread <= self.pos || self.pos >= COMPACT_AT {
                // Moving `unread` bytes costs at most what was consumed since the last move.
                self.raw.copy_within(self.pos.., 0);
                self.raw.truncate(unread);
                self.pos = 0;
            }
        }
        self.raw.extend_from_slice(bytes);
    }

    /// Refuse a payload: drop everything buffered and the message in progress.
    fn too_big(&mut self, len: u64) -> Error {
        let max = self.max_payload_size;
        self.reset();
        Error::PayloadTooBig { len, max }
    }

    /// The limits on a frame's header, when `next` reaches it.
    #[inline]
    fn check(&mut self, h: &FrameHeader) -> Result<()> {
        let max = self.max_payload_size;
        if max != 0 {
            if h.payload_len > max {
                return Err(self.too_big(h.payload_len));
            }
            let in_message = self.first_opcode.is_some() && !h.opcode.is_control();
            if in_message {
                let total = self.fragments.len() as u64 + h.payload_len;
                if total > max {
                    return Err(self.too_big(total));
                }
            }
        }
        Ok(())
    }

    /// The next complete message or control frame.
    ///
    /// - `Ok(None)`: more bytes are needed (an incomplete header or payload; nothing consumed).
    /// - `Ok(Some(message))`: see [`Message`].
    /// - `Err(Error::PayloadTooBig { len, max })`: a frame announces more than
    ///   `max_payload_size` bytes, or the message would grow past it (`len` is then the sum of
    ///   the fragments); checked on the header, before the payload is buffered. Everything
    ///   buffered and the pending fragments are dropped.
    /// - `Err(Error::TooManyFragments { max })`: a message of more than `max_fragments` frames
    ///   (as the original, which counted the first opcode with the fragments: the error comes
    ///   when the `max_fragments`-th frame with FIN clear is stored). The pending fragments
    ///   are dropped; the rest of the buffer is kept.
    /// - `Err(Error::InvalidLength)`: a 64-bit length with its most significant bit set
    ///   (everything buffered and the pending fragments are dropped).
    // The name of the original's method; it is fallible, so not an `Iterator`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Message>> {
        if self.legacy {
            return self.next_legacy();
        }
        loop {
            let f = match self.ready.pop_front() {
                Some(f) => {
                    self.ready_bytes -= f.wire_len();
                    self.check(&f.header)?;
                    f
                }
                None => {
                    if let Some(h) = self.in_flight.as_ref().map(|f| f.header) {
                        // Incomplete; the limits may have changed since `append` took it.
                        self.check(&h)?;
                        return Ok(None);
                    }
                    match self.raw_frame()? {
                        Some(f) => f,
                        None => return Ok(None),
                    }
                }
            };
            let h = f.header;
            let masked = h.mask.is_some();

            if h.opcode.is_control() && self.first_opcode.is_some()
                || h.fin && self.first_opcode.is_none()
            {
                // A frame on its own (or a control frame between fragments).
                let (opcode, fin, rsv) = (h.opcode, h.fin, h.rsv);
                return Ok(Some(Message {
                    opcode,
                    fin,
                    rsv,
                    masked,
                    payload: f.payload,
                }));
            }

            // A fragment: joined to the message in progress.
            if self.fragments.is_empty() {
                self.fragments = f.payload;
            } else {
                self.fragments.extend_from_slice(&f.payload);
            }
            if h.fin {
                let opcode = self.first_opcode.take().expect("message in progress");
                self.fragment_count = 0;
                let payload = std::mem::take(&mut self.fragments);
                return Ok(Some(Message {
                    opcode,
                    fin: true,
                    rsv: h.rsv,
                    masked,
                    payload,
                }));
            }

            // FIN clear: the fragment is stored; the first one records the opcode.
            if self.first_opcode.is_none() {
                self.first_opcode = Some(h.opcode);
            }
            self.fragment_count += 1;
            // The original kept [first_opcode, fragment, ...] and failed when that list was
            // longer than max_fragments_amount.
            if self.max_fragments != 0 && self.fragment_count + 1 > self.max_fragments {
                let max = self.max_fragments;
                self.drop_fragments();
                return Err(Error::TooManyFragments { max });
            }
        }
    }

    /// The next frame from the raw bytes (slow mode, or a partial header): a complete frame is
    /// copied out; a partial one becomes the frame in flight (back to the fast mode).
    fn raw_frame(&mut self) -> Result<Option<Frame>> {
        let avail = &self.raw[self.pos..];
        let (h, hlen) = match FrameHeader::parse(avail) {
            Ok(Some(x)) => x,
            Ok(None) => {
                self.slow = false;
                return Ok(None);
            }
            Err(e) => {
                self.reset();
                return Err(e);
            }
        };
        self.check(&h)?;
        let Ok(len) = usize::try_from(h.payload_len) else {
            // Cannot be buffered on this (32-bit) target.
            return Err(self.too_big(h.payload_len));
        };
        let avail = &self.raw[self.pos..];
        let body = &avail[hlen..];
        let take = len.min(body.len());
        let mut f = Frame::new(h, &avail[..hlen], len.min(RESERVE_MAX).max(take));
        f.extend(&body[..take]);
        self.pos += hlen + take;
        if self.pos == self.raw.len() {
            self.raw.clear();
            self.pos = 0;
            self.slow = false;
        }
        if f.missing() > 0 {
            // Partial: the rest of its payload will come straight from `append`.
            self.in_flight = Some(f);
            return Ok(None);
        }
        Ok(Some(f))
    }

    fn next_legacy(&mut self) -> Result<Option<Message>> {
        let avail = &self.raw[self.pos..];
        match legacy::locate(avail, self.legacy_scanned) {
            None => {
                self.legacy_scanned = avail.len();
                let max = self.max_payload_size;
                if max != 0 {
                    // Bytes that would make the payload (or junk before it) so far.
                    let pending = match avail.iter().position(|&b| b == 0) {
                        Some(i) => avail.len() - i - 1,
                        None => avail.len(),
                    } as u64;
                    if pending > max {
                        return Err(self.too_big(pending));
                    }
                }
                Ok(None)
            }
            Some((range, used)) => {
                let (opcode, payload) = match range {
                    None => (OpCode::Close, Vec::new()),
                    Some(r) => {
                        let len = (r.end - r.start) as u64;
                        if self.max_payload_size != 0 && len > self.max_payload_size {
                            return Err(self.too_big(len));
                        }
                        (OpCode::Text, avail[r].to_vec())
                    }
                };
                self.pos += used;
                self.legacy_scanned = 0;
                if self.pos == self.raw.len() {
                    self.raw.clear();
                    self.pos = 0;
                }
                Ok(Some(Message {
                    opcode,
                    fin: true,
                    rsv: 0,
                    masked: false,
                    payload,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::encode_frame;
    use super::*;

    const M: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    fn frame(fin: bool, op: OpCode, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        encode_frame(&mut v, fin, 0, op, mask, payload);
        v
    }

    fn msg(op: OpCode, payload: &[u8]) -> Message {
        Message {
            opcode: op,
            fin: true,
            rsv: 0,
            masked: false,
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn single_frames_masked_and_unmasked() {
        let mut a = Assembler::new(0, 0);
        a.append(&frame(true, OpCode::Text, None, b"Hello"));
        a.append(&frame(true, OpCode::Binary, Some(M), b"world!"));
        assert_eq!(a.next().unwrap(), Some(msg(OpCode::Text, b"Hello")));
        let m = a.next().unwrap().unwrap();
        assert_eq!(
            (m.opcode, m.masked, &m.payload[..]),
            (OpCode::Binary, true, &b"world!"[..])
        );
        assert_eq!(a.next().unwrap(), None);
        assert_eq!(a.buffered(), 0);
    }

    #[test]
    fn byte_by_byte_needs_more_without_consuming() {
        let mut bytes = frame(false, OpCode::Text, Some(M), b"Hel");
        bytes.extend(frame(true, OpCode::Ping, Some(M), b"p"));
        bytes.extend(frame(true, OpCode::Continuation, Some(M), b"lo"));
        bytes.extend(frame(true, OpCode::Binary, Some(M), &[7u8; 300]));
        let mut a = Assembler::new(65536, 128);
        let mut got = Vec::new();
        for b in &bytes {
            a.append(std::slice::from_ref(b));
            while let Some(m) = a.next().unwrap() {
                got.push((m.opcode, m.payload));
            }
        }
        assert_eq!(
            got,
            vec![
                (OpCode::Ping, b"p".to_vec()),
                (OpCode::Text, b"Hello".to_vec()),
                (OpCode::Binary, vec![7u8; 300]),
            ]
        );
        assert_eq!(a.buffered(), 0);
    }

    #[test]
    fn fragments_with_interleaved_control_frame() {
        let mut a = Assembler::new(0, 0);
        a.append(&frame(false, OpCode::Binary, None, b"ab"));
        a.append(&frame(false, OpCode::Continuation, Some(M), b"cd"));
        a.append(&frame(true, OpCode::Ping, None, b"ping"));
        a.append(&frame(true, OpCode::Continuation, None, b"ef"));
        let ping = a.next().unwrap().unwrap();
        assert_eq!(ping, msg(OpCode::Ping, b"ping"));
        assert_eq!(a.pending_fragments(), 2);
        assert_eq!(a.pending_opcode(), Some(OpCode::Binary));
        assert_eq!(a.pending_len(), 4);
        let m = a.next().unwrap().unwrap();
        assert_eq!(m, msg(OpCode::Binary, b"abcdef"));
        assert_eq!((a.pending_fragments(), a.pending_opcode()), (0, None));
        // A control frame with FIN clear between fragments is returned as is (original).
        a.append(&frame(false, OpCode::Text, None, b"x"));
        a.append(&frame(false, OpCode::Close, None, b""));
        let m = a.next().unwrap().unwrap();
        assert_eq!((m.opcode, m.fin), (OpCode::Close, false));
        // A new data frame with FIN set ends the message with the first opcode (original).
        a.append(&frame(true, OpCode::Binary, None, b"y"));
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"xy"));
        assert_eq!(a.next().unwrap(), None);
    }

    #[test]
    fn empty_payloads() {
        let mut a = Assembler::new(1, 1);
        a.append(&frame(true, OpCode::Text, None, b""));
        a.append(&frame(true, OpCode::Close, Some(M), b""));
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b""));
        let c = a.next().unwrap().unwrap();
        assert_eq!(
            (c.opcode, c.masked, c.payload.len()),
            (OpCode::Close, true, 0)
        );
    }

    #[test]
    fn rsv_and_masked_are_reported() {
        let mut a = Assembler::new(0, 0);
        let mut v = Vec::new();
        encode_frame(&mut v, true, 0b101, OpCode::Text, Some(M), b"z");
        a.append(&v);
        let m = a.next().unwrap().unwrap();
        assert_eq!((m.rsv, m.masked, m.fin), (0b101, true, true));
    }

    #[test]
    fn payload_too_big_is_checked_on_the_header_and_empties_the_buffer() {
        let mut a = Assembler::new(65536, 128);
        // Only the header of a 70000-byte frame: refused before any payload arrives.
        let f = frame(true, OpCode::Binary, None, &vec![0u8; 70000]);
        a.append(&f[..10]);
        a.append(b"more");
        let e = a.next().unwrap_err();
        assert_eq!(
            e,
            Error::PayloadTooBig {
                len: 70000,
                max: 65536
            }
        );
        assert_eq!(
            e.to_string(),
            "Payload is too big. Deny big message (70000) or increase max_payload_size (65536)"
        );
        assert_eq!(a.buffered(), 0);
        assert_eq!(a.next().unwrap(), None);
        // Exactly the limit is fine.
        a.append(&frame(true, OpCode::Binary, Some(M), &vec![1u8; 65536]));
        assert_eq!(a.next().unwrap().unwrap().payload, vec![1u8; 65536]);
        // Unlimited.
        a.set_limits(0, 0);
        a.append(&f);
        assert_eq!(a.next().unwrap().unwrap().payload.len(), 70000);
    }

    #[test]
    fn no_allocation_before_the_limit_check() {
        // A header announcing 2^62 bytes must not reserve anything.
        let mut a = Assembler::new(1 << 20, 0);
        a.append(&[0x82, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0]);
        assert!(a.in_flight.is_none() && a.slow);
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig {
                len: 1 << 62,
                max: 1 << 20
            }
        );
        assert_eq!((a.raw.capacity(), a.buffered(), a.slow), (0, 0, false));
        // Under the limit, room for the payload is reserved once, on the header.
        a.append(&frame(true, OpCode::Binary, None, &[0u8; 1000])[..4]);
        assert_eq!(a.next().unwrap(), None);
        assert!(a.in_flight.as_ref().unwrap().payload.capacity() >= 1000);
        assert_eq!(a.buffered(), 4);
        // Without a limit, a header alone reserves at most RESERVE_MAX.
        let mut a = Assembler::new(0, 0);
        a.append(&[0x82, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(a.next().unwrap(), None);
        assert!(a.in_flight.as_ref().unwrap().payload.capacity() <= RESERVE_MAX);
    }

    #[test]
    fn limits_apply_when_next_reaches_the_frame() {
        // Lowered after append: a frame split off already is refused by next.
        let mut a = Assembler::new(0, 0);
        a.append(&frame(true, OpCode::Text, None, b"small"));
        a.append(&frame(true, OpCode::Binary, Some(M), &[1u8; 100]));
        a.append(&frame(true, OpCode::Binary, Some(M), &[2u8; 100])[..50]);
        a.set_limits(10, 0);
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"small"));
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig { len: 100, max: 10 }
        );
        assert_eq!(a.buffered(), 0);
        // Also for the frame in flight.
        let mut a = Assembler::new(0, 0);
        a.append(&frame(true, OpCode::Binary, Some(M), &[2u8; 100])[..50]);
        a.set_limits(10, 0);
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig { len: 100, max: 10 }
        );
        // Raised after append: the frame refused by append is taken by next.
        let mut a = Assembler::new(10, 0);
        let mut stream = frame(true, OpCode::Binary, Some(M), &[3u8; 100]);
        stream.extend(frame(true, OpCode::Text, None, b"after"));
        stream.extend(frame(true, OpCode::Binary, Some(M), &[4u8; 30]));
        a.append(&stream[..120]);
        assert!(a.slow);
        a.set_limits(1000, 0);
        a.append(&stream[120..140]);
        assert_eq!(a.buffered(), 140);
        assert_eq!(a.next().unwrap().unwrap().payload, vec![3u8; 100]);
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"after"));
        // The rest of the last frame was partial: it is in flight again (fast mode).
        assert_eq!(a.next().unwrap(), None);
        assert!(!a.slow && a.in_flight.is_some());
        a.append(&stream[140..]);
        assert_eq!(a.next().unwrap().unwrap().payload, vec![4u8; 30]);
        assert_eq!(a.buffered(), 0);
    }

    #[test]
    fn buffered_counts_every_byte_not_returned() {
        let mut stream = frame(true, OpCode::Text, Some(M), b"one");
        stream.extend(frame(true, OpCode::Binary, Some(M), &[5u8; 300]));
        stream.extend(frame(true, OpCode::Ping, None, b""));
        let mut a = Assembler::new(0, 0);
        for (i, b) in stream.iter().enumerate() {
            a.append(&[*b]);
            assert_eq!(a.buffered(), i + 1);
        }
        let sizes = [stream.len() - 9, 2, 0];
        for size in sizes {
            assert!(a.next().unwrap().is_some());
            assert_eq!(a.buffered(), size);
        }
    }

    #[test]
    fn switching_to_legacy_gives_the_bytes_back() {
        let mut a = Assembler::new(0, 0);
        let mut stream = frame(true, OpCode::Text, Some(M), b"rfc");
        stream.extend(frame(true, OpCode::Binary, Some(M), &[0xFFu8; 10])[..8].iter());
        a.append(&stream);
        assert_eq!(a.buffered(), stream.len());
        a.set_legacy(true);
        assert_eq!(a.buffered(), stream.len());
        assert_eq!(a.raw[a.pos..], stream[..]);
        a.set_legacy(false);
        a.append(&frame(true, OpCode::Binary, Some(M), &[0xFFu8; 10])[8..]);
        assert_eq!(a.next().unwrap().unwrap().payload, b"rfc");
        assert_eq!(a.next().unwrap().unwrap().payload, [0xFF; 10]);
        assert_eq!(a.next().unwrap(), None);
    }

    #[test]
    fn message_growing_past_the_limit() {
        let mut a = Assembler::new(10, 0);
        a.append(&frame(false, OpCode::Text, None, b"123456"));
        a.append(&frame(false, OpCode::Continuation, None, b"7890"));
        // A control frame in between is not counted in the message.
        a.append(&frame(true, OpCode::Ping, None, b"0123456789"));
        a.append(&frame(true, OpCode::Continuation, None, b"X"));
        assert_eq!(a.next().unwrap().unwrap().opcode, OpCode::Ping);
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig { len: 11, max: 10 }
        );
        assert_eq!(
            (a.buffered(), a.pending_fragments(), a.pending_opcode()),
            (0, 0, None)
        );
    }

    #[test]
    fn too_many_fragments() {
        // max 3: at most 3 frames in a message; the third frame with FIN clear fails.
        let mut a = Assembler::new(0, 3);
        for _ in 0..2 {
            a.append(&frame(false, OpCode::Continuation, None, b"f"));
        }
        a.append(&frame(true, OpCode::Continuation, None, b"!"));
        assert_eq!(
            a.next().unwrap().unwrap(),
            msg(OpCode::Continuation, b"ff!")
        );
        for _ in 0..3 {
            a.append(&frame(false, OpCode::Text, Some(M), b"f"));
        }
        a.append(&frame(true, OpCode::Text, None, b"next"));
        assert_eq!(a.next().unwrap_err(), Error::TooManyFragments { max: 3 });
        assert_eq!(a.pending_fragments(), 0);
        // The rest of the buffer is still there.
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"next"));
        // 0 = unlimited.
        let mut a = Assembler::new(0, 0);
        for _ in 0..1000 {
            a.append(&frame(false, OpCode::Text, None, b"f"));
        }
        a.append(&frame(true, OpCode::Continuation, None, b""));
        assert_eq!(a.next().unwrap().unwrap().payload.len(), 1000);
    }

    #[test]
    fn invalid_length_is_an_error() {
        let mut a = Assembler::new(0, 0);
        a.append(&[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(a.next().unwrap_err(), Error::InvalidLength);
        assert_eq!(a.buffered(), 0);
    }

    #[test]
    fn compaction_keeps_the_stream_intact() {
        let mut stream = Vec::new();
        let mut expect = Vec::new();
        for i in 0..500usize {
            let p: Vec<u8> = (0..(i * 37) % 3000).map(|k| (k + i) as u8).collect();
            let mask = if i % 2 == 0 {
                Some([i as u8, 1, 2, 3])
            } else {
                None
            };
            stream.extend(frame(true, OpCode::Binary, mask, &p));
            expect.push(p);
        }
        for chunk in [1usize, 7, 100, 4096, 65536] {
            let mut a = Assembler::new(0, 0);
            let mut got = Vec::new();
            for c in stream.chunks(chunk) {
                a.append(c);
                while let Some(m) = a.next().unwrap() {
                    got.push(m.payload);
                }
            }
            assert_eq!(got, expect, "chunk {chunk}");
            assert_eq!(a.buffered(), 0);
        }
    }

    #[test]
    fn legacy_mode() {
        let mut a = Assembler::new_legacy();
        assert!(a.is_legacy());
        a.append(b"\x00hel");
        assert_eq!(a.next().unwrap(), None);
        a.append(b"lo\xff\xff");
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"hello"));
        assert_eq!(a.next().unwrap(), None);
        a.append(b"\x00");
        let m = a.next().unwrap().unwrap();
        assert_eq!((m.opcode, m.fin, m.payload.len()), (OpCode::Close, true, 0));
        a.append(b"junk\x00\xff");
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b""));
        assert_eq!(a.buffered(), 0);
        // With a limit, an unterminated payload cannot grow past it.
        a.set_limits(4, 0);
        a.append(b"\x00abcd");
        assert_eq!(a.next().unwrap(), None);
        a.append(b"e");
        assert_eq!(
            a.next().unwrap_err(),
            Error::PayloadTooBig { len: 5, max: 4 }
        );
        assert_eq!(a.buffered(), 0);
        a.set_legacy(false);
        a.append(&frame(true, OpCode::Text, None, b"new"));
        assert_eq!(a.next().unwrap().unwrap(), msg(OpCode::Text, b"new"));
    }

    /// A straightforward model of the original algorithm (one raw buffer, drained from the
    /// front, byte-wise unmasking), to compare the fast implementation against.
    #[derive(Default)]
    struct Model {
        buf: Vec<u8>,
        frags: Vec<u8>,
        first: Option<OpCode>,
        count: u64,
        max: u64,
        max_frags: u64,
    }

    type Out = std::result::Result<(OpCode, bool, u8, bool, Vec<u8>), Error>;

    impl Model {
        fn clear(&mut self) {
            self.buf.clear();
            self.frags.clear();
            self.first = None;
            self.count = 0;
        }
        fn next(&mut self) -> Option<Out> {
            loop {
                let (h, hlen) = match FrameHeader::parse(&self.buf) {
                    Ok(Some(x)) => x,
                    Ok(None) => return None,
                    Err(e) => {
                        self.clear();
                        return Some(Err(e));
                    }
                };
                let injected = h.opcode.is_control() && self.first.is_some();
                if self.max != 0 {
                    let len = if h.payload_len <= self.max && self.first.is_some() && !injected {
                        self.frags.len() as u64 + h.payload_len
                    } else {
                        h.payload_len
                    };
                    if len > self.max {
                        self.clear();
                        return Some(Err(Error::PayloadTooBig { len, max: self.max }));
                    }
                }
                let len = h.payload_len as usize;
                if self.buf.len() < hlen + len {
                    return None;
                }
                let mut p: Vec<u8> = self.buf[hlen..hlen + len].to_vec();
                if let Some(m) = h.mask {
                    for (i, b) in p.iter_mut().enumerate() {
                        *b ^= m[i % 4];
                    }
                }
                self.buf.drain(..hlen + len);
                let masked = h.mask.is_some();
                if injected {
                    return Some(Ok((h.opcode, h.fin, h.rsv, masked, p)));
                }
                if h.fin {
                    let op = self.first.take().unwrap_or(h.opcode);
                    self.frags.extend_from_slice(&p);
                    self.count = 0;
                    return Some(Ok((
                        op,
                        true,
                        h.rsv,
                        masked,
                        std::mem::take(&mut self.frags),
                    )));
                }
                if self.first.is_none() {
                    self.first = Some(h.opcode);
                }
                self.frags.extend_from_slice(&p);
                self.count += 1;
                if self.max_frags != 0 && self.count + 1 > self.max_frags {
                    self.frags.clear();
                    self.first = None;
                    self.count = 0;
                    return Some(Err(Error::TooManyFragments {
                        max: self.max_frags,
                    }));
                }
            }
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn differential_against_a_simple_model() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for round in 0..1000 {
            let max = [0, 64, 200, 70000][rng.below(4) as usize];
            let max_frags = [0, 1, 2, 5][rng.below(4) as usize];
            let mut stream = Vec::new();
            for _ in 0..rng.below(40) {
                let op = [0u8, 0, 1, 2, 8, 9, 10, 3][rng.below(8) as usize];
                let len = match rng.below(10) {
                    0..=4 => rng.below(10),
                    5 | 6 => 120 + rng.below(10),
                    7 => 190 + rng.below(20),
                    8 => 65530 + rng.below(10),
                    _ => rng.below(300),
                } as usize;
                let payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let mask = (rng.below(2) == 0).then(|| (rng.next() as u32).to_ne_bytes());
                let (fin, rsv) = (rng.below(3) != 0, rng.below(8) as u8);
                if rng.below(60) == 0 {
                    // An invalid 64-bit length.
                    stream.extend_from_slice(&[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1]);
                }
                encode_frame(&mut stream, fin, rsv, OpCode::from_u8(op), mask, &payload);
            }
            let mut model = Model {
                max,
                max_frags,
                ..Default::default()
            };
            let mut a = Assembler::new(max, max_frags);
            let (mut want, mut got) = (Vec::new(), Vec::new());
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let n = match rng.below(4) {
                    0 => 1 + rng.below(3),
                    1 => 1 + rng.below(20),
                    2 => 1 + rng.below(300),
                    _ => 1 + rng.below(100_000),
                } as usize;
                if rng.below(10) == 0 {
                    // The limits may change at any time; they apply when next reaches a frame.
                    model.max = [0, 64, 200, 70000][rng.below(4) as usize];
                    a.set_limits(model.max, max_frags);
                }
                let (chunk, r) = rest.split_at(n.min(rest.len()));
                rest = r;
                model.buf.extend_from_slice(chunk);
                a.append(chunk);
                while let Some(o) = model.next() {
                    want.push(o);
                }
                loop {
                    match a.next() {
                        Ok(None) => break,
                        Ok(Some(m)) => got.push(Ok((m.opcode, m.fin, m.rsv, m.masked, m.payload))),
                        Err(e) => got.push(Err(e)),
                    }
                }
                assert_eq!(a.buffered(), model.buf.len(), "round {round}: buffered");
                assert_eq!(a.pending_fragments() as u64, model.count, "round {round}");
                assert_eq!(a.pending_opcode(), model.first, "round {round}");
                assert_eq!(a.pending_len(), model.frags.len(), "round {round}");
            }
            assert!(
                got == want,
                "round {round}: max {max} max_frags {max_frags}"
            );
            assert_eq!(a.buffered(), model.buf.len());
        }
    }
}
