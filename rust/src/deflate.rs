//! permessage-deflate (RFC 7692): the negotiation of its four parameters in both roles, and
//! the per-connection compressor and bounded inflater that [`crate::protocol::Connection`]
//! uses once the parameters are agreed.
//!
//! # Negotiation (RFC 7692 section 7.1)
//!
//! - Client: [`client_offer`] builds the one offer we send from a [`DeflateConfig`];
//!   [`check_response`] validates the server's answer against what was offered. Anything
//!   the RFC tells a client to reject (an unknown or repeated parameter, a bad value, a
//!   `server_max_window_bits` above the one offered or missing although offered, a missing
//!   `server_no_context_takeover` although offered, a `client_max_window_bits` that was not
//!   offered or is above the value offered, more than one permessage-deflate element) fails
//!   with [`Error::ExtensionNegotiation`], close code 1010; so does a server that declines
//!   when [`DeflateConfig::required`] is set.
//! - Server: [`negotiate`] takes the client's offers in order and accepts the first one it
//!   can honour, with the parameters of the answer ([`DeflateParams::to_extension`]).
//!   Malformed offers (unknown or repeated parameter, bad value) are declined, not failed
//!   (section 7.1: "a server MUST decline an extension negotiation offer" it cannot parse),
//!   and so is an offer the server cannot honour; when none is left, the answer has no
//!   permessage-deflate at all.
//!
//! ## Window bits 8
//!
//! RFC 7692 allows windows of 2^8 to 2^15 bytes. zlib (and its Rust port used here) cannot
//! compress raw DEFLATE with a 256-byte window (`windowBits` 8 is refused since zlib 1.2.9),
//! while it inflates any stream whose window is at most its own, so 8 matters only where
//! we compress:
//!
//! - a server cannot answer `server_max_window_bits=9` to an offer of `8` (section 7.1.2.1:
//!   the answer has "the same or smaller value"), so it **declines an offer that demands
//!   `server_max_window_bits=8`** and tries the client's next offer;
//! - a server whose own setting is 8 (and whose client did not ask for a window) answers
//!   and uses 9, zlib's smallest raw window;
//! - a client may be told `client_max_window_bits=8` by the server (it always offers the
//!   parameter, see [`client_offer`]) or may offer 8 itself: it cannot decline a response,
//!   so it accepts and **sends every message uncompressed** (RSV1 clear), which RFC 7692
//!   allows for any message; it still inflates what the server compresses.
//!
//! Inflating uses `max(9, bits)` as window: a larger window decodes every stream a smaller
//! one would.

use crate::error::{Error, Result};
use crate::handshake::negotiate::ExtensionOffer;
use crate::protocol::Role;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The extension token.
pub const EXTENSION_NAME: &str = "permessage-deflate";

/// The four octets a sender removes from the end of a compressed message and a receiver
/// appends before inflating (RFC 7692 section 7.2.1 and 7.2.2).
///
/// cbindgen:ignore
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Smallest window zlib can compress raw DEFLATE with.
const ZLIB_MIN_BITS: u8 = 9;

/// Inflated bytes produced per step: the message buffer grows by at most this beyond the
/// message-size limit before the limit is noticed.
///
/// cbindgen:ignore
pub const INFLATE_CHUNK: usize = 16 * 1024;

