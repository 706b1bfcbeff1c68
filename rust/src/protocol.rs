//! One WebSocket connection's state machine (RFC 6455), after the opening handshake.
//!
//! Sans-I/O: the caller feeds received bytes ([`Connection::receive`],
//! [`Connection::receive_eof`]), drains [`Event`]s ([`Connection::next_event`]) and writes the
//! outgoing bytes ([`Connection::pending_output`] / [`Connection::consume_output`]).
//! Nothing here owns a socket or reads a clock; timeouts (close timeout, keep-alive pings)
//! belong to the caller.
//!
//! The engine answers pings (when [`Config::auto_pong`]) and close frames by itself. A
//! protocol violation by the peer never escapes as an `Err`: it becomes an
//! [`Event::Error`], a queued Close frame with the error's close code (1002, 1007, 1009) and
//! the end of input processing (RFC 6455 section 7.1.7, "Fail the WebSocket Connection").
//!
//! How payloads move (no copy more than needed):
//! - a data frame's payload goes from the caller's slice straight into the message buffer,
//!   unmasked on the way (one pass) and, for text, validated there incrementally, as the bytes
//!   arrive (a text message fails on the fragment, even on the read, that holds the first
//!   invalid byte). Nothing waits for the whole frame, and the message-size limit is checked
//!   against the header's payload length before any of it is buffered;
//! - only a partial frame header, or a partial control frame (at most 139 bytes), is kept
//!   between two calls of [`Connection::receive`];
//! - outgoing frames are encoded (and masked, client role) directly into one output buffer.
//!
//! permessage-deflate (RFC 7692), once given the agreed parameters
//! ([`Connection::set_deflate`]):
//! - incoming: RSV1 is allowed on the first frame of a data message only (elsewhere it is
//!   a 1002 as without the extension); a compressed message's payload is unmasked through
//!   a small stack buffer and inflated straight into the message buffer, in chunks, with
//!   `max_message_size` checked against the inflated size after every chunk, so a deflate
//!   bomb closes with 1009 having allocated at most the limit plus one chunk
//!   ([`INFLATE_CHUNK`](crate::deflate::INFLATE_CHUNK)); text is validated as it inflates
//!   (1007); corrupt DEFLATE data is a 1007;
//! - outgoing: a whole message sent as one frame (`send_text`, `send_binary`, `send_frame`
//!   with `fin` and a data opcode) of at least `config.deflate.threshold` bytes is
//!   compressed (RSV1 set, the `00 00 ff ff` tail removed); smaller messages, fragmented
//!   ones and control frames go out uncompressed (RSV1 is per message).

use crate::config::Config;
use crate::deflate::{Codec, DeflateParams, TAIL};
use crate::error::{Error, Result};
use crate::frame::mask::{apply_mask, extend_masked};
use crate::frame::{encode_frame, FrameHeader, OpCode, MAX_HEADER_LEN};
use crate::utf8::Utf8Validator;
use std::collections::VecDeque;

/// Which end of the connection this engine plays (RFC 6455 section 5.1: clients mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Masks every frame it sends; rejects masked frames.
    Client,
    /// Never masks; closes the TCP connection first at the end of the close handshake.
    Server,
}

/// The state of the WebSocket connection (not of the TCP connection, see
/// [`Connection::should_close_transport`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Data may flow both ways.
    Open,
    /// We sent a Close frame (by [`Connection::close`] or after a protocol error) and wait
    /// for the peer's Close or the end of the stream. Nothing more can be sent.
    Closing,
    /// Both Close frames were exchanged, or the stream ended.
    Closed,
}

/// What the peer did. Drained with [`Connection::next_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete text message, already validated as UTF-8 (bytes; the Perl layer decodes).
    Text(Vec<u8>),
    /// A complete binary message.
    Binary(Vec<u8>),
    /// A ping; reported after the automatic pong (if [`Config::auto_pong`]) has been queued.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's Close frame: code (1005 if the frame had no payload) and reason. Our reply
    /// Close, if one was due, is already queued. Also reported with code 1006 and an empty
    /// reason when the stream ends without a completed close handshake.
    Close { code: u16, reason: String },
    /// A protocol violation or a limit hit: the engine has queued a Close frame with
    /// `error.close_code()` and a short reason (unless it had already sent one) and stopped
    /// reading; [`State`] is `Closing`.
    Error(Error),
}

/// Close code reported when the stream ends without a close handshake (RFC 6455 7.1.5).
pub const CLOSE_ABNORMAL: u16 = 1006;
/// Close code reported for a Close frame without payload (RFC 6455 7.1.5).
pub const CLOSE_NO_STATUS: u16 = 1005;
/// Longest close reason: 125 bytes of control payload minus the 2-byte code.
pub const MAX_CLOSE_REASON: usize = 123;
/// Longest control frame payload (RFC 6455 5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Whether a close code may appear in a Close frame on the wire (RFC 6455 7.4.1 and the
/// IANA registry): 1000-1003, 1007-1014 and 3000-4999. 1004, 1005, 1006 and 1015 are
/// reserved, 0-999 and 1016-2999 unassigned, 5000 and above out of range.
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Largest capacity reserved up front for a message from its header's length (the rest
/// grows with the bytes that really arrive).
const RESERVE_CAP: u64 = 1 << 20;
/// How many bytes of a new read are appended to a pending partial header or control frame
/// at a time, before the rest of the read is parsed in place.
const TOP_UP: usize = 256;
/// The RSV1 bit of a frame header's `rsv` (permessage-deflate's "compressed" flag).
const RSV1: u8 = 0b100;
/// Stack buffer through which a masked compressed payload is unmasked before inflating.
const UNMASK_BUF: usize = 4096;

/// What the receiver expects next.
#[derive(Debug, Clone, Copy)]
enum Rx {
    /// A frame header.
    Header,
    /// The payload of a data frame whose header has been consumed.
    Payload {
        remaining: u64,
        /// Bytes of this frame's payload seen so far (the mask offset).
        offset: u64,
        mask: Option<[u8; 4]>,
        fin: bool,
        /// Skip the payload (data frames after we sent Close).
        discard: bool,
    },
}

/// One WebSocket connection: a client or server engine after the opening handshake.
pub struct Connection {
    role: Role,
    config: Config,
    state: State,
    fixed_mask: Option<[u8; 4]>,
    allowed_rsv: u8,
    /// permessage-deflate, once agreed.
    deflate: Option<Box<Codec>>,

    // ---- receiving ----
    /// Pending bytes of an incomplete frame header or control frame (small).
    inbuf: Vec<u8>,
    rx: Rx,
    /// Opcode (Text or Binary) of the message being received, if any.
    msg_opcode: Option<OpCode>,
    msg_buf: Vec<u8>,
    msg_frames: u64,
    /// The message being received is compressed (RSV1 on its first frame).
    msg_compressed: bool,
    utf8: Utf8Validator,
    /// A protocol error occurred: input is no longer processed.
    failed: bool,
    close_received: bool,
    eof: bool,
    peer_close: Option<(u16, String)>,
    events: VecDeque<Event>,

    // ---- sending ----
    out: Vec<u8>,
    out_pos: usize,
    close_sent: bool,
    /// Opcode of the fragmented message being sent with `send_frame`, if any.
    send_opcode: Option<OpCode>,
    send_len: u64,
    send_utf8: Utf8Validator,
    send_utf8_bad: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("failed", &self.failed)
            .field("close_sent", &self.close_sent)
            .field("close_received", &self.close_received)
            .field("eof", &self.eof)
            .field("pending_events", &self.events.len())
            .field("pending_output", &(self.out.len() - self.out_pos))
            .finish()
    }
}

impl Connection {
    /// A connection in the `Open` state, as after a successful opening handshake.
    pub fn new(role: Role, config: Config) -> Self {
        Connection {
            role,
            config,
            state: State::Open,
            fixed_mask: None,
            allowed_rsv: 0,
            deflate: None,
            inbuf: Vec::new(),
            rx: Rx::Header,
            msg_opcode: None,
            msg_buf: Vec::new(),
            msg_frames: 0,
            msg_compressed: false,
            utf8: Utf8Validator::new(),
            failed: false,
            close_received: false,
            eof: false,
            peer_close: None,
            events: VecDeque::new(),
            out: Vec::new(),
            out_pos: 0,
            close_sent: false,
            send_opcode: None,
            send_len: 0,
            send_utf8: Utf8Validator::new(),
            send_utf8_bad: false,
        }
    }

    /// Tests: every outgoing mask (client role) is this fixed value instead of one from the
    /// secure random source. `None` goes back to random masks. Never use it in production
    /// (RFC 6455 10.3).
    pub fn set_fixed_mask(&mut self, mask: Option<[u8; 4]>) {
        self.fixed_mask = mask;
    }

    /// RSV bits (0b100 RSV1, 0b010 RSV2, 0b001 RSV3) that a negotiated extension defines
    /// and that incoming frames may therefore carry. Default 0 (any RSV bit is an error).
    pub fn set_allowed_rsv(&mut self, bits: u8) {
        self.allowed_rsv = bits & 0b111;
    }

    /// The RSV bits incoming frames may carry.
    pub fn allowed_rsv(&self) -> u8 {
        self.allowed_rsv
    }

    /// Turn permessage-deflate on with the agreed parameters (`None`: off). From the next
    /// message on in each direction, incoming messages with RSV1 are inflated and outgoing
    /// whole messages of at least `config().deflate.threshold` bytes are compressed.
    /// Errors with `InvalidState` while a message is being received or sent in fragments.
    pub fn set_deflate(&mut self, params: Option<DeflateParams>) -> Result<()> {
        if self.msg_opcode.is_some() || self.send_opcode.is_some() || !matches!(self.rx, Rx::Header)
        {
            return Err(Error::InvalidState(
                "permessage-deflate can only be set between messages",
            ));
        }
        self.deflate = params.map(|p| Box::new(Codec::new(self.role, p)));
        Ok(())
    }

