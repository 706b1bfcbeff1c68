//! The HTTP/1.1 opening handshake of RFC 6455, sans-I/O.
//!
//! - [`http`]: an incremental HTTP/1.1 head parser with limits ([`parse_head`],
//!   [`HeadReader`]).
//! - [`key`]: `Sec-WebSocket-Key` generation and validation, `Sec-WebSocket-Accept`.
//! - [`negotiate`]: `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`.
//! - [`server`]: validation of a client's request, the 101 answer and rejections
//!   ([`ServerHandshake`]).
//! - [`client`]: the request and the checks of the server's answer ([`ClientHandshake`]).
//!
//! Both handshake objects keep the bytes that followed the head (`take_leftover`): a server
//! may send its first frames in the same TCP segment as its 101 answer.

pub mod client;
pub mod http;
pub mod key;
pub mod negotiate;
pub mod server;

pub use client::{ClientHandshake, ClientHandshakeConfig, ServerResponse};
pub use http::{parse_head, Head, HeadReader, Limits, StartLine};
pub use key::{accept_key, generate_key, is_valid_key, GUID};
pub use negotiate::{
    format_extensions, parse_extensions, parse_protocols, select_protocol, ExtensionOffer,
};
pub use server::{
    accept_response, reason_phrase, reject_response, reject_response_with_reason, validate_request,
    ClientRequest, ServerHandshake,
};
