//! `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`: parsing, formatting, selection.
//!
//! Grammar of RFC 6455 section 9.1, with the list rules of RFC 7230 section 7 (optional
//! white space around separators, empty list elements ignored):
//!
//! ```text
//! extension-list  = 1#extension
//! extension       = extension-token *( ";" extension-param )
//! extension-param = token [ "=" ( token | quoted-string ) ]
//! ```

use super::http::{is_tchar, is_token};
use crate::error::{Error, Result};

const EXTENSIONS: &str = "Sec-WebSocket-Extensions";
const PROTOCOL: &str = "Sec-WebSocket-Protocol";

/// One extension of a `Sec-WebSocket-Extensions` list, with its parameters in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionOffer {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in order: `(name, None)` for a valueless parameter, `(name, Some(value))`
    /// otherwise (a quoted-string value is stored unquoted).
    pub params: Vec<(String, Option<String>)>,
}

impl ExtensionOffer {
    /// An offer without parameters.
    pub fn new(name: impl Into<String>) -> Self {
        ExtensionOffer {
            name: name.into(),
            params: Vec::new(),
        }
    }

    /// Builder: append a parameter.
    pub fn with_param(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.params.push((name.into(), value.map(str::to_owned)));
        self
    }

    /// The first parameter named `name` (case-insensitive): `None` if absent,
    /// `Some(None)` if present without a value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// The element as it is written in the header, e.g.
    /// `permessage-deflate; client_max_window_bits; server_max_window_bits=10`. Values that
    /// are not tokens are written as quoted strings.
    pub fn to_header_value(&self) -> String {
        let mut s = self.name.clone();
        for (n, v) in &self.params {
            s.push_str("; ");
            s.push_str(n);
            if let Some(v) = v {
                s.push('=');
                if is_token(v) {
                    s.push_str(v);
                } else {
                    s.push_str(&quote(v));
                }
            }
        }
        s
    }
}

impl std::fmt::Display for ExtensionOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

/// `value` as an HTTP quoted-string (`"` and `\` escaped).
pub fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        while matches!(self.peek(), Some(b) if is_tchar(b)) {
            self.i += 1;
        }
        (self.i > start).then(|| &self.s[start..self.i])
    }

    /// A quoted-string starting at the cursor (which is on the opening quote), unescaped.
    fn quoted(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let e = self.peek()?;
                    if !(e == b'\t' || (e >= 0x20 && e != 0x7f)) {
                        return None;
                    }
                    self.i += 1;
                    out.push(e);
                }
                b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => out.push(b),
                _ => return None,
            }
        }
    }
}

fn ascii(b: &[u8]) -> String {
    // Tokens are ASCII.
    String::from_utf8_lossy(b).into_owned()
}

fn parse_extension_value(value: &str, out: &mut Vec<ExtensionOffer>) -> Option<()> {
    let mut c = Cursor {
        s: value.as_bytes(),
        i: 0,
    };
    loop {
        c.skip_ows();
        match c.peek() {
            None => return Some(()),
            Some(b',') => {
                c.i += 1;
                continue;
            }
            Some(_) => {}
        }
        let mut ext = ExtensionOffer::new(ascii(c.token()?));
        loop {
            c.skip_ows();
            match c.peek() {
                None => {
                    out.push(ext);
                    return Some(());
                }
                Some(b',') => {
                    c.i += 1;
                    out.push(ext);
                    break;
                }
                Some(b';') => {
                    c.i += 1;
                    c.skip_ows();
                    let name = ascii(c.token()?);
                    c.skip_ows();
                    let val = if c.peek() == Some(b'=') {
                        c.i += 1;
                        c.skip_ows();
                        if c.peek() == Some(b'"') {
                            Some(c.quoted()?)
                        } else {
                            Some(ascii(c.token()?))
                        }
                    } else {
                        None
                    };
                    ext.params.push((name, val));
                }
                Some(_) => return None,
            }
        }
    }
}

/// Parse the values of every `Sec-WebSocket-Extensions` header line, in order.
///
/// Errors with [`Error::BadNegotiationHeader`]`("Sec-WebSocket-Extensions")` on bad syntax.
pub fn parse_extensions(values: &[&str]) -> Result<Vec<ExtensionOffer>> {
    let mut out = Vec::new();
    for v in values {
        parse_extension_value(v, &mut out)
            .ok_or_else(|| Error::BadNegotiationHeader(EXTENSIONS.into()))?;
    }
    Ok(out)
}