    /// Turn permessage-deflate on or off from the `Sec-WebSocket-Extensions` value of the
    /// server's 101 answer, for a connection whose handshake was made elsewhere:
    /// - a client whose `config().deflate.enabled` is set checks the value against the offer
    ///   [`deflate::client_offer`](crate::deflate::client_offer) builds from its
    ///   `config().deflate` (so it must be the offer that was sent), with
    ///   [`deflate::check_response`](crate::deflate::check_response) (`required` included),
    ///   and keeps what it committed to in the offer;
    /// - otherwise (a server, which passes the element it answered with, or a client whose
    ///   configuration does not describe its offer) the permessage-deflate element is read
    ///   with the rules of a response.
    ///
    /// A value without permessage-deflate turns it off. Errors: `BadNegotiationHeader` for a
    /// malformed value, `ExtensionNegotiation` (close code 1010) for an answer the RFC says
    /// to fail, `InvalidState` while a message is in progress.
    pub fn set_deflate_from_header(&mut self, value: &str) -> Result<()> {
        let params = match self.role {
            Role::Client if self.config.deflate.enabled => {
                let exts = crate::handshake::parse_extensions(&[value])?;
                let d = &self.config.deflate;
                crate::deflate::check_response(&crate::deflate::client_offer(d), &exts, d.required)?
            }
            _ => crate::deflate::params_from_header(value)?,
        };
        self.set_deflate(params)
    }

    /// The permessage-deflate parameters in force, if the extension is on.
    pub fn deflate(&self) -> Option<&DeflateParams> {
        self.deflate.as_ref().map(|c| c.params())
    }

    /// Whether zlib states are allocated now (compressor, inflater): for tests and memory
    /// accounting.
    pub fn deflate_allocated(&self) -> (bool, bool) {
        self.deflate
            .as_ref()
            .map_or((false, false), |c| c.allocated())
    }

    /// Client or server.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The connection's state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The limits and switches in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Change limits while the connection runs (they apply from the next frame header).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Shortcut for `config_mut().max_message_size = n` (0 = unlimited).
    pub fn set_max_message_size(&mut self, n: u64) {
        self.config.max_message_size = n;
    }

    /// Shortcut for `config_mut().max_fragments = n` (0 = unlimited).
    pub fn set_max_fragments(&mut self, n: u64) {
        self.config.max_fragments = n;
    }

    /// The close code the peer sent (1005 for a Close without payload), or 1006 once the
    /// stream ended without the peer's Close; `None` before either.
    pub fn close_code(&self) -> Option<u16> {
        self.peer_close.as_ref().map(|c| c.0)
    }

    /// The close reason the peer sent (see [`Connection::close_code`]).
    pub fn close_reason(&self) -> Option<&str> {
        self.peer_close.as_ref().map(|c| c.1.as_str())
    }

    /// True once we have sent a Close frame (ours, our reply, or after an error).
    pub fn close_sent(&self) -> bool {
        self.close_sent
    }

    /// True once the peer's Close frame has been received.
    pub fn close_received(&self) -> bool {
        self.close_received
    }

    // ------------------------------------------------------------------ receiving

    fn input_stopped(&self) -> bool {
        self.failed || self.close_received || self.eof
    }

    /// Feed received bytes; parses as much as possible and queues events and replies.
    /// Never panics and never fails: peer misbehaviour becomes [`Event::Error`] plus a
    /// queued Close. Bytes after the peer's Close, after a protocol error or after the end
    /// of the stream are discarded.
    pub fn receive(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        // Complete a pending partial header / control frame with a few bytes at a time.
        while !self.inbuf.is_empty() {
            if self.input_stopped() {
                self.inbuf = Vec::new();
                return;
            }
            if bytes.is_empty() {
                return;
            }
            let take = bytes.len().min(TOP_UP);
            self.inbuf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            let buf = std::mem::take(&mut self.inbuf);
            let used = self.process(&buf);
            self.inbuf = buf;
            self.inbuf.drain(..used);
        }
        if self.input_stopped() {
            return;
        }
        // Parse the rest in place; keep only an incomplete unit.
        let used = self.process(bytes);
        if !self.input_stopped() {
            self.inbuf.extend_from_slice(&bytes[used..]);
        }
    }

    /// The peer closed its side of the TCP stream. If no close handshake completed, the
    /// state becomes `Closed` and an `Event::Close { code: 1006, reason: "" }` is queued
    /// (abnormal closure). Afterwards [`Connection::should_close_transport`] is true.
    pub fn receive_eof(&mut self) {
        if self.eof {
            return;
        }
        self.eof = true;
        self.inbuf = Vec::new();
        self.drop_message();
        if !self.close_received {
            self.peer_close = Some((CLOSE_ABNORMAL, String::new()));
            self.events.push_back(Event::Close {
                code: CLOSE_ABNORMAL,
                reason: String::new(),
            });
        }
        self.state = State::Closed;
    }

    /// The next event, in the order the peer caused them.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether events are waiting.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Parse units from `buf`; returns the number of bytes consumed. Stops at an
    /// incomplete header or control frame, or when input processing stops.
    fn process(&mut self, buf: &[u8]) -> usize {
        let mut pos = 0usize;
        loop {
            if self.input_stopped() {
                return buf.len();
            }
            match self.rx {
                Rx::Payload {
                    remaining,
                    offset,
                    mask,
                    fin,
                    discard,
                } => {
                    let avail = buf.len() - pos;
                    if remaining > 0 && avail == 0 {
                        return pos;
                    }
                    let n = remaining.min(avail as u64) as usize;
                    if !discard && n > 0 && self.msg_compressed {
                        let src = &buf[pos..pos + n];
                        let res = match mask {
                            Some(m) => {
                                let mut tmp = [0u8; UNMASK_BUF];
                                let mut off = offset as usize;
                                let mut res = Ok(());
                                for chunk in src.chunks(UNMASK_BUF) {
                                    let t = &mut tmp[..chunk.len()];
                                    t.copy_from_slice(chunk);
                                    apply_mask(t, m, off & 3);
                                    off += chunk.len();
                                    res = self.inflate(t, false);
                                    if res.is_err() {
                                        break;
                                    }
                                }
                                res
                            }
                            None => self.inflate(src, false),
                        };
                        if let Err(e) = res {
                            self.fail(e);
                            return buf.len();
                        }
                    } else if !discard && n > 0 {
                        let start = self.msg_buf.len();
                        let src = &buf[pos..pos + n];
                        match mask {
                            // copy and unmask in one pass
                            Some(m) => {
                                extend_masked(&mut self.msg_buf, src, m, (offset & 3) as usize)
                            }
                            None => self.msg_buf.extend_from_slice(src),
                        }
                        let chunk = &self.msg_buf[start..];
                        if self.msg_opcode == Some(OpCode::Text) && self.utf8.feed(chunk).is_err() {
                            self.fail(Error::InvalidUtf8);
                            return buf.len();
                        }
                    }
                    pos += n;
                    let remaining = remaining - n as u64;
                    if remaining > 0 {
                        self.rx = Rx::Payload {
                            remaining,
                            offset: offset + n as u64,
                            mask,
                            fin,
                            discard,
                        };
                        return pos;
                    }
                    self.rx = Rx::Header;
                    if fin && !discard {
                        self.finish_message();
                    }
                }
                Rx::Header => {
                    let (header, header_len) = match FrameHeader::parse(&buf[pos..]) {
                        Ok(Some(parsed)) => parsed,
                        Ok(None) => return pos,
                        Err(e) => {
                            self.fail(e);
                            return buf.len();
                        }
                    };
                    if let Err(e) = self.check_header(&header) {
                        self.fail(e);
                        return buf.len();
                    }
                    if header.opcode.is_control() {
                        // checked: payload_len <= 125
                        let len = header.payload_len as usize;
                        if buf.len() - pos < header_len + len {
                            return pos;
                        }
                        let start = pos + header_len;
                        let src = &buf[start..start + len];
                        let payload = match header.mask {
                            Some(m) => {
                                let mut p = Vec::with_capacity(len);
                                extend_masked(&mut p, src, m, 0);
                                p
                            }
                            None => src.to_vec(),
                        };
                        pos = start + len;
                        self.on_control(header.opcode, payload);
                    } else {
                        pos += header_len;
                        let discard = self.close_sent;
                        if !discard {
                            if let Err(e) = self.start_data_frame(&header) {
                                self.fail(e);
                                return buf.len();
                            }
                        }
                        self.rx = Rx::Payload {
                            remaining: header.payload_len,
                            offset: 0,
                            mask: header.mask,
                            fin: header.fin,
                            discard,
                        };
                    }
                }
            }
        }
    }

