//! C ABI: the configuration and one connection's state machine.

use super::write_str;
use super::{bytes, guard, guard_value, set_last_error, ws_result, WS_NEED_MORE, WS_OK};
use crate::config::Config;
use crate::deflate;
use crate::error::Error;
use crate::frame::OpCode;
use crate::protocol::{Connection, Event, Role, State};

/// Default largest message accepted, in bytes (`ws_config_set_max_message_size`).
pub const WS_DEFAULT_MAX_MESSAGE_SIZE: u64 = Config::DEFAULT_MAX_MESSAGE_SIZE;
/// Default largest number of frames in one message (`ws_config_set_max_fragments`).
pub const WS_DEFAULT_MAX_FRAGMENTS: u64 = Config::DEFAULT_MAX_FRAGMENTS;
/// Default longest line of an HTTP head.
pub const WS_DEFAULT_MAX_LINE_LENGTH: usize = Config::DEFAULT_MAX_LINE_LENGTH;
/// Default most header fields in an HTTP head.
pub const WS_DEFAULT_MAX_HEADERS: usize = Config::DEFAULT_MAX_HEADERS;
/// Default largest HTTP head.
pub const WS_DEFAULT_MAX_HEAD_SIZE: usize = Config::DEFAULT_MAX_HEAD_SIZE;

/// Role of a connection: the client masks what it sends.
pub const WS_ROLE_CLIENT: u8 = 0;
/// Role of a connection: the server never masks.
pub const WS_ROLE_SERVER: u8 = 1;

/// Connection state: data may flow both ways.
pub const WS_STATE_OPEN: u8 = 0;
/// Connection state: a Close was sent, waiting for the peer's.
pub const WS_STATE_CLOSING: u8 = 1;
/// Connection state: the close handshake is complete or the stream ended.
pub const WS_STATE_CLOSED: u8 = 2;

/// Event kind: a complete text message (valid UTF-8).
pub const WS_EVENT_TEXT: u8 = 1;
/// Event kind: a complete binary message.
pub const WS_EVENT_BINARY: u8 = 2;
/// Event kind: a ping (the automatic pong is already queued when enabled).
pub const WS_EVENT_PING: u8 = 3;
/// Event kind: a pong.
pub const WS_EVENT_PONG: u8 = 4;
/// Event kind: the peer's Close (code, reason), or the end of the stream (1006).
pub const WS_EVENT_CLOSE: u8 = 5;
/// Event kind: a protocol violation or a limit hit; a Close with the code is already queued.
pub const WS_EVENT_ERROR: u8 = 6;

/// The limits and switches of a connection (opaque). See `ws_config_new`.
#[allow(non_camel_case_types)]
pub struct ws_config {
    inner: Config,
}

/// A new configuration with the documented defaults. Free with `ws_config_free`.
#[no_mangle]
pub extern "C" fn ws_config_new() -> *mut ws_config {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(ws_config {
            inner: Config::default(),
        }))
    })
}

/// Free a configuration (NULL is accepted). Connections keep their own copy.
///
/// # Safety
/// `c` must be NULL or a pointer from `ws_config_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_config_free(c: *mut ws_config) {
    if !c.is_null() {
        // SAFETY: `c` came from Box::into_raw and is freed once.
        guard_value((), || drop(unsafe { Box::from_raw(c) }));
    }
}

fn set_config(c: *mut ws_config, apply: impl FnOnce(&mut Config)) -> ws_result {
    guard(|| {
        // SAFETY: every caller documents that `c` is NULL or a live configuration.
        let c = unsafe { c.as_mut() }.ok_or(Error::NullPointer)?;
        apply(&mut c.inner);
        Ok(WS_OK)
    })
}

/// Largest message accepted (all fragments), in bytes; 0 = unlimited. Default 65536.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_message_size(
    c: *mut ws_config,
    value: u64,
) -> ws_result {
    set_config(c, |cfg| cfg.max_message_size = value)
}

/// Largest number of frames in one message; 0 = unlimited. Default 128.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_fragments(c: *mut ws_config, value: u64) -> ws_result {
    set_config(c, |cfg| cfg.max_fragments = value)
}

