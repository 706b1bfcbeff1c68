//! C ABI: the reactor (one event loop per process, driven by the caller's thread).
//!
//! Conventions beyond those of the whole ABI (see the module `ffi`):
//!
//! - Every function that can fail returns a `ws_result` and records its failure on the
//!   reactor (`ws_reactor_error`, cleared at the start of every fallible call on that
//!   reactor) and on the calling thread (`ws_reactor_last_error`; engine errors also in
//!   `ws_last_error`). Operating-system failures (bind, resolve, epoll) have the code
//!   `WS_ERR_IO` (401) and carry `errno` as their detail.
//! - TLS configuration failures (bad PEM, a key that does not match its certificate, an
//!   invalid server name...) have the code `WS_ERR_TLS` (402) and a message naming the
//!   problem; TLS failures on a connection come as events (ERROR then CLOSED, code 1015
//!   `WS_CLOSE_TLS_HANDSHAKE` when the TLS handshake failed).
//! - Ids of connections, listeners and timers are `uint64_t`, never 0 and never reused
//!   within a reactor's life.
//! - Durations are in microseconds.
//! - Events are collected by `ws_reactor_poll` and drained one at a time with
//!   `ws_reactor_next_event`; the bytes it points to are owned by the reactor and stay valid
//!   until the next `ws_reactor_next_event`, `ws_reactor_poll` or `ws_reactor_free` on it. The
//!   fields of a REQUEST event and the headers of an OPEN event are read with
//!   `ws_reactor_event_field`, `ws_reactor_event_header*` and `ws_reactor_event_protocol*`
//!   while it is the current event.
//! - Strings passed in (host, path, headers...) are UTF-8, given as pointer + length; lists
//!   are arrays of pointers and an array of lengths. "NULL = none" is stated where it applies.

use super::{bytes, guard_value, set_last_error, write_str, ws_result, WS_NEED_MORE, WS_OK};
use crate::error::Error;
use crate::frame::OpCode;
use crate::handshake::{parse_extensions, ClientHandshakeConfig};
use crate::reactor::{
    cipher_suite_name_nul, ConnOption, Reactor, ReactorError, ReactorEvent, ReactorResult,
    TlsClientConfig, TlsServerConfig, TlsVerify, TlsVersions,
};
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// Result code of an operating-system failure (bind, connect, resolve, epoll...); the detail
/// of the error is `errno`.
pub const WS_ERR_IO: ws_result = 401;
const _: () = assert!(WS_ERR_IO == crate::reactor::IO_ERROR_CODE);
/// Result code of a TLS configuration failure (bad PEM, a key that does not match the
/// certificate, an unsupported key type, an invalid server name, no usable system CA...);
/// the message says which. Its detail is 0.
pub const WS_ERR_TLS: ws_result = 402;
const _: () = assert!(WS_ERR_TLS == crate::reactor::TLS_ERROR_CODE);

/// The close code of ERROR and CLOSED events of a connection whose TLS handshake failed.
pub const WS_CLOSE_TLS_HANDSHAKE: u16 = 1015;
const _: () = assert!(WS_CLOSE_TLS_HANDSHAKE == crate::reactor::TLS_HANDSHAKE_FAILED);

/// TLS flag: TLS 1.2 only (default: TLS 1.2 and 1.3).
pub const WS_TLS_VERSION_1_2_ONLY: u32 = 1;
/// TLS flag: TLS 1.3 only (default: TLS 1.2 and 1.3).
pub const WS_TLS_VERSION_1_3_ONLY: u32 = 2;
/// TLS flag (clients): do not verify the server's certificate at all. Anyone on the path
/// can then read and change the traffic: for tests and closed networks only.
pub const WS_TLS_DANGEROUS_NO_VERIFY: u32 = 4;

/// Event kind: a listener accepted a connection. id = connection, id2 = listener,
/// code = peer port, data = peer IP address (text).
pub const WS_REACTOR_EVENT_ACCEPT: u8 = 1;
/// Event kind: a valid opening handshake awaits `ws_reactor_accept`/`ws_reactor_reject`.
/// id = connection, data = request target, data2 = `Origin` (NULL when absent); every field
/// through `ws_reactor_event_field`, headers through `ws_reactor_event_header`, offered
/// subprotocols through `ws_reactor_event_protocol`.
pub const WS_REACTOR_EVENT_REQUEST: u8 = 2;
/// Event kind: the connection is open. data = selected subprotocol (NULL when none), data2 =
/// `Sec-WebSocket-Extensions` value (NULL when none); client side, the server's headers
/// through `ws_reactor_event_header`.
pub const WS_REACTOR_EVENT_OPEN: u8 = 3;
/// Event kind: a text message (valid UTF-8) in data.
pub const WS_REACTOR_EVENT_TEXT: u8 = 4;
/// Event kind: a binary message in data.
pub const WS_REACTOR_EVENT_BINARY: u8 = 5;
/// Event kind: a ping (payload in data; the automatic pong is queued when enabled).
pub const WS_REACTOR_EVENT_PING: u8 = 6;
/// Event kind: a pong (payload in data).
pub const WS_REACTOR_EVENT_PONG: u8 = 7;
/// Event kind: the peer's Close frame: code, reason in data; our reply is queued.
pub const WS_REACTOR_EVENT_CLOSE: u8 = 8;
/// Event kind: a failure: code = close code, HTTP status, or 1006; message in data.
pub const WS_REACTOR_EVENT_ERROR: u8 = 9;
/// Event kind: the TCP connection is gone: code and reason of the peer's Close; else, when the
/// engine failed the connection (an ERROR before), the close code it sent and the error's
/// message; else 1006. The connection's last event; its id is dead afterwards.
pub const WS_REACTOR_EVENT_CLOSED: u8 = 10;
/// Event kind: all pending output was written after back-pressure (id = connection).
pub const WS_REACTOR_EVENT_DRAIN: u8 = 11;
/// Event kind: a watched descriptor is readable (id = the descriptor).
pub const WS_REACTOR_EVENT_READABLE: u8 = 12;
/// Event kind: a watched descriptor is writable (id = the descriptor).
pub const WS_REACTOR_EVENT_WRITABLE: u8 = 13;
/// Event kind: a timer fired (id = the timer).
pub const WS_REACTOR_EVENT_TIMER: u8 = 14;

/// Request field (`ws_reactor_event_field`): the method.
pub const WS_REQUEST_METHOD: u8 = 1;
/// Request field: the request target (path and query).
pub const WS_REQUEST_TARGET: u8 = 2;
/// Request field: the HTTP version, e.g. `HTTP/1.1`.
pub const WS_REQUEST_HTTP_VERSION: u8 = 3;
/// Request field: the `Host` header.
pub const WS_REQUEST_HOST: u8 = 4;
/// Request field: `Sec-WebSocket-Key`.
pub const WS_REQUEST_KEY: u8 = 5;
/// Request field: `Sec-WebSocket-Version`.
pub const WS_REQUEST_VERSION: u8 = 6;
/// Request field: `Origin` (NULL when absent).
pub const WS_REQUEST_ORIGIN: u8 = 7;
/// Request field: `Sec-WebSocket-Extensions` as received (NULL when absent).
pub const WS_REQUEST_EXTENSIONS: u8 = 8;

