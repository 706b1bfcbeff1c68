//! The server side of the opening handshake (RFC 6455 section 4.2), sans-I/O.

use super::http::{parse_http_version, write_header, Head, HeadReader, Limits, StartLine};
use super::key::{accept_key, is_valid_key};
use super::negotiate::{format_extensions, parse_extensions, parse_protocols, ExtensionOffer};
use crate::error::{Error, Result};

/// A client's opening handshake that passed [`validate_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// The whole parsed head (every header, in order).
    pub head: Head,
    /// The request target (path and query) as received.
    pub path: String,
    /// The `Host` header value.
    pub host: String,
    /// The `Sec-WebSocket-Key` value.
    pub key: String,
    /// The `Sec-WebSocket-Version` value, e.g. `13`.
    pub version: String,
    /// The `Origin` header (or, failing that, the `Sec-WebSocket-Origin` of drafts 4-10).
    pub origin: Option<String>,
    /// The subprotocols offered, in the client's order of preference.
    pub protocols: Vec<String>,
    /// The extensions offered, in order.
    pub extensions: Vec<ExtensionOffer>,
}

/// Validate a parsed request as RFC 6455 section 4.2.1 asks.
///
/// Checks, in this order: method `GET` and protocol HTTP/1.1 or later
/// ([`Error::WrongMethodOrVersion`]); `Upgrade` lists `websocket`, case-insensitively
/// ([`Error::MissingUpgrade`]); a `Connection` header ([`Error::MissingConnection`]) that lists
/// `Upgrade` ([`Error::MissingConnectionUpgrade`]); a non-empty `Host` ([`Error::MissingHost`]);
/// exactly one `Sec-WebSocket-Key`, the base64 of 16 bytes ([`Error::BadKey`]); a
/// `Sec-WebSocket-Version` ([`Error::MissingVersion`]) that is in `supported_versions`
/// ([`Error::UnsupportedVersion`], answered with HTTP 426); then the syntax of
/// `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` ([`Error::BadNegotiationHeader`]).
pub fn validate_request(head: Head, supported_versions: &[u32]) -> Result<ClientRequest> {
    let path = match &head.start {
        StartLine::Request {
            method,
            target,
            version,
        } if method == "GET"
            && parse_http_version(version.as_bytes()).is_some_and(|v| v >= (1, 1)) =>
        {
            target.clone()
        }
        _ => return Err(Error::WrongMethodOrVersion),
    };
    if !head.has_token("Upgrade", "websocket") {
        return Err(Error::MissingUpgrade);
    }
    if head.header("Connection").is_none() {
        return Err(Error::MissingConnection);
    }
    if !head.has_token("Connection", "Upgrade") {
        return Err(Error::MissingConnectionUpgrade);
    }
    let host = match head.header("Host") {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => return Err(Error::MissingHost),
    };
    let key = match head.header_all("Sec-WebSocket-Key").as_slice() {
        [k] if is_valid_key(k) => (*k).to_owned(),
        _ => return Err(Error::BadKey),
    };
    let versions = head.header_tokens("Sec-WebSocket-Version");
    let version = match versions.as_slice() {
        [] => return Err(Error::MissingVersion),
        [v] => v.clone(),
        many => return Err(Error::UnsupportedVersion(many.join(", "))),
    };
    match version.parse::<u32>() {
        Ok(n) if version.bytes().all(|b| b.is_ascii_digit()) && supported_versions.contains(&n) => {
        }
        _ => return Err(Error::UnsupportedVersion(version)),
    }
    let origin = head
        .header("Origin")
        .or_else(|| head.header("Sec-WebSocket-Origin"))
        .map(str::to_owned);
    let protocols = parse_protocols(&head.header_all("Sec-WebSocket-Protocol"))?;
    let extensions = parse_extensions(&head.header_all("Sec-WebSocket-Extensions"))?;
    Ok(ClientRequest {
        head,
        path,
        host,
        key,
        version,
        origin,
        protocols,
        extensions,
    })
}

