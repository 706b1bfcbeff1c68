//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 sections 4.1 and 4.2.2).

use crate::error::Result;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// The GUID of RFC 6455 section 1.3, appended to the key before hashing.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `base64(SHA-1(key + GUID))`: the `Sec-WebSocket-Accept` value answering `key`.
///
/// The key is used exactly as received (the header parser has already trimmed it).
pub fn accept_key(key: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID.as_bytes());
    STANDARD.encode(h.finalize())
}

/// A fresh `Sec-WebSocket-Key`: 16 bytes from the operating system's secure random source,
/// base64-encoded (24 characters).
pub fn generate_key() -> Result<String> {
    let mut nonce = [0u8; 16];
    crate::rand::fill(&mut nonce)?;
    Ok(STANDARD.encode(nonce))
}

/// Whether `key` is the base64 encoding (with padding) of exactly 16 bytes.
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && matches!(STANDARD.decode(key), Ok(v) if v.len() == 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_4_2_2_example() {
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn generated_keys_are_valid_and_differ() {
        let a = generate_key().unwrap();
        let b = generate_key().unwrap();
        assert_eq!(a.len(), 24);
        assert!(is_valid_key(&a) && is_valid_key(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZQ")); // no padding
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZSE=")); // 17 bytes
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25j")); // 15 bytes
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZQ==="));
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZ$=="));
    }
}
