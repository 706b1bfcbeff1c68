//! C ABI: engine version, secure random bytes, masking and UTF-8 validation.

use super::{bytes, guard, guard_value, ws_result, WS_OK};
use crate::error::Error;
use crate::utf8::Utf8Validator;
use std::ffi::c_char;

static VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The engine version as a static NUL-terminated string (never freed).
#[no_mangle]
pub extern "C" fn ws_version() -> *const c_char {
    VERSION_C.as_ptr().cast()
}

/// Fill `out` with `len` bytes from the operating system's secure random source.
///
/// # Safety
/// `out` must point to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_random_bytes(out: *mut u8, len: usize) -> ws_result {
    guard(|| {
        if len == 0 {
            return Ok(WS_OK);
        }
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: the caller guarantees `len` writable bytes.
        let buf = unsafe { std::slice::from_raw_parts_mut(out, len) };
        crate::rand::fill(buf)?;
        Ok(WS_OK)
    })
}

/// Write a fresh 4-byte frame mask from the secure random source into `out`.
///
/// # Safety
/// `out` must point to 4 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_random_mask(out: *mut u8) -> ws_result {
    guard(|| {
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let m = crate::rand::mask()?;
        // SAFETY: `out` has 4 writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(m.as_ptr(), out, 4) };
        Ok(WS_OK)
    })
}

/// XOR `len` bytes at `data` in place with the 4-byte `mask`, starting at position `offset`
/// of the mask cycle (so a payload can be (un)masked in pieces).
///
/// # Safety
/// `data` must point to `len` writable bytes and `mask` to 4 readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_mask(
    data: *mut u8,
    len: usize,
    mask: *const u8,
    offset: usize,
) -> ws_result {
    guard(|| {
        if mask.is_null() || (data.is_null() && len > 0) {
            return Err(Error::NullPointer);
        }
        if len == 0 {
            return Ok(WS_OK);
        }
        let mut m = [0u8; 4];
        // SAFETY: `mask` has 4 readable bytes; `data` has `len` writable bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(mask, m.as_mut_ptr(), 4);
            crate::frame::apply_mask(std::slice::from_raw_parts_mut(data, len), m, offset);
        }
        Ok(WS_OK)
    })
}

/// Whether `len` bytes at `data` are complete, valid UTF-8 (RFC 3629).
///
/// # Safety
/// `data` must point to `len` readable bytes (or be NULL with `len` 0).
#[no_mangle]
pub unsafe extern "C" fn ws_utf8_valid(data: *const u8, len: usize) -> bool {
    guard_value(false, || {
        // SAFETY: as documented.
        match unsafe { bytes(data, len) } {
            Ok(b) => crate::utf8::is_valid(b),
            Err(_) => false,
        }
    })
}

/// An incremental UTF-8 validator (opaque).
#[allow(non_camel_case_types)]
pub struct ws_utf8_validator {
    inner: Utf8Validator,
}

/// Create an incremental UTF-8 validator. Free it with `ws_utf8_validator_free`.
#[no_mangle]
pub extern "C" fn ws_utf8_validator_new() -> *mut ws_utf8_validator {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(ws_utf8_validator {
            inner: Utf8Validator::new(),
        }))
    })
}

/// Free a validator (NULL is accepted).
///
/// # Safety
/// `v` must be NULL or a pointer returned by `ws_utf8_validator_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_utf8_validator_free(v: *mut ws_utf8_validator) {
    if !v.is_null() {
        // SAFETY: `v` came from Box::into_raw and is freed once.
        guard_value((), || drop(unsafe { Box::from_raw(v) }));
    }
}

/// Validate the next piece of a message. Returns `WS_OK`, or the InvalidUtf8 code (114) as
/// soon as the bytes seen so far cannot start valid UTF-8.
///
/// # Safety
/// `v` must be a live validator; `data` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_utf8_validator_feed(
    v: *mut ws_utf8_validator,
    data: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let v = unsafe { v.as_mut() }.ok_or(Error::NullPointer)?;
        let b = unsafe { bytes(data, len) }?;
        v.inner.feed(b)?;
        Ok(WS_OK)
    })
}

/// End of the message: `WS_OK`, or InvalidUtf8 (114) when a sequence is incomplete. The
/// validator is reset for the next message either way.
///
/// # Safety
/// `v` must be a live validator.
#[no_mangle]
pub unsafe extern "C" fn ws_utf8_validator_finish(v: *mut ws_utf8_validator) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let v = unsafe { v.as_mut() }.ok_or(Error::NullPointer)?;
        v.inner.finish()?;
        Ok(WS_OK)
    })
}
