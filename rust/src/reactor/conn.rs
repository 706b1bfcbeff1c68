//! One connection of the reactor: its socket, the phase of its life (connecting, opening
//! handshake, open, lingering), its unsent bytes and its deadlines.

use super::tls::{self, NoSigPipe, Tls, TLS_HANDSHAKE_FAILED};
use super::{ReactorEvent, Request, TimerHeap};
use crate::config::Config;
use crate::deflate;
use crate::error::Error;
use crate::handshake::{reject_response, ClientHandshake, ExtensionOffer, ServerHandshake};
use crate::protocol::{Connection, Event, State};
use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

/// How long a connection must be idle before its engine gives back idle buffer memory.
pub(super) const IDLE_SHRINK: Duration = Duration::from_secs(2);
/// Reads of the reactor's buffer per connection and per poll before the others get a turn
/// (the rest is read at the next poll, which then does not block).
const READ_BUDGET: usize = 16;

/// Close code reported for a connection that ended without a close handshake.
pub(super) const ABNORMAL: u16 = 1006;

/// Limits and timeouts of one connection that the reactor (not the engine) enforces.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub handshake_timeout: Duration,
    pub close_timeout: Duration,
    pub max_buffered: usize,
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
}

pub(super) enum Phase {
    /// Client: the TCP connection is being established; `rest` are the addresses to try next.
    Connecting {
        hs: Box<ClientHandshake>,
        rest: Vec<SocketAddr>,
    },
    /// Client: the request is (being) sent, waiting for the server's answer.
    ClientHandshake { hs: Box<ClientHandshake> },
    /// Server: reading the client's request.
    ServerHandshake { hs: Box<ServerHandshake> },
    /// Server: the request was reported; nothing is read until the caller accepts or rejects.
    AwaitingAnswer {
        key: String,
        leftover: Vec<u8>,
        /// The extensions the client offered (permessage-deflate is negotiated from them).
        offers: Vec<ExtensionOffer>,
    },
    /// Server: writing an HTTP rejection; then `Lingering`.
    Rejecting,
    /// Our side is shut down: discard input until the peer's EOF or the close timeout.
    Lingering,
    /// The WebSocket connection.
    Open { ws: Box<Connection> },
}

/// What the reactor must do with a connection after an operation on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(super) enum Fate {
    Keep,
    /// Close the TCP connection now and report `Closed`.
    Finish,
}

/// The parts of the reactor that connection code needs besides the connection itself.
pub(super) struct Ctx<'a> {
    pub queue: &'a mut VecDeque<ReactorEvent>,
    pub heap: &'a mut TimerHeap,
    /// Ids of connections (and listeners) to serve at the next poll without waiting for an
    /// edge from epoll.
    pub pending: &'a mut Vec<u64>,
    pub registry: &'a Registry,
    pub now: Instant,
}

pub(super) struct Conn {
    pub sock: TcpStream,
    pub phase: Phase,
    /// The engine configuration; copied into the engine when the connection opens.
    pub engine_cfg: Config,
    pub s: Settings,
    /// Handshake bytes not written yet (the request, the 101 or a rejection).
    hs_out: Vec<u8>,
    hs_pos: usize,
    pub created: Instant,
    last_recv: Instant,
    last_active: Instant,
    /// When the oldest ping that nothing has answered yet was sent (the pong timeout runs
    /// from it); cleared by anything received.
    pub ping_sent: Option<Instant>,
    /// When we last sent a ping (keep-alive pings are `ping_interval` apart).
    last_ping: Instant,
    /// When to give up waiting for the peer to close (set once we sent Close or shut down).
    close_at: Option<Instant>,
    /// The deadline of this connection's valid entry in the timer heap.
    pub timer_at: Option<Instant>,
    /// Output stayed pending after a write: report `Drain` once it is all written.
    backpressured: bool,
    /// Bytes left unsent after the last flush (the max_buffered check compares with it).
    pending_mark: usize,
    /// The engine failed the connection (protocol error, limit): the close code it sent and
    /// the error's message, reported by `Closed` when the peer's Close never came.
    failure: Option<(u16, String)>,
    /// Buffers were given back since the last activity.
    shrunk: bool,
    pub peer: Option<SocketAddr>,
    /// The TLS layer of a `wss` connection (boxed: a plain connection pays one word).
    pub tls: Option<Box<Tls>>,
}