/// What one side wants from permessage-deflate; the same struct serves both roles.
///
/// The fields named `server_*` are about what the server compresses (and the client
/// inflates), those named `client_*` about what the client compresses (and the server
/// inflates), whichever role the connection plays.
///
/// # Memory per connection
///
/// Measured with the engine's zlib (`zlib-rs` 0.6 through `flate2`, level 6, memLevel 8)
/// by the test `protocol_pair::deflate_memory_per_connection` (a counting allocator), as
/// the bytes a connection keeps after it compressed one 64 KiB message and inflated one:
///
/// | state kept between messages | window bits 15 | window bits 9 |
/// |---|---|---|
/// | our compressor, context takeover | 380032 B (371 KiB) | 251008 B (245 KiB) |
/// | the peer's inflater, context takeover | 47712 B (46.6 KiB) | 47712 B (46.6 KiB) |
/// | either, no context takeover | 0 | 0 |
///
/// The compressor's size is mostly fixed (a 128 KiB hash table and 112 KiB of symbol and
/// output buffers whatever the window, plus 4 bytes per window byte); `zlib-rs` allocates a
/// 32 KiB inflate window whatever the window bits, so a smaller window saves memory on
/// the compressing side only. With no context takeover on a side, that side's zlib state
/// exists only while one message is compressed or inflated (the figures above, for that
/// moment) and is freed right after, so an idle connection costs nothing for it; with
/// context takeover it is allocated at the first compressed message in that direction
/// (not at the handshake) and lives as long as the connection. A server with many idle
/// connections keeps memory low with `server_no_context_takeover` (its compressors) and
/// `client_no_context_takeover` (its inflaters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Client: offer permessage-deflate in the opening handshake. Server: accept a client's
    /// offer (when false, the server never accepts permessage-deflate). Default: false.
    pub enabled: bool,
    /// Client: ask the server not to take context over between messages (sent in the
    /// offer; the server must then agree, or the connection fails). Server: always answer
    /// with it (we reset our compressor after every message), whether or not the client
    /// asked. Default: false.
    pub server_no_context_takeover: bool,
    /// Client: promise not to take context over (sent in the offer; our compressor is reset
    /// after every message whatever the answer). Server: always answer with it, making the
    /// client reset its compressor, so our inflater can be freed between messages (the
    /// server also answers with it when the client offered it). Default: false.
    pub client_no_context_takeover: bool,
    /// 8-15, the base-2 logarithm of the LZ77 window the server compresses with. Client: a
    /// value below 15 is sent as `server_max_window_bits=N` (the server must answer with it
    /// or less, or the connection fails). Server: the largest window we compress with: we
    /// answer with the smaller of this and the client's request (8 is used as 9, and an
    /// offer that demands 8 is declined; see the [module](self) documentation). Default: 15.
    pub server_max_window_bits: u8,
    /// 8-15, the LZ77 window the client compresses with. Client: the largest window we
    /// compress with, always offered as `client_max_window_bits` (without a value for 15,
    /// which tells the server it may choose a smaller one), and 8 means we send
    /// uncompressed. Server: the window we ask the client to use, answered as
    /// `client_max_window_bits=N` (the smaller of this and the client's value) when the
    /// client's offer names the parameter; a client that does not name it keeps 15 (RFC
    /// 7692 section 7.1.2.2 forbids answering with it) and we inflate with 15. Default: 15.
    pub client_max_window_bits: u8,
    /// Both roles: whole messages (one frame) of at least this many bytes are compressed;
    /// smaller ones, and messages sent in fragments, go out uncompressed. Default: 10240,
    /// the `compression_threshold` of the original Perl distribution.
    pub threshold: usize,
    /// Client (with `enabled`): fail the connection with 1010 (an `Error` event, then a
    /// Close frame with 1010) when the server does not accept permessage-deflate. Server: not
    /// used (a server
    /// that wants to refuse clients without compression rejects their request itself).
    /// Default: false.
    pub required: bool,
}

impl DeflateConfig {
    /// Default `threshold`.
    ///
    /// cbindgen:ignore
    pub const DEFAULT_THRESHOLD: usize = 10240;
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            enabled: false,
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
            threshold: Self::DEFAULT_THRESHOLD,
            required: false,
        }
    }
}

/// The parameters agreed for one connection: what the server's answer says, plus, client
/// side, what the client committed to in its offer (`client_no_context_takeover`, the
/// value of `client_max_window_bits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeflateParams {
    /// The server resets its compressor after every message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after every message.
    pub client_no_context_takeover: bool,
    /// The server's window (8-15); `None`: not stated, 15.
    pub server_max_window_bits: Option<u8>,
    /// The client's window (8-15); `None`: not stated, 15.
    pub client_max_window_bits: Option<u8>,
}

impl DeflateParams {
    /// The permessage-deflate element with these parameters, in the RFC's order.
    pub fn to_extension(&self) -> ExtensionOffer {
        let mut e = ExtensionOffer::new(EXTENSION_NAME);
        if self.server_no_context_takeover {
            e = e.with_param("server_no_context_takeover", None);
        }
        if self.client_no_context_takeover {
            e = e.with_param("client_no_context_takeover", None);
        }
        if let Some(b) = self.server_max_window_bits {
            e = e.with_param("server_max_window_bits", Some(&b.to_string()));
        }
        if let Some(b) = self.client_max_window_bits {
            e = e.with_param("client_max_window_bits", Some(&b.to_string()));
        }
        e
    }

    /// The element as written in a header, e.g.
    /// `permessage-deflate; server_no_context_takeover; client_max_window_bits=10`.
    pub fn to_header_value(&self) -> String {
        self.to_extension().to_header_value()
    }

