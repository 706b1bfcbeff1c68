//! Incremental UTF-8 validation across fragments (RFC 6455 section 8.1).
//!
//! The bulk of every chunk goes through [`std::str::from_utf8`] (SIMD-accelerated by the
//! standard library). A chunk may end inside a multi-byte sequence; up to 3 bytes of it are
//! kept and completed by the next chunk. Validation fails fast: as soon as the bytes seen so
//! far cannot be the prefix of valid UTF-8 (an invalid byte, an overlong form, a surrogate,
//! a code point above U+10FFFF, even when only its first one or two bytes have arrived),
//! [`Utf8Validator::feed`] returns [`Error::InvalidUtf8`] (Autobahn 6.4.x checks this).

use crate::error::{Error, Result};
use std::str::from_utf8;

/// Validates a message delivered in chunks.
#[derive(Debug, Default, Clone)]
pub struct Utf8Validator {
    /// Bytes of an incomplete sequence at the end of the last chunk (a valid prefix).
    pending: [u8; 4],
    pending_len: u8,
}

/// Length of the sequence that starts with `b` (only called on a valid lead byte).
#[inline]
fn seq_len(b: u8) -> usize {
    match b {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl Utf8Validator {
    /// A validator at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validate the next chunk of the message. `Err(Error::InvalidUtf8)` as soon as the bytes
    /// seen so far cannot be the start of valid UTF-8. After an error, the state is
    /// unspecified until [`reset`](Self::reset) (or [`finish`](Self::finish)).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<()> {
        let mut rest = bytes;
        if self.pending_len > 0 {
            let have = usize::from(self.pending_len);
            let need = seq_len(self.pending[0]) - have;
            let take = need.min(rest.len());
            let mut seq = self.pending;
            seq[have..have + take].copy_from_slice(&rest[..take]);
            let seq = &seq[..have + take];
            match from_utf8(seq) {
                Ok(_) => {
                    self.pending_len = 0;
                    rest = &rest[take..];
                }
                Err(e) if e.error_len().is_none() => {
                    // Still a valid, incomplete prefix (the chunk ended again).
                    self.pending[..seq.len()].copy_from_slice(seq);
                    self.pending_len = seq.len() as u8;
                    return Ok(());
                }
                Err(_) => return Err(Error::InvalidUtf8),
            }
        }
        match from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) => match e.error_len() {
                // `error_len() == None` means the input ended inside a sequence whose bytes so
                // far are a valid prefix (the standard library checks the second byte's range
                // for E0, ED, F0 and F4, so surrogates and overlongs fail here).
                None => {
                    let tail = &rest[e.valid_up_to()..];
                    self.pending[..tail.len()].copy_from_slice(tail);
                    self.pending_len = tail.len() as u8;
                    Ok(())
                }
                Some(_) => Err(Error::InvalidUtf8),
            },
        }
    }

    /// The message ended: `Err(Error::InvalidUtf8)` if it ended inside a sequence. Resets the
    /// validator in both cases.
    pub fn finish(&mut self) -> Result<()> {
        let incomplete = self.pending_len != 0;
        self.reset();
        if incomplete {
            Err(Error::InvalidUtf8)
        } else {
            Ok(())
        }
    }

    /// Forget any pending bytes (start of a new message).
    pub fn reset(&mut self) {
        self.pending_len = 0;
    }

    /// Whether a sequence is incomplete (bytes are pending).
    pub fn is_pending(&self) -> bool {
        self.pending_len != 0
    }
}

