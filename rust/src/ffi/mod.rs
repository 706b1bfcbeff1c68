//! The C ABI of the engine, and nothing else.
//!
//! Conventions, the same for every function (see `rust/include/websocket.h`):
//!
//! - Handles are opaque pointers created by a `ws_*_new` function and released by the
//!   matching `ws_*_free`, which accepts NULL. A handle is used by one thread at a time.
//! - Functions that can fail return a `ws_result`: `WS_OK` (0), `WS_NEED_MORE` (1, "not an
//!   error: feed more bytes"), or the stable code of an [`Error`] variant (101 and up). The
//!   details of the last failure on the calling thread are read with [`ws_last_error`].
//! - Every pointer is checked; NULL where a pointer is required gives `WS_ERR_NULL_POINTER`
//!   (303). Output parameters are written only on success.
//! - Every body runs inside `catch_unwind`: a panic never crosses the boundary; it becomes
//!   `WS_ERR_PANIC` (902), and the handle it happened in must be freed and not used again.
//! - Pointers to bytes returned through output parameters point into memory owned by the
//!   handle; they stay valid until the next call on that handle (or its free).

use crate::error::Error;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub mod frame;
pub mod handshake;
pub mod protocol;
pub mod reactor;
pub mod util;

/// Result code of the C ABI: 0 success, 1 need more input, otherwise an error code.
#[allow(non_camel_case_types)]
pub type ws_result = u32;

/// Success.
pub const WS_OK: ws_result = 0;
/// Not an error: the input is incomplete, feed more bytes.
pub const WS_NEED_MORE: ws_result = 1;
/// A NULL pointer or an invalid argument reached the C ABI.
pub const WS_ERR_NULL_POINTER: ws_result = 303;
/// A panic was caught at the boundary.
pub const WS_ERR_PANIC: ws_result = 902;

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

pub(crate) fn set_last_error(e: Error) -> ws_result {
    let code = e.code();
    LAST_ERROR.with(|l| *l.borrow_mut() = Some(e));
    code
}

/// Runs an FFI body: maps `Err` to its code (recording it as the thread's last error) and a
/// panic to `WS_ERR_PANIC`.
pub(crate) fn guard<F>(f: F) -> ws_result
where
    F: FnOnce() -> Result<ws_result, Error>,
{
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => set_last_error(e),
        Err(_) => set_last_error(Error::Panic),
    }
}

/// Runs an FFI body that returns a value, with `default` on panic.
pub(crate) fn guard_value<T, F>(default: T, f: F) -> T
where
    F: FnOnce() -> T,
{
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            set_last_error(Error::Panic);
            default
        }
    }
}

/// Borrow `len` bytes at `ptr` (NULL is accepted when `len` is 0).
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid and unmodified for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::NullPointer);
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Copy `msg` into `buf` (capacity `cap`), truncated, NUL-terminated when `cap > 0`.
/// Returns the full length of `msg` (without NUL).
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes.
pub(crate) unsafe fn write_str(msg: &str, buf: *mut u8, cap: usize) -> usize {
    if !buf.is_null() && cap > 0 {
        let n = msg.len().min(cap - 1);
        // SAFETY: `buf` has `cap` writable bytes and n < cap.
        unsafe {
            std::ptr::copy_nonoverlapping(msg.as_ptr(), buf, n);
            *buf.add(n) = 0;
        }
    }
    msg.len()
}

/// Details of the last error returned on the calling thread.
///
/// Writes the error's stable code, its close code (0 when none) and its HTTP status (0 when
/// none) into the non-NULL output pointers, and its message into `buf` (capacity `cap`,
/// truncated and NUL-terminated). Returns the full message length without the NUL (so a
/// caller can retry with a larger buffer), or 0 when no error was recorded.
///
/// # Safety
/// Each output pointer must be NULL or valid for writes; `buf` must be NULL or point to `cap`
/// writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_last_error(
    code: *mut u32,
    close_code: *mut u16,
    http_status: *mut u16,
    buf: *mut u8,
    cap: usize,
) -> usize {
    guard_value(0, || {
        LAST_ERROR.with(|l| {
            let l = l.borrow();
            let Some(e) = l.as_ref() else { return 0 };
            // SAFETY: the caller passes NULL or valid pointers.
            unsafe {
                if !code.is_null() {
                    *code = e.code();
                }
                if !close_code.is_null() {
                    *close_code = e.close_code().unwrap_or(0);
                }
                if !http_status.is_null() {
                    *http_status = e.http_status().unwrap_or(0);
                }
                write_str(&e.to_string(), buf, cap)
            }
        })
    })
}

/// Forget the calling thread's last error.
#[no_mangle]
pub extern "C" fn ws_clear_last_error() {
    LAST_ERROR.with(|l| *l.borrow_mut() = None);
}