    /// RFC 6455 5.1, 5.2 and 5.5 checks on one frame header.
    fn check_header(&self, h: &FrameHeader) -> Result<()> {
        let mut allowed = self.allowed_rsv;
        if self.deflate.is_some() {
            // RFC 7692 section 6: RSV1 marks the first frame of a compressed message; on a
            // continuation or a control frame it stays an error.
            if matches!(h.opcode, OpCode::Text | OpCode::Binary) {
                allowed |= RSV1;
            } else {
                allowed &= !RSV1;
            }
        }
        if h.rsv & !allowed != 0 {
            return Err(Error::ReservedBits(h.rsv));
        }
        if h.opcode.is_reserved() {
            return Err(Error::ReservedOpcode(h.opcode.as_u8()));
        }
        match self.role {
            Role::Server if h.mask.is_none() && !self.config.accept_unmasked_frames => {
                return Err(Error::UnmaskedFrame)
            }
            Role::Client if h.mask.is_some() => return Err(Error::MaskedFrame),
            _ => {}
        }
        if h.opcode.is_control() {
            if h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(Error::ControlFrameTooLong(h.payload_len));
            }
            if !h.fin {
                return Err(Error::FragmentedControlFrame);
            }
        }
        Ok(())
    }

    /// RFC 6455 5.4 sequencing and the limits, from a data frame's header, before any of
    /// its payload is buffered.
    fn start_data_frame(&mut self, h: &FrameHeader) -> Result<()> {
        match (h.opcode, self.msg_opcode) {
            (OpCode::Continuation, None) => return Err(Error::UnexpectedContinuation),
            (OpCode::Text | OpCode::Binary, Some(_)) => return Err(Error::ExpectedContinuation),
            _ => {}
        }
        let frames = self.msg_frames + 1;
        let max_frames = self.config.max_fragments;
        if max_frames != 0 && frames > max_frames {
            return Err(Error::TooManyFragments { max: max_frames });
        }
        let first = self.msg_opcode.is_none();
        if first {
            self.msg_compressed = h.rsv & RSV1 != 0 && self.deflate.is_some();
        }
        if self.msg_compressed {
            // The limit applies to the inflated size, checked while inflating; nothing is
            // reserved from the compressed length.
            self.msg_frames = frames;
            if first {
                self.msg_opcode = Some(h.opcode);
                self.utf8.reset();
                if let Some(c) = self.deflate.as_mut() {
                    c.begin_message();
                }
            }
            return Ok(());
        }
        let len = (self.msg_buf.len() as u64).saturating_add(h.payload_len);
        let max = self.config.max_message_size;
        if max != 0 && len > max {
            return Err(Error::MessageTooBig { len, max });
        }
        self.msg_frames = frames;
        let want = h.payload_len.min(RESERVE_CAP) as usize;
        if first {
            self.msg_opcode = Some(h.opcode);
            self.utf8.reset();
            if self.msg_buf.capacity() < want {
                self.msg_buf = Vec::with_capacity(want);
            }
        } else {
            self.msg_buf.reserve(want);
        }
        Ok(())
    }

    /// Inflate part of a compressed message's payload (unmasked) into the message buffer,
    /// or its tail with `last`.
    fn inflate(&mut self, input: &[u8], last: bool) -> Result<()> {
        let text = self.msg_opcode == Some(OpCode::Text);
        let max = self.config.max_message_size;
        let Some(codec) = self.deflate.as_mut() else {
            return Ok(());
        };
        let utf8 = &mut self.utf8;
        codec.inflate(input, last, &mut self.msg_buf, max, &mut |new| {
            if text {
                utf8.feed(new).map_err(|_| Error::InvalidUtf8)
            } else {
                Ok(())
            }
        })
    }

    /// Forget the message being received.
    fn drop_message(&mut self) {
        self.msg_buf = Vec::new();
        self.msg_opcode = None;
        self.msg_compressed = false;
        if let Some(c) = self.deflate.as_mut() {
            // The connection is ending: its zlib states are of no more use.
            c.release();
        }
    }

    fn finish_message(&mut self) {
        if self.msg_compressed {
            self.msg_compressed = false;
            let res = self.inflate(&TAIL, true);
            if let Some(c) = self.deflate.as_mut() {
                c.end_message();
            }
            if let Err(e) = res {
                self.fail(e);
                return;
            }
        }
        let opcode = self.msg_opcode.take();
        self.msg_frames = 0;
        let data = std::mem::take(&mut self.msg_buf);
        match opcode {
            Some(OpCode::Text) => {
                if self.utf8.finish().is_err() {
                    self.fail(Error::InvalidUtf8);
                    return;
                }
                self.events.push_back(Event::Text(data));
            }
            _ => self.events.push_back(Event::Binary(data)),
        }
    }

    fn on_control(&mut self, opcode: OpCode, payload: Vec<u8>) {
        match opcode {
            OpCode::Ping => {
                if self.config.auto_pong && self.state == State::Open {
                    if let Err(e) = self.write_frame(true, OpCode::Pong, &payload) {
                        self.fail(e);
                        return;
                    }
                }
                self.events.push_back(Event::Ping(payload));
            }
            OpCode::Pong => self.events.push_back(Event::Pong(payload)),
            _ => self.on_close_frame(&payload),
        }
    }

    /// RFC 6455 5.5.1 and 7.4: the peer's Close.
    fn on_close_frame(&mut self, payload: &[u8]) {
        let (code, reason) = match payload.len() {
            0 => (CLOSE_NO_STATUS, String::new()),
            1 => return self.fail(Error::InvalidClosePayload),
            _ => {
                let code = u16::from_be_bytes([payload[0], payload[1]]);
                if !is_valid_close_code(code) {
                    return self.fail(Error::InvalidCloseCode(code));
                }
                match std::str::from_utf8(&payload[2..]) {
                    Ok(r) => (code, r.to_owned()),
                    Err(_) => return self.fail(Error::InvalidUtf8),
                }
            }
        };
        self.close_received = true;
        self.inbuf = Vec::new();
        self.drop_message();
        self.rx = Rx::Header;
        if !self.close_sent {
            // Echo the code (nothing if the peer sent none).
            let echo = code.to_be_bytes();
            let body: &[u8] = if payload.is_empty() { &[] } else { &echo };
            // A failing mask source leaves the reply unsent; the transport closes anyway.
            let _ = self.write_frame(true, OpCode::Close, body);
            self.close_sent = true;
        }
        self.state = State::Closed;
        self.peer_close = Some((code, reason.clone()));
        self.events.push_back(Event::Close { code, reason });
    }

    /// Fail the WebSocket connection (RFC 6455 7.1.7): queue a Close with the error's code
    /// unless one was already sent, stop reading, report the error.
    fn fail(&mut self, e: Error) {
        self.failed = true;
        self.inbuf = Vec::new();
        self.drop_message();
        self.rx = Rx::Header;
        if !self.close_sent && self.state == State::Open {
            let code = e.close_code().unwrap_or(1011);
            let reason = short_reason(&e);
            let _ = self.write_close(code, &reason);
            self.close_sent = true;
            self.state = State::Closing;
        }
        self.events.push_back(Event::Error(e));
    }

    // ------------------------------------------------------------------ sending

    fn next_mask(&self) -> Result<Option<[u8; 4]>> {
        match self.role {
            Role::Server => Ok(None),
            Role::Client => match self.fixed_mask {
                Some(m) => Ok(Some(m)),
                None => crate::rand::mask().map(Some),
            },
        }
    }

    /// Encode one frame (masked in the client role) into the output buffer.
    fn write_frame(&mut self, fin: bool, opcode: OpCode, payload: &[u8]) -> Result<()> {
        let mask = self.next_mask()?;
        self.push_frame(fin, 0, opcode, mask, payload);
        Ok(())
    }

    fn push_frame(
        &mut self,
        fin: bool,
        rsv: u8,
        opcode: OpCode,
        mask: Option<[u8; 4]>,
        payload: &[u8],
    ) {
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
        self.out.reserve(MAX_HEADER_LEN + payload.len());
        encode_frame(&mut self.out, fin, rsv, opcode, mask, payload);
    }

    /// A whole data message as one frame: compressed when permessage-deflate is on and it
    /// reaches the threshold.
    fn write_message(&mut self, opcode: OpCode, data: &[u8]) -> Result<()> {
        let threshold = self.config.deflate.threshold;
        match self.deflate.as_mut() {
            Some(c) if c.wants(data.len(), threshold) => {
                // The mask first: a failure must not leave the compressor's context ahead
                // of what was sent.
                let mask = self.next_mask()?;
                let Some(c) = self.deflate.as_mut() else {
                    unreachable!()
                };
                let z = c.compress(data)?;
                self.push_frame(true, RSV1, opcode, mask, &z);
                Ok(())
            }
            _ => self.write_frame(true, opcode, data),
        }
    }

    fn write_close(&mut self, code: u16, reason: &str) -> Result<()> {
        let mut body = [0u8; MAX_CONTROL_PAYLOAD];
        body[..2].copy_from_slice(&code.to_be_bytes());
        let n = reason.len().min(MAX_CLOSE_REASON);
        body[2..2 + n].copy_from_slice(&reason.as_bytes()[..n]);
        self.write_frame(true, OpCode::Close, &body[..2 + n])
    }

    fn check_can_send(&self) -> Result<()> {
        match self.state {
            State::Open => Ok(()),
            State::Closing => Err(Error::InvalidState("a Close frame has already been sent")),
            State::Closed => Err(Error::InvalidState("the connection is closed")),
        }
    }

    fn check_send_size(&self, len: u64) -> Result<()> {
        let max = self.config.max_send_size;
        if max != 0 && len > max {
            return Err(Error::SendPayloadTooBig { len, max });
        }
        Ok(())
    }

    /// Queue a text message as one frame.
    pub fn send_text(&mut self, text: &str) -> Result<()> {
        self.send_message(OpCode::Text, text.as_bytes())
    }

    /// Queue a binary message as one frame.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<()> {
        self.send_message(OpCode::Binary, data)
    }

    fn send_message(&mut self, opcode: OpCode, data: &[u8]) -> Result<()> {
        self.check_can_send()?;
        if self.send_opcode.is_some() {
            return Err(Error::InvalidState("a fragmented message is being sent"));
        }
        self.check_send_size(data.len() as u64)?;
        self.write_message(opcode, data)
    }

    /// Queue one frame of a possibly fragmented message, with the rules of RFC 6455 5.4:
    /// `Text`/`Binary` start a message (it ends with the frame whose `fin` is true),
    /// `Continuation` continues it, control frames (`Ping`, `Pong`, `Close`, `fin` must be
    /// true) may come between fragments. Errors: `InvalidState` for a continuation without a
    /// message in progress, a new message while one is in progress, or after Close;
    /// `InvalidArgument` for a reserved opcode or a fragmented control frame;
    /// `SendPayloadTooBig` when the message would exceed `max_send_size`; `InvalidUtf8` when
    /// the fragments of a text message so far are not a valid UTF-8 prefix (or, on the last
    /// one, not valid UTF-8); after that error the text message can only be abandoned by
    /// closing. A `Close` payload is parsed as code + reason and goes through
    /// [`Connection::close`].
    pub fn send_frame(&mut self, opcode: OpCode, fin: bool, payload: &[u8]) -> Result<()> {
        if opcode.is_reserved() {
            return Err(Error::InvalidArgument("reserved opcode"));
        }
        if opcode.is_control() && !fin {
            return Err(Error::InvalidArgument(
                "control frames cannot be fragmented",
            ));
        }
        match opcode {
            OpCode::Ping => return self.send_ping(payload),
            OpCode::Pong => return self.send_pong(payload),
            OpCode::Close => {
                return match payload.len() {
                    0 => self.close(None, ""),
                    1 => Err(Error::InvalidArgument("a close payload cannot be one byte")),
                    _ => {
                        let code = u16::from_be_bytes([payload[0], payload[1]]);
                        let reason = std::str::from_utf8(&payload[2..])
                            .map_err(|_| Error::InvalidArgument("close reason is not UTF-8"))?;
                        self.close(Some(code), reason)
                    }
                }
            }
            _ => {}
        }
        self.check_can_send()?;
        let (msg_opcode, len) = match (opcode, self.send_opcode) {
            (OpCode::Continuation, None) => {
                return Err(Error::InvalidState(
                    "continuation frame without a message in progress",
                ))
            }
            (OpCode::Continuation, Some(op)) => {
                (op, self.send_len.saturating_add(payload.len() as u64))
            }
            (_, Some(_)) => return Err(Error::InvalidState("a fragmented message is being sent")),
            (op, None) => (op, payload.len() as u64),
        };
        self.check_send_size(len)?;
        if msg_opcode == OpCode::Text {
            let first = opcode != OpCode::Continuation;
            if first {
                self.send_utf8.reset();
                self.send_utf8_bad = false;
            }
            if self.send_utf8_bad {
                return Err(Error::InvalidUtf8);
            }
            let ok =
                self.send_utf8.feed(payload).is_ok() && (!fin || self.send_utf8.finish().is_ok());
            if !ok {
                // A first frame that fails leaves no message in progress; a continuation
                // leaves a message that can only be abandoned.
                self.send_utf8_bad = !first;
                return Err(Error::InvalidUtf8);
            }
        }
        if fin && opcode != OpCode::Continuation {
            self.write_message(opcode, payload)?;
        } else {
            self.write_frame(fin, opcode, payload)?;
        }
        if fin {
            self.send_opcode = None;
            self.send_len = 0;
        } else {
            self.send_opcode = Some(msg_opcode);
            self.send_len = len;
        }
        Ok(())
    }

    /// Queue a ping (payload at most 125 bytes).
    pub fn send_ping(&mut self, payload: &[u8]) -> Result<()> {
        self.send_control(OpCode::Ping, payload)
    }

    /// Queue a pong (payload at most 125 bytes), e.g. an unsolicited heartbeat or the reply
    /// to a ping when `auto_pong` is off.
    pub fn send_pong(&mut self, payload: &[u8]) -> Result<()> {
        self.send_control(OpCode::Pong, payload)
    }

    fn send_control(&mut self, opcode: OpCode, payload: &[u8]) -> Result<()> {
        self.check_can_send()?;
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlFrameTooLong(payload.len() as u64));
        }
        self.write_frame(true, opcode, payload)
    }

    /// Start the close handshake: queue a Close frame and enter `Closing`. `code: None`
    /// sends an empty payload (the peer reports 1005) and then `reason` must be empty.
    /// Errors: `InvalidState` if a Close was already sent or the connection is closed;
    /// `InvalidArgument` for a code not allowed on the wire (see [`is_valid_close_code`])
    /// or a reason longer than 123 bytes.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<()> {
        self.check_can_send()?;
        match code {
            None if !reason.is_empty() => {
                return Err(Error::InvalidArgument("a close reason needs a close code"))
            }
            None => self.write_frame(true, OpCode::Close, &[])?,
            Some(c) => {
                if !is_valid_close_code(c) {
                    return Err(Error::InvalidArgument("close code not allowed on the wire"));
                }
                if reason.len() > MAX_CLOSE_REASON {
                    return Err(Error::InvalidArgument("close reason longer than 123 bytes"));
                }
                self.write_close(c, reason)?;
            }
        }
        self.close_sent = true;
        self.state = State::Closing;
        // Messages of the peer are no longer delivered (RFC 6455 1.4).
        if let Rx::Payload {
            ref mut discard, ..
        } = self.rx
        {
            *discard = true;
        }
        self.drop_message();
        self.msg_frames = 0;
        Ok(())
    }

    // ------------------------------------------------------------------ output buffer

    /// The bytes waiting to be written.
    pub fn pending_output(&self) -> &[u8] {
        &self.out[self.out_pos..]
    }

    /// Mark the first `n` bytes of [`Connection::pending_output`] as written (clamped).
    pub fn consume_output(&mut self, n: usize) {
        self.out_pos = (self.out_pos + n).min(self.out.len());
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        } else if self.out_pos >= 64 * 1024 && self.out_pos * 2 >= self.out.len() {
            self.out.drain(..self.out_pos);
            self.out_pos = 0;
        }
    }

    /// Take all the bytes waiting to be written.
    pub fn take_output(&mut self) -> Vec<u8> {
        if self.out_pos > 0 {
            self.out.drain(..self.out_pos);
            self.out_pos = 0;
        }
        std::mem::take(&mut self.out)
    }

    /// Whether bytes are waiting to be written.
    pub fn has_output(&self) -> bool {
        self.out_pos < self.out.len()
    }

    /// Give back memory held by idle buffers (for the reactor to call on idle connections).
    pub fn shrink_buffers(&mut self) {
        if !self.has_output() {
            self.out = Vec::new();
            self.out_pos = 0;
        }
        self.inbuf.shrink_to_fit();
        if self.msg_opcode.is_none() {
            self.msg_buf = Vec::new();
        }
    }

    /// True when the TCP connection should be closed now (after the pending output is
    /// written, which this already waits for where it matters):
    /// - the peer closed the stream ([`Connection::receive_eof`]);
    /// - server role: the close handshake is complete and our Close (or reply) is flushed
    ///   (RFC 6455 7.1.1: the server closes the TCP connection first);
    /// - either role: the connection failed (protocol error) and our Close is flushed.
    ///
    /// A client whose close handshake is complete waits for the server to close the stream
    /// (`receive_eof`); the caller should give up after a close timeout.
    pub fn should_close_transport(&self) -> bool {
        if self.eof {
            return true;
        }
        if self.has_output() {
            return false;
        }
        self.failed || (self.role == Role::Server && self.state == State::Closed)
    }
}

