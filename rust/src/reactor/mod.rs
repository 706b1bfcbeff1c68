//! The reactor: the I/O half of the engine, one mio `Poll` that owns every socket and timer
//! of a process, driven by the caller's thread.
//!
//! The caller calls [`Reactor::poll`]; the reactor waits in epoll (at most the timeout, and
//! never past its next timer), then does all the I/O: it accepts until the listener would
//! block, reads every ready socket until it would block into that connection's engine
//! ([`crate::protocol::Connection`], or the opening-handshake parsers before it), writes
//! pending output straight to the socket, runs the timers and timeouts that are due, and
//! returns the batch of [`ReactorEvent`]s. It never calls back into the caller.
//!
//! Operations ([`Reactor::send`], [`Reactor::close`], [`Reactor::accept`]...) act at once:
//! a message is written to the socket inside `send` when the socket takes it, and only what
//! does not fit is kept, to be written when epoll says the socket is writable again. Events
//! that operations cause (a `Closed` after [`Reactor::drop_conn`], an `Error` when a send
//! exceeds `max_buffered`...) are queued and returned by the next `poll`, which then does
//! not block.
//!
//! Life of a connection, as events (ids are `u64`, never reused within a reactor's life; a
//! connection's last event is always exactly one [`ReactorEvent::Closed`]):
//!
//! - server side: `Accept`, then `Request` (the reactor stops reading until the caller
//!   answers with [`Reactor::accept`], which emits `Open`, or [`Reactor::reject`]); an
//!   invalid request is answered by the reactor itself (400, 426 with
//!   `Sec-WebSocket-Version: 13`, or 431) and reported as `Error` then `Closed`;
//! - client side ([`Reactor::connect`]): `Open`, or `Error` then `Closed` (refused
//!   connection, a status other than 101, a failed check of the answer);
//! - then messages, `Close` when the peer's Close frame arrives (our reply is already
//!   queued), and `Closed` when the TCP connection is gone. RFC 6455 7.1.1: a server closes
//!   the TCP connection as soon as the close handshake is complete; a client waits for the
//!   server to do it, at most `close_timeout`.
//!
//! Sockets are registered once, edge-triggered, for reading and writing: a writable edge
//! comes only after a write found the socket buffer full, so no `epoll_ctl` is ever needed
//! to turn write interest on and off. Foreign file descriptors given to [`Reactor::watch`]
//! keep the level-triggered meaning of `select`: they are registered with epoll to wake the
//! wait, and checked with a zero-timeout `poll(2)` so that one still readable is reported
//! again at every call and the wait does not block while one is ready.
//!
//! After `fork`, a reactor created in the parent refuses to work in the child (it shares the
//! parent's epoll instance and sockets): every operation returns
//! `InvalidState("the reactor was created in another process (fork); create a new one in
//! the child")`, and dropping it in the child only closes the child's copies of the
//! descriptors, without touching the parent's registrations or connections.

mod conn;
mod tls;
mod watch;

pub(crate) use tls::cipher_suite_name_nul;
pub use tls::{
    cipher_suite_name, TlsClientConfig, TlsInfo, TlsServerConfig, TlsVerify, TlsVersions,
    TLS_ERROR_CODE, TLS_HANDSHAKE_FAILED,
};

use crate::config::Config;
use crate::deflate::{self, DeflateParams};
use crate::error::Error;
use crate::frame::OpCode;
use crate::handshake::{
    accept_response, format_extensions, parse_extensions, reject_response, ClientHandshake,
    ClientHandshakeConfig, ExtensionOffer, Limits, ServerHandshake,
};
use crate::protocol::{Connection, Role};
use conn::{Conn, Ctx, Fate, Phase, Settings};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};
use watch::Watches;

// ------------------------------------------------------------------ configuration

/// Defaults for the connections of a reactor; each connection gets a copy, which
/// [`Reactor::set_option`] changes for that connection alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactorConfig {
    /// The engine's limits and switches (message size, fragments, send size, unmasked
    /// frames, automatic pongs, HTTP head limits).
    pub engine: Config,
    /// A peer that has not completed the opening handshake this long after the TCP
    /// connection was accepted (or, client side, after `connect`) is dropped; a server
    /// answers nothing more. Zero = no limit. Default 10 s.
    pub handshake_timeout: Duration,
    /// After we sent Close (or answered a rejection), how long to wait for the peer to close
    /// the TCP connection before dropping it. Zero = no limit. Default 5 s.
    pub close_timeout: Duration,
    /// Largest amount of unsent output per connection, in bytes: output added (a `send`, an
    /// automatic pong...) while more than this is already waiting drops the connection with
    /// the error "send buffer limit exceeded" (a reader that stalls must not grow our
    /// memory). One message larger than the limit is accepted while the buffer is below it.
    /// Zero = unlimited. Default 16 MiB.
    pub max_buffered: usize,
    /// Send a ping when nothing was received from the peer for this long. Zero = off
    /// (the default).
    pub ping_interval: Duration,
    /// When a ping we sent got no answer (nothing at all received) within this time, close
    /// with 1001 "pong timeout" and drop the connection. Zero = off (the default).
    pub pong_timeout: Duration,
    /// `TCP_NODELAY` on every connection. Default true.
    pub nodelay: bool,
}

impl ReactorConfig {
    /// Default `handshake_timeout`.
    pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default `close_timeout`.
    pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default `max_buffered`.
    ///
    /// cbindgen:ignore
    pub const DEFAULT_MAX_BUFFERED: usize = 16 << 20;

    fn settings(&self) -> Settings {
        Settings {
            handshake_timeout: self.handshake_timeout,
            close_timeout: self.close_timeout,
            max_buffered: self.max_buffered,
            ping_interval: self.ping_interval,
            pong_timeout: self.pong_timeout,
        }
    }
}

impl Default for ReactorConfig {
    fn default() -> Self {
        ReactorConfig {
            engine: Config::default(),
            handshake_timeout: Self::DEFAULT_HANDSHAKE_TIMEOUT,
            close_timeout: Self::DEFAULT_CLOSE_TIMEOUT,
            max_buffered: Self::DEFAULT_MAX_BUFFERED,
            ping_interval: Duration::ZERO,
            pong_timeout: Duration::ZERO,
            nodelay: true,
        }
    }
}