/// Option: largest incoming message in bytes, 0 = unlimited (default 65536).
pub const WS_REACTOR_OPT_MAX_MESSAGE_SIZE: u32 = 1;
/// Option: most frames per incoming message, 0 = unlimited (default 128).
pub const WS_REACTOR_OPT_MAX_FRAGMENTS: u32 = 2;
/// Option: largest outgoing message in bytes, 0 = unlimited (the default).
pub const WS_REACTOR_OPT_MAX_SEND_SIZE: u32 = 3;
/// Option: accept unmasked frames from clients, 0 or 1 (default 1).
pub const WS_REACTOR_OPT_ACCEPT_UNMASKED_FRAMES: u32 = 4;
/// Option: answer pings automatically, 0 or 1 (default 1).
pub const WS_REACTOR_OPT_AUTO_PONG: u32 = 5;
/// Option: TCP_NODELAY, 0 or 1 (default 1).
pub const WS_REACTOR_OPT_NODELAY: u32 = 6;
/// Option: opening handshake timeout in microseconds, 0 = none (default 10 s).
pub const WS_REACTOR_OPT_HANDSHAKE_TIMEOUT: u32 = 7;
/// Option: close timeout in microseconds, 0 = none (default 5 s).
pub const WS_REACTOR_OPT_CLOSE_TIMEOUT: u32 = 8;
/// Option: largest unsent output per connection in bytes, 0 = unlimited (default 16 MiB).
pub const WS_REACTOR_OPT_MAX_BUFFERED: u32 = 9;
/// Option: keep-alive ping after this much silence, microseconds, 0 = off (the default).
pub const WS_REACTOR_OPT_PING_INTERVAL: u32 = 10;
/// Option: drop a connection whose ping got no answer within this, microseconds, 0 = off.
pub const WS_REACTOR_OPT_PONG_TIMEOUT: u32 = 11;
/// Option (reactor defaults only): longest line of an HTTP head (default 8192).
pub const WS_REACTOR_OPT_MAX_LINE_LENGTH: u32 = 12;
/// Option (reactor defaults only): most header fields of an HTTP head (default 100).
pub const WS_REACTOR_OPT_MAX_HEADERS: u32 = 13;
/// Option (reactor defaults only): largest HTTP head (default 16384).
pub const WS_REACTOR_OPT_MAX_HEAD_SIZE: u32 = 14;
/// Option: permessage-deflate (RFC 7692), 0 or 1 (default 0): a client offers it, a server
/// accepts the first acceptable offer (and never accepts it when 0). This option and the
/// next four change a connection only before its opening handshake: a server connection
/// until `ws_reactor_accept`, a client connection between `ws_reactor_connect` and the next
/// `ws_reactor_poll` (its request is rebuilt); later they fail with InvalidState.
pub const WS_REACTOR_OPT_DEFLATE: u32 = 15;
/// Option: permessage-deflate `server_no_context_takeover`, 0 or 1 (default 0). Client:
/// asked for in the offer. Server: always answered (the server resets its compressor after
/// every message).
pub const WS_REACTOR_OPT_DEFLATE_SERVER_NO_CONTEXT_TAKEOVER: u32 = 16;
/// Option: permessage-deflate `client_no_context_takeover`, 0 or 1 (default 0). Client:
/// offered (the client resets its compressor after every message). Server: always
/// answered (the client must reset its compressor; the server frees its inflater between
/// messages).
pub const WS_REACTOR_OPT_DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER: u32 = 17;
/// Option: permessage-deflate `server_max_window_bits`, 8-15 (default 15). Client: below 15,
/// asked for in the offer. Server: the largest window it compresses with (8 is used as 9;
/// an offer that demands 8 is declined).
pub const WS_REACTOR_OPT_DEFLATE_SERVER_MAX_WINDOW_BITS: u32 = 18;
/// Option: permessage-deflate `client_max_window_bits`, 8-15 (default 15). Client: the
/// largest window it compresses with, always offered (8: it sends uncompressed). Server: the
/// window it asks the client to use when the client's offer names the parameter.
pub const WS_REACTOR_OPT_DEFLATE_CLIENT_MAX_WINDOW_BITS: u32 = 19;
/// Option: permessage-deflate threshold in bytes (default 10240): whole messages at least
/// this long are compressed. Takes effect at once, also on open connections.
pub const WS_REACTOR_OPT_DEFLATE_THRESHOLD: u32 = 20;
/// Option: a client that requires permessage-deflate, 0 or 1 (default 0): a server that
/// does not accept it fails the connection with 1010 (ERROR, then CLOSED).
pub const WS_REACTOR_OPT_DEFLATE_REQUIRED: u32 = 21;

/// An event loop with its sockets, timers and watched descriptors (opaque). One thread at a
/// time; not usable in a process forked after its creation (every call fails with
/// InvalidState; freeing it there only closes the child's copies of its descriptors).
#[allow(non_camel_case_types)]
pub struct ws_reactor {
    inner: Reactor,
    /// Collected events; those before `next` were handed out already.
    events: Vec<ReactorEvent>,
    next: usize,
    current: Option<ReactorEvent>,
    /// Text owned for the caller (the peer address of an ACCEPT, `ws_reactor_peer`).
    text: String,
    error: Option<(u32, u32, String)>,
    /// Client TLS configurations built by `ws_reactor_connect_tls` (flags, CA PEM), reused
    /// by later connections with the same arguments; the most recent last.
    tls_clients: Vec<(u32, Option<Vec<u8>>, TlsClientConfig)>,
}

/// Client TLS configurations kept per reactor.
const TLS_CLIENT_CACHE: usize = 8;

fn tls_versions(flags: u32) -> ReactorResult<TlsVersions> {
    if flags & !(WS_TLS_VERSION_1_2_ONLY | WS_TLS_VERSION_1_3_ONLY | WS_TLS_DANGEROUS_NO_VERIFY)
        != 0
    {
        return Err(Error::InvalidArgument("unknown TLS flag").into());
    }
    match flags & (WS_TLS_VERSION_1_2_ONLY | WS_TLS_VERSION_1_3_ONLY) {
        0 => Ok(TlsVersions::Any),
        WS_TLS_VERSION_1_2_ONLY => Ok(TlsVersions::Tls12),
        WS_TLS_VERSION_1_3_ONLY => Ok(TlsVersions::Tls13),
        _ => Err(Error::InvalidArgument(
            "WS_TLS_VERSION_1_2_ONLY and WS_TLS_VERSION_1_3_ONLY exclude each other",
        )
        .into()),
    }
}

thread_local! {
    static LAST: RefCell<Option<(u32, u32, String)>> = const { RefCell::new(None) };
}

fn record(e: &ReactorError) -> (u32, u32, String) {
    let rec = (e.code(), e.detail(), e.to_string());
    LAST.with(|l| *l.borrow_mut() = Some(rec.clone()));
    if let ReactorError::Engine(err) = e {
        set_last_error(err.clone());
    }
    rec
}

/// Run a body on a reactor: clears its error, records a failure, catches panics.
fn with_reactor(
    r: *mut ws_reactor,
    f: impl FnOnce(&mut ws_reactor) -> ReactorResult<ws_result>,
) -> ws_result {
    // SAFETY: every caller documents that `r` is NULL or a live reactor.
    let Some(r) = (unsafe { r.as_mut() }) else {
        return record(&ReactorError::Engine(Error::NullPointer)).0;
    };
    r.error = None;
    match catch_unwind(AssertUnwindSafe(|| f(r))) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            let rec = record(&e);
            let code = rec.0;
            r.error = Some(rec);
            code
        }
        Err(_) => {
            let rec = record(&ReactorError::Engine(Error::Panic));
            r.error = Some(rec);
            super::WS_ERR_PANIC
        }
    }
}

fn null() -> ReactorError {
    Error::NullPointer.into()
}

/// # Safety
/// `p` must point to `len` readable bytes (or be NULL with `len` 0).
unsafe fn text<'a>(p: *const u8, len: usize, what: &'static str) -> ReactorResult<&'a str> {
    // SAFETY: as documented.
    let b = unsafe { bytes(p, len) }?;
    std::str::from_utf8(b).map_err(|_| Error::InvalidArgument(what).into())
}

