//! The opening handshake: RFC 6455 examples byte for byte, a client wired to a server, every
//! error, the limits at their boundaries, and a fuzz-ish robustness check of the head parser.

use websocket::handshake::http::{parse_head, HeadReader, Limits, StartLine};
use websocket::handshake::negotiate::{format_extensions, parse_extensions, parse_protocols};
use websocket::handshake::{
    accept_key, accept_response, reject_response, select_protocol, validate_request,
    ClientHandshake, ClientHandshakeConfig, ExtensionOffer, ServerHandshake,
};
use websocket::{Config, Error};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

const RFC_REQUEST: &str = "GET /chat HTTP/1.1\r\n\
    Host: server.example.com\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\
    Origin: http://example.com\r\n\
    Sec-WebSocket-Protocol: chat, superchat\r\n\
    \r\n";

const RFC_RESPONSE: &str = "HTTP/1.1 101 Switching Protocols\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    Sec-WebSocket-Protocol: chat\r\n\
    \r\n";

fn lim() -> Limits {
    Limits::default()
}

fn rfc_client_config() -> ClientHandshakeConfig {
    ClientHandshakeConfig {
        host: "server.example.com".into(),
        path: "/chat".into(),
        origin: Some("http://example.com".into()),
        protocols: vec!["chat".into(), "superchat".into()],
        extensions: vec![],
        extra_headers: vec![],
    }
}

fn rfc_client() -> ClientHandshake {
    ClientHandshake::with_key(rfc_client_config(), lim(), KEY.into())
}

fn server() -> ServerHandshake {
    ServerHandshake::new(lim(), vec![13])
}

/// Run a request through a fresh server handshake, all bytes at once.
fn serve(req: &str) -> Result<websocket::handshake::ClientRequest, Error> {
    server()
        .feed(req.as_bytes())
        .map(|r| r.expect("a complete request"))
}

/// Run a response through the RFC client, all bytes at once.
fn answer(resp: &str) -> Result<websocket::handshake::ServerResponse, Error> {
    rfc_client()
        .feed(resp.as_bytes())
        .map(|r| r.expect("a complete response"))
}