/// Largest outgoing message, in bytes; 0 = unlimited (the default).
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_send_size(c: *mut ws_config, value: u64) -> ws_result {
    set_config(c, |cfg| cfg.max_send_size = value)
}

/// Longest line of an HTTP head. Default 8192.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_line_length(
    c: *mut ws_config,
    value: usize,
) -> ws_result {
    set_config(c, |cfg| cfg.max_line_length = value)
}

/// Most header fields in an HTTP head. Default 100.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_headers(c: *mut ws_config, value: usize) -> ws_result {
    set_config(c, |cfg| cfg.max_headers = value)
}

/// Largest HTTP head. Default 16384.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_max_head_size(c: *mut ws_config, value: usize) -> ws_result {
    set_config(c, |cfg| cfg.max_head_size = value)
}

/// Whether a server accepts unmasked client frames (default true; false = strict RFC 6455
/// section 5.1, closing with 1002).
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_accept_unmasked_frames(
    c: *mut ws_config,
    value: bool,
) -> ws_result {
    set_config(c, |cfg| cfg.accept_unmasked_frames = value)
}

/// Whether pings are answered automatically (default true).
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_auto_pong(c: *mut ws_config, value: bool) -> ws_result {
    set_config(c, |cfg| cfg.auto_pong = value)
}

/// permessage-deflate: offer it (client) or accept it (server) (default false). Used by
/// `ws_deflate_client_offer`, `ws_deflate_server_answer` and `ws_connection_set_deflate`.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate(c: *mut ws_config, value: bool) -> ws_result {
    set_config(c, |cfg| cfg.deflate.enabled = value)
}

/// permessage-deflate `server_no_context_takeover` (default false): a client asks for it, a
/// server always answers with it.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_server_no_context_takeover(
    c: *mut ws_config,
    value: bool,
) -> ws_result {
    set_config(c, |cfg| cfg.deflate.server_no_context_takeover = value)
}

/// permessage-deflate `client_no_context_takeover` (default false): a client offers it, a
/// server always answers with it.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_client_no_context_takeover(
    c: *mut ws_config,
    value: bool,
) -> ws_result {
    set_config(c, |cfg| cfg.deflate.client_no_context_takeover = value)
}

fn window_bits(value: u8) -> Result<u8, Error> {
    if (8..=15).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidArgument("window bits must be 8 to 15"))
    }
}

/// permessage-deflate `server_max_window_bits`, 8-15 (default 15): what a client asks for
/// below 15; the largest window a server compresses with (8 is used as 9, an offer that
/// demands 8 is declined). InvalidArgument outside 8-15.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_server_max_window_bits(
    c: *mut ws_config,
    value: u8,
) -> ws_result {
    guard(|| {
        let v = window_bits(value)?;
        // SAFETY: as documented.
        let c = unsafe { c.as_mut() }.ok_or(Error::NullPointer)?;
        c.inner.deflate.server_max_window_bits = v;
        Ok(WS_OK)
    })
}

/// permessage-deflate `client_max_window_bits`, 8-15 (default 15): the largest window a
/// client compresses with (always offered; 8 means it sends uncompressed); the window a
/// server asks the client to use when the client's offer names the parameter.
/// InvalidArgument outside 8-15.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_client_max_window_bits(
    c: *mut ws_config,
    value: u8,
) -> ws_result {
    guard(|| {
        let v = window_bits(value)?;
        // SAFETY: as documented.
        let c = unsafe { c.as_mut() }.ok_or(Error::NullPointer)?;
        c.inner.deflate.client_max_window_bits = v;
        Ok(WS_OK)
    })
}

/// permessage-deflate threshold in bytes (default 10240): whole messages at least this long
/// are compressed.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_threshold(
    c: *mut ws_config,
    value: usize,
) -> ws_result {
    set_config(c, |cfg| cfg.deflate.threshold = value)
}

/// permessage-deflate required by a client (default false): `ws_connection_set_deflate` of a
/// client fails with 117 (close code 1010) when the answer does not accept it.
///
/// # Safety
/// `c` must be a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_config_set_deflate_required(
    c: *mut ws_config,
    value: bool,
) -> ws_result {
    set_config(c, |cfg| cfg.deflate.required = value)
}