/// # Safety
/// As [`text`]; NULL means none.
unsafe fn opt_text<'a>(
    p: *const u8,
    len: usize,
    what: &'static str,
) -> ReactorResult<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: as documented.
    unsafe { text(p, len, what) }.map(Some)
}

/// # Safety
/// `ptrs` and `lens` must be arrays of `n` elements (or NULL with `n` 0), each pointer valid
/// for its length.
unsafe fn text_list(
    ptrs: *const *const u8,
    lens: *const usize,
    n: usize,
    what: &'static str,
) -> ReactorResult<Vec<String>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if ptrs.is_null() || lens.is_null() {
        return Err(null());
    }
    (0..n)
        .map(|i| {
            // SAFETY: the arrays have `n` elements.
            let (p, l) = unsafe { (*ptrs.add(i), *lens.add(i)) };
            // SAFETY: each pointer is valid for its length.
            unsafe { text(p, l, what) }.map(str::to_owned)
        })
        .collect()
}

/// # Safety
/// As [`text_list`] with `2 * pairs` elements: name, value, name, value...
unsafe fn header_list(
    ptrs: *const *const u8,
    lens: *const usize,
    pairs: usize,
) -> ReactorResult<Vec<(String, String)>> {
    let n = pairs
        .checked_mul(2)
        .ok_or(Error::InvalidArgument("too many headers"))?;
    // SAFETY: as documented.
    let flat = unsafe { text_list(ptrs, lens, n, "header names and values must be UTF-8") }?;
    let mut it = flat.into_iter();
    let mut out = Vec::with_capacity(pairs);
    while let (Some(n), Some(v)) = (it.next(), it.next()) {
        out.push((n, v));
    }
    Ok(out)
}

fn micros(us: u64) -> Duration {
    Duration::from_micros(us)
}

/// Create a reactor with the default configuration (change it with
/// `ws_reactor_set_option(r, 0, ...)`) and store it in `*out`. Free it with
/// `ws_reactor_free`. Fails with `WS_ERR_IO` when the epoll instance cannot be created.
///
/// # Safety
/// `out` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_new(out: *mut *mut ws_reactor) -> ws_result {
    // AssertUnwindSafe: nothing is shared with the caller before success (a reactor holds
    // rustls configurations, whose trait objects are not RefUnwindSafe).
    let res = catch_unwind(AssertUnwindSafe(|| -> ReactorResult<*mut ws_reactor> {
        if out.is_null() {
            return Err(null());
        }
        let inner = Reactor::new()?;
        Ok(Box::into_raw(Box::new(ws_reactor {
            inner,
            events: Vec::new(),
            next: 0,
            current: None,
            text: String::new(),
            error: None,
            tls_clients: Vec::new(),
        })))
    }));
    match res {
        Ok(Ok(p)) => {
            // SAFETY: checked non-NULL above.
            unsafe { *out = p };
            WS_OK
        }
        Ok(Err(e)) => record(&e).0,
        Err(_) => record(&ReactorError::Engine(Error::Panic)).0,
    }
}

/// Free a reactor (NULL is accepted): every connection and listener is closed (without a
/// close handshake), watched descriptors are left alone (they are the caller's).
///
/// # Safety
/// `r` must be NULL or a pointer from `ws_reactor_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_free(r: *mut ws_reactor) {
    if !r.is_null() {
        // SAFETY: `r` came from Box::into_raw and is freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(r) })));
    }
}

/// Details of the last failure of a call on `r`: its code and detail (close code or HTTP
/// status of an engine error, errno of an OS error) into the non-NULL pointers, the message
/// into `buf` (capacity `cap`, truncated, NUL-terminated). Returns the full message length,
/// or 0 when the last fallible call on `r` succeeded.
///
/// # Safety
/// `r` must be a live reactor; outputs NULL or valid; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_error(
    r: *const ws_reactor,
    code: *mut u32,
    detail: *mut u32,
    buf: *mut u8,
    cap: usize,
) -> usize {
    // SAFETY: as documented.
    let Some(r) = (unsafe { r.as_ref() }) else {
        return 0;
    };
    // SAFETY: as documented.
    unsafe { write_error(r.error.as_ref(), code, detail, buf, cap) }
}

/// As `ws_reactor_error`, for the last failure of a reactor function on the calling thread
/// (also for `ws_reactor_new`, which has no reactor to record it on).
///
/// # Safety
/// Outputs NULL or valid; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_last_error(
    code: *mut u32,
    detail: *mut u32,
    buf: *mut u8,
    cap: usize,
) -> usize {
    // SAFETY: as documented.
    LAST.with(|l| unsafe { write_error(l.borrow().as_ref(), code, detail, buf, cap) })
}

/// # Safety
/// Outputs NULL or valid; `buf` NULL or `cap` writable bytes.
unsafe fn write_error(
    e: Option<&(u32, u32, String)>,
    code: *mut u32,
    detail: *mut u32,
    buf: *mut u8,
    cap: usize,
) -> usize {
    let Some((c, d, m)) = e else { return 0 };
    // SAFETY: as documented.
    unsafe {
        if !code.is_null() {
            *code = *c;
        }
        if !detail.is_null() {
            *detail = *d;
        }
        write_str(m, buf, cap)
    }
}