impl Conn {
    pub fn new(
        sock: TcpStream,
        phase: Phase,
        engine_cfg: Config,
        s: Settings,
        now: Instant,
    ) -> Self {
        Conn {
            sock,
            phase,
            engine_cfg,
            s,
            hs_out: Vec::new(),
            hs_pos: 0,
            created: now,
            last_recv: now,
            last_active: now,
            ping_sent: None,
            last_ping: now,
            close_at: None,
            timer_at: None,
            backpressured: false,
            pending_mark: 0,
            failure: None,
            shrunk: true,
            peer: None,
            tls: None,
        }
    }

    pub fn set_hs_out(&mut self, bytes: Vec<u8>) {
        self.hs_out = bytes;
        self.hs_pos = 0;
    }

    /// Whether the connection reads its socket in its current phase.
    fn reads(&self) -> bool {
        matches!(
            self.phase,
            Phase::ServerHandshake { .. }
                | Phase::ClientHandshake { .. }
                | Phase::Open { .. }
                | Phase::Lingering
        )
    }

    /// The handshake bytes (request, 101 or rejection) not written yet.
    pub fn pending_handshake(&self) -> &[u8] {
        &self.hs_out[self.hs_pos..]
    }

    /// Bytes accepted for sending but not written to the socket yet: the handshake bytes
    /// and the engine's output, and on a TLS connection the ciphertext not written yet (the
    /// plaintext rustls took is counted as ciphertext from then on).
    pub fn buffered(&self) -> usize {
        let ws = match &self.phase {
            Phase::Open { ws } => ws.pending_output().len(),
            _ => 0,
        };
        let tls = match &self.tls {
            Some(t) => t.pending(),
            None => 0,
        };
        self.hs_out.len() - self.hs_pos + ws + tls
    }

    /// We sent a ping ourselves (through `send`): the pong timeout applies to it too.
    pub fn sent_ping(&mut self, now: Instant) {
        self.ping_sent.get_or_insert(now);
        self.last_ping = now;
    }

    pub fn touch(&mut self, now: Instant) {
        self.last_active = now;
        self.shrunk = false;
    }

