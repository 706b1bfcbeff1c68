//! # websocket: the RFC 6455 engine behind the Perl `WebSocket` distribution
//!
//! A sans-I/O WebSocket engine: bytes go in, typed events and outgoing bytes come out.
//! Nothing here owns a socket or reads a clock.
//!
//! - [`frame`]: the frame codec (headers, opcodes, masking fast path, message assembly
//!   with the semantics of the original Perl `WebSocket::Frame`, legacy draft framing).
//! - [`utf8`]: incremental UTF-8 validation across fragments.
//! - [`handshake`]: the HTTP/1.1 opening handshake, parsing with limits, key/accept,
//!   subprotocol and extension negotiation.
//! - [`deflate`]: permessage-deflate (RFC 7692): negotiation in both roles, the compressor
//!   and the bounded inflater.
//! - [`protocol`]: one connection's state machine (client or server role).
//! - [`reactor`]: the I/O half: a mio event loop that owns sockets and timers, driven by
//!   the caller's thread (the only module that touches sockets).
//! - [`config`]: the one [`Config`](config::Config) with documented defaults.
//! - [`error`]: the one [`Error`](error::Error) enum, with stable codes, messages and a
//!   close code or HTTP status per variant.
//! - `ffi`: the C ABI (see `rust/include/websocket.h`), and nothing else.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod config;
pub mod deflate;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod protocol;
pub mod rand;
pub mod reactor;
pub mod utf8;

#[doc(hidden)]
pub mod ffi;

pub use config::Config;
pub use error::{Error, Result};

/// Version of the engine (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