/// The `101 Switching Protocols` answer to a request whose key is `key`:
///
/// ```text
/// HTTP/1.1 101 Switching Protocols
/// Upgrade: websocket
/// Connection: Upgrade
/// Sec-WebSocket-Accept: <accept_key(key)>
/// [Sec-WebSocket-Protocol: <protocol>]
/// [Sec-WebSocket-Extensions: <extensions>]
/// <extra headers>
/// ```
///
/// Extra headers whose name is not a token are left out, control characters in values are
/// replaced by spaces (see [`write_header`]).
pub fn accept_response(
    key: &str,
    protocol: Option<&str>,
    extensions: &[ExtensionOffer],
    extra_headers: &[(String, String)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(b"HTTP/1.1 101 Switching Protocols\r\n");
    write_header(&mut out, "Upgrade", "websocket");
    write_header(&mut out, "Connection", "Upgrade");
    write_header(
        &mut out,
        "Sec-WebSocket-Accept",
        &accept_key(key.as_bytes()),
    );
    if let Some(p) = protocol {
        write_header(&mut out, "Sec-WebSocket-Protocol", p);
    }
    if !extensions.is_empty() {
        write_header(
            &mut out,
            "Sec-WebSocket-Extensions",
            &format_extensions(extensions),
        );
    }
    for (n, v) in extra_headers {
        write_header(&mut out, n, v);
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A rejection with the standard reason phrase of `status` (see
/// [`reject_response_with_reason`]).
pub fn reject_response(status: u16, extra_headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    reject_response_with_reason(status, reason_phrase(status), extra_headers, body)
}

/// A rejection: `HTTP/1.1 {status} {reason}`, then `Content-Type: text/plain` (unless the
/// extra headers hold a `Content-Type`), `Content-Length` of the body (any `Content-Length`
/// among the extra headers is ignored), `Connection: close` (unless the extra headers hold a
/// `Connection`), the extra headers (e.g. `Sec-WebSocket-Version: 13` with a 426), a blank
/// line and the body. Control characters in `reason` are replaced by spaces.
pub fn reject_response_with_reason(
    status: u16,
    reason: &str,
    extra_headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let has = |name: &str| {
        extra_headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {status:03} ").as_bytes());
    out.extend(reason.bytes().map(|b| {
        if b == b'\t' || (b >= 0x20 && b != 0x7f) {
            b
        } else {
            b' '
        }
    }));
    out.extend_from_slice(b"\r\n");
    if !has("Content-Type") {
        write_header(&mut out, "Content-Type", "text/plain");
    }
    write_header(&mut out, "Content-Length", &body.len().to_string());
    if !has("Connection") {
        write_header(&mut out, "Connection", "close");
    }
    for (n, v) in extra_headers {
        if !n.eq_ignore_ascii_case("Content-Length") {
            write_header(&mut out, n, v);
        }
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The standard reason phrase of an HTTP status (RFC 9110 and the registered extensions),
/// `"Unknown"` for a status without one.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "Unknown",
    }
}

/// Accumulates a client's opening handshake and validates it.
#[derive(Debug, Clone)]
pub struct ServerHandshake {
    reader: HeadReader,
    supported_versions: Vec<u32>,
    failed: Option<Error>,
}

impl ServerHandshake {
    /// A handshake reader with the head limits `limits`, accepting the protocol versions
    /// `supported_versions` (usually `vec![13]`; an empty list accepts none).
    pub fn new(limits: Limits, supported_versions: Vec<u32>) -> Self {
        ServerHandshake {
            reader: HeadReader::new(limits),
            supported_versions,
            failed: None,
        }
    }

    /// Feed bytes from the client. `Ok(None)`: more are needed. `Ok(Some(request))`: a valid
    /// request; the bytes that followed its head are in [`take_leftover`](Self::take_leftover).
    /// An error is final (later calls return it again): answer it with
    /// [`reject_response`]`(err.http_status().unwrap_or(400), ..)` and close. For
    /// [`Error::UnsupportedVersion`] (426) add `Sec-WebSocket-Version` with the supported
    /// versions (RFC 6455 section 4.4). Feeding after `Some` is [`Error::InvalidState`].
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<ClientRequest>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let res = match self.reader.feed(bytes) {
            Ok(None) => return Ok(None),
            Ok(Some(head)) => validate_request(head, &self.supported_versions).map(Some),
            Err(e) => Err(e),
        };
        if let Err(e) = &res {
            if !matches!(e, Error::InvalidState(_)) {
                self.failed = Some(e.clone());
            }
        }
        res
    }

    /// The bytes received after the request head (empty until the request is complete).
    pub fn take_leftover(&mut self) -> Vec<u8> {
        self.reader.take_leftover()
    }

    /// How many bytes the request head used, once complete (0 before).
    pub fn consumed(&self) -> usize {
        self.reader.consumed()
    }

    /// The versions given to [`new`](Self::new), e.g. for the `Sec-WebSocket-Version` header
    /// of a 426 answer.
    pub fn supported_versions(&self) -> &[u32] {
        &self.supported_versions
    }
}

#[cfg(test)]
mod tests {
    use super::super::http::parse_head;
    use super::*;

    fn head(s: &str) -> Head {
        parse_head(s.as_bytes(), &Limits::default())
            .unwrap()
            .unwrap()
            .0
    }

    const GOOD: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    #[test]
    fn rfc6455_1_3_example_request_is_valid() {
        let r = validate_request(head(GOOD), &[13]).unwrap();
        assert_eq!(r.path, "/chat");
        assert_eq!(r.host, "server.example.com");
        assert_eq!(r.key, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(r.version, "13");
        assert_eq!(r.origin.as_deref(), Some("http://example.com"));
        assert_eq!(r.protocols, vec!["chat", "superchat"]);
        assert!(r.extensions.is_empty());
    }

    #[test]
    fn rfc6455_1_3_example_response_is_byte_exact() {
        let got = accept_response("dGhlIHNhbXBsZSBub25jZQ==", Some("chat"), &[], &[]);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        );
    }

    #[test]
    fn http_1_0_and_post_are_rejected() {
        let h = head(&GOOD.replacen("HTTP/1.1", "HTTP/1.0", 1));
        assert_eq!(
            validate_request(h, &[13]).unwrap_err(),
            Error::WrongMethodOrVersion
        );
        let h = head(&GOOD.replacen("GET", "POST", 1));
        assert_eq!(
            validate_request(h, &[13]).unwrap_err(),
            Error::WrongMethodOrVersion
        );
        let h = head(&GOOD.replacen("HTTP/1.1", "HTTP/2.0", 1));
        assert!(validate_request(h, &[13]).is_ok());
    }

    #[test]
    fn reject_response_format() {
        let r = reject_response(426, &[("Sec-WebSocket-Version".into(), "13".into())], b"no");
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\
             Connection: close\r\nSec-WebSocket-Version: 13\r\n\r\nno"
        );
        let r = reject_response(
            403,
            &[
                ("content-type".into(), "text/html".into()),
                ("Content-Length".into(), "99".into()),
            ],
            b"",
        );
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\
             content-type: text/html\r\n\r\n"
        );
        assert_eq!(reason_phrase(999), "Unknown");
        assert_eq!(reason_phrase(431), "Request Header Fields Too Large");
        assert_eq!(reason_phrase(410), "Gone");
        let r = reject_response_with_reason(400, "Bad\r\nX: y", &[], b"");
        assert!(r.starts_with(b"HTTP/1.1 400 Bad  X: y\r\nContent-Type"));
    }

    #[test]
    fn server_handshake_repeats_its_error() {
        let mut s = ServerHandshake::new(Limits::default(), vec![13]);
        let e = s.feed(GOOD.replace("Host", "Hast").as_bytes()).unwrap_err();
        assert_eq!(e, Error::MissingHost);
        assert_eq!(s.feed(b"").unwrap_err(), e);
    }
}