    /// Whether the side playing `role` resets its compressor after every message, and the
    /// window it compresses with (8-15).
    pub fn sender(&self, role: Role) -> (bool, u8) {
        match role {
            Role::Server => (
                self.server_no_context_takeover,
                self.server_max_window_bits.unwrap_or(15),
            ),
            Role::Client => (
                self.client_no_context_takeover,
                self.client_max_window_bits.unwrap_or(15),
            ),
        }
    }

    /// Parse a server's answer as the parameters in force, with the strict rules of a
    /// response (window parameters need a value). For a sans-I/O connection configured
    /// from the `Sec-WebSocket-Extensions` of a 101 answer.
    pub fn from_response(ext: &ExtensionOffer) -> Result<DeflateParams> {
        let p = parse_params(ext, true).map_err(Error::ExtensionNegotiation)?;
        Ok(DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover,
            server_max_window_bits: p.server_max_window_bits,
            client_max_window_bits: p.client_max_window_bits.flatten(),
        })
    }
}

/// The parameters of one element, checked for syntax.
#[derive(Debug, Default)]
struct Parsed {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: named without a value (allowed in an offer only).
    client_max_window_bits: Option<Option<u8>>,
}

/// A window-bits value: a decimal 8-15 without leading zeros (RFC 7692 section 7.1.2).
fn window_bits(v: &str) -> Option<u8> {
    match v {
        "8" | "9" => v.parse().ok(),
        _ if v.len() == 2 && v.starts_with('1') => v.parse().ok().filter(|b| (10..=15).contains(b)),
        _ => None,
    }
}

/// Check the parameters of a permessage-deflate element; `Err` says why it is malformed.
fn parse_params(ext: &ExtensionOffer, response: bool) -> std::result::Result<Parsed, String> {
    let mut p = Parsed::default();
    let mut seen = [false; 4];
    for (name, value) in &ext.params {
        let n = name.to_ascii_lowercase();
        let i = match n.as_str() {
            "server_no_context_takeover" => 0,
            "client_no_context_takeover" => 1,
            "server_max_window_bits" => 2,
            "client_max_window_bits" => 3,
            _ => return Err(format!("unknown parameter {name}")),
        };
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("parameter {n} repeated"));
        }
        let bits = || match value.as_deref() {
            Some(v) => window_bits(v)
                .map(Some)
                .ok_or_else(|| format!("invalid value {v:?} for {n}")),
            None => Ok(None),
        };
        match i {
            0 | 1 if value.is_some() => return Err(format!("{n} takes no value")),
            0 => p.server_no_context_takeover = true,
            1 => p.client_no_context_takeover = true,
            2 => match bits()? {
                Some(b) => p.server_max_window_bits = Some(b),
                None => return Err(format!("{n} needs a value")),
            },
            _ => {
                let b = bits()?;
                if response && b.is_none() {
                    return Err(format!("{n} needs a value in a response"));
                }
                p.client_max_window_bits = Some(b);
            }
        }
    }
    Ok(p)
}

/// Whether an extension element is permessage-deflate (the name compared ASCII
/// case-insensitively).
pub fn is_deflate(e: &ExtensionOffer) -> bool {
    e.name.eq_ignore_ascii_case(EXTENSION_NAME)
}

/// Server: accept the first of the client's permessage-deflate `offers` (other extensions
/// are skipped) that is well-formed and that we can honour, or `None` (decline). The
/// parameters returned are those of the answer ([`DeflateParams::to_extension`]) and also
/// those in force. `config.enabled` is not looked at (the caller decides whether to
/// negotiate at all).
///
/// For an accepted offer: `server_no_context_takeover` is answered when offered or set in
/// `config`; `client_no_context_takeover` likewise; `server_max_window_bits` is answered
/// with `min(offered, config)` (at least 9) when offered or when `config` is below 15,
/// and an offer that needs 8 is declined; `client_max_window_bits` is answered, only when
/// offered, with `min(offered value, config)` when that is below 15.
pub fn negotiate(offers: &[ExtensionOffer], config: &DeflateConfig) -> Option<DeflateParams> {
    offers
        .iter()
        .filter(|o| is_deflate(o))
        .find_map(|o| accept_offer(o, config))
}

fn accept_offer(offer: &ExtensionOffer, config: &DeflateConfig) -> Option<DeflateParams> {
    let p = parse_params(offer, false).ok()?;
    let own = config.server_max_window_bits.clamp(ZLIB_MIN_BITS, 15);
    let server_max_window_bits = match p.server_max_window_bits {
        Some(asked) if asked < ZLIB_MIN_BITS => return None,
        Some(asked) => Some(asked.min(own)),
        None if own < 15 => Some(own),
        None => None,
    };
    let wanted = config.client_max_window_bits.clamp(8, 15);
    let client_max_window_bits = match p.client_max_window_bits {
        None => None,
        Some(v) => Some(v.unwrap_or(15).min(wanted)).filter(|&b| b < 15),
    };
    Some(DeflateParams {
        server_no_context_takeover: p.server_no_context_takeover
            || config.server_no_context_takeover,
        client_no_context_takeover: p.client_no_context_takeover
            || config.client_no_context_takeover,
        server_max_window_bits,
        client_max_window_bits,
    })
}