/// Set an option (`WS_REACTOR_OPT_*`) of connection `conn`, or with `conn` 0 the default
/// for connections created from now on. Booleans are 0/1, durations microseconds. The
/// HTTP head limits can only be set as defaults.
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_set_option(
    r: *mut ws_reactor,
    conn: u64,
    option: u32,
    value: u64,
) -> ws_result {
    with_reactor(r, |r| {
        let opt = match option {
            WS_REACTOR_OPT_MAX_MESSAGE_SIZE => ConnOption::MaxMessageSize(value),
            WS_REACTOR_OPT_MAX_FRAGMENTS => ConnOption::MaxFragments(value),
            WS_REACTOR_OPT_MAX_SEND_SIZE => ConnOption::MaxSendSize(value),
            WS_REACTOR_OPT_ACCEPT_UNMASKED_FRAMES => ConnOption::AcceptUnmaskedFrames(value != 0),
            WS_REACTOR_OPT_AUTO_PONG => ConnOption::AutoPong(value != 0),
            WS_REACTOR_OPT_NODELAY => ConnOption::Nodelay(value != 0),
            WS_REACTOR_OPT_HANDSHAKE_TIMEOUT => ConnOption::HandshakeTimeout(micros(value)),
            WS_REACTOR_OPT_CLOSE_TIMEOUT => ConnOption::CloseTimeout(micros(value)),
            WS_REACTOR_OPT_MAX_BUFFERED => {
                ConnOption::MaxBuffered(usize::try_from(value).unwrap_or(usize::MAX))
            }
            WS_REACTOR_OPT_PING_INTERVAL => ConnOption::PingInterval(micros(value)),
            WS_REACTOR_OPT_PONG_TIMEOUT => ConnOption::PongTimeout(micros(value)),
            WS_REACTOR_OPT_DEFLATE => ConnOption::Deflate(value != 0),
            WS_REACTOR_OPT_DEFLATE_SERVER_NO_CONTEXT_TAKEOVER => {
                ConnOption::DeflateServerNoContextTakeover(value != 0)
            }
            WS_REACTOR_OPT_DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER => {
                ConnOption::DeflateClientNoContextTakeover(value != 0)
            }
            WS_REACTOR_OPT_DEFLATE_SERVER_MAX_WINDOW_BITS
            | WS_REACTOR_OPT_DEFLATE_CLIENT_MAX_WINDOW_BITS => {
                let bits = u8::try_from(value)
                    .ok()
                    .filter(|b| (8..=15).contains(b))
                    .ok_or(Error::InvalidArgument("window bits must be 8 to 15"))?;
                if option == WS_REACTOR_OPT_DEFLATE_SERVER_MAX_WINDOW_BITS {
                    ConnOption::DeflateServerMaxWindowBits(bits)
                } else {
                    ConnOption::DeflateClientMaxWindowBits(bits)
                }
            }
            WS_REACTOR_OPT_DEFLATE_THRESHOLD => {
                ConnOption::DeflateThreshold(usize::try_from(value).unwrap_or(usize::MAX))
            }
            WS_REACTOR_OPT_DEFLATE_REQUIRED => ConnOption::DeflateRequired(value != 0),
            WS_REACTOR_OPT_MAX_LINE_LENGTH
            | WS_REACTOR_OPT_MAX_HEADERS
            | WS_REACTOR_OPT_MAX_HEAD_SIZE
                if conn == 0 =>
            {
                let v = usize::try_from(value).unwrap_or(usize::MAX);
                let e = &mut r.inner.config_mut().engine;
                match option {
                    WS_REACTOR_OPT_MAX_LINE_LENGTH => e.max_line_length = v,
                    WS_REACTOR_OPT_MAX_HEADERS => e.max_headers = v,
                    _ => e.max_head_size = v,
                }
                return Ok(WS_OK);
            }
            WS_REACTOR_OPT_MAX_LINE_LENGTH
            | WS_REACTOR_OPT_MAX_HEADERS
            | WS_REACTOR_OPT_MAX_HEAD_SIZE => {
                return Err(Error::InvalidArgument(
                    "HTTP head limits can only be set for the whole reactor",
                )
                .into())
            }
            _ => return Err(Error::InvalidArgument("unknown reactor option").into()),
        };
        if conn != 0 {
            r.inner.set_option(conn, opt)?;
            return Ok(WS_OK);
        }
        let c = r.inner.config_mut();
        match opt {
            ConnOption::MaxMessageSize(n) => c.engine.max_message_size = n,
            ConnOption::MaxFragments(n) => c.engine.max_fragments = n,
            ConnOption::MaxSendSize(n) => c.engine.max_send_size = n,
            ConnOption::AcceptUnmaskedFrames(b) => c.engine.accept_unmasked_frames = b,
            ConnOption::AutoPong(b) => c.engine.auto_pong = b,
            ConnOption::Nodelay(b) => c.nodelay = b,
            ConnOption::HandshakeTimeout(d) => c.handshake_timeout = d,
            ConnOption::CloseTimeout(d) => c.close_timeout = d,
            ConnOption::MaxBuffered(n) => c.max_buffered = n,
            ConnOption::PingInterval(d) => c.ping_interval = d,
            ConnOption::PongTimeout(d) => c.pong_timeout = d,
            deflate => {
                deflate.apply_deflate(&mut c.engine.deflate)?;
            }
        }
        Ok(WS_OK)
    })
}

/// Listen on `host:port` (port 0 = any) with SO_REUSEADDR and `backlog` (<= 0: 1024).
/// Writes the listener id and the bound port.
///
/// # Safety
/// `r` must be a live reactor; `host` `host_len` readable bytes; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_listen(
    r: *mut ws_reactor,
    host: *const u8,
    host_len: usize,
    port: u16,
    backlog: i32,
    id: *mut u64,
    bound_port: *mut u16,
) -> ws_result {
    with_reactor(r, |r| {
        if id.is_null() || bound_port.is_null() {
            return Err(null());
        }
        // SAFETY: as documented.
        let host = unsafe { text(host, host_len, "the host must be UTF-8") }?;
        let (lid, p) = r.inner.listen(host, port, backlog)?;
        // SAFETY: checked non-NULL.
        unsafe {
            *id = lid;
            *bound_port = p;
        }
        Ok(WS_OK)
    })
}

/// Adopt a listening socket: the reactor works on a duplicate of `fd` (the caller keeps
/// and closes its own). The socket becomes non-blocking (a flag its duplicates share).
///
/// # Safety
/// `r` must be a live reactor; `id` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_listen_fd(
    r: *mut ws_reactor,
    fd: i32,
    id: *mut u64,
) -> ws_result {
    with_reactor(r, |r| {
        if id.is_null() {
            return Err(null());
        }
        let lid = r.inner.listen_fd(fd)?;
        // SAFETY: checked non-NULL.
        unsafe { *id = lid };
        Ok(WS_OK)
    })
}

/// Close a listener.
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_unlisten(r: *mut ws_reactor, id: u64) -> ws_result {
    with_reactor(r, |r| r.inner.unlisten(id).map(|_| WS_OK))
}

/// Open a client connection to `host:port` (resolved now, which may block) and send the
/// opening handshake: request target `path` (empty: `/`), `Host` header `host_header`
/// (NULL or empty: `host[:port]`), `Origin` (NULL: none), the subprotocols offered (array of
/// `n_protocols` strings), the `Sec-WebSocket-Extensions` offer (NULL or empty: none; any
/// permessage-deflate element in it is dropped, and with `WS_REACTOR_OPT_DEFLATE` the
/// engine's own offer is appended after it, the answer then checked: ERROR 1010 and CLOSED
/// when it is invalid, or missing while `WS_REACTOR_OPT_DEFLATE_REQUIRED`) and
/// `n_headers` extra header pairs (`headers`/`header_lens` hold 2 * n_headers entries:
/// name, value, ...). Writes the connection id; the outcome comes as an OPEN event, or
/// ERROR then CLOSED. Fails at once only when the name cannot be resolved or a socket
/// cannot be created.
///
/// # Safety
/// `r` must be a live reactor; every pointer valid for its length; `id` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_connect(
    r: *mut ws_reactor,
    host: *const u8,
    host_len: usize,
    port: u16,
    path: *const u8,
    path_len: usize,
    host_header: *const u8,
    host_header_len: usize,
    origin: *const u8,
    origin_len: usize,
    protocols: *const *const u8,
    protocol_lens: *const usize,
    n_protocols: usize,
    extensions: *const u8,
    extensions_len: usize,
    headers: *const *const u8,
    header_lens: *const usize,
    n_headers: usize,
    id: *mut u64,
) -> ws_result {
    with_reactor(r, |r| {
        if id.is_null() {
            return Err(null());
        }
        // SAFETY: the caller passes valid pointers and lengths.
        let (host, cfg) = unsafe {
            connect_args(
                host,
                host_len,
                path,
                path_len,
                host_header,
                host_header_len,
                origin,
                origin_len,
                protocols,
                protocol_lens,
                n_protocols,
                extensions,
                extensions_len,
                headers,
                header_lens,
                n_headers,
            )
        }?;
        let cid = r.inner.connect(host, port, cfg, None)?;
        // SAFETY: checked non-NULL.
        unsafe { *id = cid };
        Ok(WS_OK)
    })
}

/// The arguments of `ws_reactor_connect` and `ws_reactor_connect_tls`, checked.
///
/// # Safety
/// Every pointer valid for its length (as `ws_reactor_connect` documents).
#[allow(clippy::too_many_arguments)]
unsafe fn connect_args<'a>(
    host: *const u8,
    host_len: usize,
    path: *const u8,
    path_len: usize,
    host_header: *const u8,
    host_header_len: usize,
    origin: *const u8,
    origin_len: usize,
    protocols: *const *const u8,
    protocol_lens: *const usize,
    n_protocols: usize,
    extensions: *const u8,
    extensions_len: usize,
    headers: *const *const u8,
    header_lens: *const usize,
    n_headers: usize,
) -> ReactorResult<(&'a str, ClientHandshakeConfig)> {
    {
        // SAFETY (all the conversions): the caller passes valid pointers and lengths.
        let host = unsafe { text(host, host_len, "the host must be UTF-8") }?;
        let path = unsafe { text(path, path_len, "the path must be UTF-8") }?;
        let host_header = unsafe {
            opt_text(
                host_header,
                host_header_len,
                "the Host header must be UTF-8",
            )
        }?;
        let origin = unsafe { opt_text(origin, origin_len, "the origin must be UTF-8") }?;
        let protocols = unsafe {
            text_list(
                protocols,
                protocol_lens,
                n_protocols,
                "subprotocols must be UTF-8",
            )
        }?;
        let extensions =
            unsafe { opt_text(extensions, extensions_len, "the extensions must be UTF-8") }?;
        let extra_headers = unsafe { header_list(headers, header_lens, n_headers) }?;
        let extensions = match extensions.filter(|e| !e.is_empty()) {
            Some(e) => parse_extensions(&[e])?,
            None => Vec::new(),
        };
        let cfg = ClientHandshakeConfig {
            host: host_header.unwrap_or("").to_owned(),
            path: path.to_owned(),
            origin: origin.map(str::to_owned),
            protocols,
            extensions,
            extra_headers,
        };
        Ok((host, cfg))
    }
}