fn without_header(head: &str, name: &str) -> String {
    head.split_inclusive("\r\n")
        .filter(|l| {
            !l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .collect()
}

fn replace_header(head: &str, name: &str, line: &str) -> String {
    head.split_inclusive("\r\n")
        .map(|l| {
            if l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
            {
                format!("{line}\r\n")
            } else {
                l.to_owned()
            }
        })
        .collect()
}

// ---------------------------------------------------------------- RFC examples

#[test]
fn rfc6455_4_2_2_accept_key_example() {
    assert_eq!(accept_key(KEY.as_bytes()), ACCEPT);
}

#[test]
fn rfc6455_1_3_example_request_is_byte_exact() {
    assert_eq!(
        String::from_utf8(rfc_client().request_bytes()).unwrap(),
        RFC_REQUEST
    );
}

#[test]
fn rfc6455_1_3_example_handshake_end_to_end_byte_exact() {
    let req = serve(RFC_REQUEST).unwrap();
    assert_eq!(req.path, "/chat");
    assert_eq!(req.host, "server.example.com");
    assert_eq!(req.key, KEY);
    assert_eq!(req.version, "13");
    assert_eq!(req.origin.as_deref(), Some("http://example.com"));
    assert_eq!(req.protocols, vec!["chat", "superchat"]);
    let proto = select_protocol(&req.protocols, &["chat".into()]);
    let resp = accept_response(&req.key, proto.as_deref(), &[], &[]);
    assert_eq!(String::from_utf8(resp.clone()).unwrap(), RFC_RESPONSE);
    let got = rfc_client().feed(&resp).unwrap().unwrap();
    assert_eq!(got.protocol.as_deref(), Some("chat"));
    assert!(got.extensions.is_empty());
    assert_eq!(got.head.header("sec-websocket-accept"), Some(ACCEPT));
}

// ---------------------------------------------------------------- client wired to server

fn pmd_offer() -> ExtensionOffer {
    ExtensionOffer::new("permessage-deflate")
        .with_param("client_max_window_bits", None)
        .with_param("server_max_window_bits", Some("10"))
}

fn wired(one_byte_at_a_time: bool) {
    let cfg = ClientHandshakeConfig {
        host: "localhost:8080".into(),
        path: "/ws?room=1".into(),
        origin: None,
        protocols: vec!["v2.chat".into(), "v1.chat".into()],
        extensions: vec![pmd_offer(), ExtensionOffer::new("x-other")],
        extra_headers: vec![("Cookie".into(), "session=abc".into())],
    };
    let mut client = ClientHandshake::new(cfg, lim()).unwrap();
    let mut srv = server();

    // The client pipelines a frame after its request: the server keeps it.
    let mut wire = client.request_bytes();
    let early_frame = [0x81u8, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];
    wire.extend_from_slice(&early_frame);
    let mut got = None;
    if one_byte_at_a_time {
        for (i, b) in wire.iter().enumerate() {
            if let Some(r) = srv.feed(std::slice::from_ref(b)).unwrap() {
                assert_eq!(
                    i,
                    wire.len() - early_frame.len() - 1,
                    "complete at the blank line"
                );
                got = Some(r);
                break;
            }
        }
        // The early frame arrived after the head was complete: it was not fed.
        assert!(srv.take_leftover().is_empty());
    } else {
        got = srv.feed(&wire).unwrap();
        assert_eq!(srv.take_leftover(), early_frame);
    }
    let req = got.expect("request complete");
    assert_eq!(srv.consumed(), wire.len() - early_frame.len());
    assert_eq!(req.path, "/ws?room=1");
    assert_eq!(req.host, "localhost:8080");
    assert_eq!(req.origin, None);
    assert_eq!(req.head.header("cookie"), Some("session=abc"));
    assert_eq!(
        req.extensions,
        vec![pmd_offer(), ExtensionOffer::new("x-other")]
    );
    let proto = select_protocol(&req.protocols, &["v1.chat".into(), "v2.chat".into()]);
    assert_eq!(proto.as_deref(), Some("v2.chat"), "the client's order wins");
    let accepted =
        vec![ExtensionOffer::new("permessage-deflate")
            .with_param("server_max_window_bits", Some("10"))];
    let mut resp = accept_response(
        &req.key,
        proto.as_deref(),
        &accepted,
        &[("Set-Cookie".into(), "a=b".into())],
    );
    // The server sends a first frame in the same segment as its 101.
    let first_frame = [0x81u8, 0x05, b'h', b'e', b'l', b'l', b'o'];
    resp.extend_from_slice(&first_frame);

    let mut done = None;
    if one_byte_at_a_time {
        let mut leftover = Vec::new();
        for (i, b) in resp.iter().enumerate() {
            if done.is_some() {
                leftover.push(*b);
                continue;
            }
            if let Some(r) = client.feed(std::slice::from_ref(b)).unwrap() {
                assert_eq!(i, resp.len() - first_frame.len() - 1);
                done = Some(r);
                leftover.extend(client.take_leftover());
            }
        }
        assert_eq!(leftover, first_frame);
    } else {
        done = client.feed(&resp).unwrap();
        assert_eq!(client.take_leftover(), first_frame);
        assert!(client.take_leftover().is_empty(), "taken once");
    }
    let done = done.expect("response complete");
    assert_eq!(client.consumed(), resp.len() - first_frame.len());
    assert_eq!(done.protocol.as_deref(), Some("v2.chat"));
    assert_eq!(done.extensions, accepted);
    assert_eq!(done.head.header("set-cookie"), Some("a=b"));
    assert!(matches!(client.feed(b"more"), Err(Error::InvalidState(_))));
}

#[test]
fn client_wired_to_server_all_at_once() {
    wired(false);
}

#[test]
fn client_wired_to_server_one_byte_at_a_time() {
    wired(true);
}

#[test]
fn client_wired_to_server_in_random_chunks() {
    let mut rng = Rng(7);
    for _ in 0..200 {
        let mut client = ClientHandshake::new(rfc_client_config(), lim()).unwrap();
        let wire = client.request_bytes();
        let mut srv = server();
        let mut req = None;
        for chunk in rng.chunks(&wire) {
            assert!(req.is_none());
            req = srv.feed(chunk).unwrap();
        }
        let req = req.unwrap();
        let resp = accept_response(&req.key, Some("superchat"), &[], &[]);
        let mut got = None;
        for chunk in rng.chunks(&resp) {
            got = client.feed(chunk).unwrap();
        }
        assert_eq!(got.unwrap().protocol.as_deref(), Some("superchat"));
    }
}

// ---------------------------------------------------------------- server-side errors

#[test]
fn rfc6455_4_2_1_method_other_than_get_is_rejected() {
    let e = serve(&RFC_REQUEST.replacen("GET", "POST", 1)).unwrap_err();
    assert_eq!(e, Error::WrongMethodOrVersion);
    assert_eq!(e.to_string(), "Wrong method or http version");
    assert_eq!(e.http_status(), Some(400));
}

#[test]
fn rfc6455_4_2_1_http_1_0_is_rejected() {
    let e = serve(&RFC_REQUEST.replacen("HTTP/1.1", "HTTP/1.0", 1)).unwrap_err();
    assert_eq!(e, Error::WrongMethodOrVersion);
}

#[test]
fn rfc6455_4_2_1_a_response_sent_to_a_server_is_rejected() {
    assert_eq!(
        serve(RFC_RESPONSE).unwrap_err(),
        Error::WrongMethodOrVersion
    );
}

#[test]
fn rfc6455_4_2_1_missing_upgrade_is_rejected() {
    let e = serve(&without_header(RFC_REQUEST, "Upgrade")).unwrap_err();
    assert_eq!(e, Error::MissingUpgrade);
    assert_eq!(
        e.to_string(),
        "No upgrade header or its value is not \"WebSocket\"."
    );
    let e = serve(&replace_header(RFC_REQUEST, "Upgrade", "Upgrade: h2c")).unwrap_err();
    assert_eq!(e, Error::MissingUpgrade);
}

#[test]
fn rfc6455_4_2_1_upgrade_is_case_insensitive_and_a_list() {
    let r = replace_header(RFC_REQUEST, "Upgrade", "Upgrade: h2c, WebSocket");
    assert!(serve(&r).is_ok());
}

#[test]
fn rfc6455_4_2_1_missing_connection_is_rejected() {
    let e = serve(&without_header(RFC_REQUEST, "Connection")).unwrap_err();
    assert_eq!(e, Error::MissingConnection);
    assert_eq!(e.to_string(), "No \"Connection\" header");
}

#[test]
fn rfc6455_4_2_1_connection_without_upgrade_token_is_rejected() {
    let e = serve(&replace_header(
        RFC_REQUEST,
        "Connection",
        "Connection: keep-alive",
    ))
    .unwrap_err();
    assert_eq!(e, Error::MissingConnectionUpgrade);
    assert_eq!(e.to_string(), "Connection header has no \"Upgrade\" value.");
}

#[test]
fn rfc6455_4_2_1_connection_token_list_is_accepted() {
    let r = replace_header(RFC_REQUEST, "Connection", "Connection: keep-alive, upgrade");
    assert!(serve(&r).is_ok());
}

#[test]
fn rfc6455_4_2_1_missing_host_is_rejected() {
    let e = serve(&without_header(RFC_REQUEST, "Host")).unwrap_err();
    assert_eq!(e, Error::MissingHost);
    assert_eq!(e.to_string(), "No \"Host\" header value found.");
    let e = serve(&replace_header(RFC_REQUEST, "Host", "Host:")).unwrap_err();
    assert_eq!(e, Error::MissingHost);
}

#[test]
fn rfc6455_4_2_1_missing_key_is_rejected() {
    assert_eq!(
        serve(&without_header(RFC_REQUEST, "Sec-WebSocket-Key")).unwrap_err(),
        Error::BadKey
    );
}

#[test]
fn rfc6455_4_2_1_key_not_16_bytes_is_rejected() {
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Key: c2hvcnQ=",
    );
    assert_eq!(serve(&r).unwrap_err(), Error::BadKey);
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Key: not base64 at all!!",
    );
    assert_eq!(serve(&r).unwrap_err(), Error::BadKey);
}