/// Client: the offer for `config`: `permessage-deflate`, then `server_no_context_takeover`
/// and `client_no_context_takeover` when set, `server_max_window_bits=N` when below 15,
/// and always `client_max_window_bits` (without a value for 15, else `=N`).
pub fn client_offer(config: &DeflateConfig) -> ExtensionOffer {
    let mut e = ExtensionOffer::new(EXTENSION_NAME);
    if config.server_no_context_takeover {
        e = e.with_param("server_no_context_takeover", None);
    }
    if config.client_no_context_takeover {
        e = e.with_param("client_no_context_takeover", None);
    }
    let s = config.server_max_window_bits.clamp(8, 15);
    if s < 15 {
        e = e.with_param("server_max_window_bits", Some(&s.to_string()));
    }
    let c = config.client_max_window_bits.clamp(8, 15);
    let v = (c < 15).then(|| c.to_string());
    e.with_param("client_max_window_bits", v.as_deref())
}

fn fail<T>(why: impl Into<String>) -> Result<T> {
    Err(Error::ExtensionNegotiation(why.into()))
}

/// Client: check the extensions the server accepted (`accepted`, in the server's order)
/// against the permessage-deflate offer we sent (`sent`, e.g. from [`client_offer`]).
/// `Ok(None)`: the server did not accept it (an error instead when `required`).
/// `Ok(Some(params))`: the parameters in force, including what we committed to in the
/// offer (our `client_no_context_takeover`, our `client_max_window_bits` value when the
/// answer does not lower it). Errors are [`Error::ExtensionNegotiation`] (close 1010).
pub fn check_response(
    sent: &ExtensionOffer,
    accepted: &[ExtensionOffer],
    required: bool,
) -> Result<Option<DeflateParams>> {
    let mut found = accepted.iter().filter(|e| is_deflate(e));
    let Some(resp) = found.next() else {
        if required {
            return fail(
                "the server did not accept permessage-deflate, which this client requires",
            );
        }
        return Ok(None);
    };
    if found.next().is_some() {
        return fail("the server accepted permessage-deflate more than once");
    }
    let offered = parse_params(sent, false)
        .map_err(|why| Error::ExtensionNegotiation(format!("our own offer: {why}")))?;
    let p = parse_params(resp, true)
        .map_err(|why| Error::ExtensionNegotiation(format!("invalid response: {why}")))?;
    if offered.server_no_context_takeover && !p.server_no_context_takeover {
        return fail("the response lacks server_no_context_takeover, which was offered");
    }
    match (offered.server_max_window_bits, p.server_max_window_bits) {
        (Some(_), None) => {
            return fail("the response lacks server_max_window_bits, which was offered")
        }
        (Some(o), Some(r)) if r > o => {
            return fail(format!(
                "the response has server_max_window_bits={r}, above the {o} offered"
            ))
        }
        _ => {}
    }
    let client_max_window_bits = match (
        offered.client_max_window_bits,
        p.client_max_window_bits.flatten(),
    ) {
        (None, Some(_)) => {
            return fail("the response has client_max_window_bits, which was not offered")
        }
        (Some(Some(o)), Some(r)) if r > o => {
            return fail(format!(
                "the response has client_max_window_bits={r}, above the {o} offered"
            ))
        }
        (Some(o), None) => o,
        (_, r) => r,
    };
    Ok(Some(DeflateParams {
        server_no_context_takeover: p.server_no_context_takeover,
        client_no_context_takeover: p.client_no_context_takeover
            || offered.client_no_context_takeover,
        server_max_window_bits: p.server_max_window_bits,
        client_max_window_bits,
    }))
}

/// The permessage-deflate parameters in a `Sec-WebSocket-Extensions` value as a server
/// answers it (e.g. to configure a sans-I/O connection after a handshake made elsewhere):
/// `Ok(None)` when the value has no permessage-deflate element; an error when the value is
/// malformed, holds the element twice, or its parameters break the rules of a response.
pub fn params_from_header(value: &str) -> Result<Option<DeflateParams>> {
    let exts = crate::handshake::parse_extensions(&[value])?;
    let mut found = exts.iter().filter(|e| is_deflate(e));
    let Some(e) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return fail("permessage-deflate appears more than once");
    }
    DeflateParams::from_response(e).map(Some)
}