/// One setting of one connection (see [`Reactor::set_option`]). Engine limits apply from
/// the next frame; timeouts are re-evaluated at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnOption {
    /// Largest incoming message, bytes (0 = unlimited).
    MaxMessageSize(u64),
    /// Most frames per incoming message (0 = unlimited).
    MaxFragments(u64),
    /// Largest outgoing message, bytes (0 = unlimited).
    MaxSendSize(u64),
    /// Accept unmasked frames from a client.
    AcceptUnmaskedFrames(bool),
    /// Answer pings automatically.
    AutoPong(bool),
    /// `TCP_NODELAY`.
    Nodelay(bool),
    /// See [`ReactorConfig::handshake_timeout`].
    HandshakeTimeout(Duration),
    /// See [`ReactorConfig::close_timeout`].
    CloseTimeout(Duration),
    /// See [`ReactorConfig::max_buffered`].
    MaxBuffered(usize),
    /// See [`ReactorConfig::ping_interval`].
    PingInterval(Duration),
    /// See [`ReactorConfig::pong_timeout`].
    PongTimeout(Duration),
    /// permessage-deflate: offer (client) or accept (server) it; see
    /// [`DeflateConfig::enabled`](deflate::DeflateConfig::enabled). This and the four
    /// parameters below change only before the opening handshake: a server connection
    /// until it is answered with [`Reactor::accept`], a client connection between
    /// [`Reactor::connect`] and the next poll (its request is rebuilt); later they are
    /// `InvalidState`.
    Deflate(bool),
    /// See [`DeflateConfig::server_no_context_takeover`](deflate::DeflateConfig::server_no_context_takeover).
    DeflateServerNoContextTakeover(bool),
    /// See [`DeflateConfig::client_no_context_takeover`](deflate::DeflateConfig::client_no_context_takeover).
    DeflateClientNoContextTakeover(bool),
    /// 8-15; see [`DeflateConfig::server_max_window_bits`](deflate::DeflateConfig::server_max_window_bits).
    DeflateServerMaxWindowBits(u8),
    /// 8-15; see [`DeflateConfig::client_max_window_bits`](deflate::DeflateConfig::client_max_window_bits).
    DeflateClientMaxWindowBits(u8),
    /// Bytes from which a whole message is compressed (any time, also on an open connection).
    DeflateThreshold(usize),
    /// Client: fail with 1010 when the server does not accept permessage-deflate (until the
    /// server's answer arrives).
    DeflateRequired(bool),
}

impl ConnOption {
    /// Whether the option shapes the permessage-deflate offer or answer (fixed once the
    /// opening handshake is under way).
    fn shapes_deflate(self) -> bool {
        use ConnOption::*;
        matches!(
            self,
            Deflate(_)
                | DeflateServerNoContextTakeover(_)
                | DeflateClientNoContextTakeover(_)
                | DeflateServerMaxWindowBits(_)
                | DeflateClientMaxWindowBits(_)
        )
    }

    /// Apply a permessage-deflate option to `d`: `Ok(false)` when `self` is another kind of
    /// option, `InvalidArgument` for window bits outside 8-15.
    pub fn apply_deflate(self, d: &mut deflate::DeflateConfig) -> ReactorResult<bool> {
        use ConnOption::*;
        let bits = |b: u8| {
            if (8..=15).contains(&b) {
                Ok(b)
            } else {
                Err(ReactorError::from(Error::InvalidArgument(
                    "window bits must be 8 to 15",
                )))
            }
        };
        match self {
            Deflate(b) => d.enabled = b,
            DeflateServerNoContextTakeover(b) => d.server_no_context_takeover = b,
            DeflateClientNoContextTakeover(b) => d.client_no_context_takeover = b,
            DeflateServerMaxWindowBits(b) => d.server_max_window_bits = bits(b)?,
            DeflateClientMaxWindowBits(b) => d.client_max_window_bits = bits(b)?,
            DeflateThreshold(n) => d.threshold = n,
            DeflateRequired(b) => d.required = b,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

// ------------------------------------------------------------------ events

/// A client's opening handshake, valid per RFC 6455 4.2.1, waiting for
/// [`Reactor::accept`] or [`Reactor::reject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method (`GET`).
    pub method: String,
    /// The request target (path and query), as received.
    pub target: String,
    /// The protocol version, e.g. `HTTP/1.1`.
    pub http_version: String,
    /// Every header field in the order received, duplicates kept.
    pub headers: Vec<(String, String)>,
    /// The `Host` header.
    pub host: String,
    /// `Sec-WebSocket-Key`.
    pub key: String,
    /// `Sec-WebSocket-Version` (`13`).
    pub version: String,
    /// `Origin` (or the `Sec-WebSocket-Origin` of drafts 4-10), if any.
    pub origin: Option<String>,
    /// The subprotocols offered, in the client's order of preference.
    pub protocols: Vec<String>,
    /// The `Sec-WebSocket-Extensions` value as received (several headers joined with
    /// `, `), if any.
    pub extensions: Option<String>,
}

/// What happened, in a batch returned by [`Reactor::poll`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactorEvent {
    /// A listener accepted a TCP connection (its opening handshake follows).
    Accept {
        listener: u64,
        conn: u64,
        peer: SocketAddr,
    },
    /// A valid opening handshake arrived; answer with `accept` or `reject`.
    Request { conn: u64, request: Box<Request> },
    /// The WebSocket connection is open. `response_headers` are the server's (client side;
    /// empty server side).
    Open {
        conn: u64,
        protocol: Option<String>,
        extensions: Option<String>,
        response_headers: Vec<(String, String)>,
    },
    /// A text message (valid UTF-8, as bytes).
    Text { conn: u64, data: Vec<u8> },
    /// A binary message.
    Binary { conn: u64, data: Vec<u8> },
    /// A ping (the automatic pong is already queued when `auto_pong` is on).
    Ping { conn: u64, data: Vec<u8> },
    /// A pong.
    Pong { conn: u64, data: Vec<u8> },
    /// The peer's Close frame (1005 when it had no code); our reply is already queued.
    Close {
        conn: u64,
        code: u16,
        reason: String,
    },
    /// Something failed: a protocol violation (its close code; our Close is queued), a
    /// rejected or invalid handshake (the HTTP status), a timeout or an OS error (1006, or
    /// 1001 for a pong timeout). A `Closed` follows when the connection is gone.
    Error {
        conn: u64,
        code: u16,
        message: String,
    },
    /// The TCP connection is gone: the code and reason of the peer's Close; else, when the
    /// engine failed the connection (a protocol error or a limit, reported by an `Error`
    /// before), the close code it sent (1002, 1007, 1009...) and the error's message; else
    /// 1006 and an empty reason. The id is dead afterwards.
    Closed {
        conn: u64,
        code: u16,
        reason: String,
    },
    /// All output was written after some of it had to wait (back-pressure is over).
    Drain { conn: u64 },
    /// A watched descriptor is readable (reported at every poll while it stays readable).
    Readable { fd: RawFd },
    /// A watched descriptor is writable (reported at every poll while it stays writable).
    Writable { fd: RawFd },
    /// A timer fired.
    Timer { id: u64 },
}

impl ReactorEvent {
    /// The connection an event is about, if any.
    pub fn conn(&self) -> Option<u64> {
        use ReactorEvent::*;
        match self {
            Accept { conn, .. }
            | Request { conn, .. }
            | Open { conn, .. }
            | Text { conn, .. }
            | Binary { conn, .. }
            | Ping { conn, .. }
            | Pong { conn, .. }
            | Close { conn, .. }
            | Error { conn, .. }
            | Closed { conn, .. }
            | Drain { conn } => Some(*conn),
            Readable { .. } | Writable { .. } | Timer { .. } => None,
        }
    }
}

// ------------------------------------------------------------------ errors

/// The result code of an operating-system error ([`ReactorError::Io`]) in the C ABI.
///
/// cbindgen:ignore
pub const IO_ERROR_CODE: u32 = 401;

/// Why a reactor operation failed.
#[derive(Debug)]
pub enum ReactorError {
    /// An engine error: misuse (`InvalidState`, `InvalidArgument`), a refused send
    /// (`SendPayloadTooBig`, `ControlFrameTooLong`, `InvalidUtf8`...).
    Engine(Error),
    /// The operating system refused (bind, listen, resolve, epoll...): what we tried, and
    /// the OS error.
    Io { context: String, source: io::Error },
    /// A TLS configuration could not be built (bad PEM, a key that does not match the
    /// certificate, an unsupported key type, an invalid server name...): the reason.
    Tls(String),
}

impl ReactorError {
    /// The stable code: the engine error's code, [`IO_ERROR_CODE`] (401) or
    /// [`TLS_ERROR_CODE`] (402).
    pub fn code(&self) -> u32 {
        match self {
            ReactorError::Engine(e) => e.code(),
            ReactorError::Io { .. } => IO_ERROR_CODE,
            ReactorError::Tls(_) => tls::TLS_ERROR_CODE,
        }
    }

