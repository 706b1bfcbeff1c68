//! An HTTP/1.1 head parser (start line and header fields) with limits.
//!
//! The parser never panics, never allocates past the limits of [`Limits`], and accepts what
//! the original Perl `WebSocket::Common::parse_chunk` accepted:
//!
//! - empty lines (CRLF or a bare LF) before the start line are skipped;
//! - lines end with CRLF or a bare LF;
//! - `HTTP/x.y NNN [reason]` is a status line, `METHOD TARGET HTTP/x.y` a request line;
//! - header names are RFC 7230 tokens, values are trimmed of surrounding white space and may
//!   hold obs-text (bytes 0x80-0xFF, converted lossily to UTF-8) but no control character
//!   other than HT;
//! - an obs-fold continuation line (leading SP or HT) is joined to the previous value with
//!   one space.
//!
//! Two entry points: [`parse_head`], a function of a buffer (it re-parses from the start on
//! each call, in time linear in the buffer), and [`HeadReader`], which owns the buffer, is fed
//! bytes as they arrive and resumes where it stopped, so a head that trickles in one byte at
//! a time still costs linear time in total.
//!
//! The size of a head, checked against [`Limits::max_head_size`], counts every byte from the
//! start of the input up to and including the blank line that ends the head (so leading empty
//! lines count too: a peer cannot make us buffer an endless stream of them).

use crate::config::Config;
use crate::error::{Error, Result};

/// The first line of an HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD TARGET HTTP/x.y`
    Request {
        /// The method, as received (methods are case-sensitive).
        method: String,
        /// The request target, as received (for a WebSocket handshake the path and query).
        target: String,
        /// The protocol version, e.g. `HTTP/1.1`.
        version: String,
    },
    /// `HTTP/x.y NNN reason`
    Response {
        /// The protocol version, e.g. `HTTP/1.1`.
        version: String,
        /// The three-digit status code.
        status: u16,
        /// The reason phrase, possibly empty.
        reason: String,
    },
}

impl StartLine {
    /// The line in its canonical form (parts separated by one space, no end of line).
    pub fn to_line(&self) -> String {
        match self {
            StartLine::Request {
                method,
                target,
                version,
            } => format!("{method} {target} {version}"),
            StartLine::Response {
                version,
                status,
                reason,
            } => {
                if reason.is_empty() {
                    format!("{version} {status:03}")
                } else {
                    format!("{version} {status:03} {reason}")
                }
            }
        }
    }

    /// The protocol version (`HTTP/1.1`), of a request or a response.
    pub fn version(&self) -> &str {
        match self {
            StartLine::Request { version, .. } | StartLine::Response { version, .. } => version,
        }
    }
}

/// A parsed HTTP head: the start line and the header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The request line or the status line.
    pub start: StartLine,
    /// The header fields: names as received, values trimmed, in the order received,
    /// duplicates kept.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of the header `name` (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the header `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every value of the header `name`, split on `,`, trimmed, empty elements dropped
    /// (for list headers such as `Connection: keep-alive, Upgrade`).
    pub fn header_tokens(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim_matches(|c| c == ' ' || c == '\t'))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether `token` (case-insensitive) is an element of the comma lists of header `name`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| {
                t.trim_matches(|c| c == ' ' || c == '\t')
                    .eq_ignore_ascii_case(token)
            })
    }

    /// Whether this is a request (as opposed to a response).
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The status code of a response, `None` for a request.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { status, .. } => Some(status),
            StartLine::Request { .. } => None,
        }
    }

    /// The head serialised again: start line, headers, blank line, each ending with CRLF.
    /// Header fields that could not be written safely are handled as by [`write_header`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.headers.len() * 32);
        out.extend_from_slice(self.start.to_line().as_bytes());
        out.extend_from_slice(b"\r\n");
        for (n, v) in &self.headers {
            write_header(&mut out, n, v);
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// The limits a head must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (start line or header line, end of line not counted).
    pub max_line_length: usize,
    /// Most header fields (an obs-fold continuation is not a new field).
    pub max_headers: usize,
    /// Largest head, from the first byte to the end of the blank line, both included.
    pub max_head_size: usize,
}