/// `extensions` without its permessage-deflate elements (which only the engine may answer
/// or offer, since only it can compress and inflate).
pub fn strip(extensions: Vec<ExtensionOffer>) -> Vec<ExtensionOffer> {
    extensions.into_iter().filter(|e| !is_deflate(e)).collect()
}

// ---------------------------------------------------------------------- the codec

/// The compressor and inflater of one connection, once permessage-deflate is agreed.
/// The zlib states are created at the first message that needs them and, on a side with no
/// context takeover, freed after every message.
pub struct Codec {
    params: DeflateParams,
    /// Window of our compressor; `None`: we never compress (a window of 8 was agreed).
    send_bits: Option<u8>,
    send_reset: bool,
    recv_bits: u8,
    recv_reset: bool,
    compressor: Option<Compress>,
    inflater: Option<Decompress>,
    /// The peer ended its DEFLATE stream (a block with BFINAL set): the rest of the
    /// message's data is ignored and the inflater starts afresh with the next message.
    stream_end: bool,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("params", &self.params)
            .field("compressor", &self.compressor.is_some())
            .field("inflater", &self.inflater.is_some())
            .finish()
    }
}

impl Codec {
    /// The codec of the side playing `role` with the agreed `params`.
    pub fn new(role: Role, params: DeflateParams) -> Codec {
        let peer = match role {
            Role::Server => Role::Client,
            Role::Client => Role::Server,
        };
        let (send_reset, send_bits) = params.sender(role);
        let (recv_reset, recv_bits) = params.sender(peer);
        Codec {
            params,
            send_bits: (send_bits >= ZLIB_MIN_BITS).then_some(send_bits.min(15)),
            send_reset,
            recv_bits: recv_bits.clamp(ZLIB_MIN_BITS, 15),
            recv_reset,
            compressor: None,
            inflater: None,
            stream_end: false,
        }
    }

    /// The agreed parameters.
    pub fn params(&self) -> &DeflateParams {
        &self.params
    }

    /// Whether a whole message of `len` bytes is to be compressed with this `threshold`.
    pub fn wants(&self, len: usize, threshold: usize) -> bool {
        self.send_bits.is_some() && len >= threshold
    }

    /// Whether zlib states are allocated now (compressor, inflater).
    pub fn allocated(&self) -> (bool, bool) {
        (self.compressor.is_some(), self.inflater.is_some())
    }

    /// Compress one whole message (RFC 7692 section 7.2.1): DEFLATE with a sync flush,
    /// the final `00 00 ff ff` removed.
    pub fn compress(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        let bits = self.send_bits.unwrap_or(15);
        let c = self.compressor.get_or_insert_with(|| {
            Compress::new_with_window_bits(Compression::default(), false, bits)
        });
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let mut input = data;
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            let before = c.total_in();
            c.compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|_| Error::InvalidState("the compressor failed"))?;
            input = &input[(c.total_in() - before) as usize..];
            // The flush is complete when zlib had output space left over.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        if self.send_reset {
            self.compressor = None;
        }
        Ok(out)
    }

    /// A compressed message begins.
    pub fn begin_message(&mut self) {
        self.stream_end = false;
    }

    /// Inflate `input` (part of a compressed message's payload, or [`TAIL`] at its end with
    /// `last`) into `out`, which grows by at most [`INFLATE_CHUNK`] beyond `max` (0 =
    /// unlimited): the inflated size is checked after every chunk, and above `max` this
    /// fails with [`Error::MessageTooBig`]. `on_new` sees every new range of `out` (for
    /// incremental UTF-8 validation). Corrupt data fails with [`Error::BadCompressedData`].
    pub fn inflate(
        &mut self,
        mut input: &[u8],
        last: bool,
        out: &mut Vec<u8>,
        max: u64,
        on_new: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        if self.stream_end {
            return Ok(());
        }
        let bits = self.recv_bits;
        let d = self
            .inflater
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, bits));
        let flush = if last {
            FlushDecompress::Sync
        } else {
            FlushDecompress::None
        };
        loop {
            if out.capacity() - out.len() < INFLATE_CHUNK / 4 {
                let want = out.len() + INFLATE_CHUNK;
                let mut cap = (out.capacity() * 2).max(want);
                if max != 0 {
                    // out.len() <= max here (checked below), so the cap is >= want.
                    cap = cap.min((max as usize).saturating_add(INFLATE_CHUNK));
                }
                out.reserve_exact(cap - out.len());
            }
            let (in0, start) = (d.total_in(), out.len());
            let status = d
                .decompress_vec(input, out, flush)
                .map_err(|_| Error::BadCompressedData)?;
            let used = (d.total_in() - in0) as usize;
            input = &input[used..];
            let produced = out.len() - start;
            if max != 0 && out.len() as u64 > max {
                return Err(Error::MessageTooBig {
                    len: out.len() as u64,
                    max,
                });
            }
            if produced > 0 {
                on_new(&out[start..])?;
            }
            if status == Status::StreamEnd {
                self.stream_end = true;
                break;
            }
            let full = out.len() == out.capacity();
            if (input.is_empty() && !full) || (used == 0 && produced == 0) {
                break;
            }
        }
        Ok(())
    }

    /// A compressed message was received whole: forget the inflater when the peer does not
    /// take context over (or ended its stream).
    pub fn end_message(&mut self) {
        if self.recv_reset || self.stream_end {
            self.inflater = None;
        }
        self.stream_end = false;
    }

    /// The connection is over: free both zlib states.
    pub fn release(&mut self) {
        self.compressor = None;
        self.inflater = None;
    }
}