/// Client: the permessage-deflate offer for `config` (a `Sec-WebSocket-Extensions` element,
/// e.g. `permessage-deflate; client_max_window_bits`), written into `buf` (capacity `cap`,
/// truncated, NUL-terminated). Returns its full length; 0 when `config` is NULL.
///
/// # Safety
/// `config` NULL or a live configuration; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_deflate_client_offer(
    config: *const ws_config,
    buf: *mut u8,
    cap: usize,
) -> usize {
    guard_value(0, || {
        // SAFETY: as documented.
        let Some(c) = (unsafe { config.as_ref() }) else {
            return 0;
        };
        let offer = deflate::client_offer(&c.inner.deflate).to_header_value();
        // SAFETY: as documented.
        unsafe { write_str(&offer, buf, cap) }
    })
}

/// Server: the permessage-deflate element to answer a request's `Sec-WebSocket-Extensions`
/// value `offers` with, under `config` (whose deflate switch is not looked at): the first
/// acceptable offer's answer, or nothing (`*len` 0) when every offer is declined. The text
/// goes to `buf` (capacity `cap`, truncated, NUL-terminated), its full length to `*len`.
/// Pass the same element to `ws_connection_set_deflate`. Errors: BadNegotiationHeader (217)
/// when `offers` is not a valid value.
///
/// # Safety
/// `config` a live configuration; `offers` `offers_len` readable bytes; `buf` NULL or `cap`
/// writable bytes; `len` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_deflate_server_answer(
    config: *const ws_config,
    offers: *const u8,
    offers_len: usize,
    buf: *mut u8,
    cap: usize,
    len: *mut usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let c = unsafe { config.as_ref() }.ok_or(Error::NullPointer)?;
        if len.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: as documented.
        let o = unsafe { bytes(offers, offers_len) }?;
        let o = std::str::from_utf8(o)
            .map_err(|_| Error::BadNegotiationHeader("Sec-WebSocket-Extensions".into()))?;
        let exts = crate::handshake::parse_extensions(&[o])?;
        let answer = deflate::negotiate(&exts, &c.inner.deflate)
            .map(|p| p.to_header_value())
            .unwrap_or_default();
        // SAFETY: as documented; `len` checked non-NULL.
        unsafe {
            *len = write_str(&answer, buf, cap);
        }
        Ok(WS_OK)
    })
}

/// One connection's state machine, after the opening handshake (opaque).
#[allow(non_camel_case_types)]
pub struct ws_connection {
    inner: Connection,
    event: Option<Event>,
    error_text: String,
}

/// A new connection in the given role (`WS_ROLE_CLIENT` or `WS_ROLE_SERVER`), with a copy of
/// `config` (NULL = defaults). Returns NULL on a bad role. Free with `ws_connection_free`.
///
/// # Safety
/// `config` must be NULL or a live configuration.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_new(
    role: u8,
    config: *const ws_config,
) -> *mut ws_connection {
    guard_value(std::ptr::null_mut(), || {
        let role = match role {
            WS_ROLE_CLIENT => Role::Client,
            WS_ROLE_SERVER => Role::Server,
            _ => {
                set_last_error(Error::InvalidArgument(
                    "role must be WS_ROLE_CLIENT or WS_ROLE_SERVER",
                ));
                return std::ptr::null_mut();
            }
        };
        // SAFETY: as documented.
        let cfg = unsafe { config.as_ref() }
            .map(|c| c.inner.clone())
            .unwrap_or_default();
        Box::into_raw(Box::new(ws_connection {
            inner: Connection::new(role, cfg),
            event: None,
            error_text: String::new(),
        }))
    })
}

/// Free a connection (NULL is accepted).
///
/// # Safety
/// `c` must be NULL or a pointer from `ws_connection_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_free(c: *mut ws_connection) {
    if !c.is_null() {
        // SAFETY: `c` came from Box::into_raw and is freed once.
        guard_value((), || drop(unsafe { Box::from_raw(c) }));
    }
}