    /// Write what is pending until the socket would block.
    fn flush(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        if matches!(self.phase, Phase::Connecting { .. }) {
            return Fate::Keep;
        }
        if self.tls.is_some() {
            if let Err(e) = self.flush_tls() {
                return self.io_failure(id, ctx, e);
            }
            return self.flushed(id, ctx);
        }
        loop {
            let (buf, from_hs) = pending_out(&self.hs_out, self.hs_pos, &self.phase);
            if buf.is_empty() {
                break;
            }
            match (&self.sock).write(buf) {
                Ok(n) if n > 0 => wrote_out(
                    &mut self.hs_out,
                    &mut self.hs_pos,
                    &mut self.phase,
                    from_hs,
                    n,
                ),
                Ok(_) => {
                    return self.io_failure(id, ctx, io::Error::from(io::ErrorKind::WriteZero))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.io_failure(id, ctx, e),
            }
        }
        self.flushed(id, ctx)
    }

    /// TLS: hand the pending plaintext to rustls (once its handshake is complete) and write
    /// the ciphertext, until the socket would block or everything is out. rustls takes at
    /// most its buffer limit (64 KiB of ciphertext waiting); the rest stays where it was.
    fn flush_tls(&mut self) -> io::Result<()> {
        let Some(t) = self.tls.as_deref_mut() else {
            return Ok(());
        };
        loop {
            if !t.conn.is_handshaking() {
                loop {
                    let (buf, from_hs) = pending_out(&self.hs_out, self.hs_pos, &self.phase);
                    if buf.is_empty() {
                        break;
                    }
                    let n = t.conn.writer().write(buf)?;
                    if n == 0 {
                        break;
                    }
                    wrote_out(
                        &mut self.hs_out,
                        &mut self.hs_pos,
                        &mut self.phase,
                        from_hs,
                        n,
                    );
                }
            }
            if !t.conn.wants_write() {
                break;
            }
            match t.conn.write_tls(&mut NoSigPipe(&self.sock)) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        t.refresh();
        Ok(())
    }

    /// After a flush: note back-pressure, or report its end.
    fn flushed(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        if self.buffered() > 0 {
            self.backpressured = true;
        } else if self.backpressured {
            self.backpressured = false;
            ctx.queue.push_back(ReactorEvent::Drain { conn: id });
        }
        Fate::Keep
    }

    /// A read or write failed: report it unless the close handshake was already complete.
    fn io_failure(&mut self, id: u64, ctx: &mut Ctx, e: io::Error) -> Fate {
        let quiet = match &self.phase {
            Phase::Open { ws } => ws.close_received() && ws.close_sent(),
            Phase::ServerHandshake { .. } | Phase::Lingering | Phase::Rejecting => true,
            _ => false,
        };
        if !quiet {
            ctx.queue.push_back(ReactorEvent::Error {
                conn: id,
                code: ABNORMAL,
                message: e.to_string(),
            });
        }
        Fate::Finish
    }

    /// Read until the socket would block (edge-triggered). `edge` is true when called for an
    /// epoll event that did not report the end of the stream: a short read then means the
    /// socket is drained (a later arrival raises a new edge), which saves one `read` call.
    pub fn on_readable(&mut self, id: u64, ctx: &mut Ctx, rbuf: &mut [u8], edge: bool) -> Fate {
        if self.tls.is_some() {
            return self.on_readable_tls(id, ctx, rbuf);
        }
        let mut budget = READ_BUDGET;
        while self.reads() {
            if budget == 0 {
                ctx.pending.push(id);
                break;
            }
            budget -= 1;
            match (&self.sock).read(rbuf) {
                Ok(0) => return self.on_eof(id, ctx),
                Ok(n) => {
                    self.last_recv = ctx.now;
                    self.ping_sent = None;
                    self.touch(ctx.now);
                    if self.on_bytes(id, ctx, &rbuf[..n]) == Fate::Finish {
                        return Fate::Finish;
                    }
                    if edge && n < rbuf.len() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.io_failure(id, ctx, e),
            }
        }
        self.settle(id, ctx)
    }

    /// TLS: read ciphertext until the socket would block, decrypt it, and feed the plaintext
    /// to the handshake parsers or the engine. Plaintext rustls holds already (decrypted while
    /// the phase did not read, e.g. waiting for `accept`) goes first.
    fn on_readable_tls(&mut self, id: u64, ctx: &mut Ctx, rbuf: &mut [u8]) -> Fate {
        // The same amount per poll as a plain connection's READ_BUDGET reads of the buffer.
        let mut budget = READ_BUDGET * rbuf.len();
        loop {
            while self.reads() {
                let Some(t) = self.tls.as_deref_mut() else {
                    return Fate::Finish;
                };
                match t.conn.reader().read(rbuf) {
                    // The peer's close_notify.
                    Ok(0) => return self.on_eof(id, ctx),
                    Ok(n) => {
                        if self.on_bytes(id, ctx, &rbuf[..n]) == Fate::Finish {
                            return Fate::Finish;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    // The TCP connection ended without close_notify.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        return self.on_eof(id, ctx)
                    }
                    Err(e) => return self.io_failure(id, ctx, e),
                }
            }
            if !self.reads() {
                break;
            }
            if budget == 0 {
                ctx.pending.push(id);
                break;
            }
            let Some(t) = self.tls.as_deref_mut() else {
                return Fate::Finish;
            };
            let mut sock = &self.sock;
            match t.conn.read_tls(&mut sock) {
                // EOF: rustls notes it; the reader reports it above.
                Ok(0) => {}
                Ok(n) => {
                    budget = budget.saturating_sub(n);
                    self.last_recv = ctx.now;
                    self.ping_sent = None;
                    self.touch(ctx.now);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return self.io_failure(id, ctx, e),
            }
            let Some(t) = self.tls.as_deref_mut() else {
                return Fate::Finish;
            };
            match t.conn.process_new_packets() {
                Ok(state) => t.out = state.tls_bytes_to_write(),
                Err(e) => return self.tls_failure(id, ctx, e),
            }
        }
        self.settle(id, ctx)
    }

    /// The TLS layer failed (a bad record, a failed certificate check, a peer that does not
    /// speak TLS...): send the alert rustls queued if the socket takes it, report, end.
    fn tls_failure(&mut self, id: u64, ctx: &mut Ctx, e: rustls::Error) -> Fate {
        let Some(t) = self.tls.as_deref_mut() else {
            return Fate::Finish;
        };
        let handshaking = t.conn.is_handshaking();
        t.failed = true;
        let _ = t.write_some(&self.sock);
        let quiet = match &self.phase {
            Phase::Open { ws } => ws.close_received() && ws.close_sent(),
            Phase::Lingering => true,
            _ => false,
        };
        if !quiet {
            let code = if handshaking {
                TLS_HANDSHAKE_FAILED
            } else {
                ABNORMAL
            };
            let message = tls::describe(&e, handshaking);
            if self.failure.is_none() {
                self.failure = Some((code, message.clone()));
            }
            ctx.queue.push_back(ReactorEvent::Error {
                conn: id,
                code,
                message,
            });
        }
        Fate::Finish
    }

    /// Whether the TLS handshake of this connection is still running.
    fn tls_handshaking(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| t.conn.is_handshaking())
    }

    fn on_bytes(&mut self, id: u64, ctx: &mut Ctx, data: &[u8]) -> Fate {
        match &mut self.phase {
            Phase::Open { ws } => {
                ws.receive(data);
                // Events are drained by settle(), in order.
                Fate::Keep
            }
            Phase::ServerHandshake { hs } => match hs.feed(data) {
                Ok(None) => Fate::Keep,
                Ok(Some(req)) => {
                    let leftover = hs.take_leftover();
                    let key = req.key.clone();
                    let offers = req.extensions;
                    let extensions = join_header(&req.head.header_all("Sec-WebSocket-Extensions"));
                    let (method, target, http_version) = match req.head.start {
                        crate::handshake::StartLine::Request {
                            method,
                            target,
                            version,
                        } => (method, target, version),
                        // validate_request accepts requests only
                        crate::handshake::StartLine::Response { version, .. } => {
                            (String::new(), req.path.clone(), version)
                        }
                    };
                    ctx.queue.push_back(ReactorEvent::Request {
                        conn: id,
                        request: Box::new(Request {
                            method,
                            target,
                            http_version,
                            headers: req.head.headers,
                            host: req.host,
                            key: req.key,
                            version: req.version,
                            origin: req.origin,
                            protocols: req.protocols,
                            extensions,
                        }),
                    });
                    self.phase = Phase::AwaitingAnswer {
                        key,
                        leftover,
                        offers,
                    };
                    Fate::Keep
                }
                Err(e) => {
                    // The reactor answers an invalid request itself (RFC 6455 4.2.1, 4.4).
                    let status = e.http_status().unwrap_or(400);
                    let extra: Vec<(String, String)> = if status == 426 {
                        vec![("Sec-WebSocket-Version".into(), "13".into())]
                    } else {
                        Vec::new()
                    };
                    let message = e.to_string();
                    self.set_hs_out(reject_response(status, &extra, message.as_bytes()));
                    self.phase = Phase::Rejecting;
                    ctx.queue.push_back(ReactorEvent::Error {
                        conn: id,
                        code: status,
                        message,
                    });
                    Fate::Keep
                }
            },
            Phase::ClientHandshake { hs } => match hs.feed(data) {
                Ok(None) => Fate::Keep,
                Ok(Some(resp)) => {
                    let leftover = hs.take_leftover();
                    let extensions = join_header(&resp.head.header_all("Sec-WebSocket-Extensions"));
                    // permessage-deflate: the answer checked against the offer we sent.
                    let sent = hs
                        .config()
                        .extensions
                        .iter()
                        .find(|e| deflate::is_deflate(e))
                        .cloned();
                    let agreed = match &sent {
                        Some(offer) => deflate::check_response(
                            offer,
                            &resp.extensions,
                            self.engine_cfg.deflate.required,
                        ),
                        None => Ok(None),
                    };
                    let mut ws = Box::new(Connection::new(
                        crate::protocol::Role::Client,
                        self.engine_cfg.clone(),
                    ));
                    let agreed = match agreed {
                        Ok(p) => p,
                        Err(e) => return self.fail_extension(id, ctx, ws, e),
                    };
                    // A fresh connection has no message in progress.
                    let _ = ws.set_deflate(agreed);
                    ctx.queue.push_back(ReactorEvent::Open {
                        conn: id,
                        protocol: resp.protocol,
                        extensions,
                        response_headers: resp.head.headers,
                    });
                    if !leftover.is_empty() {
                        ws.receive(&leftover);
                    }
                    self.phase = Phase::Open { ws };
                    self.last_recv = ctx.now;
                    Fate::Keep
                }
                Err(e) => {
                    let code = e.http_status().or(e.close_code()).unwrap_or(ABNORMAL);
                    ctx.queue.push_back(ReactorEvent::Error {
                        conn: id,
                        code,
                        message: e.to_string(),
                    });
                    Fate::Finish
                }
            },
            // Lingering: discard; other phases do not read.
            _ => Fate::Keep,
        }
    }

    /// Client: the server's answer about permessage-deflate is unacceptable (RFC 7692
    /// section 7.1), or missing while required: report `Error` with 1010, send a Close with
    /// 1010 if the socket takes it now, and drop the connection (`Closed` reports 1010).
    fn fail_extension(
        &mut self,
        id: u64,
        ctx: &mut Ctx,
        mut ws: Box<Connection>,
        e: Error,
    ) -> Fate {
        let code = e.close_code().unwrap_or(1010);
        let message = e.to_string();
        let _ = ws.close(Some(code), &crate::protocol::short_reason(&e));
        self.phase = Phase::Open { ws };
        let _ = self.flush(id, ctx);
        self.failure = Some((code, message.clone()));
        ctx.queue.push_back(ReactorEvent::Error {
            conn: id,
            code,
            message,
        });
        Fate::Finish
    }

    fn on_eof(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        let tls_handshaking = self.tls_handshaking();
        match &mut self.phase {
            Phase::Open { ws } => {
                ws.receive_eof();
                self.settle(id, ctx)
            }
            Phase::ClientHandshake { .. } if tls_handshaking => {
                let message = "TLS handshake failed: the server closed the connection".to_owned();
                self.failure = Some((TLS_HANDSHAKE_FAILED, message.clone()));
                ctx.queue.push_back(ReactorEvent::Error {
                    conn: id,
                    code: TLS_HANDSHAKE_FAILED,
                    message,
                });
                Fate::Finish
            }
            Phase::ClientHandshake { .. } => {
                ctx.queue.push_back(ReactorEvent::Error {
                    conn: id,
                    code: ABNORMAL,
                    message: "the server closed the connection during the opening handshake".into(),
                });
                Fate::Finish
            }
            _ => Fate::Finish,
        }
    }

    /// An epoll event while connecting: finished, failed (try the next address), or spurious.
    pub fn on_connect_event(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        let failure = match self.sock.take_error() {
            Ok(Some(e)) | Err(e) => Some(e),
            Ok(None) => match self.sock.peer_addr() {
                Ok(addr) => {
                    self.peer = Some(addr);
                    let phase = std::mem::replace(&mut self.phase, Phase::Lingering);
                    if let Phase::Connecting { hs, .. } = phase {
                        self.phase = Phase::ClientHandshake { hs };
                    }
                    return self.settle(id, ctx);
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected => None,
                Err(e) => Some(e),
            },
        };
        match failure {
            None => Fate::Keep,
            Some(e) => self.connect_next(id, ctx, e),
        }
    }

    /// The current address failed with `err`: start connecting to the next one, or report.
    pub fn connect_next(&mut self, id: u64, ctx: &mut Ctx, mut err: io::Error) -> Fate {
        let Phase::Connecting { rest, .. } = &mut self.phase else {
            return Fate::Finish;
        };
        while !rest.is_empty() {
            let addr = rest.remove(0);
            match TcpStream::connect(addr) {
                Ok(mut sock) => {
                    let _ = ctx.registry.deregister(&mut self.sock);
                    match ctx.registry.register(
                        &mut sock,
                        Token(id as usize),
                        Interest::READABLE | Interest::WRITABLE,
                    ) {
                        Ok(()) => {
                            self.sock = sock;
                            return Fate::Keep;
                        }
                        Err(e) => err = e,
                    }
                }
                Err(e) => err = e,
            }
        }
        ctx.queue.push_back(ReactorEvent::Error {
            conn: id,
            code: ABNORMAL,
            message: err.to_string(),
        });
        Fate::Finish
    }

    /// After any change: report the engine's events, write what is pending, start the close
    /// timeout once we sent Close, decide whether the TCP connection ends, and keep the
    /// connection's entry in the timer heap current.
    pub fn settle(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        if let Phase::Open { ws } = &mut self.phase {
            while let Some(ev) = ws.next_event() {
                let ev = match ev {
                    Event::Text(data) => ReactorEvent::Text { conn: id, data },
                    Event::Binary(data) => ReactorEvent::Binary { conn: id, data },
                    Event::Ping(data) => ReactorEvent::Ping { conn: id, data },
                    Event::Pong(data) => ReactorEvent::Pong { conn: id, data },
                    // The engine also reports the end of the stream as a Close with 1006;
                    // that one is the `Closed` event's business.
                    Event::Close { .. } if !ws.close_received() => continue,
                    Event::Close { code, reason } => ReactorEvent::Close {
                        conn: id,
                        code,
                        reason,
                    },
                    Event::Error(e) => {
                        let code = e.close_code().unwrap_or(1011);
                        let message = e.to_string();
                        if self.failure.is_none() {
                            self.failure = Some((code, message.clone()));
                        }
                        ReactorEvent::Error {
                            conn: id,
                            code,
                            message,
                        }
                    }
                };
                ctx.queue.push_back(ev);
            }
            if ws.close_sent() && self.close_at.is_none() && !self.s.close_timeout.is_zero() {
                self.close_at = Some(ctx.now + self.s.close_timeout);
            }
        }
        // max_buffered: output added while more than the limit was already waiting (a
        // reader that stalls) ends the connection. One message larger than the limit is
        // accepted when the buffer was below it.
        let before = self.buffered();
        let over = self.s.max_buffered > 0
            && self.pending_mark > self.s.max_buffered
            && before > self.pending_mark;
        if before > 0 && self.flush(id, ctx) == Fate::Finish {
            return Fate::Finish;
        }
        self.pending_mark = self.buffered();
        if over {
            ctx.queue.push_back(ReactorEvent::Error {
                conn: id,
                code: ABNORMAL,
                message: "send buffer limit exceeded".into(),
            });
            return Fate::Finish;
        }
        match &self.phase {
            Phase::Open { ws } if ws.should_close_transport() => return Fate::Finish,
            Phase::Rejecting if self.buffered() == 0 => {
                // The answer is out: shut our side down, then wait for the peer's EOF so
                // that unread input does not turn our close into a reset that could destroy
                // the answer in flight. TLS: close_notify first, once it is written.
                if let Some(t) = self.tls.as_deref_mut() {
                    if !t.close_notify_sent && !t.failed {
                        t.close_notify(&self.sock);
                        t.refresh();
                        if t.pending() > 0 {
                            self.schedule(id, ctx);
                            return Fate::Keep;
                        }
                    }
                }
                let _ = self.sock.shutdown(Shutdown::Write);
                self.phase = Phase::Lingering;
                self.close_at = if self.s.close_timeout.is_zero() {
                    None
                } else {
                    Some(ctx.now + self.s.close_timeout)
                };
                ctx.pending.push(id);
            }
            _ => {}
        }
        self.schedule(id, ctx);
        Fate::Keep
    }

    /// When the next keep-alive ping is due: `ping_interval` after the last thing received,
    /// or after the last ping while that one is unanswered.
    fn next_ping(&self) -> Instant {
        let from = match self.ping_sent {
            Some(_) => self.last_ping,
            None => self.last_recv,
        };
        from + self.s.ping_interval
    }

    /// The earliest instant at which something is due on this connection.
    fn next_deadline(&self) -> Option<Instant> {
        let mut d: Option<Instant> = None;
        let mut at = |t: Instant| d = Some(d.map_or(t, |d: Instant| d.min(t)));
        match &self.phase {
            Phase::Open { ws } => {
                if ws.state() == State::Open {
                    if !self.s.ping_interval.is_zero() {
                        at(self.next_ping());
                    }
                    if let (Some(p), false) = (self.ping_sent, self.s.pong_timeout.is_zero()) {
                        at(p + self.s.pong_timeout);
                    }
                }
                if !self.shrunk {
                    at(self.last_active + IDLE_SHRINK);
                }
            }
            Phase::Lingering => {}
            _ => {
                if !self.s.handshake_timeout.is_zero() {
                    at(self.created + self.s.handshake_timeout);
                }
            }
        }
        if let Some(c) = self.close_at {
            at(c);
        }
        d
    }

    /// Make sure the timer heap holds an entry no later than the next deadline. Entries are
    /// never removed: a later deadline is found when the earlier entry fires (so activity
    /// costs no heap operation), and an entry that is not `timer_at` is stale.
    pub fn schedule(&mut self, id: u64, ctx: &mut Ctx) {
        if let Some(d) = self.next_deadline() {
            if self.timer_at.map_or(true, |t| d < t) {
                ctx.heap.push(std::cmp::Reverse((d, id)));
                self.timer_at = Some(d);
            }
        }
    }

    /// The connection's heap entry fired.
    pub fn on_timer(&mut self, id: u64, ctx: &mut Ctx) -> Fate {
        let now = ctx.now;
        self.timer_at = None;
        let close_due = self.close_at.is_some_and(|c| now >= c);
        let ping_due = !self.s.ping_interval.is_zero() && now >= self.next_ping();
        match &mut self.phase {
            Phase::Open { ws } => {
                if close_due {
                    if !ws.close_received() {
                        ctx.queue.push_back(ReactorEvent::Error {
                            conn: id,
                            code: ABNORMAL,
                            message: "close timeout: the peer did not close the connection".into(),
                        });
                    }
                    return Fate::Finish;
                }
                if ws.state() == State::Open {
                    let pong_due = !self.s.pong_timeout.is_zero()
                        && self
                            .ping_sent
                            .is_some_and(|p| now >= p + self.s.pong_timeout);
                    if pong_due {
                        // Best effort: the Close goes out if the socket takes it now.
                        if ws.close(Some(1001), "pong timeout").is_ok() {
                            let _ = self.flush(id, ctx);
                        }
                        ctx.queue.push_back(ReactorEvent::Error {
                            conn: id,
                            code: 1001,
                            message: "pong timeout".into(),
                        });
                        return Fate::Finish;
                    }
                    if ping_due && ws.send_ping(b"").is_ok() {
                        self.ping_sent.get_or_insert(now);
                        self.last_ping = now;
                    }
                }
                if !self.shrunk && now >= self.last_active + IDLE_SHRINK {
                    ws.shrink_buffers();
                    self.shrunk = true;
                }
            }
            Phase::Lingering => {
                if close_due {
                    return Fate::Finish;
                }
            }
            phase => {
                if !self.s.handshake_timeout.is_zero()
                    && now >= self.created + self.s.handshake_timeout
                {
                    if !matches!(phase, Phase::Rejecting) {
                        let message = if self.tls.as_ref().is_some_and(|t| t.conn.is_handshaking())
                        {
                            "handshake timeout: the TLS handshake did not complete in time"
                        } else {
                            "handshake timeout: the opening handshake did not complete in time"
                        };
                        ctx.queue.push_back(ReactorEvent::Error {
                            conn: id,
                            code: ABNORMAL,
                            message: message.into(),
                        });
                    }
                    return Fate::Finish;
                }
            }
        }
        self.settle(id, ctx)
    }

    /// The close code and reason of the `Closed` event: those of the peer's Close frame;
    /// else, when the engine failed the connection (protocol error or limit), the code we
    /// sent and the error's message; else 1006 and no reason.
    pub fn closed_status(&self) -> (u16, String) {
        match &self.phase {
            Phase::Open { ws } if ws.close_received() => (
                ws.close_code().unwrap_or(ABNORMAL),
                ws.close_reason().unwrap_or("").to_owned(),
            ),
            _ => self.failure.clone().unwrap_or((ABNORMAL, String::new())),
        }
    }
}

/// Several values of one header as one comma-separated value; `None` when absent.
fn join_header(values: &[&str]) -> Option<String> {
    match values {
        [] => None,
        [v] => Some((*v).to_owned()),
        many => Some(many.join(", ")),
    }
}

/// The bytes a connection writes next: what is left of its opening-handshake bytes (`true`),
/// else the engine's pending output. Fields, not `&Conn`, so that the TLS flush can call it
/// while it holds the TLS state.
fn pending_out<'a>(hs_out: &'a [u8], hs_pos: usize, phase: &'a Phase) -> (&'a [u8], bool) {
    if hs_pos < hs_out.len() {
        (&hs_out[hs_pos..], true)
    } else if let Phase::Open { ws } = phase {
        (ws.pending_output(), false)
    } else {
        (&[], false)
    }
}

/// `n` bytes of what [`pending_out`] gave were written (or taken by TLS).
fn wrote_out(hs_out: &mut Vec<u8>, hs_pos: &mut usize, phase: &mut Phase, from_hs: bool, n: usize) {
    if from_hs {
        *hs_pos += n;
        if *hs_pos == hs_out.len() {
            *hs_out = Vec::new();
            *hs_pos = 0;
        }
    } else if let Phase::Open { ws } = phase {
        ws.consume_output(n);
    }
}