#[cfg(test)]
mod tests {
    //! Negotiation tables, named by RFC 7692 section.
    use super::*;
    use crate::handshake::parse_extensions;

    fn offers(v: &str) -> Vec<ExtensionOffer> {
        parse_extensions(&[v]).unwrap()
    }

    fn server(offer: &str, config: &DeflateConfig) -> Option<String> {
        negotiate(&offers(offer), config).map(|p| p.to_header_value())
    }

    fn cfg() -> DeflateConfig {
        DeflateConfig {
            enabled: true,
            ..DeflateConfig::default()
        }
    }

    #[test]
    fn defaults() {
        let c = DeflateConfig::default();
        assert!(!c.enabled && !c.required);
        assert!(!c.server_no_context_takeover && !c.client_no_context_takeover);
        assert_eq!(
            (
                c.server_max_window_bits,
                c.client_max_window_bits,
                c.threshold
            ),
            (15, 15, 10240)
        );
    }

    #[test]
    fn sec7_1_server_accepts_the_plain_offer() {
        let c = cfg();
        assert_eq!(
            server("permessage-deflate", &c).as_deref(),
            Some("permessage-deflate")
        );
        assert_eq!(
            server("PerMessage-Deflate", &c).as_deref(),
            Some("permessage-deflate")
        );
        assert_eq!(server("x-webkit-deflate-frame, foo", &c), None);
        assert_eq!(server("", &c), None);
    }