/// For tests: mask every outgoing frame with the 4 bytes at `mask` instead of a secure random
/// mask; NULL goes back to random masks.
///
/// # Safety
/// `c` must be a live connection; `mask` NULL or 4 readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_set_fixed_mask(
    c: *mut ws_connection,
    mask: *const u8,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let c = unsafe { c.as_mut() }.ok_or(Error::NullPointer)?;
        let m = if mask.is_null() {
            None
        } else {
            let mut m = [0u8; 4];
            // SAFETY: `mask` has 4 readable bytes.
            unsafe { std::ptr::copy_nonoverlapping(mask, m.as_mut_ptr(), 4) };
            Some(m)
        };
        c.inner.set_fixed_mask(m);
        Ok(WS_OK)
    })
}

fn conn<'a>(c: *mut ws_connection) -> Result<&'a mut ws_connection, Error> {
    // SAFETY: every caller documents that `c` is NULL or a live connection.
    unsafe { c.as_mut() }.ok_or(Error::NullPointer)
}

/// Turn permessage-deflate on (or off) from the `Sec-WebSocket-Extensions` value of the
/// server's 101 answer: a server passes the element it answered with
/// (`ws_deflate_server_answer`); a client whose configuration has deflate on passes the
/// answer as received, which is checked against the offer `ws_deflate_client_offer` builds
/// from that configuration (the connection must have been created with it). A value
/// without permessage-deflate (or NULL/empty) turns it off. Errors: 217 for a malformed
/// value, 117 (close code 1010: fail the connection) for an answer RFC 7692 says to reject
/// or a missing one while required, InvalidState while a message is in progress.
///
/// # Safety
/// `c` must be a live connection; `value` `len` readable bytes (or NULL with `len` 0).
#[no_mangle]
pub unsafe extern "C" fn ws_connection_set_deflate(
    c: *mut ws_connection,
    value: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        // SAFETY: as documented.
        let v = unsafe { bytes(value, len) }?;
        let v = std::str::from_utf8(v)
            .map_err(|_| Error::BadNegotiationHeader("Sec-WebSocket-Extensions".into()))?;
        c.inner.set_deflate_from_header(v)?;
        Ok(WS_OK)
    })
}

/// The permessage-deflate parameters in force, as a header element written into `buf`
/// (capacity `cap`, truncated, NUL-terminated); returns its full length, 0 when the
/// extension is off (or `c` is NULL).
///
/// # Safety
/// `c` NULL or a live connection; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_deflate(
    c: *const ws_connection,
    buf: *mut u8,
    cap: usize,
) -> usize {
    guard_value(0, || {
        // SAFETY: as documented.
        let Some(p) = (unsafe { c.as_ref() }).and_then(|c| c.inner.deflate()) else {
            return 0;
        };
        // SAFETY: as documented.
        unsafe { write_str(&p.to_header_value(), buf, cap) }
    })
}

/// Feed received bytes. Never fails because of what the peer sent: violations become a
/// `WS_EVENT_ERROR` event and a queued Close.
///
/// # Safety
/// `c` must be a live connection; `data` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_receive(
    c: *mut ws_connection,
    data: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        // SAFETY: as documented.
        let b = unsafe { bytes(data, len) }?;
        c.inner.receive(b);
        Ok(WS_OK)
    })
}

/// The peer closed its end of the stream.
///
/// # Safety
/// `c` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_receive_eof(c: *mut ws_connection) -> ws_result {
    guard(|| {
        conn(c)?.inner.receive_eof();
        Ok(WS_OK)
    })
}

/// The next event: `WS_OK` with `kind` (a `WS_EVENT_*`), `code` (close code for CLOSE and
/// ERROR events, 0 otherwise) and the event's bytes (message payload, close reason, or the
/// error's message) in `data`/`len`, owned by the connection until the next call on it; or
/// `WS_NEED_MORE` when there is no event.
///
/// # Safety
/// `c` must be a live connection; the output pointers valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_next_event(
    c: *mut ws_connection,
    kind: *mut u8,
    code: *mut u16,
    data: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        if kind.is_null() || code.is_null() || data.is_null() || len.is_null() {
            return Err(Error::NullPointer);
        }
        c.event = None;
        let Some(ev) = c.inner.next_event() else {
            return Ok(WS_NEED_MORE);
        };
        let ev = c.event.insert(ev);
        let (k, cc, bytes): (u8, u16, &[u8]) = match ev {
            Event::Text(b) => (WS_EVENT_TEXT, 0, b),
            Event::Binary(b) => (WS_EVENT_BINARY, 0, b),
            Event::Ping(b) => (WS_EVENT_PING, 0, b),
            Event::Pong(b) => (WS_EVENT_PONG, 0, b),
            Event::Close { code, reason } => (WS_EVENT_CLOSE, *code, reason.as_bytes()),
            Event::Error(e) => {
                c.error_text = e.to_string();
                (
                    WS_EVENT_ERROR,
                    e.close_code().unwrap_or(1011),
                    c.error_text.as_bytes(),
                )
            }
        };
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *kind = k;
            *code = cc;
            *data = bytes.as_ptr();
            *len = bytes.len();
        }
        Ok(WS_OK)
    })
}