/// As `ws_reactor_connect`, over TLS (`wss://`). `server_name` (NULL or empty: `host`) is
/// sent as SNI and is the name the server's certificate must be valid for (a DNS name or an
/// IP address). The certificate is verified against the CA certificates of `ca_pem` (PEM
/// text, `ca_pem_len` bytes) when it is not NULL, else against the system CA store (loaded
/// once per process); `flags` is a sum of `WS_TLS_*`: `WS_TLS_DANGEROUS_NO_VERIFY` turns
/// verification off, `WS_TLS_VERSION_1_2_ONLY`/`WS_TLS_VERSION_1_3_ONLY` restrict the
/// version (default: TLS 1.2 and 1.3). ALPN `http/1.1` is offered. The default `Host` header
/// omits port 443. The configuration built from `ca_pem` and `flags` is kept by the reactor
/// and reused by later calls with the same ones.
///
/// Fails at once with `WS_ERR_TLS` for an invalid CA PEM ("no certificate found in the CA
/// PEM...", "the CA PEM is invalid: ..."), an invalid server name or an empty system store.
/// A failed TLS handshake comes later as an ERROR event with code 1015
/// (`WS_CLOSE_TLS_HANDSHAKE`) and a message "TLS handshake failed: <cause>" (e.g. "invalid
/// peer certificate: unknown issuer (...)", "invalid peer certificate: certificate expired:
/// ...", "invalid peer certificate: certificate not valid for name ...", "received fatal
/// alert: ..."), then CLOSED with 1015 and the same message.
///
/// # Safety
/// As `ws_reactor_connect`; `server_name` and `ca_pem` NULL or valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_connect_tls(
    r: *mut ws_reactor,
    host: *const u8,
    host_len: usize,
    port: u16,
    path: *const u8,
    path_len: usize,
    host_header: *const u8,
    host_header_len: usize,
    origin: *const u8,
    origin_len: usize,
    protocols: *const *const u8,
    protocol_lens: *const usize,
    n_protocols: usize,
    extensions: *const u8,
    extensions_len: usize,
    headers: *const *const u8,
    header_lens: *const usize,
    n_headers: usize,
    server_name: *const u8,
    server_name_len: usize,
    ca_pem: *const u8,
    ca_pem_len: usize,
    flags: u32,
    id: *mut u64,
) -> ws_result {
    with_reactor(r, |r| {
        if id.is_null() {
            return Err(null());
        }
        // SAFETY: the caller passes valid pointers and lengths.
        let (host, cfg) = unsafe {
            connect_args(
                host,
                host_len,
                path,
                path_len,
                host_header,
                host_header_len,
                origin,
                origin_len,
                protocols,
                protocol_lens,
                n_protocols,
                extensions,
                extensions_len,
                headers,
                header_lens,
                n_headers,
            )
        }?;
        // SAFETY: as documented.
        let server_name = unsafe {
            opt_text(
                server_name,
                server_name_len,
                "the server name must be UTF-8",
            )
        }?;
        let ca = if ca_pem.is_null() {
            None
        } else {
            // SAFETY: as documented.
            Some(unsafe { bytes(ca_pem, ca_pem_len) }?)
        };
        let tls = client_config(r, flags, ca)?;
        let cid = r
            .inner
            .connect_tls(host, port, cfg, None, &tls, server_name)?;
        // SAFETY: checked non-NULL.
        unsafe { *id = cid };
        Ok(WS_OK)
    })
}

/// The client configuration for `flags` and `ca`, from the reactor's cache or built now.
fn client_config(
    r: &mut ws_reactor,
    flags: u32,
    ca: Option<&[u8]>,
) -> ReactorResult<TlsClientConfig> {
    let versions = tls_versions(flags)?;
    if let Some(i) = r
        .tls_clients
        .iter()
        .position(|(f, c, _)| *f == flags && c.as_deref() == ca)
    {
        let entry = r.tls_clients.remove(i);
        let cfg = entry.2.clone();
        r.tls_clients.push(entry);
        return Ok(cfg);
    }
    let verify = if flags & WS_TLS_DANGEROUS_NO_VERIFY != 0 {
        TlsVerify::DangerousNoVerification
    } else if let Some(pem) = ca {
        TlsVerify::CaPem(pem)
    } else {
        TlsVerify::SystemRoots
    };
    let cfg = TlsClientConfig::new(verify, versions)?;
    if r.tls_clients.len() >= TLS_CLIENT_CACHE {
        r.tls_clients.remove(0);
    }
    r.tls_clients
        .push((flags, ca.map(<[u8]>::to_vec), cfg.clone()));
    Ok(cfg)
}

/// Make listener `id` speak TLS (`wss://`) for the connections it accepts from now on, with
/// the certificate chain `cert_pem` (PEM, the server's certificate first, then
/// intermediates) and the private key `key_pem` (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; RSA,
/// ECDSA or Ed25519). `flags`: `WS_TLS_VERSION_1_2_ONLY` or `WS_TLS_VERSION_1_3_ONLY`, or 0
/// for both. ALPN `http/1.1` is accepted. Both `cert_pem` and `key_pem` NULL: plain TCP
/// again. Each connection does the TLS handshake, then the opening handshake, within the
/// handshake timeout; one whose TLS handshake fails (a plain-text client...) reports ERROR
/// (code 1015, "TLS handshake failed: ...") and CLOSED (1015).
///
/// Fails with `WS_ERR_TLS` and a message naming the problem: "no certificate found in the
/// certificate chain PEM ...", "no private key found in the key PEM ...", "the private key
/// does not match the certificate", "unsupported private key type: ...", "the certificate
/// cannot be parsed: ..."; with InvalidArgument for an unknown listener.
///
/// # Safety
/// `r` must be a live reactor; `cert_pem` and `key_pem` NULL or valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_listener_tls(
    r: *mut ws_reactor,
    listener: u64,
    cert_pem: *const u8,
    cert_len: usize,
    key_pem: *const u8,
    key_len: usize,
    flags: u32,
) -> ws_result {
    with_reactor(r, |r| {
        if cert_pem.is_null() && key_pem.is_null() {
            r.inner.listener_tls(listener, None)?;
            return Ok(WS_OK);
        }
        if flags & WS_TLS_DANGEROUS_NO_VERIFY != 0 {
            return Err(
                Error::InvalidArgument("WS_TLS_DANGEROUS_NO_VERIFY is a client flag").into(),
            );
        }
        let versions = tls_versions(flags)?;
        // SAFETY: as documented.
        let (cert, key) = unsafe { (bytes(cert_pem, cert_len)?, bytes(key_pem, key_len)?) };
        let cfg = TlsServerConfig::from_pem(cert, key, versions)?;
        r.inner.listener_tls(listener, Some(cfg))?;
        Ok(WS_OK)
    })
}