    /// The engine error's close code or HTTP status, or the OS error number (errno); 0 for a
    /// TLS configuration error.
    pub fn detail(&self) -> u32 {
        match self {
            ReactorError::Engine(e) => e.close_code().or(e.http_status()).unwrap_or(0) as u32,
            ReactorError::Io { source, .. } => source.raw_os_error().unwrap_or(0) as u32,
            ReactorError::Tls(_) => 0,
        }
    }

    fn io(context: impl Into<String>, source: io::Error) -> Self {
        ReactorError::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for ReactorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReactorError::Engine(e) => e.fmt(f),
            ReactorError::Io { context, source } => write!(f, "{context}: {source}"),
            ReactorError::Tls(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ReactorError {}

impl From<Error> for ReactorError {
    fn from(e: Error) -> Self {
        ReactorError::Engine(e)
    }
}

/// Result of reactor operations.
pub type ReactorResult<T> = std::result::Result<T, ReactorError>;

const FORKED: Error = Error::InvalidState(
    "the reactor was created in another process (fork); create a new one in the child",
);
const NO_CONN: Error = Error::InvalidState("no such connection (it is closed, or the id is wrong)");
const NOT_WAITING: Error =
    Error::InvalidState("the connection is not waiting for an answer to its opening handshake");
const NOT_OPEN: Error = Error::InvalidState("the opening handshake is not complete");

// ------------------------------------------------------------------ fork detection

/// Incremented in every child process right after `fork` (a `pthread_atfork` handler), so
/// that the owner check costs one atomic load instead of a `getpid` system call.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

fn fork_generation() -> u64 {
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only touches an atomic (async-signal-safe).
        unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
    });
    FORK_GENERATION.load(Ordering::Relaxed)
}

// ------------------------------------------------------------------ internals

/// A hasher for the reactor's sequential ids and descriptors (a multiplicative hash; the
/// keys are never chosen by a peer).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Deadlines of timers, connections and listeners (`(instant, id)`; ids are unique across
/// the three kinds). Stale entries are skipped when they come up.
pub(crate) type TimerHeap = BinaryHeap<Reverse<(Instant, u64)>>;

/// Token bit of watched foreign descriptors (ids stay far below it).
const WATCH_BIT: usize = 1 << 62;
/// Size of the reactor's one read buffer.
const READ_BUF: usize = 64 * 1024;
/// Accepts per listener per poll before other work gets a turn.
const ACCEPT_BUDGET: usize = 128;
/// When accept fails for lack of descriptors (EMFILE...), retry after this long.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

struct Listener {
    sock: TcpListener,
    retry_at: Option<Instant>,
    /// Connections accepted from now on speak TLS first.
    tls: Option<TlsServerConfig>,
}

struct UserTimer {
    due: Instant,
    repeat: Option<Duration>,
}

/// The event loop. See the [module documentation](self).
pub struct Reactor {
    poll: Poll,
    events: Events,
    config: ReactorConfig,
    next_id: u64,
    generation: u64,
    pid: u32,
    listeners: IdMap<u64, Listener>,
    conns: IdMap<u64, Conn>,
    timers: IdMap<u64, UserTimer>,
    heap: TimerHeap,
    due: Vec<(Instant, u64)>,
    pending: Vec<u64>,
    pending_now: Vec<u64>,
    watches: Watches,
    queue: VecDeque<ReactorEvent>,
    rbuf: Vec<u8>,
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("fd", &self.poll.as_raw_fd())
            .field("pid", &self.pid)
            .field("listeners", &self.listeners.len())
            .field("connections", &self.conns.len())
            .field("timers", &self.timers.len())
            .field("watches", &self.watches.len())
            .field("queued_events", &self.queue.len())
            .finish()
    }
}

/// Replace the permessage-deflate offer of a client request by the engine's, or remove it
/// when deflate is disabled.
fn set_deflate_offer(handshake: &mut ClientHandshakeConfig, config: &deflate::DeflateConfig) {
    handshake.extensions = deflate::strip(std::mem::take(&mut handshake.extensions));
    if config.enabled {
        handshake.extensions.push(deflate::client_offer(config));
    }
}

/// The default `Host` header for a connection to `host:port` (`ws://`: port 80 omitted).
fn host_header(host: &str, port: u16) -> String {
    host_header_default(host, port, 80)
}

/// The default `Host` header for a connection to `host:port`, the scheme's default port
/// omitted.
fn host_header_default(host: &str, port: u16, default_port: u16) -> String {
    let h = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    if port == default_port {
        h
    } else {
        format!("{h}:{port}")
    }
}

impl Reactor {
    /// A reactor with the default configuration.
    pub fn new() -> ReactorResult<Self> {
        Self::with_config(ReactorConfig::default())
    }