/// Queue one frame: `opcode` 0-2 or 8-10, `fin` false to send a message in fragments (the
/// continuation rules are enforced). A text payload must be UTF-8 (checked across fragments).
/// Errors: InvalidState after our Close, SendPayloadTooBig over `max_send_size`,
/// ControlFrameTooLong for control payloads over 125 bytes, InvalidUtf8, InvalidArgument.
///
/// # Safety
/// `c` must be a live connection; `data` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_send(
    c: *mut ws_connection,
    opcode: u8,
    fin: bool,
    data: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        // SAFETY: as documented.
        let b = unsafe { bytes(data, len) }?;
        if opcode > 15 {
            return Err(Error::InvalidArgument("opcode must be 0 to 15"));
        }
        c.inner.send_frame(OpCode::from_u8(opcode), fin, b)?;
        Ok(WS_OK)
    })
}

/// Start the close handshake with `code` (0 = a Close without status) and `reason` (UTF-8, at
/// most 123 bytes). Errors: InvalidArgument for a code that may not be sent or a long reason,
/// InvalidUtf8, InvalidState when a Close was already sent.
///
/// # Safety
/// `c` must be a live connection; `reason` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_close(
    c: *mut ws_connection,
    code: u16,
    reason: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        // SAFETY: as documented.
        let r = unsafe { bytes(reason, len) }?;
        let r = std::str::from_utf8(r).map_err(|_| Error::InvalidUtf8)?;
        c.inner
            .close(if code == 0 { None } else { Some(code) }, r)?;
        Ok(WS_OK)
    })
}

/// The bytes waiting to be written to the peer (owned by the connection, valid until the next
/// call that changes it). Mark what was written with `ws_connection_consume_output`.
///
/// # Safety
/// `c` must be a live connection; `data` and `len` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_output(
    c: *mut ws_connection,
    data: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    guard(|| {
        let c = conn(c)?;
        if data.is_null() || len.is_null() {
            return Err(Error::NullPointer);
        }
        let out = c.inner.pending_output();
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *data = out.as_ptr();
            *len = out.len();
        }
        Ok(WS_OK)
    })
}

/// Mark the first `n` bytes of the output as written.
///
/// # Safety
/// `c` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_consume_output(
    c: *mut ws_connection,
    n: usize,
) -> ws_result {
    guard(|| {
        conn(c)?.inner.consume_output(n);
        Ok(WS_OK)
    })
}

/// The state: `WS_STATE_OPEN`, `WS_STATE_CLOSING` or `WS_STATE_CLOSED` (CLOSED for NULL).
///
/// # Safety
/// `c` must be a live connection or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_connection_state(c: *const ws_connection) -> u8 {
    guard_value(WS_STATE_CLOSED, || {
        // SAFETY: as documented.
        match unsafe { c.as_ref() }.map(|c| c.inner.state()) {
            Some(State::Open) => WS_STATE_OPEN,
            Some(State::Closing) => WS_STATE_CLOSING,
            Some(State::Closed) | None => WS_STATE_CLOSED,
        }
    })
}

/// Whether the transport should be closed now (close handshake done and output flushed, or
/// the stream ended). A client whose close handshake is done waits for the server to close
/// first (RFC 6455 section 7.1.1), so callers also need a close timeout.
///
/// # Safety
/// `c` must be a live connection or NULL (gives true).
#[no_mangle]
pub unsafe extern "C" fn ws_connection_should_close(c: *const ws_connection) -> bool {
    // SAFETY: as documented.
    guard_value(true, || {
        unsafe { c.as_ref() }.map_or(true, |c| c.inner.should_close_transport())
    })
}