/// What was negotiated on TLS connection `conn`: `WS_OK` with the protocol version's wire
/// number in `*version` (0x0303 TLS 1.2, 0x0304 TLS 1.3), the ALPN protocol in
/// `*alpn`/`*alpn_len` (NULL and 0 when none; owned by the reactor until the next call on
/// it) and the cipher suite's IANA code in `*cipher_suite` (0x1301-0x1303 with TLS 1.3,
/// e.g. 0xC02B or 0xCCA8 with TLS 1.2; its IANA name from `ws_tls_cipher_suite_name`);
/// `WS_NEED_MORE` for a plain connection or before its TLS handshake completed. Every
/// output pointer is required.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_tls_info(
    r: *mut ws_reactor,
    conn: u64,
    version: *mut u16,
    alpn: *mut *const u8,
    alpn_len: *mut usize,
    cipher_suite: *mut u16,
) -> ws_result {
    with_reactor(r, |r| {
        if version.is_null() || alpn.is_null() || alpn_len.is_null() || cipher_suite.is_null() {
            return Err(null());
        }
        let Some(info) = r.inner.tls_info(conn)? else {
            return Ok(WS_NEED_MORE);
        };
        r.text.clear();
        if let Some(a) = &info.alpn {
            r.text.push_str(&String::from_utf8_lossy(a));
        }
        // SAFETY: checked non-NULL.
        unsafe {
            *version = info.version;
            if info.alpn.is_some() {
                *alpn = r.text.as_ptr();
                *alpn_len = r.text.len();
            } else {
                *alpn = std::ptr::null();
                *alpn_len = 0;
            }
            *cipher_suite = info.cipher_suite;
        }
        Ok(WS_OK)
    })
}

/// The IANA name of TLS cipher suite `suite` (the code `ws_reactor_tls_info` gives), as a
/// static NUL-terminated string (never freed): the names of the IANA "TLS Cipher Suites"
/// registry, as RFC 8446 and OpenSSL's `SSL_CIPHER_standard_name` spell them, e.g.
/// "TLS_AES_256_GCM_SHA384" (0x1302) or "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" (0xC02B);
/// not OpenSSL's own short names ("ECDHE-ECDSA-AES128-GCM-SHA256"). Every suite the engine
/// can negotiate has one; NULL for any other code.
#[no_mangle]
pub extern "C" fn ws_tls_cipher_suite_name(suite: u16) -> *const c_char {
    guard_value(std::ptr::null(), || {
        cipher_suite_name_nul(suite).map_or(std::ptr::null(), |n| n.as_ptr().cast())
    })
}

/// Accept the opening handshake of a connection that reported a REQUEST: write the 101
/// answer with `protocol` (NULL or empty: none), `extensions` (a `Sec-WebSocket-Extensions`
/// value; NULL or empty: none) and `n_headers` extra header pairs. An OPEN event follows,
/// whose data2 is the whole `Sec-WebSocket-Extensions` value sent. permessage-deflate is
/// the engine's: with `WS_REACTOR_OPT_DEFLATE` on for the connection, the first acceptable
/// offer of the request is answered, its element first; permessage-deflate elements in
/// `extensions` are dropped (never accepted by name). InvalidArgument (302) when
/// `extensions` is not a valid value; the request then still waits for an answer.
///
/// # Safety
/// `r` must be a live reactor; every pointer valid for its length.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_accept(
    r: *mut ws_reactor,
    conn: u64,
    protocol: *const u8,
    protocol_len: usize,
    extensions: *const u8,
    extensions_len: usize,
    headers: *const *const u8,
    header_lens: *const usize,
    n_headers: usize,
) -> ws_result {
    with_reactor(r, |r| {
        // SAFETY: the caller passes valid pointers and lengths.
        let protocol =
            unsafe { opt_text(protocol, protocol_len, "the subprotocol must be UTF-8") }?;
        let extensions =
            unsafe { opt_text(extensions, extensions_len, "the extensions must be UTF-8") }?;
        let extra = unsafe { header_list(headers, header_lens, n_headers) }?;
        r.inner.accept(conn, protocol, extensions, &extra)?;
        Ok(WS_OK)
    })
}

/// Refuse the opening handshake of a connection that reported a REQUEST with HTTP `status`
/// (200-599), `n_headers` extra header pairs and a body; the connection closes once the
/// answer is written (CLOSED follows).
///
/// # Safety
/// `r` must be a live reactor; every pointer valid for its length.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_reject(
    r: *mut ws_reactor,
    conn: u64,
    status: u16,
    headers: *const *const u8,
    header_lens: *const usize,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
) -> ws_result {
    with_reactor(r, |r| {
        // SAFETY: the caller passes valid pointers and lengths.
        let extra = unsafe { header_list(headers, header_lens, n_headers) }?;
        let body = unsafe { bytes(body, body_len) }?;
        r.inner.reject(conn, status, &extra, body)?;
        Ok(WS_OK)
    })
}

/// Send one frame (`opcode` 0-2 or 8-10; `fin` false for a fragment). Written to the socket
/// at once when it takes it, buffered otherwise (see `ws_reactor_buffered_amount`).
///
/// # Safety
/// `r` must be a live reactor; `data` `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_send(
    r: *mut ws_reactor,
    conn: u64,
    opcode: u8,
    fin: bool,
    data: *const u8,
    len: usize,
) -> ws_result {
    with_reactor(r, |r| {
        if opcode > 15 {
            return Err(Error::InvalidArgument("opcode must be 0 to 15").into());
        }
        // SAFETY: as documented.
        let payload = unsafe { bytes(data, len) }?;
        r.inner.send(conn, OpCode::from_u8(opcode), fin, payload)?;
        Ok(WS_OK)
    })
}

/// Start the close handshake with `code` (0: a Close without status, then `reason` must be
/// empty) and a UTF-8 `reason` of at most 123 bytes. Before the opening handshake completed
/// this just drops the TCP connection.
///
/// # Safety
/// `r` must be a live reactor; `reason` `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_close(
    r: *mut ws_reactor,
    conn: u64,
    code: u16,
    reason: *const u8,
    len: usize,
) -> ws_result {
    with_reactor(r, |r| {
        // SAFETY: as documented.
        let b = unsafe { bytes(reason, len) }?;
        let reason = std::str::from_utf8(b).map_err(|_| Error::InvalidUtf8)?;
        r.inner
            .close(conn, if code == 0 { None } else { Some(code) }, reason)?;
        Ok(WS_OK)
    })
}

/// Close the TCP connection now, without a close handshake (CLOSED follows).
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_drop(r: *mut ws_reactor, conn: u64) -> ws_result {
    with_reactor(r, |r| r.inner.drop_conn(conn).map(|_| WS_OK))
}

/// Bytes accepted for sending on `conn` but not yet written to its socket.
///
/// # Safety
/// `r` must be a live reactor; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_buffered_amount(
    r: *mut ws_reactor,
    conn: u64,
    out: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if out.is_null() {
            return Err(null());
        }
        let n = r.inner.buffered_amount(conn)?;
        // SAFETY: checked non-NULL.
        unsafe { *out = n };
        Ok(WS_OK)
    })
}

/// The opening-handshake bytes of `conn` not written yet (a client's request right after
/// `ws_reactor_connect`; empty once written). `*data` points into the reactor and stays valid
/// until the next call that takes the reactor mutably.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_pending_handshake(
    r: *mut ws_reactor,
    conn: u64,
    data: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if data.is_null() || len.is_null() {
            return Err(null());
        }
        let bytes = r.inner.pending_handshake(conn)?;
        // SAFETY: checked non-NULL.
        unsafe {
            *data = bytes.as_ptr();
            *len = bytes.len();
        }
        Ok(WS_OK)
    })
}

