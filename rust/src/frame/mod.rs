//! The RFC 6455 frame codec.
//!
//! - [`header`]: opcodes, the frame header (parse and encode, minimal length encoding) and
//!   [`encode_frame`] for whole frames.
//! - [`mask`]: the masking fast path ([`apply_mask`], word-wise, resumable at any offset).
//! - [`assembler`]: message assembly with the semantics of the original Perl
//!   `WebSocket::Frame::next_bytes` (control frames between fragments, limits checked on the
//!   header before the payload is buffered).
//! - [`legacy`]: the draft framing (hixie-75/76, hybi-00..03): `0x00 payload 0xFF`, close
//!   `0xFF 0x00`.
//!
//! Everything here is structural: the protocol rules (reserved opcodes and bits, control frame
//! sizes, masking direction, UTF-8) are enforced by the connection state machine.

pub mod assembler;
pub mod header;
pub mod legacy;
pub mod mask;

pub use assembler::{Assembler, Message};
pub use header::{encode_frame, FrameHeader, OpCode, MAX_HEADER_LEN};
pub use mask::apply_mask;