impl From<&Config> for Limits {
    fn from(c: &Config) -> Self {
        Limits {
            max_line_length: c.max_line_length,
            max_headers: c.max_headers,
            max_head_size: c.max_head_size,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_length: Config::DEFAULT_MAX_LINE_LENGTH,
            max_headers: Config::DEFAULT_MAX_HEADERS,
            max_head_size: Config::DEFAULT_MAX_HEAD_SIZE,
        }
    }
}

/// Whether `b` is a `tchar` of RFC 7230 section 3.2.6.
#[inline]
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Whether `s` is a non-empty RFC 7230 `token`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Whether `b` may appear in a header value (anything but a control character other than HT).
#[inline]
fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Whether `value` may be sent as a header value as is (no CR, LF or other control).
pub fn is_valid_header_value(value: &str) -> bool {
    value.bytes().all(is_value_byte)
}

/// Append `name: value\r\n` to `out`. A name that is not a token is not written (returns
/// false); control characters in the value (CR, LF, NUL...) are replaced by spaces, so that
/// no caller can inject a header or end the head early.
pub fn write_header(out: &mut Vec<u8>, name: &str, value: &str) -> bool {
    if !is_token(name) {
        return false;
    }
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    if is_valid_header_value(value) {
        out.extend_from_slice(value.as_bytes());
    } else {
        out.extend(
            value
                .bytes()
                .map(|b| if is_value_byte(b) { b } else { b' ' }),
        );
    }
    out.extend_from_slice(b"\r\n");
    true
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn trim_ows(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// `HTTP/` 1*DIGIT `.` 1*DIGIT, returning (major, minor) (saturating).
pub(crate) fn parse_http_version(b: &[u8]) -> Option<(u64, u64)> {
    let rest = b.strip_prefix(b"HTTP/")?;
    let dot = rest.iter().position(|&c| c == b'.')?;
    let (maj, min) = (&rest[..dot], &rest[dot + 1..]);
    let num = |d: &[u8]| -> Option<u64> {
        if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(d.iter().fold(0u64, |acc, &c| {
            acc.saturating_mul(10).saturating_add(u64::from(c - b'0'))
        }))
    };
    Some((num(maj)?, num(min)?))
}

fn parse_status_line(line: &[u8]) -> Option<StartLine> {
    let sp = line.iter().position(|&b| b == b' ')?;
    let version = &line[..sp];
    parse_http_version(version)?;
    let mut rest = &line[sp..];
    while let [b' ', r @ ..] = rest {
        rest = r;
    }
    if rest.len() < 3 || !rest[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = rest[..3]
        .iter()
        .fold(0u16, |acc, &c| acc * 10 + u16::from(c - b'0'));
    let mut reason = &rest[3..];
    if !reason.is_empty() {
        if reason[0] != b' ' {
            return None;
        }
        while let [b' ', r @ ..] = reason {
            reason = r;
        }
    }
    if !reason.iter().all(|&b| is_value_byte(b)) {
        return None;
    }
    Some(StartLine::Response {
        version: lossy(version),
        status,
        reason: lossy(reason),
    })
}

fn parse_request_line(line: &[u8]) -> Option<StartLine> {
    let mut parts = line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || line[0] == b' ' || line[line.len() - 1] == b' ' {
        return None;
    }
    if !method.iter().all(|&b| is_tchar(b)) {
        return None;
    }
    if !target.iter().all(|&b| b > 0x20 && b != 0x7f) {
        return None;
    }
    parse_http_version(version)?;
    Some(StartLine::Request {
        method: lossy(method),
        target: lossy(target),
        version: lossy(version),
    })
}

fn parse_start_line(line: &[u8]) -> Result<StartLine> {
    let parsed = if line.starts_with(b"HTTP/") {
        parse_status_line(line)
    } else {
        parse_request_line(line)
    };
    parsed.ok_or_else(|| Error::BadStartLine(lossy(line)))
}

/// The resumable state of the parser over a buffer that only grows at its end.
#[derive(Debug, Clone)]
struct Progress {
    /// Offset just past the last complete line processed.
    pos: usize,
    start: Option<StartLine>,
    headers: Vec<(String, String)>,
    limits: Limits,
}

impl Progress {
    fn new(limits: Limits) -> Self {
        Progress {
            pos: 0,
            start: None,
            headers: Vec::new(),
            limits,
        }
    }

    /// Process the complete lines of `buf` not yet seen (`buf` extends the buffer of the
    /// previous calls). `Ok(Some(end))` when the blank line ending the head was found;
    /// `end` is the offset just past it.
    fn advance(&mut self, buf: &[u8]) -> Result<Option<usize>> {
        let lim = self.limits;
        loop {
            let rest = buf.get(self.pos..).unwrap_or_default();
            // A legal line is at most max_line_length bytes plus CR LF: never look further.
            let window = rest.len().min(lim.max_line_length.saturating_add(2));
            match rest[..window].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let end = self.pos + i + 1;
                    let mut line = &rest[..i];
                    if let [l @ .., b'\r'] = line {
                        line = l;
                    }
                    if line.len() > lim.max_line_length {
                        return Err(Error::LineTooLong {
                            max: lim.max_line_length,
                        });
                    }
                    if end > lim.max_head_size {
                        return Err(Error::HeadTooLarge {
                            max: lim.max_head_size,
                        });
                    }
                    self.pos = end;
                    if self.line(line)? {
                        return Ok(Some(end));
                    }
                }
                None => {
                    let mut partial = rest;
                    if let [l @ .., b'\r'] = partial {
                        partial = l;
                    }
                    if partial.len() > lim.max_line_length {
                        return Err(Error::LineTooLong {
                            max: lim.max_line_length,
                        });
                    }
                    // Still no end of head: the head will be at least one byte longer.
                    if buf.len() >= lim.max_head_size {
                        return Err(Error::HeadTooLarge {
                            max: lim.max_head_size,
                        });
                    }
                    return Ok(None);
                }
            }
        }
    }

    /// One complete line (end of line removed). `Ok(true)` at the blank line ending the head.
    fn line(&mut self, line: &[u8]) -> Result<bool> {
        if self.start.is_none() {
            if !line.is_empty() {
                self.start = Some(parse_start_line(line)?);
            }
            return Ok(false);
        }
        let Some(&first) = line.first() else {
            return Ok(true);
        };
        if first == b' ' || first == b'\t' {
            let Some(last) = self.headers.last_mut() else {
                return Err(Error::FoldedFirstHeader);
            };
            let cont = trim_ows(line);
            if !cont.iter().all(|&b| is_value_byte(b)) {
                return Err(Error::BadHeaderValue(last.0.clone()));
            }
            if !cont.is_empty() {
                if !last.1.is_empty() {
                    last.1.push(' ');
                }
                last.1.push_str(&String::from_utf8_lossy(cont));
            }
            return Ok(false);
        }
        let name = match line.iter().position(|&b| b == b':') {
            Some(c) if c > 0 && line[..c].iter().all(|&b| is_tchar(b)) => &line[..c],
            _ => return Err(Error::BadHeaderName(lossy(line))),
        };
        let value = trim_ows(&line[name.len() + 1..]);
        // The name is ASCII (tchar), so this conversion cannot fail.
        let name = lossy(name);
        if !value.iter().all(|&b| is_value_byte(b)) {
            return Err(Error::BadHeaderValue(name));
        }
        if self.headers.len() >= self.limits.max_headers {
            return Err(Error::TooManyHeaders {
                max: self.limits.max_headers,
            });
        }
        self.headers.push((name, lossy(value)));
        Ok(false)
    }

    fn take_head(&mut self) -> Option<Head> {
        Some(Head {
            start: self.start.take()?,
            headers: std::mem::take(&mut self.headers),
        })
    }
}

/// Parse a complete head at the start of `buf`.
///
/// - `Ok(None)`: the head is not complete yet (nothing is consumed; call again with more
///   bytes). If the bytes already seen break a limit, or a complete line is malformed, the
///   error is returned at once instead: a peer cannot make the caller buffer past the limits.
/// - `Ok(Some((head, consumed)))`: `consumed` counts the bytes of the head including the
///   terminating blank line (and any leading empty lines); the bytes after it belong to the
///   caller (for instance frames that follow a 101 response in the same read).
///
/// Linear in `buf.len()`. To feed bytes as they arrive without re-parsing, use [`HeadReader`].
pub fn parse_head(buf: &[u8], limits: &Limits) -> Result<Option<(Head, usize)>> {
    let mut p = Progress::new(*limits);
    match p.advance(buf)? {
        Some(end) => Ok(p.take_head().map(|h| (h, end))),
        None => Ok(None),
    }
}

#[derive(Debug, Clone)]
enum ReaderState {
    Reading,
    Done,
    Failed(Error),
}

/// An incremental head reader: owns the bytes of an unfinished head, resumes parsing where
/// it stopped (linear time in total however the bytes are split), and keeps the bytes that
/// follow the head.
#[derive(Debug, Clone)]
pub struct HeadReader {
    buf: Vec<u8>,
    progress: Progress,
    state: ReaderState,
    consumed: usize,
    leftover: Vec<u8>,
}

impl HeadReader {
    /// A reader that enforces `limits`.
    pub fn new(limits: Limits) -> Self {
        HeadReader {
            buf: Vec::new(),
            progress: Progress::new(limits),
            state: ReaderState::Reading,
            consumed: 0,
            leftover: Vec::new(),
        }
    }

    /// Feed bytes. `Ok(None)`: more bytes are needed. `Ok(Some(head))`: the head is complete;
    /// the bytes that followed it are in [`take_leftover`](Self::take_leftover).
    ///
    /// After an error every later call returns the same error; after a complete head, later
    /// calls return [`Error::InvalidState`].
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<Head>> {
        match &self.state {
            ReaderState::Reading => {}
            ReaderState::Done => {
                return Err(Error::InvalidState("the HTTP head is already complete"))
            }
            ReaderState::Failed(e) => return Err(e.clone()),
        }
        // Common case: the whole head arrives in one read; parse it in place, no copy.
        let result = if self.buf.is_empty() {
            self.progress.advance(bytes)
        } else {
            self.buf.extend_from_slice(bytes);
            self.progress.advance(&self.buf)
        };
        match result {
            Err(e) => {
                self.state = ReaderState::Failed(e.clone());
                self.buf = Vec::new();
                Err(e)
            }
            Ok(None) => {
                if self.buf.is_empty() {
                    // Below the limits, so this copy is bounded by max_head_size.
                    self.buf.extend_from_slice(bytes);
                }
                Ok(None)
            }
            Ok(Some(end)) => {
                self.state = ReaderState::Done;
                self.consumed = end;
                if self.buf.is_empty() {
                    self.leftover = bytes[end..].to_vec();
                } else {
                    self.leftover = self.buf.split_off(end);
                    self.buf = Vec::new();
                }
                match self.progress.take_head() {
                    Some(h) => Ok(Some(h)),
                    None => Err(Error::Incomplete),
                }
            }
        }
    }

    /// The bytes that followed the head (empty before the head is complete). Taken once.
    pub fn take_leftover(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.leftover)
    }

    /// How many bytes the head used (leading empty lines and the blank line included), once
    /// complete; 0 before.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// How many bytes of an unfinished head are buffered.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the head is complete.
    pub fn is_done(&self) -> bool {
        matches!(self.state, ReaderState::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> Limits {
        Limits::default()
    }

    fn ok(s: &str) -> (Head, usize) {
        parse_head(s.as_bytes(), &lim()).unwrap().unwrap()
    }

    #[test]
    fn parses_a_request() {
        let (h, n) = ok("GET /chat?x=1 HTTP/1.1\r\nHost: a\r\nX:  y  \r\n\r\nrest");
        assert_eq!(n, 44);
        assert_eq!(
            h.start,
            StartLine::Request {
                method: "GET".into(),
                target: "/chat?x=1".into(),
                version: "HTTP/1.1".into()
            }
        );
        assert_eq!(
            h.headers,
            vec![("Host".into(), "a".into()), ("X".into(), "y".into())]
        );
        assert_eq!(h.header("host"), Some("a"));
    }

    #[test]
    fn parses_a_response_with_and_without_reason() {
        let (h, _) = ok("HTTP/1.1 101 Switching Protocols\r\n\r\n");
        assert_eq!(h.status(), Some(101));
        let (h, _) = ok("HTTP/1.0 404\r\n\r\n");
        assert_eq!(
            h.start,
            StartLine::Response {
                version: "HTTP/1.0".into(),
                status: 404,
                reason: String::new()
            }
        );
        assert!(matches!(
            parse_head(b"HTTP/1.1 1011 x\r\n\r\n", &lim()),
            Err(Error::BadStartLine(_))
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.1 10 x\r\n\r\n", &lim()),
            Err(Error::BadStartLine(_))
        ));
    }

    #[test]
    fn incomplete_needs_more() {
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nHost: a\r\n", &lim()).unwrap(),
            None
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nHost: a\r\n\r", &lim()).unwrap(),
            None
        );
        assert_eq!(parse_head(b"", &lim()).unwrap(), None);
        assert_eq!(parse_head(b"\r\n\r\n", &lim()).unwrap(), None);
    }

    #[test]
    fn bad_lines() {
        let e = parse_head(b"HELLO\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e, Error::BadStartLine("HELLO".into()));
        assert_eq!(
            e.to_string(),
            "'HELLO' is not the start of a valid HTTP request or response"
        );
        let e = parse_head(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e.to_string(), "Bad header name in 'Bad Name: x'");
        let e = parse_head(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e, Error::BadHeaderName("NoColon".into()));
        let e = parse_head(b"GET / HTTP/1.1\r\n: x\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e, Error::BadHeaderName(": x".into()));
        let e = parse_head(b"GET / HTTP/1.1\r\nA: x\x01y\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e, Error::BadHeaderValue("A".into()));
        let e = parse_head(b"GET / HTTP/1.1\r\n folded\r\n\r\n", &lim()).unwrap_err();
        assert_eq!(e, Error::FoldedFirstHeader);
        assert!(parse_head(b"GET  /  HTTP/1.1\r\n\r\n", &lim())
            .unwrap()
            .is_some());
        assert!(parse_head(b"GET / HTTP/1.1 \r\n\r\n", &lim()).is_err());
        assert!(parse_head(b" GET / HTTP/1.1\r\n\r\n", &lim()).is_err());
        assert!(parse_head(b"GET / HTTP/1\r\n\r\n", &lim()).is_err());
        assert!(parse_head(b"GET / FTP/1.1\r\n\r\n", &lim()).is_err());
    }

    #[test]
    fn a_malformed_line_fails_before_the_head_is_complete() {
        assert!(matches!(
            parse_head(b"garbage\r\nmore", &lim()),
            Err(Error::BadStartLine(_))
        ));
    }

    #[test]
    fn tokens() {
        let (h, _) =
            ok("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nconnection: ,x,\r\n\r\n");
        assert_eq!(
            h.header_tokens("CONNECTION"),
            vec!["keep-alive", "Upgrade", "x"]
        );
        assert!(h.has_token("connection", "upgrade"));
        assert!(!h.has_token("connection", "close"));
        assert_eq!(
            h.header_all("connection"),
            vec!["keep-alive, Upgrade", ",x,"]
        );
    }

    #[test]
    fn to_bytes_round_trips() {
        let src = "GET / HTTP/1.1\r\nHost: a\r\nX: y z\r\n\r\n";
        let (h, _) = ok(src);
        assert_eq!(h.to_bytes(), src.as_bytes());
    }

    #[test]
    fn write_header_neutralises_injection() {
        let mut out = Vec::new();
        assert!(write_header(&mut out, "X", "a\r\nEvil: 1"));
        assert_eq!(out, b"X: a  Evil: 1\r\n");
        assert!(!write_header(&mut out, "Bad Name", "v"));
        assert!(!write_header(&mut out, "", "v"));
    }

    #[test]
    fn reader_resumes_and_keeps_leftover() {
        let src = b"\r\nHTTP/1.1 101 OK\r\nA: b\r\n\r\n\x81\x00";
        let mut r = HeadReader::new(lim());
        let mut got = None;
        for (i, b) in src.iter().enumerate() {
            if let Some(h) = r.feed(std::slice::from_ref(b)).unwrap() {
                got = Some((h, i));
                break;
            }
        }
        let (h, i) = got.unwrap();
        assert_eq!(i, src.len() - 3);
        assert_eq!(h.header("a"), Some("b"));
        assert_eq!(r.consumed(), src.len() - 2);
        assert!(r.take_leftover().is_empty());
        // Fed after completion: an error, not silently lost.
        assert!(matches!(r.feed(b"x"), Err(Error::InvalidState(_))));
        let mut r = HeadReader::new(lim());
        assert!(r.feed(src).unwrap().is_some());
        assert_eq!(r.take_leftover(), b"\x81\x00");
        assert!(matches!(r.feed(b"x"), Err(Error::InvalidState(_))));
    }

    #[test]
    fn reader_repeats_its_error() {
        let mut r = HeadReader::new(lim());
        let e = r.feed(b"nope\n").unwrap_err();
        assert_eq!(r.feed(b"GET / HTTP/1.1\r\n\r\n").unwrap_err(), e);
    }
}
