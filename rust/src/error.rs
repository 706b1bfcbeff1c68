//! The one error type of the engine.
//!
//! Every variant has
//! - a stable numeric [`Error::code`] (the result code of the C ABI; never renumbered),
//! - a human message ([`std::fmt::Display`]; for the variants that the Perl classes of the
//!   original distribution reported, the message is byte-for-byte the original string),
//! - and either a WebSocket close code ([`Error::close_code`]) or, for errors of the
//!   HTTP opening handshake, an HTTP status ([`Error::http_status`]). Exactly one of the
//!   two is `Some` for every variant.
//!
//! Code ranges: 1xx framing and message errors, 2xx opening-handshake errors,
//! 3xx misuse of the API or of a connection's state, 9xx internal errors.

use std::fmt;

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ---- 1xx: frames and messages (close codes) ----
    /// An incoming frame announces a payload above the limit (close 1009).
    PayloadTooBig { len: u64, max: u64 },
    /// An outgoing payload is above the sender's limit (close 1009).
    SendPayloadTooBig { len: u64, max: u64 },
    /// A message (all fragments together) would exceed the limit (close 1009).
    MessageTooBig { len: u64, max: u64 },
    /// More fragments than allowed in one message (close 1009).
    TooManyFragments { max: u64 },
    /// RSV1, RSV2 or RSV3 set while no extension defines them (close 1002).
    ReservedBits(u8),
    /// An opcode that RFC 6455 reserves (3-7, 0xB-0xF) (close 1002).
    ReservedOpcode(u8),
    /// A control frame with FIN clear (close 1002).
    FragmentedControlFrame,
    /// A control frame whose payload is longer than 125 bytes (close 1002).
    ControlFrameTooLong(u64),
    /// A continuation frame while no message is in progress (close 1002).
    UnexpectedContinuation,
    /// A new data frame while a fragmented message is in progress (close 1002).
    ExpectedContinuation,
    /// An unmasked frame reached a server that requires masking (close 1002).
    UnmaskedFrame,
    /// A masked frame reached a client (close 1002).
    MaskedFrame,
    /// A 64-bit payload length with its most significant bit set (close 1002).
    InvalidLength,
    /// A text message or close reason that is not valid UTF-8 (close 1007).
    InvalidUtf8,
    /// A close frame whose status code may not appear on the wire (close 1002).
    InvalidCloseCode(u16),
    /// A close frame with a one-byte payload (close 1002).
    InvalidClosePayload,
    /// permessage-deflate (RFC 7692) could not be agreed: the server's answer to our offer
    /// is invalid, or a client that requires the extension did not get it (close 1010).
    ExtensionNegotiation(String),
    /// A compressed message that does not inflate (corrupt DEFLATE data) (close 1007).
    BadCompressedData,

    // ---- 2xx: the opening handshake (HTTP statuses) ----
    /// The HTTP head is not complete yet and more bytes are needed (not a failure by itself;
    /// only returned where a complete head is required) (HTTP 400).
    Incomplete,
    /// A line of the HTTP head is longer than the limit (HTTP 431).
    LineTooLong { max: usize },
    /// More header fields than the limit (HTTP 431).
    TooManyHeaders { max: usize },
    /// The whole HTTP head is larger than the limit (HTTP 431).
    HeadTooLarge { max: usize },
    /// The first line is neither a request line nor a status line (HTTP 400).
    BadStartLine(String),
    /// A header line with an invalid field name (HTTP 400).
    BadHeaderName(String),
    /// A header value with characters HTTP does not allow (HTTP 400).
    BadHeaderValue(String),
    /// A folded (obs-fold) line right after the start line (HTTP 400).
    FoldedFirstHeader,
    /// The request method is not GET or the protocol is not HTTP/1.1 or later (HTTP 400).
    WrongMethodOrVersion,
    /// No `Upgrade: websocket` header (HTTP 400).
    MissingUpgrade,
    /// No `Connection` header (HTTP 400).
    MissingConnection,
    /// A `Connection` header without the `Upgrade` token (HTTP 400).
    MissingConnectionUpgrade,
    /// No `Host` header (HTTP 400).
    MissingHost,
    /// No `Sec-WebSocket-Key`, or one that is not 16 bytes in base64 (HTTP 400).
    BadKey,
    /// No `Sec-WebSocket-Version` header (HTTP 400).
    MissingVersion,
    /// A `Sec-WebSocket-Version` the server does not speak (HTTP 426).
    UnsupportedVersion(String),
    /// A malformed `Sec-WebSocket-Protocol` or `Sec-WebSocket-Extensions` value (HTTP 400).
    BadNegotiationHeader(String),
    /// The server answered with a status other than 101 (HTTP status of the answer).
    NotSwitchingProtocols(u16),
    /// The response start line is not `HTTP/1.1 101 ...`; carries the line as received (HTTP 502).
    WrongResponseLine(String),
    /// `Sec-WebSocket-Accept` missing or not the one computed from our key (HTTP 502).
    AcceptMismatch,
    /// The server selected a subprotocol we did not offer (HTTP 502).
    UnexpectedSubprotocol(String),
    /// The server selected an extension we did not offer (HTTP 502).
    UnexpectedExtension(String),

    // ---- 3xx: API misuse and connection state ----
    /// An operation that the connection's current state does not allow (close 1011).
    InvalidState(&'static str),
    /// An argument out of its range (bad close code, reason longer than 123 bytes...) (close 1011).
    InvalidArgument(&'static str),
    /// A null pointer or a handle of the wrong kind passed to the C ABI (close 1011).
    NullPointer,

    // ---- 9xx: internal ----
    /// The secure random source failed (close 1011).
    RandomSource,
    /// A panic was caught at the C ABI boundary (close 1011).
    Panic,
}

impl Error {
    /// Stable numeric code of the variant (the C ABI result code). Never renumbered.
    pub fn code(&self) -> u32 {
        use Error::*;
        match self {
            PayloadTooBig { .. } => 101,
            SendPayloadTooBig { .. } => 102,
            MessageTooBig { .. } => 103,
            TooManyFragments { .. } => 104,
            ReservedBits(_) => 105,
            ReservedOpcode(_) => 106,
            FragmentedControlFrame => 107,
            ControlFrameTooLong(_) => 108,
            UnexpectedContinuation => 109,
            ExpectedContinuation => 110,
            UnmaskedFrame => 111,
            MaskedFrame => 112,
            InvalidLength => 113,
            InvalidUtf8 => 114,
            InvalidCloseCode(_) => 115,
            InvalidClosePayload => 116,
            ExtensionNegotiation(_) => 117,
            BadCompressedData => 118,
            Incomplete => 201,
            LineTooLong { .. } => 202,
            TooManyHeaders { .. } => 203,
            HeadTooLarge { .. } => 204,
            BadStartLine(_) => 205,
            BadHeaderName(_) => 206,
            BadHeaderValue(_) => 207,
            FoldedFirstHeader => 208,
            WrongMethodOrVersion => 209,
            MissingUpgrade => 210,
            MissingConnection => 211,
            MissingConnectionUpgrade => 212,
            MissingHost => 213,
            BadKey => 214,
            MissingVersion => 215,
            UnsupportedVersion(_) => 216,
            BadNegotiationHeader(_) => 217,
            NotSwitchingProtocols(_) => 218,
            WrongResponseLine(_) => 219,
            AcceptMismatch => 220,
            UnexpectedSubprotocol(_) => 221,
            UnexpectedExtension(_) => 222,
            InvalidState(_) => 301,
            InvalidArgument(_) => 302,
            NullPointer => 303,
            RandomSource => 901,
            Panic => 902,
        }
    }

    /// The close code to send (or report) for this error, when it is a WebSocket-level error.
    pub fn close_code(&self) -> Option<u16> {
        use Error::*;
        match self {
            PayloadTooBig { .. }
            | SendPayloadTooBig { .. }
            | MessageTooBig { .. }
            | TooManyFragments { .. } => Some(1009),
            ReservedBits(_)
            | ReservedOpcode(_)
            | FragmentedControlFrame
            | ControlFrameTooLong(_)
            | UnexpectedContinuation
            | ExpectedContinuation
            | UnmaskedFrame
            | MaskedFrame
            | InvalidLength
            | InvalidCloseCode(_)
            | InvalidClosePayload => Some(1002),
            InvalidUtf8 | BadCompressedData => Some(1007),
            ExtensionNegotiation(_) => Some(1010),
            InvalidState(_) | InvalidArgument(_) | NullPointer | RandomSource | Panic => Some(1011),
            _ => None,
        }
    }

    /// The HTTP status that answers this error, when it is an opening-handshake error.
    pub fn http_status(&self) -> Option<u16> {
        use Error::*;
        match self {
            Incomplete
            | BadStartLine(_)
            | BadHeaderName(_)
            | BadHeaderValue(_)
            | FoldedFirstHeader
            | WrongMethodOrVersion
            | MissingUpgrade
            | MissingConnection
            | MissingConnectionUpgrade
            | MissingHost
            | BadKey
            | MissingVersion
            | BadNegotiationHeader(_) => Some(400),
            LineTooLong { .. } | TooManyHeaders { .. } | HeadTooLarge { .. } => Some(431),
            UnsupportedVersion(_) => Some(426),
            NotSwitchingProtocols(status) => Some(*status),
            WrongResponseLine(_)
            | AcceptMismatch
            | UnexpectedSubprotocol(_)
            | UnexpectedExtension(_) => Some(502),
            _ => None,
        }
    }

    /// Every code in use, in order (for tests and documentation).
    pub const ALL_CODES: &'static [u32] = &[
        101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118,
        201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218,
        219, 220, 221, 222, 301, 302, 303, 901, 902,
    ];
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Error::*;
        match self {
            // The next three strings are those of the original Perl WebSocket::Frame: API.
            PayloadTooBig { len, max } => write!(
                f,
                "Payload is too big. Deny big message ({len}) or increase max_payload_size ({max})"
            ),
            SendPayloadTooBig { .. } => {
                f.write_str("Payload is too big. Send shorter messages or increase max_payload_size")
            }
            TooManyFragments { .. } => f.write_str("Too many fragments"),
            MessageTooBig { len, max } => {
                write!(f, "Message is too big: {len} bytes received, the limit is {max}")
            }
            ReservedBits(bits) => write!(
                f,
                "Reserved bits set without an extension that defines them (RSV {bits:#05b})"
            ),
            ReservedOpcode(op) => write!(f, "Reserved opcode {op:#x}"),
            FragmentedControlFrame => f.write_str("Control frame with FIN clear (fragmented)"),
            ControlFrameTooLong(len) => {
                write!(f, "Control frame payload of {len} bytes, more than 125")
            }
            UnexpectedContinuation => f.write_str("Continuation frame without a message in progress"),
            ExpectedContinuation => {
                f.write_str("New data frame while a fragmented message is in progress")
            }
            UnmaskedFrame => f.write_str("Unmasked frame from a client"),
            MaskedFrame => f.write_str("Masked frame from a server"),
            InvalidLength => f.write_str("Payload length with the most significant bit set"),
            InvalidUtf8 => f.write_str("Invalid UTF-8 in a text message or close reason"),
            InvalidCloseCode(code) => write!(f, "Invalid close code {code}"),
            InvalidClosePayload => f.write_str("Close frame with a one-byte payload"),
            ExtensionNegotiation(why) => write!(f, "permessage-deflate: {why}"),
            BadCompressedData => f.write_str("Compressed message with invalid DEFLATE data"),
            Incomplete => f.write_str("Incomplete HTTP message"),
            LineTooLong { max } => write!(f, "HTTP header line longer than {max} bytes"),
            TooManyHeaders { max } => write!(f, "More than {max} HTTP header fields"),
            HeadTooLarge { max } => write!(f, "HTTP header block larger than {max} bytes"),
            // The next three strings are those of the original WebSocket::Common parser: API.
            BadStartLine(line) => {
                write!(f, "'{line}' is not the start of a valid HTTP request or response")
            }
            BadHeaderName(line) => write!(f, "Bad header name in '{line}'"),
            FoldedFirstHeader => f.write_str("Linear white space on first header line"),
            BadHeaderValue(name) => write!(f, "Bad value for header '{name}'"),
            WrongMethodOrVersion => f.write_str("Wrong method or http version"),
            MissingUpgrade => f.write_str("No upgrade header or its value is not \"WebSocket\"."),
            MissingConnection => f.write_str("No \"Connection\" header"),
            MissingConnectionUpgrade => f.write_str("Connection header has no \"Upgrade\" value."),
            MissingHost => f.write_str("No \"Host\" header value found."),
            BadKey => f.write_str("Missing or invalid Sec-WebSocket-Key header"),
            MissingVersion => f.write_str("Missing version header"),
            UnsupportedVersion(v) => write!(f, "Unsupported version \"{v}\""),
            BadNegotiationHeader(name) => write!(f, "Malformed {name} header"),
            NotSwitchingProtocols(status) => {
                write!(f, "The server answered with HTTP status {status} instead of 101")
            }
            WrongResponseLine(line) => write!(
                f,
                "Wrong response line. Got \"{line}\", but expected something starting with \"HTTP/1.1 101 \""
            ),
            AcceptMismatch => f.write_str(
                "Sec-WebSocket-Accept is missing or does not match the Sec-WebSocket-Key sent",
            ),
            UnexpectedSubprotocol(p) => {
                write!(f, "The server selected the subprotocol \"{p}\", which was not offered")
            }
            UnexpectedExtension(e) => {
                write!(f, "The server selected the extension \"{e}\", which was not offered")
            }
            InvalidState(what) => write!(f, "Invalid state: {what}"),
            InvalidArgument(what) => write!(f, "Invalid argument: {what}"),
            NullPointer => f.write_str("Null pointer or wrong handle passed to the C ABI"),
            RandomSource => f.write_str("The secure random number source failed"),
            Panic => f.write_str("Internal error: a panic was caught at the C ABI boundary"),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the engine.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Error> {
        use Error::*;
        vec![
            PayloadTooBig { len: 1, max: 0 },
            SendPayloadTooBig { len: 1, max: 0 },
            MessageTooBig { len: 1, max: 0 },
            TooManyFragments { max: 1 },
            ReservedBits(4),
            ReservedOpcode(3),
            FragmentedControlFrame,
            ControlFrameTooLong(126),
            UnexpectedContinuation,
            ExpectedContinuation,
            UnmaskedFrame,
            MaskedFrame,
            InvalidLength,
            InvalidUtf8,
            InvalidCloseCode(1005),
            InvalidClosePayload,
            ExtensionNegotiation("x".into()),
            BadCompressedData,
            Incomplete,
            LineTooLong { max: 1 },
            TooManyHeaders { max: 1 },
            HeadTooLarge { max: 1 },
            BadStartLine("x".into()),
            BadHeaderName("x".into()),
            BadHeaderValue("x".into()),
            FoldedFirstHeader,
            WrongMethodOrVersion,
            MissingUpgrade,
            MissingConnection,
            MissingConnectionUpgrade,
            MissingHost,
            BadKey,
            MissingVersion,
            UnsupportedVersion("7".into()),
            BadNegotiationHeader("x".into()),
            NotSwitchingProtocols(403),
            WrongResponseLine("x".into()),
            AcceptMismatch,
            UnexpectedSubprotocol("x".into()),
            UnexpectedExtension("x".into()),
            InvalidState("x"),
            InvalidArgument("x"),
            NullPointer,
            RandomSource,
            Panic,
        ]
    }

    #[test]
    fn every_variant_has_exactly_one_of_close_code_and_http_status() {
        for e in samples() {
            assert!(
                e.close_code().is_some() ^ e.http_status().is_some(),
                "{e:?} must have exactly one of close code / HTTP status"
            );
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn codes_are_unique_and_listed() {
        let codes: Vec<u32> = samples().iter().map(Error::code).collect();
        assert_eq!(codes, Error::ALL_CODES);
    }

    #[test]
    fn original_strings_are_kept() {
        assert_eq!(
            Error::PayloadTooBig {
                len: 70000,
                max: 65536
            }
            .to_string(),
            "Payload is too big. Deny big message (70000) or increase max_payload_size (65536)"
        );
        assert_eq!(
            Error::SendPayloadTooBig { len: 2, max: 1 }.to_string(),
            "Payload is too big. Send shorter messages or increase max_payload_size"
        );
        assert_eq!(
            Error::TooManyFragments { max: 128 }.to_string(),
            "Too many fragments"
        );
    }
}
