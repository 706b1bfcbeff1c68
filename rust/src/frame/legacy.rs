//! The framing of the drafts before RFC 6455 (hixie-75/76, hybi-00..03), which
//! `WebSocket::Frame` still speaks when its version is one of those.
//!
//! A text frame is `0x00 payload 0xFF`; a close frame is `0xFF 0x00`. The parse follows the
//! original Perl code: a leading `"\xff\x00"` is a close; otherwise
//! `/^[^\x00]*\x00(.*?)\xff/s`, i.e. bytes before the first `0x00` are skipped and the
//! payload runs up to the next `0xFF`.

/// One legacy frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyFrame {
    /// A text frame and its payload (bytes, not validated).
    Text(Vec<u8>),
    /// The closing frame `0xFF 0x00`.
    Close,
}

/// Where the next legacy frame lies in `buf`, without copying: `Some((None, consumed))` for a
/// close, `Some((Some(range), consumed))` for a text frame whose payload is `buf[range]`,
/// `None` if incomplete. `scan_from` is a position before which no `0xFF` needs looking for
/// (a resume point for a payload that arrives in pieces; 0 is always correct).
pub(crate) fn locate(
    buf: &[u8],
    scan_from: usize,
) -> Option<(Option<std::ops::Range<usize>>, usize)> {
    if buf.starts_with(b"\xff\x00") {
        return Some((None, 2));
    }
    let start = buf.iter().position(|&b| b == 0x00)? + 1;
    let from = scan_from.max(start);
    let end = from + buf.get(from..)?.iter().position(|&b| b == 0xFF)?;
    Some((Some(start..end), end + 1))
}

/// Parse one legacy frame from the start of `buf`. `None` if incomplete (nothing consumed);
/// otherwise the frame and the number of bytes consumed (including skipped junk and the
/// delimiters).
pub fn parse_legacy(buf: &[u8]) -> Option<(LegacyFrame, usize)> {
    let (range, used) = locate(buf, 0)?;
    let frame = match range {
        None => LegacyFrame::Close,
        Some(r) => LegacyFrame::Text(buf[r].to_vec()),
    };
    Some((frame, used))
}

/// Append a legacy frame to `out`: `close` gives `0xFF 0x00` (the payload is ignored);
/// otherwise `0x00 payload 0xFF`. The payload must not contain `0xFF` (valid UTF-8 never does).
pub fn encode_legacy(out: &mut Vec<u8>, close: bool, payload: &[u8]) {
    if close {
        out.extend_from_slice(b"\xff\x00");
    } else {
        out.reserve(payload.len() + 2);
        out.push(0x00);
        out.extend_from_slice(payload);
        out.push(0xFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_close() {
        let mut out = Vec::new();
        encode_legacy(&mut out, false, b"hello");
        encode_legacy(&mut out, true, b"ignored");
        encode_legacy(&mut out, false, b"");
        assert_eq!(out, b"\x00hello\xff\xff\x00\x00\xff");
        let (f, n) = parse_legacy(&out).unwrap();
        assert_eq!((f, n), (LegacyFrame::Text(b"hello".to_vec()), 7));
        let (f, n) = parse_legacy(&out[7..]).unwrap();
        assert_eq!((f, n), (LegacyFrame::Close, 2));
        let (f, n) = parse_legacy(&out[9..]).unwrap();
        assert_eq!((f, n), (LegacyFrame::Text(Vec::new()), 2));
    }

    #[test]
    fn incomplete_and_junk() {
        assert_eq!(parse_legacy(b""), None);
        assert_eq!(parse_legacy(b"\xff"), None);
        assert_eq!(parse_legacy(b"junk"), None);
        assert_eq!(parse_legacy(b"\x00partial"), None);
        // Junk before the 0x00 is skipped and consumed (as the original regex did).
        let (f, n) = parse_legacy(b"junk\x00abc\xffrest").unwrap();
        assert_eq!((f, n), (LegacyFrame::Text(b"abc".to_vec()), 9));
        // 0xFF followed by something other than 0x00 is junk too.
        let (f, n) = parse_legacy(b"\xff\x01\x00x\xff").unwrap();
        assert_eq!((f, n), (LegacyFrame::Text(b"x".to_vec()), 5));
        // Resuming the scan gives the same answer.
        let buf = b"\x00abcdef\xff";
        assert_eq!(locate(buf, 5), locate(buf, 0));
        assert_eq!(locate(buf, 100), None);
    }
}
