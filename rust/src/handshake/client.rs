//! The client side of the opening handshake (RFC 6455 section 4.1), sans-I/O.

use super::http::{write_header, Head, HeadReader, Limits, StartLine};
use super::key::{accept_key, generate_key};
use super::negotiate::{format_extensions, parse_extensions, parse_protocols, ExtensionOffer};
use crate::error::{Error, Result};
use std::fmt::Write as _;

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientHandshakeConfig {
    /// `host[:port]` for the `Host` header.
    pub host: String,
    /// The request target, path and query (`/` if empty).
    pub path: String,
    /// The `Origin` header, if any.
    pub origin: Option<String>,
    /// Subprotocols offered, in order of preference.
    pub protocols: Vec<String>,
    /// Extensions offered, in order of preference.
    pub extensions: Vec<ExtensionOffer>,
    /// More headers (cookies, authorisation...). Headers the handshake itself sets (`Host`,
    /// `Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`) are left out.
    pub extra_headers: Vec<(String, String)>,
}

/// The server's `101` answer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerResponse {
    /// The whole parsed head.
    pub head: Head,
    /// The subprotocol the server selected (one we offered), if any.
    pub protocol: Option<String>,
    /// The extensions the server accepted (each one we offered), in the server's order.
    pub extensions: Vec<ExtensionOffer>,
}

/// The client's opening handshake: the request to send, then the check of the answer.
#[derive(Debug, Clone)]
pub struct ClientHandshake {
    cfg: ClientHandshakeConfig,
    key: String,
    reader: HeadReader,
    failed: Option<Error>,
}

const RESERVED: [&str; 5] = [
    "Host",
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
];

/// Percent-encode what cannot appear in a request target (controls, space, DEL).
fn clean_target(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut s = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_control() || c == ' ' {
            let _ = write!(s, "%{:02X}", c as u32);
        } else {
            s.push(c);
        }
    }
    s
}

impl ClientHandshake {
    /// A handshake with a fresh random `Sec-WebSocket-Key`.
    pub fn new(cfg: ClientHandshakeConfig, limits: Limits) -> Result<Self> {
        Ok(Self::with_key(cfg, limits, generate_key()?))
    }

    /// A handshake with the given key (for tests and reproducible vectors).
    pub fn with_key(cfg: ClientHandshakeConfig, limits: Limits, key: String) -> Self {
        ClientHandshake {
            cfg,
            key,
            reader: HeadReader::new(limits),
            failed: None,
        }
    }

    /// The `Sec-WebSocket-Key` sent.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The configuration given at construction.
    pub fn config(&self) -> &ClientHandshakeConfig {
        &self.cfg
    }

    /// Change what the request asks for (before [`request_bytes`](Self::request_bytes) is
    /// sent; the answer is checked against the configuration at that time).
    pub fn config_mut(&mut self) -> &mut ClientHandshakeConfig {
        &mut self.cfg
    }