/// The reason sent in the Close frame of a failed connection: the error's message, cut to
/// 123 bytes at a character boundary.
pub(crate) fn short_reason(e: &Error) -> String {
    let mut s = e.to_string();
    if s.len() > MAX_CLOSE_REASON {
        let mut cut = MAX_CLOSE_REASON;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests {
    //! Unit tests, named by RFC 6455 section. Outgoing client frames use the fixed mask
    //! 37 fa 21 3d of the RFC 6455 5.7 examples, so they compare as hex.
    use super::*;
    use crate::frame::apply_mask;

    const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn to_hex(b: &[u8]) -> String {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn server() -> Connection {
        Connection::new(Role::Server, Config::default())
    }

    fn client() -> Connection {
        let mut c = Connection::new(Role::Client, Config::default());
        c.set_fixed_mask(Some(MASK));
        c
    }

    /// A frame as a client sends it (masked with MASK); `b0` is FIN/RSV/opcode.
    fn masked(b0: u8, payload: &[u8]) -> Vec<u8> {
        let h = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 7,
            opcode: OpCode::from_u8(b0 & 0x0f),
            mask: Some(MASK),
            payload_len: payload.len() as u64,
        };
        let mut v = Vec::new();
        h.encode(&mut v);
        let start = v.len();
        v.extend_from_slice(payload);
        apply_mask(&mut v[start..], MASK, 0);
        v
    }

    /// A frame as a server sends it (unmasked).
    fn plain(b0: u8, payload: &[u8]) -> Vec<u8> {
        let h = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 7,
            opcode: OpCode::from_u8(b0 & 0x0f),
            mask: None,
            payload_len: payload.len() as u64,
        };
        let mut v = Vec::new();
        h.encode(&mut v);
        v.extend_from_slice(payload);
        v
    }

    fn events(c: &mut Connection) -> Vec<Event> {
        std::iter::from_fn(|| c.next_event()).collect()
    }

    /// Close code in the first frame of an unmasked output (server side).
    fn out_close_code(out: &[u8]) -> Option<u16> {
        let (h, n) = FrameHeader::parse(out).ok()??;
        if h.opcode != OpCode::Close || h.payload_len < 2 {
            return None;
        }
        Some(u16::from_be_bytes([out[n], out[n + 1]]))
    }

    /// Feed a violation to a fresh server and check error, close code on the wire, state.
    fn server_fails_with(bytes: &[u8], config: Config, expected: Error) {
        let mut s = Connection::new(Role::Server, config);
        s.receive(bytes);
        let ev = events(&mut s);
        assert_eq!(
            ev,
            vec![Event::Error(expected.clone())],
            "input {}",
            to_hex(bytes)
        );
        assert_eq!(out_close_code(s.pending_output()), expected.close_code());
        assert_eq!(s.state(), State::Closing);
        // Input is no longer processed.
        s.receive(&masked(0x81, b"late"));
        assert!(events(&mut s).is_empty());
        assert!(!s.should_close_transport());
        s.take_output();
        assert!(s.should_close_transport());
    }

    // ---- 5.7 examples, byte-exact ----

    #[test]
    fn sec5_7_client_sends_masked_hello() {
        let mut c = client();
        c.send_text("Hello").unwrap();
        assert_eq!(
            to_hex(c.pending_output()),
            "81 85 37 fa 21 3d 7f 9f 4d 51 58"
        );
    }

    #[test]
    fn sec5_7_server_sends_unmasked_hello() {
        let mut s = server();
        s.send_text("Hello").unwrap();
        assert_eq!(to_hex(&s.take_output()), "81 05 48 65 6c 6c 6f");
    }

    #[test]
    fn sec5_7_server_receives_masked_hello() {
        let mut s = server();
        s.receive(&hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assert_eq!(events(&mut s), vec![Event::Text(b"Hello".to_vec())]);
        assert!(!s.has_output());
    }

    #[test]
    fn sec5_7_client_receives_unmasked_hello() {
        let mut c = client();
        c.receive(&hex("81 05 48 65 6c 6c 6f"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec5_7_fragmented_unmasked_text() {
        let mut c = client();
        c.receive(&hex("01 03 48 65 6c"));
        assert!(events(&mut c).is_empty());
        c.receive(&hex("80 02 6c 6f"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec5_7_ping_gets_automatic_pong() {
        let mut s = server();
        s.receive(&hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assert_eq!(to_hex(&s.take_output()), "8a 05 48 65 6c 6c 6f");
        assert_eq!(events(&mut s), vec![Event::Ping(b"Hello".to_vec())]);
        let mut c = client();
        c.receive(&hex("89 05 48 65 6c 6c 6f"));
        assert_eq!(to_hex(&c.take_output()), "8a 85 37 fa 21 3d 7f 9f 4d 51 58");
    }

    #[test]
    fn sec5_7_pong_is_reported() {
        let mut c = client();
        c.receive(&hex("8a 05 48 65 6c 6c 6f"));
        assert_eq!(events(&mut c), vec![Event::Pong(b"Hello".to_vec())]);
        assert!(!c.has_output());
    }

    #[test]
    fn sec5_7_binary_256_and_65536_bytes() {
        let mut s = server();
        s.send_binary(&[0xaa; 256]).unwrap();
        let out = s.take_output();
        assert_eq!(to_hex(&out[..4]), "82 7e 01 00");
        assert_eq!(out.len(), 4 + 256);
        s.send_binary(&vec![0x55; 65536]).unwrap();
        let out = s.take_output();
        assert_eq!(to_hex(&out[..10]), "82 7f 00 00 00 00 00 01 00 00");
        assert_eq!(out.len(), 10 + 65536);

        let mut c = client();
        c.set_max_message_size(0);
        c.receive(&out);
        assert_eq!(events(&mut c), vec![Event::Binary(vec![0x55; 65536])]);
    }

    #[test]
    fn sec5_2_parsing_one_byte_at_a_time() {
        let mut s = server();
        let mut input = masked(0x01, b"Hel");
        input.extend(masked(0x89, b"p"));
        input.extend(masked(0x80, b"lo"));
        input.extend(masked(0x82, &[7u8; 300]));
        for b in &input {
            s.receive(std::slice::from_ref(b));
            assert!(s.inbuf.len() <= MAX_HEADER_LEN + MAX_CONTROL_PAYLOAD);
        }
        assert_eq!(
            events(&mut s),
            vec![
                Event::Ping(b"p".to_vec()),
                Event::Text(b"Hello".to_vec()),
                Event::Binary(vec![7u8; 300])
            ]
        );
        assert_eq!(to_hex(&s.take_output()), "8a 01 70");
    }

    #[test]
    fn sec5_2_many_frames_in_one_read() {
        let mut s = server();
        let mut input = Vec::new();
        for i in 0..50u8 {
            input.extend(masked(0x82, &[i; 10]));
        }
        // Split in odd places.
        for chunk in input.chunks(7) {
            s.receive(chunk);
        }
        let ev = events(&mut s);
        assert_eq!(ev.len(), 50);
        assert_eq!(ev[49], Event::Binary(vec![49; 10]));
    }

    #[test]
    fn sec5_2_empty_messages() {
        let mut s = server();
        s.receive(&masked(0x81, b""));
        s.receive(&masked(0x82, b""));
        s.receive(&masked(0x01, b""));
        s.receive(&masked(0x80, b""));
        assert_eq!(
            events(&mut s),
            vec![
                Event::Text(vec![]),
                Event::Binary(vec![]),
                Event::Text(vec![])
            ]
        );
    }

    // ---- 5.2 reserved bits and opcodes ----

    #[test]
    fn sec5_2_rsv_bits_without_extension_fail_1002() {
        for rsv in 1..8u8 {
            server_fails_with(
                &masked(0x81 | (rsv << 4), b"x"),
                Config::default(),
                Error::ReservedBits(rsv),
            );
        }
        // on a control frame, too
        server_fails_with(
            &masked(0xc9, b""),
            Config::default(),
            Error::ReservedBits(0b100),
        );
    }

    #[test]
    fn sec5_2_allowed_rsv_is_accepted() {
        let mut s = server();
        s.set_allowed_rsv(0b100);
        assert_eq!(s.allowed_rsv(), 0b100);
        s.receive(&masked(0xc2, b"z"));
        assert_eq!(events(&mut s), vec![Event::Binary(b"z".to_vec())]);
        s.receive(&masked(0xa2, b"z"));
        assert_eq!(
            events(&mut s),
            vec![Event::Error(Error::ReservedBits(0b010))]
        );
    }

    #[test]
    fn sec5_2_reserved_opcodes_fail_1002() {
        for op in (3..=7u8).chain(0xb..=0xf) {
            server_fails_with(
                &masked(0x80 | op, b""),
                Config::default(),
                Error::ReservedOpcode(op),
            );
        }
    }

    #[test]
    fn sec5_2_length_with_msb_set_fails_1002() {
        let mut c = client();
        c.receive(&hex("82 7f 80 00 00 00 00 00 00 01"));
        assert_eq!(events(&mut c), vec![Event::Error(Error::InvalidLength)]);
        assert_eq!(c.state(), State::Closing);
        let out = c.take_output();
        // masked close 1002 from the client
        assert_eq!(out[0], 0x88);
        let mut code = [out[6], out[7]];
        apply_mask(&mut code, MASK, 0);
        assert_eq!(u16::from_be_bytes(code), 1002);
    }

    // ---- 5.1 masking ----

    #[test]
    fn sec5_1_server_accepts_unmasked_by_default() {
        let mut s = server();
        s.receive(&plain(0x81, b"hi"));
        assert_eq!(events(&mut s), vec![Event::Text(b"hi".to_vec())]);
    }

    #[test]
    fn sec5_1_strict_server_rejects_unmasked() {
        let config = Config {
            accept_unmasked_frames: false,
            ..Config::default()
        };
        server_fails_with(&plain(0x81, b"hi"), config, Error::UnmaskedFrame);
    }

    #[test]
    fn sec5_1_client_rejects_masked() {
        let mut c = client();
        c.receive(&masked(0x81, b"hi"));
        assert_eq!(events(&mut c), vec![Event::Error(Error::MaskedFrame)]);
        assert_eq!(c.state(), State::Closing);
        assert!(c.has_output());
    }

    #[test]
    fn sec5_1_client_masks_with_random_masks() {
        let mut c = Connection::new(Role::Client, Config::default());
        c.send_binary(b"abcd").unwrap();
        c.send_binary(b"abcd").unwrap();
        let out = c.take_output();
        assert_eq!(out.len(), 20);
        assert_eq!(out[1], 0x84);
        // the server decodes it
        let mut s = server();
        s.receive(&out);
        assert_eq!(
            events(&mut s),
            vec![
                Event::Binary(b"abcd".to_vec()),
                Event::Binary(b"abcd".to_vec())
            ]
        );
    }

    // ---- 5.5 control frames ----

    #[test]
    fn sec5_5_control_payload_over_125_fails_1002() {
        server_fails_with(
            &masked(0x89, &[0; 126]),
            Config::default(),
            Error::ControlFrameTooLong(126),
        );
        server_fails_with(
            &masked(0x88, &[0; 126]),
            Config::default(),
            Error::ControlFrameTooLong(126),
        );
    }

    #[test]
    fn sec5_5_control_payload_of_125_is_fine() {
        let mut s = server();
        s.receive(&masked(0x89, &[1; 125]));
        assert_eq!(events(&mut s), vec![Event::Ping(vec![1; 125])]);
        let out = s.take_output();
        assert_eq!(to_hex(&out[..2]), "8a 7d");
    }

    #[test]
    fn sec5_5_fragmented_control_frame_fails_1002() {
        server_fails_with(
            &masked(0x09, b"x"),
            Config::default(),
            Error::FragmentedControlFrame,
        );
        server_fails_with(
            &masked(0x0a, b""),
            Config::default(),
            Error::FragmentedControlFrame,
        );
    }

    #[test]
    fn sec5_5_control_frames_between_fragments() {
        let mut s = server();
        let mut input = masked(0x01, b"fra");
        input.extend(masked(0x89, b"p1"));
        input.extend(masked(0x00, b"gm"));
        input.extend(masked(0x8a, b"p2"));
        input.extend(masked(0x80, b"ent"));
        s.receive(&input);
        assert_eq!(
            events(&mut s),
            vec![
                Event::Ping(b"p1".to_vec()),
                Event::Pong(b"p2".to_vec()),
                Event::Text(b"fragment".to_vec())
            ]
        );
        assert_eq!(to_hex(&s.take_output()), "8a 02 70 31");
    }

    #[test]
    fn sec5_5_2_no_auto_pong_when_disabled() {
        let mut s = Connection::new(
            Role::Server,
            Config {
                auto_pong: false,
                ..Config::default()
            },
        );
        s.receive(&masked(0x89, b"x"));
        assert_eq!(events(&mut s), vec![Event::Ping(b"x".to_vec())]);
        assert!(!s.has_output());
        s.send_pong(b"x").unwrap();
        assert_eq!(to_hex(&s.take_output()), "8a 01 78");
    }

    // ---- 5.4 fragmentation ----

    #[test]
    fn sec5_4_continuation_without_message_fails_1002() {
        server_fails_with(
            &masked(0x80, b"x"),
            Config::default(),
            Error::UnexpectedContinuation,
        );
        server_fails_with(
            &masked(0x00, b"x"),
            Config::default(),
            Error::UnexpectedContinuation,
        );
    }

    #[test]
    fn sec5_4_new_message_during_fragments_fails_1002() {
        let mut input = masked(0x01, b"a");
        input.extend(masked(0x81, b"b"));
        server_fails_with(&input, Config::default(), Error::ExpectedContinuation);
        let mut input = masked(0x02, b"a");
        input.extend(masked(0x01, b"b"));
        server_fails_with(&input, Config::default(), Error::ExpectedContinuation);
    }

    #[test]
    fn sec5_4_fragmented_binary() {
        let mut s = server();
        s.receive(&masked(0x02, &[1, 2]));
        s.receive(&masked(0x00, &[3]));
        s.receive(&masked(0x80, &[4, 5]));
        assert_eq!(events(&mut s), vec![Event::Binary(vec![1, 2, 3, 4, 5])]);
        // and a second message afterwards
        s.receive(&masked(0x81, b"ok"));
        assert_eq!(events(&mut s), vec![Event::Text(b"ok".to_vec())]);
    }

    // ---- 8.1 / 5.6 UTF-8 ----

    #[test]
    fn sec8_1_invalid_utf8_fails_1007() {
        server_fails_with(
            &masked(0x81, &[0xce, 0xba, 0xff]),
            Config::default(),
            Error::InvalidUtf8,
        );
    }

    #[test]
    fn sec8_1_invalid_utf8_fails_fast_on_first_fragment() {
        let mut s = server();
        s.receive(&masked(0x01, &[b'a', 0xff]));
        assert_eq!(events(&mut s), vec![Event::Error(Error::InvalidUtf8)]);
        assert_eq!(out_close_code(s.pending_output()), Some(1007));
    }

    #[test]
    fn sec8_1_invalid_utf8_fails_fast_inside_one_frame() {
        let mut s = server();
        let mut frame = masked(0x81, &[b'a'; 1000]);
        // an invalid byte early in the payload, at payload offset 10
        let header_len = frame.len() - 1000;
        frame[header_len + 10] = 0xff ^ MASK[10 % 4];
        s.receive(&frame[..header_len + 20]);
        assert_eq!(events(&mut s), vec![Event::Error(Error::InvalidUtf8)]);
    }

    #[test]
    fn sec8_1_code_point_split_across_fragments() {
        let euro = "€".as_bytes(); // e2 82 ac
        let mut s = server();
        s.receive(&masked(0x01, &euro[..1]));
        s.receive(&masked(0x00, &euro[1..2]));
        s.receive(&masked(0x80, &euro[2..]));
        assert_eq!(events(&mut s), vec![Event::Text(euro.to_vec())]);
    }

    #[test]
    fn sec8_1_truncated_code_point_at_end_fails_1007() {
        server_fails_with(
            &masked(0x81, &[b'a', 0xe2, 0x82]),
            Config::default(),
            Error::InvalidUtf8,
        );
        let mut input = masked(0x01, b"a");
        input.extend(masked(0x80, &[0xe2]));
        server_fails_with(&input, Config::default(), Error::InvalidUtf8);
    }

    #[test]
    fn sec8_1_binary_is_not_validated() {
        let mut s = server();
        s.receive(&masked(0x82, &[0xff, 0xfe]));
        assert_eq!(events(&mut s), vec![Event::Binary(vec![0xff, 0xfe])]);
    }

    // ---- 5.5.1 / 7.4 close ----

    #[test]
    fn sec5_5_1_close_with_one_byte_fails_1002() {
        server_fails_with(
            &masked(0x88, &[0x03]),
            Config::default(),
            Error::InvalidClosePayload,
        );
    }

    #[test]
    fn sec7_4_close_codes_on_the_wire() {
        for code in [
            1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
            4000, 4999,
        ] {
            assert!(is_valid_close_code(code), "{code}");
            let mut s = server();
            s.receive(&masked(0x88, &code.to_be_bytes()));
            assert_eq!(
                events(&mut s),
                vec![Event::Close {
                    code,
                    reason: String::new()
                }]
            );
            assert_eq!(out_close_code(s.pending_output()), Some(code));
        }
        for code in [
            0u16, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            assert!(!is_valid_close_code(code), "{code}");
            server_fails_with(
                &masked(0x88, &code.to_be_bytes()),
                Config::default(),
                Error::InvalidCloseCode(code),
            );
        }
    }

    #[test]
    fn sec5_5_1_close_reason_must_be_utf8() {
        server_fails_with(
            &masked(0x88, &[0x03, 0xe8, 0xff]),
            Config::default(),
            Error::InvalidUtf8,
        );
    }

    #[test]
    fn sec5_5_1_peer_close_is_echoed_and_server_closes_tcp() {
        let mut s = server();
        let mut payload = 1000u16.to_be_bytes().to_vec();
        payload.extend_from_slice("bye ✓".as_bytes());
        s.receive(&masked(0x88, &payload));
        assert_eq!(
            events(&mut s),
            vec![Event::Close {
                code: 1000,
                reason: "bye ✓".into()
            }]
        );
        assert_eq!(s.state(), State::Closed);
        assert_eq!(s.close_code(), Some(1000));
        assert_eq!(s.close_reason(), Some("bye ✓"));
        assert!(!s.should_close_transport(), "reply not flushed yet");
        assert_eq!(to_hex(s.pending_output()), "88 02 03 e8");
        s.consume_output(2);
        assert!(!s.should_close_transport());
        s.consume_output(2);
        assert!(s.should_close_transport());
        assert_eq!(
            s.send_text("x"),
            Err(Error::InvalidState("the connection is closed"))
        );
        // anything after the Close is discarded
        s.receive(&masked(0x81, b"late"));
        assert!(events(&mut s).is_empty());
    }

    #[test]
    fn sec7_1_5_empty_close_is_1005_and_echoed_empty() {
        let mut s = server();
        s.receive(&masked(0x88, b""));
        assert_eq!(
            events(&mut s),
            vec![Event::Close {
                code: 1005,
                reason: String::new()
            }]
        );
        assert_eq!(to_hex(&s.take_output()), "88 00");
        assert_eq!(s.close_code(), Some(1005));
    }

    #[test]
    fn sec7_1_1_client_waits_for_the_server_to_close_tcp() {
        let mut c = client();
        c.receive(&hex("88 02 03 e8"));
        assert_eq!(
            events(&mut c),
            vec![Event::Close {
                code: 1000,
                reason: String::new()
            }]
        );
        assert_eq!(c.state(), State::Closed);
        // masked echo
        assert_eq!(to_hex(&c.take_output()), "88 82 37 fa 21 3d 34 12");
        assert!(!c.should_close_transport());
        c.receive_eof();
        assert!(
            events(&mut c).is_empty(),
            "no 1006 after a completed handshake"
        );
        assert!(c.should_close_transport());
        assert_eq!(c.close_code(), Some(1000));
    }

    #[test]
    fn sec7_1_2_we_close_first() {
        let mut s = server();
        s.close(Some(1001), "going").unwrap();
        assert_eq!(s.state(), State::Closing);
        assert_eq!(to_hex(&s.take_output()), "88 07 03 e9 67 6f 69 6e 67");
        assert!(!s.should_close_transport());
        assert_eq!(
            s.send_binary(b"x"),
            Err(Error::InvalidState("a Close frame has already been sent"))
        );
        assert!(matches!(s.close(None, ""), Err(Error::InvalidState(_))));
        // the peer's data and pings are ignored / not answered, then its Close completes
        s.receive(&masked(0x81, b"ignored"));
        s.receive(&masked(0x89, b"p"));
        s.receive(&masked(0x88, &1001u16.to_be_bytes()));
        assert_eq!(
            events(&mut s),
            vec![
                Event::Ping(b"p".to_vec()),
                Event::Close {
                    code: 1001,
                    reason: String::new()
                }
            ]
        );
        assert!(!s.has_output(), "no second Close, no pong");
        assert_eq!(s.state(), State::Closed);
        assert!(s.should_close_transport());
    }

    #[test]
    fn sec7_1_2_message_in_progress_is_dropped_by_our_close() {
        let mut s = server();
        let frame = masked(0x82, &[9; 100]);
        s.receive(&frame[..50]);
        s.close(None, "").unwrap();
        assert_eq!(to_hex(&s.take_output()), "88 00");
        s.receive(&frame[50..]);
        s.receive(&masked(0x80, b"x")); // a continuation: ignored, not an error
        s.receive(&masked(0x88, b""));
        assert_eq!(
            events(&mut s),
            vec![Event::Close {
                code: 1005,
                reason: String::new()
            }]
        );
    }

    #[test]
    fn sec7_1_2_client_close_handshake() {
        let mut c = client();
        c.close(Some(1000), "").unwrap();
        assert_eq!(to_hex(&c.take_output()), "88 82 37 fa 21 3d 34 12");
        c.receive(&hex("88 02 03 e8"));
        assert_eq!(
            events(&mut c),
            vec![Event::Close {
                code: 1000,
                reason: String::new()
            }]
        );
        assert!(!c.has_output());
        assert!(
            !c.should_close_transport(),
            "the client waits for the server's TCP close"
        );
        c.receive_eof();
        assert!(c.should_close_transport());
    }

    #[test]
    fn sec7_1_7_violation_while_closing_closes_without_second_close() {
        let mut s = server();
        s.close(Some(1000), "").unwrap();
        s.take_output();
        s.receive(&masked(0x83, b""));
        assert_eq!(events(&mut s), vec![Event::Error(Error::ReservedOpcode(3))]);
        assert!(!s.has_output());
        assert_eq!(s.state(), State::Closing);
        assert!(s.should_close_transport());
    }

    #[test]
    fn sec7_1_5_eof_without_close_is_1006() {
        let mut s = server();
        s.receive(&masked(0x01, b"par"));
        s.receive_eof();
        assert_eq!(
            events(&mut s),
            vec![Event::Close {
                code: 1006,
                reason: String::new()
            }]
        );
        assert_eq!(s.state(), State::Closed);
        assert_eq!(s.close_code(), Some(1006));
        assert!(s.should_close_transport());
        assert!(matches!(s.send_text("x"), Err(Error::InvalidState(_))));
        s.receive(&masked(0x81, b"late"));
        s.receive_eof();
        assert!(events(&mut s).is_empty());
    }

    #[test]
    fn sec7_1_5_eof_while_closing_is_1006() {
        let mut c = client();
        c.close(Some(1000), "").unwrap();
        c.receive_eof();
        assert_eq!(
            events(&mut c),
            vec![Event::Close {
                code: 1006,
                reason: String::new()
            }]
        );
        assert_eq!(c.state(), State::Closed);
    }

    #[test]
    fn sec7_1_7_error_close_carries_a_short_reason() {
        let mut s = server();
        s.receive(&masked(0x83, b""));
        let out = s.take_output();
        assert_eq!(out[0], 0x88);
        let len = out[1] as usize;
        assert!(len <= 125);
        assert_eq!(&out[2..4], &[0x03, 0xea]);
        assert_eq!(
            std::str::from_utf8(&out[4..2 + len]).unwrap(),
            "Reserved opcode 0x3"
        );
        let long = Error::PayloadTooBig {
            len: u64::MAX,
            max: u64::MAX,
        };
        assert!(short_reason(&long).len() <= MAX_CLOSE_REASON);
    }

    // ---- 10.4 limits, checked before buffering ----

    #[test]
    fn sec10_4_message_too_big_from_the_header_alone() {
        let mut s = server();
        let frame = masked(0x82, &vec![0u8; 70000]);
        // only the header (2 + 8 + 4 bytes) arrives
        s.receive(&frame[..14]);
        assert_eq!(
            events(&mut s),
            vec![Event::Error(Error::MessageTooBig {
                len: 70000,
                max: 65536
            })]
        );
        assert_eq!(out_close_code(s.pending_output()), Some(1009));
        assert_eq!(s.msg_buf.capacity(), 0, "nothing allocated for the payload");
    }

    #[test]
    fn sec10_4_message_too_big_across_fragments() {
        let config = Config {
            max_message_size: 10,
            ..Config::default()
        };
        let mut input = masked(0x02, &[0; 6]);
        input.extend(masked(0x00, &[0; 4]));
        input.extend(masked(0x80, &[0; 1]));
        server_fails_with(
            &input,
            config.clone(),
            Error::MessageTooBig { len: 11, max: 10 },
        );
        // exactly at the limit is fine
        let mut s = Connection::new(Role::Server, config);
        s.receive(&masked(0x02, &[0; 6]));
        s.receive(&masked(0x80, &[0; 4]));
        assert_eq!(events(&mut s), vec![Event::Binary(vec![0; 10])]);
    }

    #[test]
    fn sec10_4_huge_announced_length_with_no_limit_does_not_allocate_it() {
        let mut s = server();
        s.set_max_message_size(0);
        s.receive(&hex("82 ff 7f ff ff ff ff ff ff ff 00 00 00 00 01 02 03"));
        assert!(events(&mut s).is_empty());
        assert!(s.msg_buf.capacity() <= RESERVE_CAP as usize);
        assert_eq!(s.msg_buf, vec![1, 2, 3]);
    }

    #[test]
    fn sec10_4_too_many_fragments_fails_1009() {
        let config = Config {
            max_fragments: 3,
            ..Config::default()
        };
        let mut input = masked(0x01, b"a");
        input.extend(masked(0x00, b"b"));
        input.extend(masked(0x00, b"c"));
        input.extend(masked(0x80, b"d"));
        server_fails_with(&input, config.clone(), Error::TooManyFragments { max: 3 });
        let mut s = Connection::new(Role::Server, config);
        s.receive(&masked(0x01, b"a"));
        s.receive(&masked(0x00, b"b"));
        s.receive(&masked(0x80, b"c"));
        assert_eq!(events(&mut s), vec![Event::Text(b"abc".to_vec())]);
    }

    #[test]
    fn sec10_4_input_buffer_stays_small_for_large_frames() {
        let mut s = server();
        s.set_max_message_size(0);
        let frame = masked(0x82, &vec![3u8; 1 << 20]);
        for chunk in frame.chunks(1000) {
            s.receive(chunk);
            assert!(s.inbuf.len() < MAX_HEADER_LEN);
        }
        assert_eq!(events(&mut s), vec![Event::Binary(vec![3u8; 1 << 20])]);
    }

    // ---- sending API ----

    #[test]
    fn send_frame_fragmentation_rules() {
        let mut c = client();
        c.send_frame(OpCode::Text, false, b"Hel").unwrap();
        assert!(matches!(c.send_text("x"), Err(Error::InvalidState(_))));
        assert!(matches!(
            c.send_frame(OpCode::Binary, true, b"x"),
            Err(Error::InvalidState(_))
        ));
        c.send_ping(b"").unwrap();
        c.send_frame(OpCode::Continuation, true, b"lo").unwrap();
        assert!(matches!(
            c.send_frame(OpCode::Continuation, true, b"x"),
            Err(Error::InvalidState(_))
        ));
        let out = c.take_output();
        assert_eq!(
            to_hex(&out),
            "01 83 37 fa 21 3d 7f 9f 4d 89 80 37 fa 21 3d 80 82 37 fa 21 3d 5b 95"
        );
        let mut s = server();
        s.receive(&out);
        assert_eq!(
            events(&mut s),
            vec![Event::Ping(vec![]), Event::Text(b"Hello".to_vec())]
        );
    }

    #[test]
    fn send_frame_argument_errors() {
        let mut s = server();
        assert!(matches!(
            s.send_frame(OpCode::Reserved(3), true, b""),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            s.send_frame(OpCode::Ping, false, b""),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            s.send_frame(OpCode::Close, true, b"x"),
            Err(Error::InvalidArgument(_))
        ));
        s.send_frame(OpCode::Pong, true, b"a").unwrap();
        assert_eq!(to_hex(&s.take_output()), "8a 01 61");
        s.send_frame(OpCode::Close, true, &[0x03, 0xe8, b'o', b'k'])
            .unwrap();
        assert_eq!(to_hex(&s.take_output()), "88 04 03 e8 6f 6b");
        assert_eq!(s.state(), State::Closing);
    }

    #[test]
    fn send_frame_text_is_utf8_checked_across_fragments() {
        let mut s = server();
        let euro = "€".as_bytes();
        s.send_frame(OpCode::Text, false, &euro[..2]).unwrap();
        s.send_frame(OpCode::Continuation, true, &euro[2..])
            .unwrap();
        assert_eq!(to_hex(&s.take_output()), "01 02 e2 82 80 01 ac");
        assert_eq!(
            s.send_frame(OpCode::Text, true, &euro[..2]),
            Err(Error::InvalidUtf8)
        );
        assert_eq!(
            s.send_frame(OpCode::Text, false, &[0xff]),
            Err(Error::InvalidUtf8)
        );
        assert!(!s.has_output());
        s.send_text("ok").unwrap();
    }

    #[test]
    fn send_limits_and_control_sizes() {
        let mut s = Connection::new(
            Role::Server,
            Config {
                max_send_size: 4,
                ..Config::default()
            },
        );
        assert_eq!(
            s.send_binary(b"12345"),
            Err(Error::SendPayloadTooBig { len: 5, max: 4 })
        );
        s.send_text("1234").unwrap();
        s.send_frame(OpCode::Binary, false, b"12").unwrap();
        assert_eq!(
            s.send_frame(OpCode::Continuation, true, b"345"),
            Err(Error::SendPayloadTooBig { len: 5, max: 4 })
        );
        s.send_frame(OpCode::Continuation, true, b"34").unwrap();
        assert_eq!(s.send_ping(&[0; 126]), Err(Error::ControlFrameTooLong(126)));
        assert_eq!(s.send_pong(&[0; 126]), Err(Error::ControlFrameTooLong(126)));
        s.send_ping(&[0; 125]).unwrap();
    }

    #[test]
    fn close_argument_errors() {
        let mut s = server();
        assert!(matches!(
            s.close(Some(1005), ""),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            s.close(Some(999), ""),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            s.close(None, "why"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            s.close(Some(1000), &"x".repeat(124)),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(s.state(), State::Open);
        s.close(Some(4000), &"x".repeat(123)).unwrap();
        let out = s.take_output();
        assert_eq!(to_hex(&out[..4]), "88 7d 0f a0");
        assert_eq!(out.len(), 127);
    }

    #[test]
    fn output_buffer_consume_and_take() {
        let mut s = server();
        assert!(!s.has_output());
        s.send_text("ab").unwrap();
        s.send_text("cd").unwrap();
        assert_eq!(to_hex(s.pending_output()), "81 02 61 62 81 02 63 64");
        s.consume_output(3);
        assert_eq!(to_hex(s.pending_output()), "62 81 02 63 64");
        s.send_text("e").unwrap();
        assert_eq!(to_hex(&s.take_output()), "62 81 02 63 64 81 01 65");
        assert!(!s.has_output());
        s.consume_output(100);
        assert!(s.pending_output().is_empty());
        s.send_binary(&[1]).unwrap();
        s.consume_output(100);
        assert!(!s.has_output());
        s.shrink_buffers();
    }

    #[test]
    fn accessors() {
        let mut s = server();
        assert_eq!(s.role(), Role::Server);
        assert_eq!(s.state(), State::Open);
        assert_eq!(s.config(), &Config::default());
        s.set_max_fragments(7);
        s.config_mut().auto_pong = false;
        assert_eq!(s.config().max_fragments, 7);
        assert_eq!((s.close_code(), s.close_reason()), (None, None));
        assert!(!s.should_close_transport());
        assert!(!s.close_sent() && !s.close_received());
        assert!(format!("{s:?}").contains("Server"));
    }

    // ---- RFC 7692 (permessage-deflate) ----

    fn deflate_params(server_nct: bool, client_nct: bool) -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: server_nct,
            client_no_context_takeover: client_nct,
            ..DeflateParams::default()
        }
    }

    /// A connection with permessage-deflate on and a threshold of 0 (everything compressed).
    fn with_deflate(mut c: Connection, params: DeflateParams) -> Connection {
        c.config_mut().deflate.threshold = 0;
        c.set_deflate(Some(params)).unwrap();
        c
    }

    fn dserver() -> Connection {
        with_deflate(server(), deflate_params(false, false))
    }

    fn dclient() -> Connection {
        with_deflate(client(), deflate_params(false, false))
    }

    /// Raw DEFLATE of `data` with a sync flush, the tail removed (as a peer would send it).
    fn raw_deflate(data: &[u8]) -> Vec<u8> {
        let mut c = Codec::new(Role::Server, DeflateParams::default());
        c.compress(data).unwrap()
    }

    #[test]
    fn sec7_2_3_1_compressed_hello_sent_and_received() {
        let mut s = dserver();
        s.send_text("Hello").unwrap();
        assert_eq!(to_hex(&s.take_output()), "c1 07 f2 48 cd c9 c9 07 00");
        let mut c = dclient();
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
        // masked, from a client
        let mut c = dclient();
        c.send_text("Hello").unwrap();
        let mut s = dserver();
        s.receive(&c.take_output());
        assert_eq!(events(&mut s), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec7_2_3_1_compressed_hello_in_two_fragments() {
        let mut c = dclient();
        c.receive(&hex("41 03 f2 48 cd"));
        assert!(events(&mut c).is_empty());
        c.receive(&hex("80 04 c9 c9 07 00"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
        // one byte at a time, masked, to a server
        let mut s = dserver();
        let mut input = masked(0x41, &hex("f2 48 cd"));
        input.extend(masked(0x80, &hex("c9 c9 07 00")));
        for b in input {
            s.receive(&[b]);
        }
        assert_eq!(events(&mut s), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec7_2_3_2_context_takeover_shares_the_window() {
        let mut s = dserver();
        s.send_text("Hello").unwrap();
        s.send_text("Hello").unwrap();
        assert_eq!(
            to_hex(&s.take_output()),
            "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"
        );
        let mut c = dclient();
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"));
        assert_eq!(
            events(&mut c),
            vec![
                Event::Text(b"Hello".to_vec()),
                Event::Text(b"Hello".to_vec())
            ]
        );
        // with server_no_context_takeover, the second is compressed afresh
        let mut s = with_deflate(server(), deflate_params(true, false));
        s.send_text("Hello").unwrap();
        assert_eq!(
            s.deflate_allocated(),
            (false, false),
            "compressor freed after the message"
        );
        s.send_text("Hello").unwrap();
        assert_eq!(
            to_hex(&s.take_output()),
            "c1 07 f2 48 cd c9 c9 07 00 c1 07 f2 48 cd c9 c9 07 00"
        );
        let mut c = with_deflate(client(), deflate_params(true, false));
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00"));
        assert_eq!(
            c.deflate_allocated(),
            (false, false),
            "inflater freed after the message"
        );
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00"));
        assert_eq!(
            events(&mut c),
            vec![
                Event::Text(b"Hello".to_vec()),
                Event::Text(b"Hello".to_vec())
            ]
        );
        // context takeover keeps the inflater
        let mut c = dclient();
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00"));
        assert_eq!(c.deflate_allocated(), (false, true));
    }

    #[test]
    fn sec7_2_3_3_deflate_block_with_no_compression() {
        let mut c = dclient();
        c.receive(&hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec7_2_3_4_deflate_block_with_bfinal_set() {
        let mut c = dclient();
        c.receive(&hex("c1 08 f3 48 cd c9 c9 07 00 00"));
        // the stream ended: the next message starts a new one
        c.receive(&hex("c1 07 f2 48 cd c9 c9 07 00"));
        assert_eq!(
            events(&mut c),
            vec![
                Event::Text(b"Hello".to_vec()),
                Event::Text(b"Hello".to_vec())
            ]
        );
    }

    #[test]
    fn sec7_2_3_5_two_deflate_blocks_in_one_message() {
        let mut c = dclient();
        c.receive(&hex("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec7_2_3_6_empty_message() {
        let mut s = dserver();
        s.send_binary(b"").unwrap();
        assert_eq!(to_hex(&s.take_output()), "c2 01 00");
        let mut c = dclient();
        c.receive(&hex("c2 01 00 c1 00"));
        assert_eq!(
            events(&mut c),
            vec![Event::Binary(vec![]), Event::Text(vec![])]
        );
    }

    #[test]
    fn sec6_threshold_fragments_and_control_frames_stay_uncompressed() {
        let mut s = server();
        s.config_mut().deflate.threshold = 6;
        s.set_deflate(Some(deflate_params(false, false))).unwrap();
        s.send_text("Hello").unwrap();
        assert_eq!(
            to_hex(&s.take_output()),
            "81 05 48 65 6c 6c 6f",
            "below the threshold"
        );
        s.send_text("Hello!").unwrap();
        assert_eq!(s.take_output()[0], 0xc1, "at the threshold");
        s.send_frame(OpCode::Text, false, b"Hello!").unwrap();
        s.send_frame(OpCode::Continuation, true, b"Hello!").unwrap();
        assert_eq!(
            to_hex(&s.take_output()),
            "01 06 48 65 6c 6c 6f 21 80 06 48 65 6c 6c 6f 21"
        );
        s.send_frame(OpCode::Binary, true, b"Hello!").unwrap();
        assert_eq!(
            s.take_output()[0],
            0xc2,
            "a whole message through send_frame"
        );
        s.send_ping(b"Hello!").unwrap();
        s.send_pong(b"Hello!").unwrap();
        assert_eq!(
            to_hex(&s.take_output()),
            "89 06 48 65 6c 6c 6f 21 8a 06 48 65 6c 6c 6f 21"
        );
        // uncompressed messages are still received with the extension on
        let mut c = dclient();
        c.receive(&hex("81 05 48 65 6c 6c 6f"));
        assert_eq!(events(&mut c), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn sec6_1_rsv1_on_a_continuation_or_control_frame_fails_1002() {
        for input in [
            [
                masked(0x41, &hex("f2 48 cd")),
                masked(0xc0, &hex("c9 c9 07 00")),
            ]
            .concat(),
            [masked(0x01, b"He"), masked(0xc0, b"llo")].concat(),
            masked(0xc9, b""),
            masked(0xca, b""),
            masked(0xc8, &hex("03 e8")),
        ] {
            let mut s = dserver();
            s.receive(&input);
            let ev = events(&mut s);
            assert!(
                matches!(ev.as_slice(), [Event::Error(Error::ReservedBits(4))]),
                "{ev:?}"
            );
            assert_eq!(out_close_code(s.pending_output()), Some(1002));
        }
        // RSV2 and RSV3 stay errors with the extension on
        let mut s = dserver();
        s.receive(&masked(0xa1, b"x"));
        assert_eq!(events(&mut s), vec![Event::Error(Error::ReservedBits(2))]);
        // and RSV1 without the extension too
        server_fails_with(
            &hex("c1 07 f2 48 cd c9 c9 07 00"),
            Config::default(),
            Error::ReservedBits(4),
        );
    }

    #[test]
    fn sec8_1_invalid_utf8_after_inflating_fails_1007() {
        let mut s = dserver();
        let z = raw_deflate(&[b'a', 0xc3, 0x28, b'b']);
        s.receive(&masked(0xc1, &z));
        assert_eq!(events(&mut s), vec![Event::Error(Error::InvalidUtf8)]);
        assert_eq!(out_close_code(s.pending_output()), Some(1007));
        // a character cut between two messages' worth of data is fine within one message
        let mut s = dserver();
        let z = raw_deflate("€uro".as_bytes());
        s.receive(&masked(0x41, &z[..1]));
        s.receive(&masked(0x80, &z[1..]));
        assert_eq!(
            events(&mut s),
            vec![Event::Text("€uro".as_bytes().to_vec())]
        );
        // a truncated character at the end of the message
        let mut s = dserver();
        s.receive(&masked(0xc1, &raw_deflate(&[0xe2, 0x82])));
        assert_eq!(events(&mut s), vec![Event::Error(Error::InvalidUtf8)]);
    }

    #[test]
    fn corrupt_deflate_data_fails_1007() {
        let mut s = dserver();
        // BTYPE 11 is reserved
        s.receive(&masked(0xc2, &hex("ff ff")));
        assert_eq!(events(&mut s), vec![Event::Error(Error::BadCompressedData)]);
        assert_eq!(out_close_code(s.pending_output()), Some(1007));
        assert_eq!(
            s.deflate_allocated(),
            (false, false),
            "released with the connection"
        );
    }

    /// One sync-flushed segment that inflates to 1 MiB of zeros (its tail removed); repeated
    /// with the tail between copies, it stays a valid stream (each copy only refers back to
    /// zeros), so `n` copies are an `n` MiB bomb.
    fn zeros_segment() -> Vec<u8> {
        raw_deflate(&vec![0u8; 1 << 20])
    }

    #[test]
    fn sec8_2_deflate_bomb_closes_1009_with_bounded_memory() {
        let start = std::time::Instant::now();
        let seg = zeros_segment();
        let copies = 1024; // 1 GiB inflated
        let mut payload = Vec::with_capacity(seg.len() * copies);
        for _ in 0..copies {
            payload.extend_from_slice(&seg);
            payload.extend_from_slice(&TAIL);
        }
        let limit = 1u64 << 20;
        let mut s = dserver();
        s.set_max_message_size(limit);
        let frame = masked(0xc2, &payload);
        let bound = limit as usize + crate::deflate::INFLATE_CHUNK;
        let mut fed = 0;
        for chunk in frame.chunks(4096) {
            s.receive(chunk);
            fed += chunk.len();
            assert!(
                s.msg_buf.capacity() <= bound,
                "capacity {} > {bound}",
                s.msg_buf.capacity()
            );
            if s.has_events() {
                break;
            }
        }
        let ev = events(&mut s);
        assert!(
            matches!(ev.as_slice(), [Event::Error(Error::MessageTooBig { max, len })] if *max == limit && *len > limit && *len as usize <= bound),
            "{ev:?}"
        );
        assert_eq!(out_close_code(s.pending_output()), Some(1009));
        assert!(
            fed < frame.len() / 100,
            "failed early: {fed} of {} bytes read",
            frame.len()
        );
        assert_eq!(s.msg_buf.capacity(), 0);
        assert!(start.elapsed() < std::time::Duration::from_secs(30));
        // exactly at the limit is fine
        let mut s = dserver();
        s.set_max_message_size(limit);
        s.receive(&masked(0xc2, &seg));
        assert_eq!(events(&mut s), vec![Event::Binary(vec![0u8; 1 << 20])]);
        // and the same bomb in many small frames fails the same way
        let mut s = dserver();
        s.set_max_message_size(limit);
        s.set_max_fragments(0);
        s.receive(&masked(0x42, &[&seg[..], &TAIL[..]].concat()));
        s.receive(&masked(0x00, &seg));
        let ev = events(&mut s);
        assert!(
            matches!(ev.as_slice(), [Event::Error(Error::MessageTooBig { .. })]),
            "{ev:?}"
        );
    }

    #[test]
    fn set_deflate_between_messages_only() {
        let mut s = server();
        s.receive(&masked(0x01, b"He"));
        assert!(matches!(
            s.set_deflate(Some(DeflateParams::default())),
            Err(Error::InvalidState(_))
        ));
        s.receive(&masked(0x80, b"llo"));
        s.set_deflate(Some(DeflateParams::default())).unwrap();
        assert_eq!(s.deflate(), Some(&DeflateParams::default()));
        s.set_deflate(None).unwrap();
        assert_eq!(s.deflate(), None);
    }
}