fn address_out(
    r: &mut ws_reactor,
    addr: std::net::SocketAddr,
    ip: *mut *const u8,
    ip_len: *mut usize,
    port: *mut u16,
) -> ReactorResult<ws_result> {
    if ip.is_null() || ip_len.is_null() || port.is_null() {
        return Err(null());
    }
    r.text.clear();
    use std::fmt::Write as _;
    let _ = write!(r.text, "{}", addr.ip());
    // SAFETY: checked non-NULL.
    unsafe {
        *ip = r.text.as_ptr();
        *ip_len = r.text.len();
        *port = addr.port();
    }
    Ok(WS_OK)
}

/// The peer's address of `conn`: the IP as text (owned by the reactor until the next call
/// on it) and the port.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_peer(
    r: *mut ws_reactor,
    conn: u64,
    ip: *mut *const u8,
    ip_len: *mut usize,
    port: *mut u16,
) -> ws_result {
    with_reactor(r, |r| {
        let a = r.inner.peer_addr(conn)?;
        address_out(r, a, ip, ip_len, port)
    })
}

/// Our address on `conn`, as `ws_reactor_peer`.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_local(
    r: *mut ws_reactor,
    conn: u64,
    ip: *mut *const u8,
    ip_len: *mut usize,
    port: *mut u16,
) -> ws_result {
    with_reactor(r, |r| {
        let a = r.inner.local_addr(conn)?;
        address_out(r, a, ip, ip_len, port)
    })
}

/// Watch a descriptor the caller owns, level-triggered (READABLE/WRITABLE events at every
/// poll while the condition holds). Both false = unwatch. Watching again changes the interest.
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_watch(
    r: *mut ws_reactor,
    fd: i32,
    readable: bool,
    writable: bool,
) -> ws_result {
    with_reactor(r, |r| r.inner.watch(fd, readable, writable).map(|_| WS_OK))
}

/// Stop watching a descriptor (no error when it was not watched).
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_unwatch(r: *mut ws_reactor, fd: i32) -> ws_result {
    with_reactor(r, |r| r.inner.unwatch(fd).map(|_| WS_OK))
}

/// A timer firing `after_us` microseconds from now, then every `repeat_us` (0: once).
///
/// # Safety
/// `r` must be a live reactor; `id` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_add_timer(
    r: *mut ws_reactor,
    after_us: u64,
    repeat_us: u64,
    id: *mut u64,
) -> ws_result {
    with_reactor(r, |r| {
        if id.is_null() {
            return Err(null());
        }
        let tid = r
            .inner
            .add_timer(micros(after_us), Some(micros(repeat_us)))?;
        // SAFETY: checked non-NULL.
        unsafe { *id = tid };
        Ok(WS_OK)
    })
}

/// Cancel a timer: `WS_OK`, or `WS_NEED_MORE` when it was not active (a one-shot timer that
/// fired, or one cancelled before).
///
/// # Safety
/// `r` must be a live reactor.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_cancel_timer(r: *mut ws_reactor, id: u64) -> ws_result {
    with_reactor(r, |r| {
        Ok(if r.inner.cancel_timer(id)? {
            WS_OK
        } else {
            WS_NEED_MORE
        })
    })
}

/// The epoll descriptor (readable when the reactor has I/O to do), for other event loops;
/// -1 for NULL.
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_fileno(r: *const ws_reactor) -> i32 {
    // SAFETY: as documented.
    unsafe { r.as_ref() }.map_or(-1, |r| r.inner.fileno())
}

/// Microseconds until the next timer or connection deadline (0 when events are waiting):
/// `WS_OK`, or `WS_NEED_MORE` when nothing is scheduled.
///
/// # Safety
/// `r` must be a live reactor; `us` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_next_deadline(r: *mut ws_reactor, us: *mut u64) -> ws_result {
    with_reactor(r, |r| {
        if us.is_null() {
            return Err(null());
        }
        let d = if r.next == r.events.len() {
            r.inner.next_deadline()
        } else {
            Some(Duration::ZERO)
        };
        match d {
            // SAFETY: checked non-NULL. Rounded up so that a caller sleeping that long is late.
            Some(d) => unsafe {
                *us = u64::try_from(d.as_nanos().div_ceil(1000)).unwrap_or(u64::MAX)
            },
            None => return Ok(WS_NEED_MORE),
        }
        Ok(WS_OK)
    })
}

/// Number of connections (until their CLOSED event); 0 for NULL.
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_connection_count(r: *const ws_reactor) -> usize {
    // SAFETY: as documented.
    unsafe { r.as_ref() }.map_or(0, |r| r.inner.connection_count())
}

/// Number of listeners; 0 for NULL.
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_listener_count(r: *const ws_reactor) -> usize {
    // SAFETY: as documented.
    unsafe { r.as_ref() }.map_or(0, |r| r.inner.listener_count())
}

/// The id of the process that created the reactor; 0 for NULL.
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_pid(r: *const ws_reactor) -> u32 {
    // SAFETY: as documented.
    unsafe { r.as_ref() }.map_or(0, |r| r.inner.pid())
}

/// Wait at most `timeout_us` microseconds (negative: no limit) for I/O, do it, and collect
/// the events; `*count` receives the number of events waiting to be drained with
/// `ws_reactor_next_event` (events not drained before are kept, in order). A signal ends
/// the wait early, possibly with no events. Does not block when events are still waiting.
///
/// # Safety
/// `r` must be a live reactor; `count` NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_poll(
    r: *mut ws_reactor,
    timeout_us: i64,
    count: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        r.current = None;
        if r.next == r.events.len() {
            r.events.clear();
            r.next = 0;
        }
        let timeout = if r.next < r.events.len() {
            Some(Duration::ZERO)
        } else if timeout_us < 0 {
            None
        } else {
            Some(micros(timeout_us as u64))
        };
        r.inner.poll_into(timeout, &mut r.events)?;
        if !count.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *count = r.events.len() - r.next };
        }
        Ok(WS_OK)
    })
}