#[test]
fn rfc6455_11_3_1_duplicate_key_is_rejected() {
    let r = RFC_REQUEST.replacen(
        "Origin:",
        "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nOrigin:",
        1,
    );
    assert_eq!(serve(&r).unwrap_err(), Error::BadKey);
}

#[test]
fn rfc6455_4_2_1_missing_version_is_rejected() {
    let e = serve(&without_header(RFC_REQUEST, "Sec-WebSocket-Version")).unwrap_err();
    assert_eq!(e, Error::MissingVersion);
    assert_eq!(e.to_string(), "Missing version header");
}

#[test]
fn rfc6455_4_4_unsupported_version_is_answered_with_426() {
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Version: 7",
    );
    let e = serve(&r).unwrap_err();
    assert_eq!(e, Error::UnsupportedVersion("7".into()));
    assert_eq!(e.http_status(), Some(426));
    let answer = reject_response(426, &[("Sec-WebSocket-Version".into(), "13".into())], b"");
    assert_eq!(
        answer,
        b"HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\
          Connection: close\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    // A server that also speaks draft 8 accepts it.
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Version: 8",
    );
    let head = parse_head(r.as_bytes(), &lim()).unwrap().unwrap().0;
    assert_eq!(validate_request(head, &[8, 13]).unwrap().version, "8");
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Version: +13",
    );
    assert_eq!(
        serve(&r).unwrap_err(),
        Error::UnsupportedVersion("+13".into())
    );
}

#[test]
fn rfc6455_4_2_1_checks_come_in_the_documented_order() {
    // Nothing but the request line: the first check wins.
    assert_eq!(
        serve("GET / HTTP/1.1\r\n\r\n").unwrap_err(),
        Error::MissingUpgrade
    );
    assert_eq!(
        serve("PUT / HTTP/1.1\r\n\r\n").unwrap_err(),
        Error::WrongMethodOrVersion
    );
    let r = "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n";
    assert_eq!(serve(r).unwrap_err(), Error::MissingHost);
    let r = "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\nHost: h\r\n\r\n";
    assert_eq!(serve(r).unwrap_err(), Error::BadKey);
}