    #[test]
    fn sec7_1_server_table() {
        let mut c = cfg();
        let table: &[(&str, Option<&str>)] = &[
            // 7.1.1.1 and 7.1.1.2: no context takeover, accepted by echoing it
            ("permessage-deflate; server_no_context_takeover", Some("permessage-deflate; server_no_context_takeover")),
            ("permessage-deflate; client_no_context_takeover", Some("permessage-deflate; client_no_context_takeover")),
            // 7.1.2.1: the same or a smaller value
            ("permessage-deflate; server_max_window_bits=10", Some("permessage-deflate; server_max_window_bits=10")),
            ("permessage-deflate; server_max_window_bits=\"12\"", Some("permessage-deflate; server_max_window_bits=12")),
            ("permessage-deflate; server_max_window_bits=15", Some("permessage-deflate; server_max_window_bits=15")),
            ("permessage-deflate; server_max_window_bits=9", Some("permessage-deflate; server_max_window_bits=9")),
            // 8: zlib cannot compress with it, and 9 would be larger than asked: declined
            ("permessage-deflate; server_max_window_bits=8", None),
            // ... and the next offer is taken
            (
                "permessage-deflate; server_max_window_bits=8, permessage-deflate; client_max_window_bits",
                Some("permessage-deflate"),
            ),
            // 7.1.2.2: valueless (the client supports the parameter) or with a value
            ("permessage-deflate; client_max_window_bits", Some("permessage-deflate")),
            ("permessage-deflate; client_max_window_bits=10", Some("permessage-deflate; client_max_window_bits=10")),
            ("permessage-deflate; client_max_window_bits=8", Some("permessage-deflate; client_max_window_bits=8")),
            ("permessage-deflate; client_max_window_bits=15", Some("permessage-deflate")),
            // malformed offers are declined (section 7.1)
            ("permessage-deflate; foo", None),
            ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", None),
            ("permessage-deflate; server_no_context_takeover=1", None),
            ("permessage-deflate; client_no_context_takeover=x", None),
            ("permessage-deflate; server_max_window_bits", None),
            ("permessage-deflate; server_max_window_bits=7", None),
            ("permessage-deflate; server_max_window_bits=16", None),
            ("permessage-deflate; server_max_window_bits=010", None),
            ("permessage-deflate; server_max_window_bits=1O", None),
            ("permessage-deflate; client_max_window_bits=0", None),
            ("permessage-deflate; client_max_window_bits; client_max_window_bits=9", None),
            // the first acceptable offer wins
            (
                "permessage-deflate; foo=1, permessage-deflate; client_no_context_takeover, permessage-deflate",
                Some("permessage-deflate; client_no_context_takeover"),
            ),
            (
                "foo, permessage-deflate; server_max_window_bits=11; client_max_window_bits=12; server_no_context_takeover",
                Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12"),
            ),
        ];
        for (offer, want) in table {
            assert_eq!(server(offer, &c).as_deref(), *want, "offer {offer:?}");
        }
        // the server's own settings
        c.server_no_context_takeover = true;
        c.client_no_context_takeover = true;
        assert_eq!(
            server("permessage-deflate", &c).as_deref(),
            Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        );
        c = cfg();
        c.server_max_window_bits = 10;
        assert_eq!(
            server("permessage-deflate", &c).as_deref(),
            Some("permessage-deflate; server_max_window_bits=10")
        );
        assert_eq!(
            server("permessage-deflate; server_max_window_bits=12", &c).as_deref(),
            Some("permessage-deflate; server_max_window_bits=10")
        );
        assert_eq!(
            server("permessage-deflate; server_max_window_bits=9", &c).as_deref(),
            Some("permessage-deflate; server_max_window_bits=9")
        );
        c.server_max_window_bits = 8;
        assert_eq!(
            server("permessage-deflate", &c).as_deref(),
            Some("permessage-deflate; server_max_window_bits=9")
        );
        c = cfg();
        c.client_max_window_bits = 11;
        // not named by the client: may not be answered (7.1.2.2)
        assert_eq!(
            server("permessage-deflate", &c).as_deref(),
            Some("permessage-deflate")
        );
        assert_eq!(
            server("permessage-deflate; client_max_window_bits", &c).as_deref(),
            Some("permessage-deflate; client_max_window_bits=11")
        );
        assert_eq!(
            server("permessage-deflate; client_max_window_bits=13", &c).as_deref(),
            Some("permessage-deflate; client_max_window_bits=11")
        );
        assert_eq!(
            server("permessage-deflate; client_max_window_bits=9", &c).as_deref(),
            Some("permessage-deflate; client_max_window_bits=9")
        );
    }

    fn resp(v: &str) -> Vec<ExtensionOffer> {
        if v.is_empty() {
            return Vec::new();
        }
        offers(v)
    }

    fn client(config: &DeflateConfig, response: &str) -> Result<Option<DeflateParams>> {
        check_response(&client_offer(config), &resp(response), config.required)
    }