    /// A reactor whose connections get `config` (a copy each).
    pub fn with_config(config: ReactorConfig) -> ReactorResult<Self> {
        let poll = Poll::new().map_err(|e| ReactorError::io("create the epoll instance", e))?;
        Ok(Reactor {
            poll,
            events: Events::with_capacity(1024),
            config,
            next_id: 0,
            generation: fork_generation(),
            pid: std::process::id(),
            listeners: IdMap::default(),
            conns: IdMap::default(),
            timers: IdMap::default(),
            heap: TimerHeap::new(),
            due: Vec::new(),
            pending: Vec::new(),
            pending_now: Vec::new(),
            watches: Watches::default(),
            queue: VecDeque::new(),
            rbuf: vec![0; READ_BUF],
        })
    }

    /// The defaults given to new connections.
    pub fn config(&self) -> &ReactorConfig {
        &self.config
    }

    /// Change the defaults given to connections created from now on.
    pub fn config_mut(&mut self) -> &mut ReactorConfig {
        &mut self.config
    }

    /// The id of the process that created the reactor.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The epoll descriptor: it becomes readable when [`poll`](Self::poll) has I/O to do, so
    /// another event loop (AnyEvent, IO::Async, Mojo) can drive the reactor by watching it
    /// and calling `poll(Some(Duration::ZERO))`, with a timer for
    /// [`next_deadline`](Self::next_deadline).
    pub fn fileno(&self) -> RawFd {
        self.poll.as_raw_fd()
    }

    /// Number of connections (in any phase, until their `Closed`).
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Number of listeners.
    pub fn listener_count(&self) -> usize {
        self.listeners.len()
    }

    /// Whether the reactor was created in another process (its owner forked since).
    pub fn is_foreign(&self) -> bool {
        fork_generation() != self.generation
    }

    /// Tests: behave as if this process were a child forked after the reactor's creation.
    #[doc(hidden)]
    pub fn simulate_fork(&mut self) {
        self.generation = self.generation.wrapping_sub(1);
    }