    /// The request to send:
    ///
    /// ```text
    /// GET {path} HTTP/1.1
    /// Host: {host}
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Key: {key}
    /// Sec-WebSocket-Version: 13
    /// [Origin: {origin}]
    /// [Sec-WebSocket-Protocol: {protocols joined with ", "}]
    /// [Sec-WebSocket-Extensions: {extensions}]
    /// {extra headers}
    /// ```
    pub fn request_bytes(&self) -> Vec<u8> {
        let c = &self.cfg;
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"GET ");
        out.extend_from_slice(clean_target(&c.path).as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        write_header(&mut out, "Host", &c.host);
        write_header(&mut out, "Upgrade", "websocket");
        write_header(&mut out, "Connection", "Upgrade");
        write_header(&mut out, "Sec-WebSocket-Key", &self.key);
        write_header(&mut out, "Sec-WebSocket-Version", "13");
        if let Some(o) = &c.origin {
            write_header(&mut out, "Origin", o);
        }
        if !c.protocols.is_empty() {
            write_header(&mut out, "Sec-WebSocket-Protocol", &c.protocols.join(", "));
        }
        if !c.extensions.is_empty() {
            write_header(
                &mut out,
                "Sec-WebSocket-Extensions",
                &format_extensions(&c.extensions),
            );
        }
        for (n, v) in &c.extra_headers {
            if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(n)) {
                write_header(&mut out, n, v);
            }
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// Feed bytes of the server's answer. `Ok(None)`: more are needed. `Ok(Some(resp))`: the
    /// handshake succeeded; bytes that followed the head (frames sent right after the 101)
    /// are in [`take_leftover`](Self::take_leftover). An error is final (later calls return it
    /// again); feeding after success is [`Error::InvalidState`].
    ///
    /// Checks (RFC 6455 section 4.1), in order: a status line at all
    /// ([`Error::WrongResponseLine`] with the line as received), status 101
    /// ([`Error::NotSwitchingProtocols`]), `Upgrade: websocket` ([`Error::MissingUpgrade`]),
    /// `Connection: Upgrade` ([`Error::MissingConnectionUpgrade`]), `Sec-WebSocket-Accept`
    /// ([`Error::AcceptMismatch`]), the subprotocol ([`Error::UnexpectedSubprotocol`]) and the
    /// extensions ([`Error::UnexpectedExtension`]) among those offered.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<ServerResponse>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let res = match self.reader.feed(bytes) {
            Ok(None) => return Ok(None),
            Ok(Some(head)) => self.check(head).map(Some),
            Err(Error::BadStartLine(line)) => Err(Error::WrongResponseLine(line)),
            Err(e) => Err(e),
        };
        if let Err(e) = &res {
            if !matches!(e, Error::InvalidState(_)) {
                self.failed = Some(e.clone());
            }
        }
        res
    }

    fn check(&self, head: Head) -> Result<ServerResponse> {
        match &head.start {
            StartLine::Response { status: 101, .. } => {}
            StartLine::Response { status, .. } => {
                return Err(Error::NotSwitchingProtocols(*status))
            }
            req @ StartLine::Request { .. } => return Err(Error::WrongResponseLine(req.to_line())),
        }
        if !head.has_token("Upgrade", "websocket") {
            return Err(Error::MissingUpgrade);
        }
        if !head.has_token("Connection", "Upgrade") {
            return Err(Error::MissingConnectionUpgrade);
        }
        match head.header_all("Sec-WebSocket-Accept").as_slice() {
            [a] if *a == accept_key(self.key.as_bytes()) => {}
            _ => return Err(Error::AcceptMismatch),
        }
        let protocols = parse_protocols(&head.header_all("Sec-WebSocket-Protocol"))?;
        let protocol = match protocols.as_slice() {
            [] => None,
            [p] if self.cfg.protocols.contains(p) => Some(p.clone()),
            [p] => return Err(Error::UnexpectedSubprotocol(p.clone())),
            many => return Err(Error::UnexpectedSubprotocol(many.join(", "))),
        };
        let extensions = parse_extensions(&head.header_all("Sec-WebSocket-Extensions"))?;
        for e in &extensions {
            if !self
                .cfg
                .extensions
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&e.name))
            {
                return Err(Error::UnexpectedExtension(e.name.clone()));
            }
        }
        Ok(ServerResponse {
            head,
            protocol,
            extensions,
        })
    }

    /// The bytes received after the response head (empty until the handshake is complete).
    pub fn take_leftover(&mut self) -> Vec<u8> {
        self.reader.take_leftover()
    }

    /// How many bytes the response head used, once complete (0 before).
    pub fn consumed(&self) -> usize {
        self.reader.consumed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ClientHandshakeConfig {
        ClientHandshakeConfig {
            host: "server.example.com".into(),
            path: "/chat".into(),
            origin: Some("http://example.com".into()),
            protocols: vec!["chat".into(), "superchat".into()],
            ..Default::default()
        }
    }

    #[test]
    fn rfc6455_1_3_example_request_is_byte_exact() {
        let c =
            ClientHandshake::with_key(cfg(), Limits::default(), "dGhlIHNhbXBsZSBub25jZQ==".into());
        assert_eq!(
            String::from_utf8(c.request_bytes()).unwrap(),
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
             Sec-WebSocket-Protocol: chat, superchat\r\n\r\n"
        );
    }

    #[test]
    fn empty_path_reserved_and_bad_extra_headers() {
        let c = ClientHandshakeConfig {
            host: "h".into(),
            path: String::new(),
            extra_headers: vec![
                ("sec-websocket-key".into(), "x".into()),
                ("Cookie".into(), "a=b".into()),
                ("Bad Name".into(), "x".into()),
            ],
            ..Default::default()
        };
        let c = ClientHandshake::with_key(c, Limits::default(), "k".into());
        let s = String::from_utf8(c.request_bytes()).unwrap();
        assert!(s.starts_with("GET / HTTP/1.1\r\n"));
        assert!(
            s.ends_with("Sec-WebSocket-Version: 13\r\nCookie: a=b\r\n\r\n"),
            "{s}"
        );
        let c = ClientHandshakeConfig {
            path: "/a b\r\n".into(),
            ..Default::default()
        };
        let c = ClientHandshake::with_key(c, Limits::default(), "k".into());
        assert!(c
            .request_bytes()
            .starts_with(b"GET /a%20b%0D%0A HTTP/1.1\r\n"));
    }

    #[test]
    fn new_generates_a_valid_key() {
        let c = ClientHandshake::new(cfg(), Limits::default()).unwrap();
        assert!(super::super::key::is_valid_key(c.key()));
    }
}
