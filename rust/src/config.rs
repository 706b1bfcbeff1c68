//! The one configuration of a connection and of the handshake parsers.
//!
//! Every field has a documented default that protects the process; every field is
//! mirrored one to one by a C setter (`ws_config_set_*`) and by a Perl option.

use crate::deflate::DeflateConfig;

/// Limits and behaviour switches of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Largest message (all fragments together, after any decompression) accepted, in bytes.
    /// `0` means unlimited. Default: 65536 (64 KiB), as `$WebSocket::Frame::MAX_PAYLOAD_SIZE`.
    /// Exceeding it closes the connection with 1009 before the payload is buffered.
    pub max_message_size: u64,
    /// Largest number of frames one message may be split into. `0` means unlimited.
    /// Default: 128, as `$WebSocket::Frame::MAX_FRAGMENTS_AMOUNT`. Exceeding it closes with 1009.
    pub max_fragments: u64,
    /// Largest payload accepted for an outgoing message, in bytes; `0` means unlimited.
    /// Default: 0 (the sender decides what it sends).
    pub max_send_size: u64,
    /// Longest line of an HTTP head (request line, status line, header line). Default: 8192.
    pub max_line_length: usize,
    /// Most header fields in an HTTP head. Default: 100.
    pub max_headers: usize,
    /// Largest HTTP head (start line, headers and the blank line). Default: 16384.
    pub max_head_size: usize,
    /// Whether a server accepts frames from a client that are not masked. RFC 6455 section
    /// 5.1 says a server MUST close such a connection; the original Perl distribution and
    /// Net::WebSocket::Server accept them. Default: `true` (accept); set `false` for strict
    /// RFC 6455 behaviour (close 1002).
    pub accept_unmasked_frames: bool,
    /// Whether the engine answers every ping with a pong by itself. Default: `true`.
    pub auto_pong: bool,
    /// permessage-deflate (RFC 7692): whether to offer (client) or accept (server) it, the
    /// parameters to negotiate and the compression threshold. Default: disabled. Used by the
    /// reactor's handshakes; a sans-I/O [`Connection`](crate::protocol::Connection) compresses
    /// only once given the agreed parameters
    /// ([`Connection::set_deflate`](crate::protocol::Connection::set_deflate)), with
    /// `deflate.threshold`.
    pub deflate: DeflateConfig,
}

impl Config {
    /// Default `max_message_size`.
    pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 65536;
    /// Default `max_fragments`.
    pub const DEFAULT_MAX_FRAGMENTS: u64 = 128;
    /// Default `max_line_length`.
    pub const DEFAULT_MAX_LINE_LENGTH: usize = 8192;
    /// Default `max_headers`.
    pub const DEFAULT_MAX_HEADERS: usize = 100;
    /// Default `max_head_size`.
    pub const DEFAULT_MAX_HEAD_SIZE: usize = 16384;
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_message_size: Self::DEFAULT_MAX_MESSAGE_SIZE,
            max_fragments: Self::DEFAULT_MAX_FRAGMENTS,
            max_send_size: 0,
            max_line_length: Self::DEFAULT_MAX_LINE_LENGTH,
            max_headers: Self::DEFAULT_MAX_HEADERS,
            max_head_size: Self::DEFAULT_MAX_HEAD_SIZE,
            accept_unmasked_frames: true,
            auto_pong: true,
            deflate: DeflateConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = Config::default();
        assert_eq!(c.max_message_size, 65536);
        assert_eq!(c.max_fragments, 128);
        assert_eq!(c.max_send_size, 0);
        assert_eq!(
            (c.max_line_length, c.max_headers, c.max_head_size),
            (8192, 100, 16384)
        );
        assert!(c.accept_unmasked_frames);
        assert!(c.auto_pong);
        assert_eq!(c.deflate, DeflateConfig::default());
    }
}