/// Whether `bytes` is entirely valid UTF-8.
#[inline]
pub fn is_valid(bytes: &[u8]) -> bool {
    from_utf8(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `bytes` split at every pair of positions; the result must be the whole-buffer
    /// verdict, and an invalid input must fail at the first chunk that makes it invalid.
    fn check(bytes: &[u8]) {
        let valid = is_valid(bytes);
        // Index of the first byte at which the input cannot be a valid prefix any more.
        let fail_at = first_bad_index(bytes);
        assert_eq!(valid, fail_at.is_none() && complete(bytes), "{bytes:02x?}");
        // One chunk.
        let mut v = Utf8Validator::new();
        let r = v.feed(bytes).and_then(|()| v.finish());
        assert_eq!(r.is_ok(), valid, "{bytes:02x?}");
        // Two and three chunks.
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let mut v = Utf8Validator::new();
                let chunks = [&bytes[..i], &bytes[i..j], &bytes[j..]];
                let mut end = 0;
                let mut failed = false;
                for c in chunks {
                    end += c.len();
                    match v.feed(c) {
                        Ok(()) => {
                            if let Some(f) = fail_at {
                                assert!(f >= end, "{bytes:02x?} split {i},{j}: not failed fast");
                            }
                        }
                        Err(e) => {
                            assert_eq!(e, Error::InvalidUtf8);
                            let f = fail_at.expect("failed on valid input");
                            assert!(f < end && f >= end - c.len(), "{bytes:02x?} split {i},{j}");
                            failed = true;
                            break;
                        }
                    }
                }
                if !failed {
                    assert_eq!(v.finish().is_ok(), valid, "{bytes:02x?} split {i},{j}");
                }
            }
        }
    }

    /// Whether `bytes` ends at a sequence boundary (only meaningful if it is a valid prefix).
    fn complete(bytes: &[u8]) -> bool {
        let mut v = Utf8Validator::new();
        v.feed(bytes).is_ok() && !v.is_pending()
    }

    /// Reference, byte at a time: the first index where the prefix `bytes[..=i]` stops being
    /// a prefix of some valid UTF-8 string. Written from the table of RFC 3629 section 4.
    fn first_bad_index(bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (n, lo, hi) = match b {
                0x00..=0x7F => (1, 0x80, 0xBF),
                0xC2..=0xDF => (2, 0x80, 0xBF),
                0xE0 => (3, 0xA0, 0xBF),
                0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
                0xED => (3, 0x80, 0x9F),
                0xF0 => (4, 0x90, 0xBF),
                0xF1..=0xF3 => (4, 0x80, 0xBF),
                0xF4 => (4, 0x80, 0x8F),
                _ => return Some(i),
            };
            for k in 1..n {
                let &c = bytes.get(i + k)?;
                let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
                if !(l..=h).contains(&c) {
                    return Some(i + k);
                }
            }
            i += n;
        }
        None
    }

    #[test]
    fn autobahn_6_style_vectors() {
        let valid: &[&[u8]] = &[
            b"",
            b"Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!",
            "κόσμε".as_bytes(),
            b"\x00",
            b"\xc2\x80",
            b"\xe0\xa0\x80",
            b"\xf0\x90\x80\x80",
            b"\x7f",
            b"\xdf\xbf",
            b"\xef\xbf\xbf",
            b"\xf4\x8f\xbf\xbf",
            b"\xed\x9f\xbf",
            b"\xee\x80\x80",
            b"\xef\xbf\xbd",
            b"\xef\xbf\xbe",
            b"\xf0\x9f\x98\x80 smile \xe2\x82\xac",
        ];
        let invalid: &[&[u8]] = &[
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80",
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
            b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80",
            b"\xf8\x88\x80\x80\x80",
            b"\xfc\x84\x80\x80\x80\x80",
            b"\x80",
            b"\xbf",
            b"\x80\xbf",
            b"\xc0",
            b"\xc1\xbf",
            b"\xc0\xaf",
            b"\xe0\x80\xaf",
            b"\xf0\x80\x80\xaf",
            b"\xe0\x9f\xbf",
            b"\xf0\x8f\xbf\xbf",
            b"\xed\xa0\x80",
            b"\xed\xbf\xbf",
            b"\xed\xa0\x80\xed\xb0\x80",
            b"\xfe",
            b"\xff",
            b"\xfe\xfe\xff\xff",
            b"\xc2",
            b"\xe0\xa0",
            b"\xf0\x90\x80",
            b"abc\xc2",
            b"\xc2\x41",
            b"\xe1\x80\x41",
            b"\xf1\x80\x80\x41",
            b"\xc0 \xe0\x80 \xf0\x80\x80 \xf8\x80\x80\x80",
            b"Hello\xf4\x90\x80\x80world",
        ];
        for v in valid {
            assert!(is_valid(v), "{v:02x?}");
            check(v);
        }
        for v in invalid {
            assert!(!is_valid(v), "{v:02x?}");
            check(v);
        }
    }

    #[test]
    fn fail_fast_on_impossible_prefixes() {
        for prefix in [
            &b"\xf5"[..],
            b"\xc0",
            b"\xc1",
            b"\xed\xa0",
            b"\xf4\x90",
            b"\xe0\x80",
            b"\xf0\x80",
            b"\x80",
        ] {
            let mut v = Utf8Validator::new();
            assert_eq!(v.feed(b"ok so far "), Ok(()));
            assert_eq!(v.feed(prefix), Err(Error::InvalidUtf8), "{prefix:02x?}");
            // Split in two chunks as well.
            if prefix.len() == 2 {
                let mut v = Utf8Validator::new();
                assert_eq!(v.feed(&prefix[..1]), Ok(()));
                assert_eq!(
                    v.feed(&prefix[1..]),
                    Err(Error::InvalidUtf8),
                    "{prefix:02x?}"
                );
            }
        }
        // A valid prefix spread over many one-byte chunks.
        let mut v = Utf8Validator::new();
        for b in b"\xf0\x9f\x98" {
            assert_eq!(v.feed(&[*b]), Ok(()));
        }
        assert!(v.is_pending());
        assert_eq!(v.finish(), Err(Error::InvalidUtf8));
        assert!(!v.is_pending());
        assert_eq!(v.feed(b"\x80"), Err(Error::InvalidUtf8));
        v.reset();
        assert_eq!(v.feed(b"\xf0\x9f"), Ok(()));
        assert_eq!(v.feed(b""), Ok(()));
        assert_eq!(v.feed(b"\x98\x80!"), Ok(()));
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn every_two_and_three_byte_sequence() {
        for a in 0u8..=255 {
            for b in 0u8..=255 {
                let s = [a, b];
                let expect = first_bad_index(&s).is_none() && complete(&s);
                assert_eq!(is_valid(&s), expect);
                let mut v = Utf8Validator::new();
                let r = v
                    .feed(&s[..1])
                    .and_then(|()| v.feed(&s[1..]))
                    .and_then(|()| v.finish());
                assert_eq!(r.is_ok(), expect, "{s:02x?}");
                // Three-byte sequences starting with E0-F4 and every third byte sample.
                if (0xE0..=0xF4).contains(&a) {
                    for c in [0x00, 0x7F, 0x80, 0xBF, 0xC0] {
                        let s = [a, b, c];
                        let expect = first_bad_index(&s).is_none() && complete(&s);
                        let mut v = Utf8Validator::new();
                        let r = v
                            .feed(&s[..1])
                            .and_then(|()| v.feed(&s[1..2]))
                            .and_then(|()| v.feed(&s[2..]))
                            .and_then(|()| v.finish());
                        assert_eq!(r.is_ok(), expect, "{s:02x?}");
                        assert_eq!(is_valid(&s), expect, "{s:02x?}");
                    }
                }
            }
        }
    }
}