#[test]
fn rfc6455_9_1_malformed_extensions_header_is_rejected() {
    let r = RFC_REQUEST.replacen("\r\n\r\n", "\r\nSec-WebSocket-Extensions: a;;b\r\n\r\n", 1);
    assert_eq!(
        serve(&r).unwrap_err(),
        Error::BadNegotiationHeader("Sec-WebSocket-Extensions".into())
    );
}

#[test]
fn rfc6455_4_1_malformed_protocol_header_is_rejected() {
    let r = replace_header(
        RFC_REQUEST,
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Protocol: chat, a/b",
    );
    assert_eq!(
        serve(&r).unwrap_err(),
        Error::BadNegotiationHeader("Sec-WebSocket-Protocol".into())
    );
}

// ---------------------------------------------------------------- client-side errors

#[test]
fn rfc6455_4_1_status_other_than_101_fails_the_connection() {
    let e = answer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::NotSwitchingProtocols(403));
    assert_eq!(e.http_status(), Some(403));
    let e = answer("HTTP/1.1 200 OK\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::NotSwitchingProtocols(200));
}

#[test]
fn rfc6455_4_1_a_response_that_is_not_http_is_a_wrong_response_line() {
    let e = answer("SSH-2.0-OpenSSH_9.6\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::WrongResponseLine("SSH-2.0-OpenSSH_9.6".into()));
    assert!(e
        .to_string()
        .starts_with("Wrong response line. Got \"SSH-2.0-OpenSSH_9.6\""));
    // Detected as soon as the first line is complete, without waiting for a blank line.
    let mut c = rfc_client();
    assert_eq!(
        c.feed(b"HTTP/1.1 abc\r\n").unwrap_err(),
        Error::WrongResponseLine("HTTP/1.1 abc".into())
    );
    // A request line is not a status line either.
    let e = answer("GET / HTTP/1.1\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::WrongResponseLine("GET / HTTP/1.1".into()));
}

#[test]
fn rfc6455_4_1_response_without_upgrade_websocket_fails() {
    let e = answer(&without_header(RFC_RESPONSE, "Upgrade")).unwrap_err();
    assert_eq!(e, Error::MissingUpgrade);
    let e = answer(&replace_header(RFC_RESPONSE, "Upgrade", "Upgrade: h2c")).unwrap_err();
    assert_eq!(e, Error::MissingUpgrade);
}

#[test]
fn rfc6455_4_1_response_without_connection_upgrade_fails() {
    let e = answer(&without_header(RFC_RESPONSE, "Connection")).unwrap_err();
    assert_eq!(e, Error::MissingConnectionUpgrade);
    let e = answer(&replace_header(
        RFC_RESPONSE,
        "Connection",
        "Connection: close",
    ))
    .unwrap_err();
    assert_eq!(e, Error::MissingConnectionUpgrade);
}

#[test]
fn rfc6455_4_1_wrong_or_missing_accept_fails() {
    let e = answer(&replace_header(
        RFC_RESPONSE,
        "Sec-WebSocket-Accept",
        "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ))
    .unwrap_err();
    assert_eq!(e, Error::AcceptMismatch);
    assert_eq!(e.http_status(), Some(502));
    let e = answer(&without_header(RFC_RESPONSE, "Sec-WebSocket-Accept")).unwrap_err();
    assert_eq!(e, Error::AcceptMismatch);
    // A client with another key rejects the RFC answer.
    let mut c = ClientHandshake::new(rfc_client_config(), lim()).unwrap();
    assert_eq!(
        c.feed(RFC_RESPONSE.as_bytes()).unwrap_err(),
        Error::AcceptMismatch
    );
    // The error is final.
    assert_eq!(c.feed(b"").unwrap_err(), Error::AcceptMismatch);
}

#[test]
fn rfc6455_4_1_subprotocol_not_offered_fails() {
    let r = replace_header(
        RFC_RESPONSE,
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Protocol: megachat",
    );
    assert_eq!(
        answer(&r).unwrap_err(),
        Error::UnexpectedSubprotocol("megachat".into())
    );
    let r = replace_header(
        RFC_RESPONSE,
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Protocol: chat, superchat",
    );
    assert!(matches!(
        answer(&r).unwrap_err(),
        Error::UnexpectedSubprotocol(_)
    ));
    // No subprotocol selected at all is fine.
    let r = without_header(RFC_RESPONSE, "Sec-WebSocket-Protocol");
    assert_eq!(answer(&r).unwrap().protocol, None);
}

#[test]
fn rfc6455_4_1_extension_not_offered_fails() {
    let r = RFC_RESPONSE.replacen(
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        1,
    );
    assert_eq!(
        answer(&r).unwrap_err(),
        Error::UnexpectedExtension("permessage-deflate".into())
    );
    let cfg = ClientHandshakeConfig {
        extensions: vec![pmd_offer()],
        ..rfc_client_config()
    };
    let mut c = ClientHandshake::with_key(cfg, lim(), KEY.into());
    let got = c.feed(r.as_bytes()).unwrap().unwrap();
    assert_eq!(
        got.extensions,
        vec![ExtensionOffer::new("permessage-deflate")]
    );
}

// ---------------------------------------------------------------- head parser syntax

#[test]
fn bad_start_line_keeps_the_line_as_received() {
    let e = parse_head(b"\r\nHELLO world\r\n\r\n", &lim()).unwrap_err();
    assert_eq!(e, Error::BadStartLine("HELLO world".into()));
    assert_eq!(
        e.to_string(),
        "'HELLO world' is not the start of a valid HTTP request or response"
    );
    assert_eq!(
        serve("GET /\r\n\r\n").unwrap_err(),
        Error::BadStartLine("GET /".into())
    );
}

#[test]
fn bad_header_name_is_rejected() {
    for line in [
        "Bad Name: x",
        "Na(me: x",
        "NoColonHere",
        ": empty",
        "Host : spaced",
    ] {
        let req = format!("GET / HTTP/1.1\r\n{line}\r\n\r\n");
        let e = parse_head(req.as_bytes(), &lim()).unwrap_err();
        assert_eq!(e, Error::BadHeaderName(line.into()), "{line}");
    }
}

#[test]
fn control_characters_in_values_are_rejected() {
    let e = parse_head(b"GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n", &lim()).unwrap_err();
    assert_eq!(e, Error::BadHeaderValue("X-A".into()));
    assert_eq!(e.to_string(), "Bad value for header 'X-A'");
    let e = parse_head(b"GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", &lim()).unwrap_err();
    assert_eq!(e, Error::BadHeaderValue("X-A".into()));
    let e = parse_head(b"GET / HTTP/1.1\r\nX-A: a\r\n b\x7f\r\n\r\n", &lim()).unwrap_err();
    assert_eq!(e, Error::BadHeaderValue("X-A".into()));
    // HT is allowed.
    let (h, _) = parse_head(b"GET / HTTP/1.1\r\nX-A: a\tb\r\n\r\n", &lim())
        .unwrap()
        .unwrap();
    assert_eq!(h.header("x-a"), Some("a\tb"));
}

#[test]
fn obs_text_is_accepted_lossily() {
    let (h, _) = parse_head(b"GET / HTTP/1.1\r\nX: caf\xc3\xa9 \xff\r\n\r\n", &lim())
        .unwrap()
        .unwrap();
    assert_eq!(h.header("x"), Some("caf\u{e9} \u{fffd}"));
}

#[test]
fn obs_fold_is_joined_with_one_space() {
    let src = b"GET / HTTP/1.1\r\nX-Long: first\r\n   second\r\n\tthird  \r\nY: z\r\n\r\n";
    let (h, n) = parse_head(src, &lim()).unwrap().unwrap();
    assert_eq!(n, src.len());
    assert_eq!(
        h.headers,
        vec![
            ("X-Long".into(), "first second third".into()),
            ("Y".into(), "z".into())
        ]
    );
}

#[test]
fn obs_fold_on_the_first_header_line_is_rejected() {
    let e = parse_head(b"GET / HTTP/1.1\r\n  Host: x\r\n\r\n", &lim()).unwrap_err();
    assert_eq!(e, Error::FoldedFirstHeader);
    assert_eq!(e.to_string(), "Linear white space on first header line");
}

#[test]
fn bare_lf_line_endings_are_accepted() {
    let req = RFC_REQUEST.replace("\r\n", "\n");
    let mut s = server();
    let r = s.feed(req.as_bytes()).unwrap().unwrap();
    assert_eq!(r.key, KEY);
    assert_eq!(s.consumed(), req.len());
    // Mixed endings, and the leftover right after the LF LF.
    let src = b"HTTP/1.1 101 OK\nA: b\r\nC: d\n\nFRAME";
    let (h, n) = parse_head(src, &lim()).unwrap().unwrap();
    assert_eq!(&src[n..], b"FRAME");
    assert_eq!(h.header_all("c"), vec!["d"]);
}

#[test]
fn leading_blank_lines_are_skipped() {
    let src = format!("\r\n\n\r\n{RFC_REQUEST}");
    let mut s = server();
    assert!(s.feed(src.as_bytes()).unwrap().is_some());
    assert_eq!(s.consumed(), src.len());
}

#[test]
fn duplicate_headers_are_kept_in_order() {
    let src = b"GET / HTTP/1.1\r\nX: 1\r\nY: 2\r\nx: 3\r\n\r\n";
    let (h, _) = parse_head(src, &lim()).unwrap().unwrap();
    assert_eq!(h.header("X"), Some("1"));
    assert_eq!(h.header_all("X"), vec!["1", "3"]);
    assert_eq!(h.headers.len(), 3);
    assert_eq!(h.headers[2].0, "x", "names as received");
}

#[test]
fn start_lines_of_both_kinds() {
    let (h, _) = parse_head(b"HTTP/1.1 404 Not  Found\r\n\r\n", &lim())
        .unwrap()
        .unwrap();
    assert_eq!(
        h.start,
        StartLine::Response {
            version: "HTTP/1.1".into(),
            status: 404,
            reason: "Not  Found".into()
        }
    );
    let (h, _) = parse_head(b"OPTIONS * HTTP/1.1\r\n\r\n", &lim())
        .unwrap()
        .unwrap();
    assert_eq!(
        h.start,
        StartLine::Request {
            method: "OPTIONS".into(),
            target: "*".into(),
            version: "HTTP/1.1".into()
        }
    );
}

// ---------------------------------------------------------------- limits

fn small() -> Limits {
    Limits {
        max_line_length: 40,
        max_headers: 3,
        max_head_size: 120,
    }
}

#[test]
fn limits_come_from_the_config() {
    let c = Config {
        max_line_length: 1,
        max_headers: 2,
        max_head_size: 3,
        ..Config::default()
    };
    assert_eq!(
        Limits::from(&c),
        Limits {
            max_line_length: 1,
            max_headers: 2,
            max_head_size: 3
        }
    );
    assert_eq!(
        Limits::default(),
        Limits {
            max_line_length: 8192,
            max_headers: 100,
            max_head_size: 16384
        }
    );
}

#[test]
fn line_length_at_the_limit_passes_and_one_past_fails() {
    let l = small();
    for eol in ["\r\n", "\n"] {
        // A header line of exactly 40 bytes.
        let ok_line = format!("X: {}", "a".repeat(37));
        assert_eq!(ok_line.len(), 40);
        let src = format!("GET / HTTP/1.1{eol}{ok_line}{eol}{eol}");
        assert!(parse_head(src.as_bytes(), &l).unwrap().is_some());
        let bad = format!("GET / HTTP/1.1{eol}{ok_line}a{eol}{eol}");
        assert_eq!(
            parse_head(bad.as_bytes(), &l).unwrap_err(),
            Error::LineTooLong { max: 40 }
        );
        // The start line too.
        let target = "/".repeat(40 - "GET  HTTP/1.1".len());
        let src = format!("GET {target} HTTP/1.1{eol}{eol}");
        assert!(parse_head(src.as_bytes(), &l).unwrap().is_some());
        let src = format!("GET {target}/ HTTP/1.1{eol}{eol}");
        assert_eq!(
            parse_head(src.as_bytes(), &l).unwrap_err(),
            Error::LineTooLong { max: 40 }
        );
    }
    assert_eq!(Error::LineTooLong { max: 40 }.http_status(), Some(431));
}

#[test]
fn a_long_line_fails_as_soon_as_it_passes_the_limit() {
    let l = small();
    let mut r = HeadReader::new(l);
    let src = format!("GET /{}", "a".repeat(100));
    for (i, b) in src.bytes().enumerate() {
        match r.feed(&[b]) {
            Ok(None) => assert!(i < 40, "byte {i} accepted"),
            Err(e) => {
                assert_eq!(e, Error::LineTooLong { max: 40 });
                assert_eq!(i, 40, "the 41st byte of the line fails");
                return;
            }
            Ok(Some(_)) => unreachable!(),
        }
    }
    panic!("no error");
}

#[test]
fn header_count_at_the_limit_passes_and_one_past_fails() {
    let l = small();
    let ok = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n C\r\nD: 3\r\n\r\n";
    assert_eq!(
        parse_head(ok.as_bytes(), &l)
            .unwrap()
            .unwrap()
            .0
            .headers
            .len(),
        3
    );
    let bad = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    let e = parse_head(bad.as_bytes(), &l).unwrap_err();
    assert_eq!(e, Error::TooManyHeaders { max: 3 });
    assert_eq!(e.http_status(), Some(431));
    // Detected without waiting for the blank line.
    assert_eq!(
        parse_head(&bad.as_bytes()[..bad.len() - 2], &l).unwrap_err(),
        e
    );
}

#[test]
fn head_size_at_the_limit_passes_and_one_past_fails() {
    let l = Limits {
        max_line_length: 100,
        max_headers: 10,
        max_head_size: 60,
    };
    let start = "GET / HTTP/1.1\r\n"; // 16
    let pad = 60 - start.len() - "X: \r\n\r\n".len();
    let ok = format!("{start}X: {}\r\n\r\n", "a".repeat(pad));
    assert_eq!(ok.len(), 60);
    let (_, n) = parse_head(ok.as_bytes(), &l).unwrap().unwrap();
    assert_eq!(n, 60);
    // Bytes after the head do not count.
    let mut more = ok.clone().into_bytes();
    more.extend_from_slice(&[0u8; 1000]);
    assert_eq!(parse_head(&more, &l).unwrap().unwrap().1, 60);
    let bad = format!("{start}X: {}\r\n\r\n", "a".repeat(pad + 1));
    let e = parse_head(bad.as_bytes(), &l).unwrap_err();
    assert_eq!(e, Error::HeadTooLarge { max: 60 });
    assert_eq!(e.http_status(), Some(431));
    // Leading blank lines count.
    let lead = format!("\r\n{ok}");
    assert_eq!(
        parse_head(lead.as_bytes(), &l).unwrap_err(),
        Error::HeadTooLarge { max: 60 }
    );
    // Fed one byte at a time: the exact head passes, the larger one fails at its 60th byte.
    let mut r = HeadReader::new(l);
    let mut done = false;
    for b in ok.bytes() {
        done = r.feed(&[b]).unwrap().is_some();
    }
    assert!(done);
    let mut r = HeadReader::new(l);
    for (i, b) in bad.bytes().enumerate() {
        match r.feed(&[b]) {
            Ok(None) => assert!(i < 59),
            Err(e) => {
                assert_eq!(e, Error::HeadTooLarge { max: 60 });
                assert_eq!(i, 59);
                break;
            }
            Ok(Some(_)) => panic!("accepted"),
        }
    }
}

#[test]
fn a_flood_without_blank_line_fails_at_the_limit_instead_of_buffering() {
    let l = Limits::default();
    // Endless header lines, fed in 1 KiB chunks.
    let line = format!("X-Flood: {}\r\n", "z".repeat(90));
    let mut flood = b"GET / HTTP/1.1\r\n".to_vec();
    while flood.len() < 1 << 20 {
        flood.extend_from_slice(line.as_bytes());
    }
    let mut s = ServerHandshake::new(l, vec![13]);
    let mut fed = 0;
    let err = loop {
        let chunk = &flood[fed..fed + 1024];
        fed += chunk.len();
        match s.feed(chunk) {
            Ok(None) => assert!(fed < l.max_head_size + 1024),
            Ok(Some(_)) => panic!("accepted"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            err,
            Error::TooManyHeaders { .. } | Error::HeadTooLarge { .. }
        ),
        "{err:?}"
    );
    assert!(fed <= l.max_head_size + 1024);

    // Endless blank lines before the start line.
    let mut r = HeadReader::new(l);
    let mut fed = 0;
    let err = loop {
        fed += 1024;
        match r.feed(&[b'\n'; 1024]) {
            Ok(None) => assert!(r.buffered() < l.max_head_size),
            Ok(Some(_)) => panic!("accepted"),
            Err(e) => break e,
        }
    };
    assert_eq!(
        err,
        Error::HeadTooLarge {
            max: l.max_head_size
        }
    );
    assert!(fed <= l.max_head_size + 1024);

    // One endless line, all in one call: refused without parsing it all.
    let big = vec![b'a'; 10 << 20];
    assert_eq!(
        parse_head(&big, &l).unwrap_err(),
        Error::LineTooLong { max: 8192 }
    );
    let mut c = rfc_client();
    assert_eq!(c.feed(&big).unwrap_err(), Error::LineTooLong { max: 8192 });
}

#[test]
fn a_head_trickling_in_one_byte_at_a_time_costs_linear_time() {
    // 16 KiB of head fed byte by byte: a quadratic re-parse would take ~10^8 steps per run.
    let l = Limits::default();
    let mut src = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..99 {
        src.extend_from_slice(format!("X-{i}: {}\r\n", "v".repeat(150)).as_bytes());
    }
    src.extend_from_slice(b"\r\n");
    assert!(src.len() < l.max_head_size);
    let t = std::time::Instant::now();
    for _ in 0..20 {
        let mut r = HeadReader::new(l);
        let mut got = None;
        for b in &src {
            got = r.feed(std::slice::from_ref(b)).unwrap();
        }
        assert_eq!(got.unwrap().headers.len(), 99);
    }
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}

// ---------------------------------------------------------------- negotiation headers

#[test]
fn rfc7692_offer_with_quoted_and_valueless_params() {
    let v = parse_extensions(&[
        r#"permessage-deflate; client_max_window_bits; server_max_window_bits="10""#,
    ])
    .unwrap();
    assert_eq!(v, vec![pmd_offer()]);
    assert_eq!(
        format_extensions(&v),
        "permessage-deflate; client_max_window_bits; server_max_window_bits=10"
    );
    // Through a request.
    let r = RFC_REQUEST.replacen(
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\"\r\n\r\n",
        1,
    );
    assert_eq!(serve(&r).unwrap().extensions, vec![pmd_offer()]);
}

#[test]
fn pod_example_extensions() {
    let v = parse_extensions(&["mux; max-channels=4; flow-control, deflate-stream"]).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].name, "mux");
    assert_eq!(
        v[0].params,
        vec![
            ("max-channels".into(), Some("4".into())),
            ("flow-control".into(), None)
        ]
    );
    assert_eq!(v[1], ExtensionOffer::new("deflate-stream"));
    assert_eq!(
        format_extensions(&v),
        "mux; max-channels=4; flow-control, deflate-stream"
    );
}

#[test]
fn extensions_over_several_header_lines() {
    let r = RFC_REQUEST.replacen(
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: foo\r\nSec-WebSocket-Extensions: bar; baz=2\r\n\r\n",
        1,
    );
    let names: Vec<String> = serve(&r)
        .unwrap()
        .extensions
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, vec!["foo", "bar"]);
}

#[test]
fn non_token_values_are_quoted_when_formatted() {
    let e = ExtensionOffer::new("x")
        .with_param("p", Some("a b"))
        .with_param("q", Some(""));
    assert_eq!(e.to_header_value(), r#"x; p="a b"; q="""#);
    assert_eq!(parse_extensions(&[&e.to_header_value()]).unwrap(), vec![e]);
}

#[test]
fn protocols_lists() {
    assert_eq!(
        parse_protocols(&["chat, superchat", "x"]).unwrap(),
        vec!["chat", "superchat", "x"]
    );
}

// ---------------------------------------------------------------- robustness

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chunks<'a>(&mut self, b: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let n = 1 + self.below(40).min(b.len() - i - 1);
            out.push(&b[i..i + n]);
            i += n;
        }
        out
    }
}