    #[test]
    fn sec7_1_client_offer() {
        let mut c = cfg();
        assert_eq!(
            client_offer(&c).to_header_value(),
            "permessage-deflate; client_max_window_bits"
        );
        c.server_no_context_takeover = true;
        c.client_no_context_takeover = true;
        c.server_max_window_bits = 10;
        c.client_max_window_bits = 9;
        assert_eq!(
            client_offer(&c).to_header_value(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=10; client_max_window_bits=9"
        );
    }

    #[test]
    fn sec7_1_client_accepts_valid_responses() {
        let c = cfg();
        let p = |s: bool, cl: bool, sb: Option<u8>, cb: Option<u8>| DeflateParams {
            server_no_context_takeover: s,
            client_no_context_takeover: cl,
            server_max_window_bits: sb,
            client_max_window_bits: cb,
        };
        assert_eq!(client(&c, ""), Ok(None));
        assert_eq!(
            client(&c, "permessage-deflate"),
            Ok(Some(p(false, false, None, None)))
        );
        // the server may add either no_context_takeover and a server window (7.1.1, 7.1.2.1)
        assert_eq!(
            client(&c, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8"),
            Ok(Some(p(true, true, Some(8), None)))
        );
        // client_max_window_bits was offered without a value: any value
        assert_eq!(
            client(&c, "permessage-deflate; client_max_window_bits=8"),
            Ok(Some(p(false, false, None, Some(8))))
        );
        let mut c2 = cfg();
        c2.server_max_window_bits = 12;
        c2.client_max_window_bits = 11;
        c2.client_no_context_takeover = true;
        assert_eq!(
            client(&c2, "permessage-deflate; server_max_window_bits=10"),
            Ok(Some(p(false, true, Some(10), Some(11)))),
            "what we offered stays in force"
        );
        assert_eq!(
            client(
                &c2,
                "permessage-deflate; server_max_window_bits=12; client_max_window_bits=9"
            ),
            Ok(Some(p(false, true, Some(12), Some(9))))
        );
        let mut c3 = cfg();
        c3.server_no_context_takeover = true;
        assert_eq!(
            client(&c3, "permessage-deflate; server_no_context_takeover"),
            Ok(Some(p(true, false, None, None)))
        );
    }

    #[test]
    fn sec7_1_client_fails_invalid_responses_with_1010() {
        let mut c = cfg();
        c.server_max_window_bits = 12;
        c.server_no_context_takeover = true;
        let bad = [
            ("permessage-deflate; server_no_context_takeover; foo", "unknown parameter foo"),
            (
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover; server_max_window_bits=12",
                "repeated",
            ),
            ("permessage-deflate; server_no_context_takeover=1; server_max_window_bits=12", "takes no value"),
            ("permessage-deflate; server_no_context_takeover; server_max_window_bits=16", "invalid value"),
            ("permessage-deflate; server_no_context_takeover; server_max_window_bits", "needs a value"),
            ("permessage-deflate; server_no_context_takeover; server_max_window_bits=12; client_max_window_bits", "needs a value"),
            ("permessage-deflate; server_no_context_takeover", "lacks server_max_window_bits"),
            ("permessage-deflate; server_no_context_takeover; server_max_window_bits=13", "above the 12 offered"),
            ("permessage-deflate; server_max_window_bits=12", "lacks server_no_context_takeover"),
            (
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=12, permessage-deflate; server_no_context_takeover; server_max_window_bits=12",
                "more than once",
            ),
        ];
        for (r, why) in bad {
            let e = client(&c, r).unwrap_err();
            assert_eq!(e.close_code(), Some(1010));
            assert!(e.to_string().contains(why), "{r:?}: {e} (wanted {why:?})");
        }
        // client_max_window_bits: not offered, or above the value offered
        let sent = offers("permessage-deflate")[0].clone();
        let e = check_response(
            &sent,
            &resp("permessage-deflate; client_max_window_bits=10"),
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("was not offered"), "{e}");
        let sent = offers("permessage-deflate; client_max_window_bits=10")[0].clone();
        let e = check_response(
            &sent,
            &resp("permessage-deflate; client_max_window_bits=11"),
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("above the 10 offered"), "{e}");
        // required and declined
        let mut r = cfg();
        r.required = true;
        let e = client(&r, "").unwrap_err();
        assert_eq!(e.close_code(), Some(1010));
        assert_eq!(
            e.to_string(),
            "permessage-deflate: the server did not accept permessage-deflate, which this client requires"
        );
        assert!(client(&r, "permessage-deflate").unwrap().is_some());
    }

    #[test]
    fn response_params_parse_strictly() {
        let e =
            &offers("permessage-deflate; client_max_window_bits=10; server_no_context_takeover")[0];
        assert_eq!(
            DeflateParams::from_response(e),
            Ok(DeflateParams {
                server_no_context_takeover: true,
                client_max_window_bits: Some(10),
                ..DeflateParams::default()
            })
        );
        let e = &offers("permessage-deflate; client_max_window_bits")[0];
        assert!(DeflateParams::from_response(e).is_err());
    }

    #[test]
    fn strip_removes_deflate_only() {
        let v = strip(offers(
            "a, permessage-deflate; x, b; c=1, PERMESSAGE-DEFLATE",
        ));
        assert_eq!(crate::handshake::format_extensions(&v), "a, b; c=1");
    }

    #[test]
    fn window_bits_values() {
        for (v, b) in [
            ("8", Some(8)),
            ("9", Some(9)),
            ("10", Some(10)),
            ("15", Some(15)),
        ] {
            assert_eq!(window_bits(v), b);
        }
        for v in ["", "7", "16", "08", "010", "+9", "9 ", "1a", "99"] {
            assert_eq!(window_bits(v), None, "{v:?}");
        }
    }

    #[test]
    fn codec_window_8_is_never_compressed_but_inflated() {
        let p = DeflateParams {
            client_max_window_bits: Some(8),
            server_max_window_bits: Some(8),
            ..Default::default()
        };
        let c = Codec::new(Role::Client, p);
        assert!(!c.wants(100_000, 0));
        let s = Codec::new(Role::Server, p);
        assert!(!s.wants(100_000, 0));
        assert_eq!(s.recv_bits, 9);
    }
}
