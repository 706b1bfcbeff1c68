//! C ABI: frame encoding and the message assembler (the engine of the Perl `WebSocket::Frame`).

use super::{bytes, guard, guard_value, ws_result, WS_NEED_MORE, WS_OK};
use crate::error::Error;
use crate::frame::{apply_mask, Assembler, FrameHeader, Message, OpCode};

/// Size of the frame that `ws_frame_encode` writes for a payload of `payload_len` bytes.
#[no_mangle]
pub extern "C" fn ws_frame_encoded_len(payload_len: u64, masked: bool) -> u64 {
    let head = match payload_len {
        0..=125 => 2,
        126..=65535 => 4,
        _ => 10,
    };
    head + if masked { 4 } else { 0 } + payload_len
}

/// Encode one frame into `out` (capacity `cap`, at least `ws_frame_encoded_len(len, masked)`).
///
/// `opcode` 0-15, `rsv` 0-7 (4 = RSV1, 2 = RSV2, 1 = RSV3). When `masked`, the payload is
/// masked with the 4 bytes at `mask`, or with a fresh secure random mask when `mask` is NULL.
/// On success writes the frame size into `written`.
///
/// # Safety
/// `payload` must point to `len` readable bytes, `out` to `cap` writable bytes, `mask` to 4
/// readable bytes or be NULL, `written` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_frame_encode(
    opcode: u8,
    fin: bool,
    rsv: u8,
    masked: bool,
    mask: *const u8,
    payload: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> ws_result {
    guard(|| {
        if opcode > 15 {
            return Err(Error::InvalidArgument("opcode must be 0 to 15"));
        }
        if rsv > 7 {
            return Err(Error::InvalidArgument("rsv must be 0 to 7"));
        }
        if out.is_null() || written.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: as documented.
        let payload = unsafe { bytes(payload, len) }?;
        let key = if masked {
            Some(if mask.is_null() {
                crate::rand::mask()?
            } else {
                let mut m = [0u8; 4];
                // SAFETY: `mask` has 4 readable bytes.
                unsafe { std::ptr::copy_nonoverlapping(mask, m.as_mut_ptr(), 4) };
                m
            })
        } else {
            None
        };
        let header = FrameHeader {
            fin,
            rsv,
            opcode: OpCode::from_u8(opcode),
            mask: key,
            payload_len: len as u64,
        };
        let mut head = Vec::with_capacity(crate::frame::MAX_HEADER_LEN);
        header.encode(&mut head);
        let total = head.len() + len;
        if cap < total {
            return Err(Error::InvalidArgument("output buffer too small"));
        }
        // SAFETY: `out` has `cap >= total` writable bytes.
        let dst = unsafe { std::slice::from_raw_parts_mut(out, total) };
        dst[..head.len()].copy_from_slice(&head);
        dst[head.len()..].copy_from_slice(payload);
        if let Some(m) = key {
            apply_mask(&mut dst[head.len()..], m, 0);
        }
        // SAFETY: `written` is valid for writes.
        unsafe { *written = total };
        Ok(WS_OK)
    })
}

/// Encode a frame of the legacy drafts (hixie-75/76, hybi-00 to 03) into `out`: a close
/// frame is `FF 00`; a text frame is `00`, the payload, `FF`. `cap` must be at least
/// `len + 2`. Writes the size into `written`.
///
/// # Safety
/// As for `ws_frame_encode`.
#[no_mangle]
pub unsafe extern "C" fn ws_frame_encode_legacy(
    close: bool,
    payload: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> ws_result {
    guard(|| {
        if out.is_null() || written.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: as documented.
        let payload = unsafe { bytes(payload, len) }?;
        let mut v = Vec::with_capacity(len + 2);
        crate::frame::legacy::encode_legacy(&mut v, close, payload);
        if cap < v.len() {
            return Err(Error::InvalidArgument("output buffer too small"));
        }
        // SAFETY: `out` has `cap >= v.len()` writable bytes; `written` is valid.
        unsafe {
            std::ptr::copy_nonoverlapping(v.as_ptr(), out, v.len());
            *written = v.len();
        }
        Ok(WS_OK)
    })
}

/// A frame buffer that assembles messages (opaque). See `ws_assembler_next`.
#[allow(non_camel_case_types)]
pub struct ws_assembler {
    inner: Assembler,
    last: Option<Message>,
}

/// Create an assembler. `max_payload_size` and `max_fragments`: 0 = unlimited. `legacy`:
/// parse the framing of the old drafts instead of RFC 6455 frames. Free with `ws_assembler_free`.
#[no_mangle]
pub extern "C" fn ws_assembler_new(
    max_payload_size: u64,
    max_fragments: u64,
    legacy: bool,
) -> *mut ws_assembler {
    guard_value(std::ptr::null_mut(), || {
        let mut inner = Assembler::new(max_payload_size, max_fragments);
        inner.set_legacy(legacy);
        Box::into_raw(Box::new(ws_assembler { inner, last: None }))
    })
}

/// Free an assembler (NULL is accepted).
///
/// # Safety
/// `a` must be NULL or a pointer from `ws_assembler_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_free(a: *mut ws_assembler) {
    if !a.is_null() {
        // SAFETY: `a` came from Box::into_raw and is freed once.
        guard_value((), || drop(unsafe { Box::from_raw(a) }));
    }
}