/// The next collected event: `WS_OK` with its kind (`WS_REACTOR_EVENT_*`) and fields (see
/// each kind; unused ones are 0 / NULL), or `WS_NEED_MORE` when none is left. The bytes
/// stay valid until the next `ws_reactor_next_event`, `ws_reactor_poll` or free.
///
/// # Safety
/// `r` must be a live reactor; every output valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_next_event(
    r: *mut ws_reactor,
    kind: *mut u8,
    id: *mut u64,
    id2: *mut u64,
    code: *mut u32,
    data: *mut *const u8,
    len: *mut usize,
    data2: *mut *const u8,
    len2: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if kind.is_null()
            || id.is_null()
            || id2.is_null()
            || code.is_null()
            || data.is_null()
            || len.is_null()
            || data2.is_null()
            || len2.is_null()
        {
            return Err(null());
        }
        r.current = match r.events.get_mut(r.next) {
            Some(slot) => {
                r.next += 1;
                // A placeholder that allocates nothing takes the event's place.
                Some(std::mem::replace(slot, ReactorEvent::Drain { conn: 0 }))
            }
            None => None,
        };
        let Some(ev) = &r.current else {
            return Ok(WS_NEED_MORE);
        };
        let none: (*const u8, usize) = (std::ptr::null(), 0);
        let sl = |b: &[u8]| (b.as_ptr(), b.len());
        let opt = |s: &Option<String>| s.as_deref().map_or(none, |s| sl(s.as_bytes()));
        if let ReactorEvent::Accept { peer, .. } = ev {
            r.text.clear();
            use std::fmt::Write as _;
            let _ = write!(r.text, "{}", peer.ip());
        }
        let (k, i, i2, c, d, d2) = match ev {
            ReactorEvent::Accept {
                listener,
                conn,
                peer,
            } => (
                WS_REACTOR_EVENT_ACCEPT,
                *conn,
                *listener,
                u32::from(peer.port()),
                sl(r.text.as_bytes()),
                none,
            ),
            ReactorEvent::Request { conn, request } => (
                WS_REACTOR_EVENT_REQUEST,
                *conn,
                0,
                0,
                sl(request.target.as_bytes()),
                opt(&request.origin),
            ),
            ReactorEvent::Open {
                conn,
                protocol,
                extensions,
                ..
            } => (
                WS_REACTOR_EVENT_OPEN,
                *conn,
                0,
                0,
                opt(protocol),
                opt(extensions),
            ),
            ReactorEvent::Text { conn, data } => {
                (WS_REACTOR_EVENT_TEXT, *conn, 0, 0, sl(data), none)
            }
            ReactorEvent::Binary { conn, data } => {
                (WS_REACTOR_EVENT_BINARY, *conn, 0, 0, sl(data), none)
            }
            ReactorEvent::Ping { conn, data } => {
                (WS_REACTOR_EVENT_PING, *conn, 0, 0, sl(data), none)
            }
            ReactorEvent::Pong { conn, data } => {
                (WS_REACTOR_EVENT_PONG, *conn, 0, 0, sl(data), none)
            }
            ReactorEvent::Close { conn, code, reason } => (
                WS_REACTOR_EVENT_CLOSE,
                *conn,
                0,
                u32::from(*code),
                sl(reason.as_bytes()),
                none,
            ),
            ReactorEvent::Error {
                conn,
                code,
                message,
            } => (
                WS_REACTOR_EVENT_ERROR,
                *conn,
                0,
                u32::from(*code),
                sl(message.as_bytes()),
                none,
            ),
            ReactorEvent::Closed { conn, code, reason } => (
                WS_REACTOR_EVENT_CLOSED,
                *conn,
                0,
                u32::from(*code),
                sl(reason.as_bytes()),
                none,
            ),
            ReactorEvent::Drain { conn } => (WS_REACTOR_EVENT_DRAIN, *conn, 0, 0, none, none),
            ReactorEvent::Readable { fd } => {
                (WS_REACTOR_EVENT_READABLE, *fd as u64, 0, 0, none, none)
            }
            ReactorEvent::Writable { fd } => {
                (WS_REACTOR_EVENT_WRITABLE, *fd as u64, 0, 0, none, none)
            }
            ReactorEvent::Timer { id } => (WS_REACTOR_EVENT_TIMER, *id, 0, 0, none, none),
        };
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *kind = k;
            *id = i;
            *id2 = i2;
            *code = c;
            (*data, *len) = d;
            (*data2, *len2) = d2;
        }
        Ok(WS_OK)
    })
}

fn current_request(r: &ws_reactor) -> ReactorResult<&crate::reactor::Request> {
    match &r.current {
        Some(ReactorEvent::Request { request, .. }) => Ok(request),
        _ => Err(Error::InvalidState("the current event is not a REQUEST").into()),
    }
}

/// A field (`WS_REQUEST_*`) of the current REQUEST event; `*data` is NULL for an absent
/// optional field (origin, extensions). Owned by the reactor like the event.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_event_field(
    r: *mut ws_reactor,
    field: u8,
    data: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if data.is_null() || len.is_null() {
            return Err(null());
        }
        let q = current_request(r)?;
        let v: Option<&str> = match field {
            WS_REQUEST_METHOD => Some(&q.method),
            WS_REQUEST_TARGET => Some(&q.target),
            WS_REQUEST_HTTP_VERSION => Some(&q.http_version),
            WS_REQUEST_HOST => Some(&q.host),
            WS_REQUEST_KEY => Some(&q.key),
            WS_REQUEST_VERSION => Some(&q.version),
            WS_REQUEST_ORIGIN => q.origin.as_deref(),
            WS_REQUEST_EXTENSIONS => q.extensions.as_deref(),
            _ => return Err(Error::InvalidArgument("unknown request field").into()),
        };
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *data = v.map_or(std::ptr::null(), str::as_ptr);
            *len = v.map_or(0, str::len);
        }
        Ok(WS_OK)
    })
}

fn current_headers(r: &ws_reactor) -> &[(String, String)] {
    match &r.current {
        Some(ReactorEvent::Request { request, .. }) => &request.headers,
        Some(ReactorEvent::Open {
            response_headers, ..
        }) => response_headers,
        _ => &[],
    }
}

/// Number of headers of the current event: the request's (REQUEST), the server's answer's
/// (OPEN, client side); 0 otherwise.
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_event_header_count(r: *const ws_reactor) -> usize {
    // SAFETY: as documented.
    unsafe { r.as_ref() }.map_or(0, |r| current_headers(r).len())
}

/// Header `index` of the current event (name and value, in the order received).
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_event_header(
    r: *mut ws_reactor,
    index: usize,
    name: *mut *const u8,
    name_len: *mut usize,
    value: *mut *const u8,
    value_len: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if name.is_null() || name_len.is_null() || value.is_null() || value_len.is_null() {
            return Err(null());
        }
        let (n, v) = current_headers(r)
            .get(index)
            .ok_or(Error::InvalidArgument("header index out of range"))?;
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *name = n.as_ptr();
            *name_len = n.len();
            *value = v.as_ptr();
            *value_len = v.len();
        }
        Ok(WS_OK)
    })
}

/// Number of subprotocols offered in the current REQUEST event (0 otherwise).
///
/// # Safety
/// `r` must be a live reactor or NULL.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_event_protocol_count(r: *const ws_reactor) -> usize {
    // SAFETY: as documented.
    unsafe { r.as_ref() }
        .and_then(|r| current_request(r).ok())
        .map_or(0, |q| q.protocols.len())
}

/// Subprotocol `index` offered in the current REQUEST event, in the client's order.
///
/// # Safety
/// `r` must be a live reactor; outputs valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_reactor_event_protocol(
    r: *mut ws_reactor,
    index: usize,
    data: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    with_reactor(r, |r| {
        if data.is_null() || len.is_null() {
            return Err(null());
        }
        let p = current_request(r)?
            .protocols
            .get(index)
            .ok_or(Error::InvalidArgument("subprotocol index out of range"))?;
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *data = p.as_ptr();
            *len = p.len();
        }
        Ok(WS_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::DeflateConfig;

    #[test]
    fn deflate_options_set_the_reactor_defaults() {
        let mut r: *mut ws_reactor = std::ptr::null_mut();
        // SAFETY: `r` is a valid out pointer, then a live reactor until freed.
        unsafe {
            assert_eq!(ws_reactor_new(&mut r), WS_OK);
            for (opt, value) in [
                (15, 1),
                (16, 1),
                (17, 1),
                (18, 10),
                (19, 9),
                (20, 100),
                (21, 1),
            ] {
                assert_eq!(
                    ws_reactor_set_option(r, 0, opt, value),
                    WS_OK,
                    "option {opt}"
                );
            }
            assert_eq!(
                (*r).inner.config().engine.deflate,
                DeflateConfig {
                    enabled: true,
                    server_no_context_takeover: true,
                    client_no_context_takeover: true,
                    server_max_window_bits: 10,
                    client_max_window_bits: 9,
                    threshold: 100,
                    required: true,
                }
            );
            for (opt, value) in [(18, 7), (18, 16), (19, 0), (19, 264)] {
                assert_eq!(
                    ws_reactor_set_option(r, 0, opt, value),
                    302,
                    "option {opt} = {value}"
                );
            }
            assert_eq!(
                (*r).inner.config().engine.deflate.server_max_window_bits,
                10
            );
            assert_eq!(ws_reactor_set_option(r, 0, 22, 0), 302, "unknown option");
            // per connection: no such connection
            assert_eq!(ws_reactor_set_option(r, 77, 15, 1), 301);
            ws_reactor_free(r);
        }
    }
}