/// The `Sec-WebSocket-Extensions` value for `exts`, elements joined with `", "`.
pub fn format_extensions(exts: &[ExtensionOffer]) -> String {
    exts.iter()
        .map(ExtensionOffer::to_header_value)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse the values of every `Sec-WebSocket-Protocol` header line: comma-separated tokens,
/// in order. As the original Perl `WebSocket::Request` did, white space also separates
/// (the space-separated form of the old drafts).
///
/// Errors with [`Error::BadNegotiationHeader`]`("Sec-WebSocket-Protocol")` on a non-token.
pub fn parse_protocols(values: &[&str]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for v in values {
        for t in v.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
            if !is_token(t) {
                return Err(Error::BadNegotiationHeader(PROTOCOL.into()));
            }
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

/// Server side: the first subprotocol, in the client's order of preference, that the server
/// supports (RFC 6455 section 4.2.2, /subprotocol/), compared exactly; `None` if there is none.
pub fn select_protocol(offered: &[String], supported: &[String]) -> Option<String> {
    offered.iter().find(|p| supported.contains(p)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(name: &str, params: &[(&str, Option<&str>)]) -> ExtensionOffer {
        ExtensionOffer {
            name: name.into(),
            params: params
                .iter()
                .map(|(n, v)| (n.to_string(), v.map(str::to_owned)))
                .collect(),
        }
    }

    #[test]
    fn permessage_deflate_offer_with_quoted_and_valueless_params() {
        let v = parse_extensions(&[
            r#"permessage-deflate; client_max_window_bits; server_max_window_bits="10""#,
        ])
        .unwrap();
        assert_eq!(
            v,
            vec![ext(
                "permessage-deflate",
                &[
                    ("client_max_window_bits", None),
                    ("server_max_window_bits", Some("10"))
                ]
            )]
        );
        assert_eq!(
            v[0].to_header_value(),
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10"
        );
        assert_eq!(v[0].param("SERVER_MAX_WINDOW_BITS"), Some(Some("10")));
        assert_eq!(v[0].param("client_max_window_bits"), Some(None));
        assert_eq!(v[0].param("x"), None);
    }

    #[test]
    fn pod_example() {
        let v = parse_extensions(&["mux; max-channels=4; flow-control, deflate-stream"]).unwrap();
        assert_eq!(
            v,
            vec![
                ext(
                    "mux",
                    &[("max-channels", Some("4")), ("flow-control", None)]
                ),
                ext("deflate-stream", &[]),
            ]
        );
        assert_eq!(
            format_extensions(&v),
            "mux; max-channels=4; flow-control, deflate-stream"
        );
    }

    #[test]
    fn several_lines_empty_elements_and_white_space() {
        let v = parse_extensions(&[" a ;x = 1 ,, b", "", "c;q=\"a,b;\\\"c\""]).unwrap();
        assert_eq!(
            v,
            vec![
                ext("a", &[("x", Some("1"))]),
                ext("b", &[]),
                ext("c", &[("q", Some("a,b;\"c"))])
            ]
        );
        assert_eq!(v[2].to_header_value(), r#"c; q="a,b;\"c""#);
    }

    #[test]
    fn bad_extension_syntax() {
        for bad in [
            "a;",
            "a; =1",
            "a;x=",
            "a;x=\"open",
            "a b",
            "=a",
            "a;x=1 2",
            "a;x=\"\x01\"",
            "a@b",
        ] {
            assert_eq!(
                parse_extensions(&[bad]),
                Err(Error::BadNegotiationHeader(
                    "Sec-WebSocket-Extensions".into()
                )),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn protocols() {
        assert_eq!(
            parse_protocols(&["chat, superchat", "v2.x"]).unwrap(),
            vec!["chat", "superchat", "v2.x"]
        );
        assert_eq!(
            parse_protocols(&["chat superchat"]).unwrap(),
            vec!["chat", "superchat"]
        );
        assert_eq!(parse_protocols(&[" , "]).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_protocols(&["a/b"]),
            Err(Error::BadNegotiationHeader("Sec-WebSocket-Protocol".into()))
        );
    }

    #[test]
    fn selection_follows_the_client_order() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            select_protocol(&s(&["b", "a"]), &s(&["a", "b"])),
            Some("b".into())
        );
        assert_eq!(select_protocol(&s(&["c"]), &s(&["a", "b"])), None);
        assert_eq!(select_protocol(&s(&["A"]), &s(&["a"])), None);
    }
}