/// The same outcome whether the bytes come all at once or one at a time: the same head and
/// length, or both an error (the same one, except that which of two size limits trips first
/// may differ).
fn check_consistent(input: &[u8], l: &Limits) {
    let whole = parse_head(input, l);
    let mut r = HeadReader::new(*l);
    let mut split = Ok(None);
    for b in input {
        split = r.feed(std::slice::from_ref(b));
        if !matches!(split, Ok(None)) {
            break;
        }
    }
    match (&whole, &split) {
        (Ok(Some((h, n))), Ok(Some(h2))) => {
            assert_eq!(h, h2);
            assert_eq!(*n, r.consumed());
        }
        (Ok(None), Ok(None)) => {}
        (Err(a), Err(b)) => {
            if a != b {
                assert_eq!(a.http_status(), Some(431), "{a:?} vs {b:?}");
                assert_eq!(b.http_status(), Some(431), "{a:?} vs {b:?}");
            }
        }
        _ => panic!(
            "input {:?}: whole {whole:?} vs split {split:?}",
            String::from_utf8_lossy(input)
        ),
    }
    // The client and server wrappers survive it too.
    let _ = ServerHandshake::new(*l, vec![13]).feed(input);
    let _ = rfc_client().feed(input);
}

#[test]
fn parse_head_never_panics_on_random_truncated_or_mutated_input() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tight = Limits {
        max_line_length: 30,
        max_headers: 4,
        max_head_size: 150,
    };
    let limits = [Limits::default(), tight];
    let seeds: Vec<Vec<u8>> = vec![
        RFC_REQUEST.as_bytes().to_vec(),
        RFC_RESPONSE.as_bytes().to_vec(),
        b"\r\n\nHTTP/1.1 101 OK\nA: b\n c\r\n\r\nxyz".to_vec(),
    ];
    let alphabet = b"\r\n :\t\"\\,;=GETHTP/1.0123 aZ\x00\x7f\x80\xff";
    let mut count = 0;
    // Truncations at every position.
    for s in &seeds {
        for cut in 0..=s.len() {
            for l in &limits {
                check_consistent(&s[..cut], l);
                count += 1;
            }
        }
    }
    // Mutations.
    for _ in 0..2000 {
        let mut s = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let pos = rng.below(s.len() + 1);
            match rng.below(4) {
                0 if pos < s.len() => s[pos] = alphabet[rng.below(alphabet.len())],
                1 => s.insert(pos, alphabet[rng.below(alphabet.len())]),
                2 if pos < s.len() => {
                    s.remove(pos);
                }
                _ => s.truncate(pos),
            }
        }
        check_consistent(&s, &limits[rng.below(2)]);
        count += 1;
    }
    // Random bytes, from the whole range and from the HTTP-ish alphabet.
    for _ in 0..2000 {
        let n = rng.below(300);
        let s: Vec<u8> = if rng.below(2) == 0 {
            (0..n).map(|_| rng.next() as u8).collect()
        } else {
            (0..n)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        };
        check_consistent(&s, &limits[rng.below(2)]);
        count += 1;
    }
    // Random header values through the negotiation parsers.
    for _ in 0..2000 {
        let n = rng.below(60);
        let s: String = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())] as char)
            .collect();
        let _ = parse_extensions(&[&s]);
        let _ = parse_protocols(&[&s]);
    }
    assert!(count > 4000);
}