/// Change the limits (0 = unlimited); they apply to the frames not yet parsed.
///
/// # Safety
/// `a` must be a live assembler.
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_set_limits(
    a: *mut ws_assembler,
    max_payload_size: u64,
    max_fragments: u64,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let a = unsafe { a.as_mut() }.ok_or(Error::NullPointer)?;
        a.inner.set_limits(max_payload_size, max_fragments);
        Ok(WS_OK)
    })
}

/// Append `len` received bytes (copied).
///
/// # Safety
/// `a` must be a live assembler; `data` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_append(
    a: *mut ws_assembler,
    data: *const u8,
    len: usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let a = unsafe { a.as_mut() }.ok_or(Error::NullPointer)?;
        let b = unsafe { bytes(data, len) }?;
        a.inner.append(b);
        Ok(WS_OK)
    })
}

/// The next complete message, or a control frame (returned at once, even between the
/// fragments of a message). A fragmented message comes out whole, with the opcode of its first
/// fragment. Returns `WS_OK` and fills the outputs; `WS_NEED_MORE` when the buffer holds no
/// complete message (nothing is consumed); or an error code (PayloadTooBig empties the buffer).
/// `payload` points into memory owned by the assembler, valid until the next call on it.
///
/// # Safety
/// `a` must be a live assembler; every output pointer must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_next(
    a: *mut ws_assembler,
    opcode: *mut u8,
    fin: *mut bool,
    rsv: *mut u8,
    masked: *mut bool,
    payload: *mut *const u8,
    payload_len: *mut usize,
) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let a = unsafe { a.as_mut() }.ok_or(Error::NullPointer)?;
        if opcode.is_null()
            || fin.is_null()
            || rsv.is_null()
            || masked.is_null()
            || payload.is_null()
            || payload_len.is_null()
        {
            return Err(Error::NullPointer);
        }
        a.last = None;
        match a.inner.next()? {
            None => Ok(WS_NEED_MORE),
            Some(m) => {
                let m = a.last.insert(m);
                // SAFETY: all outputs were checked non-NULL.
                unsafe {
                    *opcode = m.opcode.as_u8();
                    *fin = m.fin;
                    *rsv = m.rsv;
                    *masked = m.masked;
                    *payload = m.payload.as_ptr();
                    *payload_len = m.payload.len();
                }
                Ok(WS_OK)
            }
        }
    })
}

/// Bytes received and not yet returned as part of a message or frame.
///
/// # Safety
/// `a` must be a live assembler or NULL (gives 0).
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_buffered(a: *const ws_assembler) -> usize {
    // SAFETY: as documented.
    guard_value(0, || {
        unsafe { a.as_ref() }.map_or(0, |a| a.inner.buffered())
    })
}

/// Fragments stored for the message in progress.
///
/// # Safety
/// `a` must be a live assembler or NULL (gives 0).
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_pending_fragments(a: *const ws_assembler) -> usize {
    // SAFETY: as documented.
    guard_value(0, || {
        unsafe { a.as_ref() }.map_or(0, |a| a.inner.pending_fragments())
    })
}

/// Drop buffered bytes and pending fragments.
///
/// # Safety
/// `a` must be a live assembler.
#[no_mangle]
pub unsafe extern "C" fn ws_assembler_reset(a: *mut ws_assembler) -> ws_result {
    guard(|| {
        // SAFETY: as documented.
        let a = unsafe { a.as_mut() }.ok_or(Error::NullPointer)?;
        a.inner.reset();
        a.last = None;
        Ok(WS_OK)
    })
}