    fn check(&self) -> ReactorResult<()> {
        if FORK_GENERATION.load(Ordering::Relaxed) != self.generation {
            return Err(FORKED.into());
        }
        Ok(())
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Time until the next timer or connection deadline (zero when events are already
    /// waiting to be returned), `None` when nothing is scheduled.
    pub fn next_deadline(&self) -> Option<Duration> {
        if !self.queue.is_empty() || !self.pending.is_empty() {
            return Some(Duration::ZERO);
        }
        self.heap
            .peek()
            .map(|Reverse((t, _))| t.saturating_duration_since(Instant::now()))
    }

    fn split(&mut self, now: Instant) -> (&mut IdMap<u64, Conn>, Ctx<'_>, &mut [u8]) {
        (
            &mut self.conns,
            Ctx {
                queue: &mut self.queue,
                heap: &mut self.heap,
                pending: &mut self.pending,
                registry: self.poll.registry(),
                now,
            },
            &mut self.rbuf,
        )
    }

    /// Remove a connection: deregister, shut down, close, report `Closed`.
    fn finish(&mut self, id: u64) {
        if let Some(mut c) = self.conns.remove(&id) {
            let (code, reason) = c.closed_status();
            if let Some(t) = c.tls.as_deref_mut() {
                t.close_notify(&c.sock);
            }
            let _ = self.poll.registry().deregister(&mut c.sock);
            let _ = c.sock.shutdown(Shutdown::Both);
            drop(c);
            self.queue.push_back(ReactorEvent::Closed {
                conn: id,
                code,
                reason,
            });
            self.prune_heap();
        }
    }

    /// Run `f` on connection `id` with a context, then finish it if asked.
    fn with_conn<T>(
        &mut self,
        id: u64,
        f: impl FnOnce(&mut Conn, &mut Ctx) -> ReactorResult<(T, Fate)>,
    ) -> ReactorResult<T> {
        self.check()?;
        let (conns, mut ctx, _) = self.split(Instant::now());
        let c = conns.get_mut(&id).ok_or(NO_CONN)?;
        let (v, fate) = f(c, &mut ctx)?;
        if fate == Fate::Finish {
            self.finish(id);
        }
        Ok(v)
    }

    // -------------------------------------------------------------- listeners

    /// Listen on `host:port` (port 0 = any free port) with `SO_REUSEADDR` and the given
    /// backlog. Returns the listener id and the bound port.
    pub fn listen(&mut self, host: &str, port: u16, backlog: i32) -> ReactorResult<(u64, u16)> {
        self.check()?;
        let what = || format!("listen on {}", host_header(host, port));
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| ReactorError::io(what(), e))?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name has no address");
        for addr in addrs {
            match Self::bind(addr, backlog) {
                Ok(l) => {
                    let bound = l.local_addr().map(|a| a.port()).unwrap_or(port);
                    let id = self
                        .add_listener(l)
                        .map_err(|e| ReactorError::io(what(), e))?;
                    return Ok((id, bound));
                }
                Err(e) => last = e,
            }
        }
        Err(ReactorError::io(what(), last))
    }

    fn bind(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
        use socket2::{Domain, Socket, Type};
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        s.set_reuse_address(true)?;
        s.set_nonblocking(true)?;
        s.bind(&addr.into())?;
        s.listen(if backlog > 0 { backlog } else { 1024 })?;
        Ok(TcpListener::from_std(s.into()))
    }

    fn add_listener(&mut self, mut sock: TcpListener) -> io::Result<u64> {
        let id = self.new_id();
        self.poll
            .registry()
            .register(&mut sock, Token(id as usize), Interest::READABLE)?;
        self.listeners.insert(
            id,
            Listener {
                sock,
                retry_at: None,
                tls: None,
            },
        );
        // Connections may be waiting already.
        self.pending.push(id);
        Ok(id)
    }

    /// Adopt a listening TCP socket: the reactor works on a duplicate (`dup`), so the
    /// caller's descriptor stays independent. The socket is set non-blocking, which its
    /// duplicates share (`O_NONBLOCK` belongs to the open file).
    pub fn listen_fd(&mut self, fd: RawFd) -> ReactorResult<u64> {
        self.check()?;
        let what = || format!("listen on descriptor {fd}");
        let mut accepting: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: plain system calls on a caller-given descriptor, with valid out pointers.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ACCEPTCONN,
                (&mut accepting as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(ReactorError::io(what(), io::Error::last_os_error()));
        }
        if accepting == 0 {
            return Err(Error::InvalidArgument("the descriptor is not a listening socket").into());
        }
        // SAFETY: duplicates a valid descriptor; the duplicate is owned from here on.
        let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        if dup < 0 {
            return Err(ReactorError::io(what(), io::Error::last_os_error()));
        }
        // SAFETY: `dup` is a fresh descriptor that nothing else owns.
        let std_listener = unsafe { std::net::TcpListener::from_raw_fd(dup) };
        std_listener
            .set_nonblocking(true)
            .map_err(|e| ReactorError::io(what(), e))?;
        self.add_listener(TcpListener::from_std(std_listener))
            .map_err(|e| ReactorError::io(what(), e))
    }

    /// Stop listening and close the listener (connections it accepted are not affected).
    pub fn unlisten(&mut self, id: u64) -> ReactorResult<()> {
        self.check()?;
        let mut l = self
            .listeners
            .remove(&id)
            .ok_or(Error::InvalidArgument("no such listener"))?;
        let _ = self.poll.registry().deregister(&mut l.sock);
        Ok(())
    }

    /// Make listener `id` speak TLS (`wss://`) with `tls`, or plain TCP again with `None`,
    /// for the connections it accepts from now on (see [`TlsServerConfig`]): each does the
    /// TLS handshake, then the opening handshake over TLS, both within `handshake_timeout`.
    /// Connections that fail the TLS handshake (a plain-text client, a client that rejects
    /// the certificate...) end with `Error` (code 1015, "TLS handshake failed: ...") and
    /// `Closed` (1015).
    pub fn listener_tls(&mut self, id: u64, tls: Option<TlsServerConfig>) -> ReactorResult<()> {
        self.check()?;
        let l = self
            .listeners
            .get_mut(&id)
            .ok_or(Error::InvalidArgument("no such listener"))?;
        l.tls = tls;
        Ok(())
    }

    /// The local address of a listener.
    pub fn listener_addr(&self, id: u64) -> ReactorResult<SocketAddr> {
        self.check()?;
        let l = self
            .listeners
            .get(&id)
            .ok_or(Error::InvalidArgument("no such listener"))?;
        l.sock
            .local_addr()
            .map_err(|e| ReactorError::io("getsockname", e))
    }

    fn accept_ready(&mut self, lid: u64, now: Instant) {
        for _ in 0..ACCEPT_BUDGET {
            let Some(l) = self.listeners.get_mut(&lid) else {
                return;
            };
            match l.sock.accept() {
                Ok((sock, peer)) => self.add_server_conn(lid, sock, peer, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(_) => {
                    // Out of descriptors or memory: the pending connections stay in the
                    // backlog; try again a little later rather than spin.
                    let at = now + ACCEPT_RETRY;
                    l.retry_at = Some(at);
                    self.heap.push(Reverse((at, lid)));
                    return;
                }
            }
        }
        self.pending.push(lid);
    }

    fn add_server_conn(&mut self, lid: u64, mut sock: TcpStream, peer: SocketAddr, now: Instant) {
        let tls = match self
            .listeners
            .get(&lid)
            .and_then(|l| l.tls.as_ref())
            .map(tls::Tls::server)
        {
            None => None,
            Some(Ok(t)) => Some(Box::new(t)),
            // Only a configuration without any usable protocol version fails here.
            Some(Err(_)) => return,
        };
        let id = self.new_id();
        if self.config.nodelay {
            let _ = sock.set_nodelay(true);
        }
        if self
            .poll
            .registry()
            .register(
                &mut sock,
                Token(id as usize),
                Interest::READABLE | Interest::WRITABLE,
            )
            .is_err()
        {
            return;
        }
        let cfg = &self.config;
        let hs = ServerHandshake::new(Limits::from(&cfg.engine), vec![13]);
        let mut c = Conn::new(
            sock,
            Phase::ServerHandshake { hs: Box::new(hs) },
            cfg.engine.clone(),
            cfg.settings(),
            now,
        );
        c.peer = Some(peer);
        c.tls = tls;
        self.queue.push_back(ReactorEvent::Accept {
            listener: lid,
            conn: id,
            peer,
        });
        let (_, mut ctx, _) = self.split(now);
        c.schedule(id, &mut ctx);
        self.conns.insert(id, c);
    }

    // -------------------------------------------------------------- client connections

    /// Open a client connection to `host:port` (resolved here, which may block) and send the
    /// opening handshake described by `handshake` (an empty `host` gets `host[:port]`).
    /// permessage-deflate elements of `handshake.extensions` are left out; when
    /// `engine.deflate.enabled`, the engine's offer ([`deflate::client_offer`]) is appended
    /// after the other extensions, and the server's answer is checked against it: a bad
    /// answer, or none while `deflate.required`, gives an `Error` with 1010 (and a Close
    /// frame with 1010), then `Closed`.
    /// `config` overrides the reactor's defaults for this connection. The result arrives as
    /// `Open`, or `Error` + `Closed` (e.g. "Connection refused (os error 111)").
    pub fn connect(
        &mut self,
        host: &str,
        port: u16,
        handshake: ClientHandshakeConfig,
        config: Option<&ReactorConfig>,
    ) -> ReactorResult<u64> {
        self.connect_inner(host, port, handshake, config, None)
    }

    /// As [`connect`](Self::connect), over TLS (`wss://`): the TLS handshake with
    /// `server_name` (SNI and the name the certificate must be valid for; `None` or empty:
    /// `host`; a DNS name or an IP address), verified as `tls` says, then the opening
    /// handshake over TLS (an empty `host` in `handshake` gets `host[:port]`, port 443
    /// omitted). A failed TLS handshake comes as `Error` with code 1015 and a message
    /// naming the cause ("TLS handshake failed: invalid peer certificate: unknown issuer
    /// ...", "...: certificate expired: ...", "...: certificate not valid for name ...",
    /// "...: received fatal alert: ..."), then `Closed` with 1015. An invalid server name
    /// fails at once ([`ReactorError::Tls`]).
    pub fn connect_tls(
        &mut self,
        host: &str,
        port: u16,
        mut handshake: ClientHandshakeConfig,
        config: Option<&ReactorConfig>,
        tls: &TlsClientConfig,
        server_name: Option<&str>,
    ) -> ReactorResult<u64> {
        self.check()?;
        let name = tls::server_name(server_name.filter(|n| !n.is_empty()).unwrap_or(host))?;
        if handshake.host.is_empty() {
            handshake.host = host_header_default(host, port, 443);
        }
        let t = tls::Tls::client(tls, name)
            .map_err(|e| ReactorError::Tls(format!("TLS configuration: {e}")))?;
        self.connect_inner(host, port, handshake, config, Some(Box::new(t)))
    }

    fn connect_inner(
        &mut self,
        host: &str,
        port: u16,
        mut handshake: ClientHandshakeConfig,
        config: Option<&ReactorConfig>,
        tls: Option<Box<tls::Tls>>,
    ) -> ReactorResult<u64> {
        self.check()?;
        let cfg = config.unwrap_or(&self.config).clone();
        if handshake.host.is_empty() {
            handshake.host = host_header(host, port);
        }
        let what = || format!("connect to {}", host_header(host, port));
        let mut addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| ReactorError::io(what(), e))?
            .collect();
        if addrs.is_empty() {
            return Err(ReactorError::io(
                what(),
                io::Error::new(io::ErrorKind::NotFound, "the host name has no address"),
            ));
        }
        set_deflate_offer(&mut handshake, &cfg.engine.deflate);
        let hs = ClientHandshake::new(handshake, Limits::from(&cfg.engine))?;
        let request = hs.request_bytes();
        let now = Instant::now();
        let id = self.new_id();
        let first = addrs.remove(0);
        let (sock, err) = match TcpStream::connect(first) {
            Ok(s) => (s, None),
            Err(e) => {
                // Keep a socket to hold the place; connect_next() replaces it.
                let placeholder = socket2::Socket::new(
                    socket2::Domain::for_address(first),
                    socket2::Type::STREAM,
                    None,
                )
                .map_err(|e| ReactorError::io(what(), e))?;
                (TcpStream::from_std(placeholder.into()), Some(e))
            }
        };
        let mut c = Conn::new(
            sock,
            Phase::Connecting {
                hs: Box::new(hs),
                rest: addrs,
            },
            cfg.engine.clone(),
            cfg.settings(),
            now,
        );
        c.set_hs_out(request);
        c.tls = tls;
        if cfg.nodelay {
            let _ = c.sock.set_nodelay(true);
        }
        let (_, mut ctx, _) = self.split(now);
        let fate = match err {
            None => match ctx.registry.register(
                &mut c.sock,
                Token(id as usize),
                Interest::READABLE | Interest::WRITABLE,
            ) {
                Ok(()) => Fate::Keep,
                Err(e) => c.connect_next(id, &mut ctx, e),
            },
            Some(e) => c.connect_next(id, &mut ctx, e),
        };
        c.schedule(id, &mut ctx);
        if fate == Fate::Finish {
            let _ = ctx.registry.deregister(&mut c.sock);
            ctx.queue.push_back(ReactorEvent::Closed {
                conn: id,
                code: conn::ABNORMAL,
                reason: String::new(),
            });
        } else {
            self.conns.insert(id, c);
        }
        Ok(id)
    }

    // -------------------------------------------------------------- server handshake answers

    /// Accept the opening handshake reported by a `Request` event: write the 101 answer
    /// with the selected `protocol` and `extensions` (a `Sec-WebSocket-Extensions` value)
    /// and the extra headers, open the connection (an `Open` event follows) and resume
    /// reading.
    ///
    /// permessage-deflate is the engine's business: when the connection's
    /// `engine.deflate.enabled` is set, the first acceptable permessage-deflate offer of the
    /// request is accepted ([`deflate::negotiate`]) and its element comes first in the
    /// answer's `Sec-WebSocket-Extensions`, followed by the elements of `extensions`; any
    /// permessage-deflate element in `extensions` is left out (only the engine can honour
    /// it), so with deflate disabled the extension is never accepted. The `Open` event
    /// reports the whole value sent. Fails with `InvalidArgument` when `extensions` is not a
    /// valid `Sec-WebSocket-Extensions` value (the connection keeps waiting for an answer).
    pub fn accept(
        &mut self,
        id: u64,
        protocol: Option<&str>,
        extensions: Option<&str>,
        extra_headers: &[(String, String)],
    ) -> ReactorResult<()> {
        self.with_conn(id, |c, ctx| {
            if !matches!(c.phase, Phase::AwaitingAnswer { .. }) {
                return Err(NOT_WAITING.into());
            }
            let others = match extensions.filter(|e| !e.is_empty()) {
                Some(e) => deflate::strip(parse_extensions(&[e]).map_err(|_| {
                    Error::InvalidArgument(
                        "the extensions are not a valid Sec-WebSocket-Extensions value",
                    )
                })?),
                None => Vec::new(),
            };
            let Phase::AwaitingAnswer {
                key,
                leftover,
                offers,
            } = std::mem::replace(&mut c.phase, Phase::Lingering)
            else {
                unreachable!()
            };
            let agreed = if c.engine_cfg.deflate.enabled {
                deflate::negotiate(&offers, &c.engine_cfg.deflate)
            } else {
                None
            };
            let mut elements: Vec<ExtensionOffer> =
                agreed.iter().map(DeflateParams::to_extension).collect();
            elements.extend(others);
            let protocol = protocol.filter(|p| !p.is_empty());
            c.set_hs_out(accept_response(&key, protocol, &elements, extra_headers));
            let mut ws = Box::new(Connection::new(Role::Server, c.engine_cfg.clone()));
            // A fresh connection has no message in progress.
            let _ = ws.set_deflate(agreed);
            ctx.queue.push_back(ReactorEvent::Open {
                conn: id,
                protocol: protocol.map(str::to_owned),
                extensions: (!elements.is_empty()).then(|| format_extensions(&elements)),
                response_headers: Vec::new(),
            });
            if !leftover.is_empty() {
                ws.receive(&leftover);
            }
            c.phase = Phase::Open { ws };
            c.touch(ctx.now);
            // Bytes that arrived while we waited raised no new edge: read at the next poll.
            ctx.pending.push(id);
            Ok(((), c.settle(id, ctx)))
        })
    }

    /// Refuse the opening handshake reported by a `Request` event with an HTTP `status`
    /// (200-599 but 101), extra headers and a body; the connection closes once the answer
    /// is written (`Closed` follows).
    pub fn reject(
        &mut self,
        id: u64,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> ReactorResult<()> {
        if !(200..=599).contains(&status) {
            self.check()?;
            return Err(
                Error::InvalidArgument("the status of a rejection must be 200 to 599").into(),
            );
        }
        self.with_conn(id, |c, ctx| {
            if !matches!(c.phase, Phase::AwaitingAnswer { .. }) {
                return Err(NOT_WAITING.into());
            }
            c.set_hs_out(reject_response(status, headers, body));
            c.phase = Phase::Rejecting;
            Ok(((), c.settle(id, ctx)))
        })
    }

    // -------------------------------------------------------------- sending and closing

    /// Send one frame (see [`Connection::send_frame`]: opcodes 0-2 and 8-10, `fin` false
    /// for fragments). The bytes are written to the socket now when it takes them; the rest
    /// waits (see [`buffered_amount`](Self::buffered_amount)). A send made while more than
    /// `max_buffered` bytes were already waiting drops the connection (an
    /// `Error` and `Closed` follow; the call itself succeeds).
    pub fn send(
        &mut self,
        id: u64,
        opcode: OpCode,
        fin: bool,
        payload: &[u8],
    ) -> ReactorResult<()> {
        self.with_conn(id, |c, ctx| {
            let Phase::Open { ws } = &mut c.phase else {
                return Err(NOT_OPEN.into());
            };
            ws.send_frame(opcode, fin, payload)?;
            if opcode == OpCode::Ping {
                c.sent_ping(ctx.now);
            }
            c.touch(ctx.now);
            Ok(((), c.settle(id, ctx)))
        })
    }

    /// Start the close handshake with `code` (`None`: a Close without status; the reason
    /// must then be empty). Before the opening handshake completed, this just drops the TCP
    /// connection.
    pub fn close(&mut self, id: u64, code: Option<u16>, reason: &str) -> ReactorResult<()> {
        self.with_conn(id, |c, ctx| match &mut c.phase {
            Phase::Open { ws } => {
                ws.close(code, reason)?;
                Ok(((), c.settle(id, ctx)))
            }
            _ => Ok(((), Fate::Finish)),
        })
    }

    /// Close the TCP connection now, without a close handshake (`Closed` follows).
    pub fn drop_conn(&mut self, id: u64) -> ReactorResult<()> {
        self.with_conn(id, |_, _| Ok(((), Fate::Finish)))
    }

    /// Bytes accepted for sending but not written to the socket yet.
    pub fn buffered_amount(&self, id: u64) -> ReactorResult<usize> {
        self.check()?;
        Ok(self.conns.get(&id).ok_or(NO_CONN)?.buffered())
    }

    /// The opening-handshake bytes of connection `id` not written yet: a client's request
    /// from `connect` until the TCP connection is up and it is written; a server's answer
    /// while it waits for the socket. Empty once written.
    pub fn pending_handshake(&self, id: u64) -> ReactorResult<&[u8]> {
        self.check()?;
        Ok(self.conns.get(&id).ok_or(NO_CONN)?.pending_handshake())
    }

    /// The peer's address.
    pub fn peer_addr(&self, id: u64) -> ReactorResult<SocketAddr> {
        self.check()?;
        self.conns
            .get(&id)
            .ok_or(NO_CONN)?
            .peer
            .ok_or_else(|| Error::InvalidState("the connection is not established yet").into())
    }

    /// What was negotiated on a TLS connection (version, ALPN, cipher suite); `None` for a
    /// plain connection or before its TLS handshake completed.
    pub fn tls_info(&self, id: u64) -> ReactorResult<Option<TlsInfo>> {
        self.check()?;
        Ok(self
            .conns
            .get(&id)
            .ok_or(NO_CONN)?
            .tls
            .as_ref()
            .and_then(|t| t.info()))
    }

    /// Our address on a connection.
    pub fn local_addr(&self, id: u64) -> ReactorResult<SocketAddr> {
        self.check()?;
        let c = self.conns.get(&id).ok_or(NO_CONN)?;
        if matches!(c.phase, Phase::Connecting { .. }) {
            return Err(Error::InvalidState("the connection is not established yet").into());
        }
        c.sock
            .local_addr()
            .map_err(|e| ReactorError::io("getsockname", e))
    }

    /// Change one setting of one connection.
    pub fn set_option(&mut self, id: u64, opt: ConnOption) -> ReactorResult<()> {
        self.with_conn(id, |c, ctx| {
            if opt.shapes_deflate() {
                let mut d = c.engine_cfg.deflate.clone();
                opt.apply_deflate(&mut d)?;
                match &mut c.phase {
                    Phase::ServerHandshake { .. } | Phase::AwaitingAnswer { .. } => {}
                    Phase::Connecting { hs, .. } => {
                        set_deflate_offer(hs.config_mut(), &d);
                        let request = hs.request_bytes();
                        c.set_hs_out(request);
                    }
                    _ => {
                        return Err(Error::InvalidState(
                            "permessage-deflate settings cannot change once the opening handshake is under way",
                        )
                        .into())
                    }
                }
                c.engine_cfg.deflate = d;
                return Ok(((), Fate::Keep));
            }
            let mut engine = |f: &mut dyn FnMut(&mut Config)| {
                f(&mut c.engine_cfg);
                if let Phase::Open { ws } = &mut c.phase {
                    f(ws.config_mut());
                }
            };
            match opt {
                ConnOption::MaxMessageSize(n) => engine(&mut |e| e.max_message_size = n),
                ConnOption::MaxFragments(n) => engine(&mut |e| e.max_fragments = n),
                ConnOption::MaxSendSize(n) => engine(&mut |e| e.max_send_size = n),
                ConnOption::AcceptUnmaskedFrames(b) => engine(&mut |e| e.accept_unmasked_frames = b),
                ConnOption::AutoPong(b) => engine(&mut |e| e.auto_pong = b),
                ConnOption::Nodelay(b) => {
                    c.sock.set_nodelay(b).map_err(|e| ReactorError::io("set TCP_NODELAY", e))?
                }
                ConnOption::HandshakeTimeout(d) => c.s.handshake_timeout = d,
                ConnOption::CloseTimeout(d) => c.s.close_timeout = d,
                ConnOption::MaxBuffered(n) => c.s.max_buffered = n,
                ConnOption::PingInterval(d) => c.s.ping_interval = d,
                ConnOption::PongTimeout(d) => c.s.pong_timeout = d,
                ConnOption::DeflateThreshold(n) => engine(&mut |e| e.deflate.threshold = n),
                ConnOption::DeflateRequired(b) => engine(&mut |e| e.deflate.required = b),
                // handled above
                ConnOption::Deflate(_)
                | ConnOption::DeflateServerNoContextTakeover(_)
                | ConnOption::DeflateClientNoContextTakeover(_)
                | ConnOption::DeflateServerMaxWindowBits(_)
                | ConnOption::DeflateClientMaxWindowBits(_) => {}
            }
            // A shorter timeout may be due earlier than the scheduled entry.
            c.timer_at = None;
            c.schedule(id, ctx);
            Ok(((), Fate::Keep))
        })
    }

    // -------------------------------------------------------------- timers and watches

    /// A timer that fires `after` from now, then every `repeat` (`None` or zero: once).
    pub fn add_timer(&mut self, after: Duration, repeat: Option<Duration>) -> ReactorResult<u64> {
        self.check()?;
        let id = self.new_id();
        let due = Instant::now() + after;
        self.timers.insert(
            id,
            UserTimer {
                due,
                repeat: repeat.filter(|r| !r.is_zero()),
            },
        );
        self.heap.push(Reverse((due, id)));
        Ok(id)
    }

    /// Cancel a timer; false when it was not active (fired once already, or cancelled).
    pub fn cancel_timer(&mut self, id: u64) -> ReactorResult<bool> {
        self.check()?;
        let found = self.timers.remove(&id).is_some();
        self.prune_heap();
        Ok(found)
    }

    /// Drop stale entries from the top of the timer heap, so that the next deadline (and
    /// the wait of the next poll) is a real one.
    fn prune_heap(&mut self) {
        while let Some(&Reverse((t, id))) = self.heap.peek() {
            let live = match self.timers.get(&id) {
                Some(timer) => timer.due == t,
                None => match self.conns.get(&id) {
                    Some(c) => c.timer_at == Some(t),
                    None => self
                        .listeners
                        .get(&id)
                        .is_some_and(|l| l.retry_at == Some(t)),
                },
            };
            if live {
                return;
            }
            self.heap.pop();
        }
    }

    /// Watch a foreign descriptor (not owned: never closed by the reactor) for
    /// readability and/or writability, level-triggered: `Readable`/`Writable` events come at
    /// every poll while the condition holds. Both false = [`unwatch`](Self::unwatch).
    /// Watching again changes the interest. A descriptor closed without `unwatch` is
    /// forgotten at the next poll.
    pub fn watch(&mut self, fd: RawFd, readable: bool, writable: bool) -> ReactorResult<()> {
        self.check()?;
        if fd < 0 {
            return Err(Error::InvalidArgument("negative file descriptor").into());
        }
        if !readable && !writable {
            self.watches.remove(self.poll.registry(), fd);
            return Ok(());
        }
        self.watches
            .set(
                self.poll.registry(),
                fd,
                readable,
                writable,
                Token(WATCH_BIT | fd as usize),
            )
            .map_err(|e| ReactorError::io(format!("watch descriptor {fd}"), e))
    }

    /// Stop watching a descriptor (no error when it was not watched).
    pub fn unwatch(&mut self, fd: RawFd) -> ReactorResult<()> {
        self.check()?;
        self.watches.remove(self.poll.registry(), fd);
        Ok(())
    }

    // -------------------------------------------------------------- the loop

    /// Wait for I/O at most `timeout` (`None`: until something happens), do it all, and
    /// return the events. Returns early, possibly with no events, when a signal interrupts
    /// the wait (so that the caller's signal handlers can run).
    pub fn poll(&mut self, timeout: Option<Duration>) -> ReactorResult<Vec<ReactorEvent>> {
        let mut out = Vec::new();
        self.poll_into(timeout, &mut out)?;
        Ok(out)
    }

    /// As [`poll`](Self::poll), appending to `out`; returns the number of events added.
    pub fn poll_into(
        &mut self,
        timeout: Option<Duration>,
        out: &mut Vec<ReactorEvent>,
    ) -> ReactorResult<usize> {
        self.check()?;
        let before = out.len();
        let ready_watches = self.watches.check();
        let mut timeout = timeout;
        if !self.queue.is_empty() || !self.pending.is_empty() || ready_watches {
            timeout = Some(Duration::ZERO);
        } else if let Some(Reverse((t, _))) = self.heap.peek() {
            let until = t.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(until, |d| d.min(until)));
        }
        if let Err(e) = self.poll.poll(&mut self.events, timeout) {
            if e.kind() == io::ErrorKind::Interrupted {
                out.extend(self.queue.drain(..));
                return Ok(out.len() - before);
            }
            return Err(ReactorError::io("epoll_wait", e));
        }
        let now = Instant::now();
        let mut watch_woke = false;
        let events = std::mem::replace(&mut self.events, Events::with_capacity(0));
        for ev in events.iter() {
            let token = ev.token().0;
            if token & WATCH_BIT != 0 {
                watch_woke = true;
                continue;
            }
            let id = token as u64;
            if self.listeners.contains_key(&id) {
                self.accept_ready(id, now);
                continue;
            }
            let edge = !(ev.is_read_closed() || ev.is_error());
            let (conns, mut ctx, rbuf) = self.split(now);
            let Some(c) = conns.get_mut(&id) else {
                continue;
            };
            let fate = if matches!(c.phase, Phase::Connecting { .. }) {
                c.on_connect_event(id, &mut ctx)
            } else {
                let mut fate = Fate::Keep;
                if ev.is_writable() && c.buffered() > 0 {
                    fate = c.settle(id, &mut ctx);
                }
                if fate == Fate::Keep && (ev.is_readable() || ev.is_read_closed() || ev.is_error())
                {
                    fate = c.on_readable(id, &mut ctx, rbuf, edge);
                }
                fate
            };
            if fate == Fate::Finish {
                self.finish(id);
            }
        }
        self.events = events;

        // Work that raised no edge: new listeners, accepted handshakes, read budgets.
        if !self.pending.is_empty() {
            let mut pending = std::mem::take(&mut self.pending_now);
            std::mem::swap(&mut pending, &mut self.pending);
            for &id in &pending {
                if self.listeners.contains_key(&id) {
                    self.accept_ready(id, now);
                    continue;
                }
                let (conns, mut ctx, rbuf) = self.split(now);
                let Some(c) = conns.get_mut(&id) else {
                    continue;
                };
                if c.on_readable(id, &mut ctx, rbuf, false) == Fate::Finish {
                    self.finish(id);
                }
            }
            pending.clear();
            self.pending_now = pending;
        }

        self.run_timers(now);

        if ready_watches || watch_woke {
            self.watches
                .report(&mut self.queue, ready_watches && !watch_woke);
        }
        self.prune_heap();
        out.extend(self.queue.drain(..));
        Ok(out.len() - before)
    }

    fn run_timers(&mut self, now: Instant) {
        // Collect first: what the handlers schedule (even if already due) waits for the
        // next poll, so this loop always ends.
        let mut due = std::mem::take(&mut self.due);
        while let Some(&Reverse((t, id))) = self.heap.peek() {
            if t > now {
                break;
            }
            self.heap.pop();
            due.push((t, id));
        }
        for &(t, id) in &due {
            if let Some(timer) = self.timers.get_mut(&id) {
                if timer.due != t {
                    continue;
                }
                self.queue.push_back(ReactorEvent::Timer { id });
                match timer.repeat {
                    Some(r) => {
                        let mut next = t + r;
                        if next <= now {
                            next = now + r;
                        }
                        timer.due = next;
                        self.heap.push(Reverse((next, id)));
                    }
                    None => {
                        self.timers.remove(&id);
                    }
                }
            } else if let Some(l) = self.listeners.get_mut(&id) {
                if l.retry_at == Some(t) {
                    l.retry_at = None;
                    self.accept_ready(id, now);
                }
            } else {
                let (conns, mut ctx, _) = self.split(now);
                let Some(c) = conns.get_mut(&id) else {
                    continue;
                };
                if c.timer_at != Some(t) {
                    continue;
                }
                if c.on_timer(id, &mut ctx) == Fate::Finish {
                    self.finish(id);
                }
            }
        }
        due.clear();
        self.due = due;
    }
}

impl Drop for Reactor {
    fn drop(&mut self) {
        // In the owner process, shut connections down so that copies of the descriptors
        // in forked children do not keep them open. In a child, only close our copies:
        // the sockets and the epoll registrations belong to the parent.
        if !self.is_foreign() {
            for c in self.conns.values() {
                let _ = c.sock.shutdown(Shutdown::Both);
            }
        }
    }
}
