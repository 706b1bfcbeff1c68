//! C ABI: the opening handshake's key computations and the HTTP head parser.

use super::{bytes, guard, guard_value, ws_result, WS_NEED_MORE, WS_OK};
use crate::error::Error;
use crate::handshake::http::{parse_head, Head, Limits, StartLine};

/// Length of a `Sec-WebSocket-Accept` value (base64 of a SHA-1 digest).
pub const WS_ACCEPT_KEY_LEN: usize = 28;
/// Length of a `Sec-WebSocket-Key` value (base64 of 16 bytes).
pub const WS_KEY_LEN: usize = 24;

/// Compute `Sec-WebSocket-Accept` for the `len` bytes of `key` (RFC 6455 section 4.2.2:
/// base64 of the SHA-1 of the key followed by the protocol GUID) into `out`, which receives
/// exactly `WS_ACCEPT_KEY_LEN` bytes (no NUL).
///
/// # Safety
/// `key` must point to `len` readable bytes; `out` to `WS_ACCEPT_KEY_LEN` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_accept_key(key: *const u8, len: usize, out: *mut u8) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let key = unsafe { bytes(key, len) }?;
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let a = crate::handshake::key::accept_key(key);
        debug_assert_eq!(a.len(), WS_ACCEPT_KEY_LEN);
        // SAFETY: `out` has WS_ACCEPT_KEY_LEN writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(a.as_ptr(), out, WS_ACCEPT_KEY_LEN) };
        Ok(WS_OK)
    })
}

/// Write a fresh `Sec-WebSocket-Key` (base64 of 16 secure random bytes) into `out`, which
/// receives exactly `WS_KEY_LEN` bytes (no NUL).
///
/// # Safety
/// `out` must point to `WS_KEY_LEN` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_generate_key(out: *mut u8) -> ws_result {
    guard(|| {
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let k = crate::handshake::key::generate_key()?;
        // SAFETY: `out` has WS_KEY_LEN writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(k.as_ptr(), out, WS_KEY_LEN) };
        Ok(WS_OK)
    })
}

/// A parsed HTTP head: start line and header fields (opaque).
#[allow(non_camel_case_types)]
pub struct ws_http_head {
    inner: Head,
    status: String,
}

/// Parse the HTTP/1.1 head at the start of `buf` (leading blank lines skipped, CRLF or LF line
/// ends, obs-fold lines joined) with the given limits (0 = the engine's default).
///
/// Returns `WS_NEED_MORE` while the blank line that ends the head has not arrived and no limit
/// is exceeded; `WS_OK` with `*head` set to a new handle (free it with `ws_http_head_free`) and
/// `*consumed` to the bytes used, including the blank line (what follows belongs to the
/// caller); or an error code (the details through `ws_last_error`, with an HTTP status).
///
/// # Safety
/// `buf` must point to `len` readable bytes; `head` and `consumed` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_http_parse(
    buf: *const u8,
    len: usize,
    max_line_length: usize,
    max_headers: usize,
    max_head_size: usize,
    head: *mut *mut ws_http_head,
    consumed: *mut usize,
) -> ws_result {
    guard(|| {
        if head.is_null() || consumed.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: as documented.
        let buf = unsafe { bytes(buf, len) }?;
        let d = Limits::default();
        let limits = Limits {
            max_line_length: if max_line_length == 0 {
                d.max_line_length
            } else {
                max_line_length
            },
            max_headers: if max_headers == 0 {
                d.max_headers
            } else {
                max_headers
            },
            max_head_size: if max_head_size == 0 {
                d.max_head_size
            } else {
                max_head_size
            },
        };
        match parse_head(buf, &limits)? {
            None => Ok(WS_NEED_MORE),
            Some((h, n)) => {
                let status = match &h.start {
                    StartLine::Response { status, .. } => status.to_string(),
                    StartLine::Request { .. } => String::new(),
                };
                let handle = Box::into_raw(Box::new(ws_http_head { inner: h, status }));
                // SAFETY: outputs checked non-NULL.
                unsafe {
                    *head = handle;
                    *consumed = n;
                }
                Ok(WS_OK)
            }
        }
    })
}

/// Free a head (NULL is accepted).
///
/// # Safety
/// `h` must be NULL or a handle from `ws_http_parse`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_http_head_free(h: *mut ws_http_head) {
    if !h.is_null() {
        // SAFETY: `h` came from Box::into_raw and is freed once.
        guard_value((), || drop(unsafe { Box::from_raw(h) }));
    }
}

/// Whether the head is a request (otherwise it is a response).
///
/// # Safety
/// `h` must be a live head or NULL (gives false).
#[no_mangle]
pub unsafe extern "C" fn ws_http_head_is_request(h: *const ws_http_head) -> bool {
    // SAFETY: as documented.
    guard_value(false, || {
        unsafe { h.as_ref() }.is_some_and(|h| matches!(h.inner.start, StartLine::Request { .. }))
    })
}

/// One part of the start line. For a request: 0 method, 1 target, 2 protocol version
/// (`HTTP/1.1`). For a response: 0 protocol version, 1 status code (as digits), 2 reason
/// phrase. The bytes are owned by the head.
///
/// # Safety
/// `h` must be a live head; `ptr` and `len` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_http_head_start(
    h: *const ws_http_head,
    part: u32,
    ptr: *mut *const u8,
    len: *mut usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let h = unsafe { h.as_ref() }.ok_or(Error::NullPointer)?;
        if ptr.is_null() || len.is_null() {
            return Err(Error::NullPointer);
        }
        let s: &str = match (&h.inner.start, part) {
            (StartLine::Request { method, .. }, 0) => method,
            (StartLine::Request { target, .. }, 1) => target,
            (StartLine::Request { version, .. }, 2) => version,
            (StartLine::Response { version, .. }, 0) => version,
            (StartLine::Response { .. }, 1) => &h.status,
            (StartLine::Response { reason, .. }, 2) => reason,
            _ => return Err(Error::InvalidArgument("start line part must be 0, 1 or 2")),
        };
        // SAFETY: outputs checked non-NULL.
        unsafe {
            *ptr = s.as_ptr();
            *len = s.len();
        }
        Ok(WS_OK)
    })
}

/// Number of header fields (duplicates count separately, in the order received).
///
/// # Safety
/// `h` must be a live head or NULL (gives 0).
#[no_mangle]
pub unsafe extern "C" fn ws_http_head_header_count(h: *const ws_http_head) -> usize {
    // SAFETY: as documented.
    guard_value(0, || {
        unsafe { h.as_ref() }.map_or(0, |h| h.inner.headers.len())
    })
}

/// Header field number `i`: its name (as received) and value (trimmed). The bytes are owned by
/// the head.
///
/// # Safety
/// `h` must be a live head; the four output pointers valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_http_head_header(
    h: *const ws_http_head,
    i: usize,
    name: *mut *const u8,
    name_len: *mut usize,
    value: *mut *const u8,
    value_len: *mut usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let h = unsafe { h.as_ref() }.ok_or(Error::NullPointer)?;
        if name.is_null() || name_len.is_null() || value.is_null() || value_len.is_null() {
            return Err(Error::NullPointer);
        }
        let (n, v) = h
            .inner
            .headers
            .get(i)
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
