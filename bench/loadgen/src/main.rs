//! WebSocket load generator for bench/run. One thread (tokio current_thread),
//! tokio-tungstenite as the client library, the same client for every server.
//!
//! Echo mode: N connections share M round trips (send one message, wait for its
//! echo, compare it byte for byte, repeat). Idle mode: open N connections, keep
//! reading them (so pings are answered) until told to stop, then close them.
//!
//! With --sync it prints `READY ...` once connected (and warmed up) and waits for
//! one line on stdin before the measured part (echo) or before closing (idle), so
//! the harness can read the server's /proc entries at exactly those points.
//! The last line is `RESULT key=value ...`; errors go to stderr and exit non-zero.
//!
//! wss:// URLs go through rustls (ring provider), trusting only the CA of `--ca FILE`
//! (the benchmark's throwaway CA); the certificate is checked for the name `localhost`
//! (`--server-name` to change). The RESULT line then also names the TLS version and
//! cipher suite negotiated (`tls=TLSv1_3/TLS13_AES_256_GCM_SHA384`).

use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const USAGE: &str = "usage: ws-loadgen --url ws[s]://127.0.0.1:PORT/ [--mode echo|idle] [--conns N]
       [--msgs TOTAL_ROUND_TRIPS] [--size BYTES] [--type text|binary] [--warmup PER_CONN]
       [--payload letters|order] [--sync] [--hold SECS] [--timeout SECS] [--connect-concurrency N]
       [--ca CA.pem] [--server-name localhost]   (wss:// only)";

#[derive(Clone, Debug)]
struct Opts {
    url: String,
    addr: SocketAddr,
    mode: String,
    conns: usize,
    msgs: usize,
    size: usize,
    binary: bool,
    /// `letters` (a-z repeated, the default) or `order` (a JSON order document, text only).
    payload: String,
    warmup: usize,
    sync: bool,
    hold: f64,
    timeout: f64,
    connect_concurrency: usize,
    /// The request URL as sent in the handshake (ws:// or wss://, host `server_name` for wss).
    request_url: String,
    ca: Option<String>,
    server_name: String,
    tls: Option<Arc<rustls::ClientConfig>>,
}

fn die(msg: &str) -> ! {
    eprintln!("ws-loadgen: {msg}");
    std::process::exit(2);
}

fn parse_args() -> Opts {
    let mut o = Opts {
        url: String::new(),
        addr: "127.0.0.1:1".parse().unwrap(),
        mode: "echo".into(),
        conns: 1,
        msgs: 1000,
        size: 16,
        binary: false,
        payload: "letters".into(),
        warmup: 0,
        sync: false,
        hold: 0.0,
        timeout: 300.0,
        connect_concurrency: 64,
        request_url: String::new(),
        ca: None,
        server_name: "localhost".into(),
        tls: None,
    };
    let mut args = std::env::args().skip(1);
    fn num<T: std::str::FromStr>(name: &str, v: Option<String>) -> T {
        v.and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or_else(|| die(&format!("{name} needs a number\n{USAGE}")))
    }
    while let Some(a) = args.next() {
        match a.as_str() {
            "--url" => o.url = args.next().unwrap_or_else(|| die(USAGE)),
            "--mode" => o.mode = args.next().unwrap_or_else(|| die(USAGE)),
            "--conns" => o.conns = num("--conns", args.next()),
            "--msgs" => o.msgs = num("--msgs", args.next()),
            "--size" => o.size = num("--size", args.next()),
            "--type" => {
                o.binary = match args.next().as_deref() {
                    Some("text") => false,
                    Some("binary") => true,
                    _ => die("--type is text or binary"),
                }
            }
            "--payload" => o.payload = args.next().unwrap_or_else(|| die(USAGE)),
            "--warmup" => o.warmup = num("--warmup", args.next()),
            "--sync" => o.sync = true,
            "--hold" => o.hold = num("--hold", args.next()),
            "--timeout" => o.timeout = num("--timeout", args.next()),
            "--connect-concurrency" => o.connect_concurrency = num("--connect-concurrency", args.next()),
            "--ca" => o.ca = Some(args.next().unwrap_or_else(|| die(USAGE))),
            "--server-name" => o.server_name = args.next().unwrap_or_else(|| die(USAGE)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => die(&format!("unknown argument {a}\n{USAGE}")),
        }
    }
    if o.url.is_empty() {
        die(USAGE);
    }
    if o.mode != "echo" && o.mode != "idle" {
        die("--mode is echo or idle");
    }
    match o.payload.as_str() {
        "letters" => {}
        "order" if o.binary => die("--payload order is text: use --type text"),
        "order" if o.size < ORDER_MIN => die(&format!("--payload order needs --size {ORDER_MIN} or more")),
        "order" => {}
        _ => die("--payload is letters or order"),
    }
    if o.conns == 0 || o.connect_concurrency == 0 {
        die("--conns and --connect-concurrency must be positive");
    }
    // ws[s]://IP:PORT/path  (loopback benchmarks: an IP literal, no DNS)
    let (secure, rest) = if let Some(r) = o.url.strip_prefix("ws://") {
        (false, r)
    } else if let Some(r) = o.url.strip_prefix("wss://") {
        (true, r)
    } else {
        die("--url must start with ws:// or wss://")
    };
    let hostport = rest.split('/').next().unwrap_or("");
    o.addr = hostport.parse().unwrap_or_else(|_| die("--url must be ws[s]://IP:PORT/..."));
    let path = &rest[hostport.len()..];
    if secure {
        let ca = o.ca.clone().unwrap_or_else(|| die("wss:// needs --ca FILE (the CA that signed the server's certificate)"));
        o.tls = Some(tls_config(&ca));
        // The certificate is checked for this name (the handshake's Host header carries it too).
        o.request_url = format!("wss://{}:{}{}", o.server_name, o.addr.port(), if path.is_empty() { "/" } else { path });
    } else {
        if o.ca.is_some() {
            die("--ca is for wss:// URLs");
        }
        o.request_url = o.url.clone();
    }
    o
}

/// A rustls client configuration (ring provider, TLS 1.2 and 1.3) trusting only the CA(s) in `ca`.
fn tls_config(ca: &str) -> Arc<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(ca)
        .unwrap_or_else(|e| die(&format!("--ca {ca}: {e}")))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| die(&format!("--ca {ca}: {e}")));
    if certs.is_empty() {
        die(&format!("--ca {ca}: no certificate in it"));
    }
    for c in certs {
        roots.add(c).unwrap_or_else(|e| die(&format!("--ca {ca}: {e}")));
    }
    // ring, as in the engine (deprecated only because ring has no post-quantum key exchange)
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| die(&format!("TLS configuration: {e}")))
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(cfg)
}

/// "TLSv1_3/TLS13_AES_256_GCM_SHA384" for a wss:// connection, "none" for ws://.
fn tls_desc(ws: &Ws) -> String {
    match ws.get_ref() {
        MaybeTlsStream::Rustls(s) => {
            let c = s.get_ref().1;
            format!(
                "{}/{}",
                c.protocol_version().map(|v| format!("{v:?}")).unwrap_or_else(|| "?".into()),
                c.negotiated_cipher_suite().map(|s| format!("{:?}", s.suite())).unwrap_or_else(|| "?".into())
            )
        }
        _ => "none".into(),
    }
}

/// One line from stdin (or EOF) completes the receiver; the thread does nothing else.
fn stdin_line() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::stdin().read_line(&mut s);
        let _ = tx.send(());
    });
    rx
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn connect_one(o: &Opts) -> Result<Ws, String> {
    let mut last = String::new();
    for attempt in 0..5 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
        }
        let tcp = match TcpStream::connect(o.addr).await {
            Ok(t) => t,
            Err(e) => {
                last = format!("connect {}: {e}", o.addr);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let connector = o.tls.clone().map(Connector::Rustls).unwrap_or(Connector::Plain);
        match tokio_tungstenite::client_async_tls_with_config(o.request_url.as_str(), tcp, None, Some(connector)).await {
            Ok((ws, _resp)) => return Ok(ws),
            Err(e) => last = format!("handshake: {e}"),
        }
    }
    Err(last)
}

async fn connect_all(o: &Opts) -> Result<Vec<Ws>, String> {
    let sem = Arc::new(Semaphore::new(o.connect_concurrency));
    let mut handles = Vec::with_capacity(o.conns);
    for _ in 0..o.conns {
        let sem = sem.clone();
        let o = o.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await.unwrap();
            connect_one(&o).await
        }));
    }
    let mut out = Vec::with_capacity(o.conns);
    for h in handles {
        out.push(h.await.map_err(|e| e.to_string())??);
    }
    Ok(out)
}

/// The parts of the `order` payload (`--payload order`, scenario b_app of bench/): fixed
/// content, so every server and round gets the same bytes.
const ORDER_HEAD: &str = r#"{"type":"order","id":1048576,"currency":"EUR","customer":{"name":"Ada Lovelace","email":"ada@example.org","vip":true},"items":["#;
const ORDER_TAIL_START: &str = r#"],"note":""#;
const ORDER_TAIL_END: &str = r#""}"#;
const ORDER_ITEMS: usize = 12;
const ORDER_MIN: usize = 900;

/// A JSON order document of exactly `size` bytes (`size` >= ORDER_MIN): 12 items of
/// sku/qty/price, and a "note" string of letters that pads it to the size.
fn order_doc(size: usize) -> Vec<u8> {
    let mut s = String::from(ORDER_HEAD);
    for i in 1..=ORDER_ITEMS {
        if i > 1 {
            s.push(',');
        }
        s.push_str(&format!(r#"{{"sku":"SKU-{:05}","qty":{},"price":{}.{:02}}}"#, i * 37, i % 7 + 1, 3 + i, (i * 13) % 100));
    }
    s.push_str(ORDER_TAIL_START);
    let fixed = s.len() + ORDER_TAIL_END.len();
    assert!(fixed <= size, "order skeleton ({fixed} B) larger than --size {size}");
    s.extend((0..size - fixed).map(|i| (b'a' + (i % 26) as u8) as char));
    s.push_str(ORDER_TAIL_END);
    debug_assert_eq!(s.len(), size);
    s.into_bytes()
}

fn payload(o: &Opts) -> (Message, Bytes) {
    let bytes: Vec<u8> = if o.payload == "order" {
        order_doc(o.size)
    } else {
        (0..o.size).map(|i| b'a' + (i % 26) as u8).collect()
    };
    let b = Bytes::from(bytes);
    let msg = if o.binary {
        Message::Binary(b.clone())
    } else {
        Message::text(String::from_utf8(b.to_vec()).unwrap())
    };
    (msg, b)
}

/// `n` round trips on one connection; returns the connection and each round trip's ns.
async fn round_trips(mut ws: Ws, msg: Message, expect: Bytes, binary: bool, n: usize) -> Result<(Ws, Vec<u32>), String> {
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        ws.send(msg.clone()).await.map_err(|e| format!("send: {e}"))?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if !binary => {
                    if t.as_bytes() != &expect[..] {
                        return Err(format!("text echo differs ({} bytes back, {} sent)", t.len(), expect.len()));
                    }
                    break;
                }
                Some(Ok(Message::Binary(b))) if binary => {
                    if b[..] != expect[..] {
                        return Err(format!("binary echo differs ({} bytes back, {} sent)", b.len(), expect.len()));
                    }
                    break;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(c))) => return Err(format!("server closed: {c:?}")),
                Some(Ok(other)) => return Err(format!("echo of the wrong type: {:?}", other_kind(&other))),
                Some(Err(e)) => return Err(format!("read: {e}")),
                None => return Err("connection ended".into()),
            }
        }
        lat.push(t0.elapsed().as_nanos().min(u32::MAX as u128) as u32);
    }
    Ok((ws, lat))
}

fn other_kind(m: &Message) -> &'static str {
    match m {
        Message::Text(_) => "text",
        Message::Binary(_) => "binary",
        _ => "control",
    }
}

/// Runs `per[i]` round trips on connection i, all connections at once.
async fn run_all(conns: Vec<Ws>, o: &Opts, per: &[usize]) -> Result<(Vec<Ws>, Vec<u32>), String> {
    let (msg, expect) = payload(o);
    let mut handles = Vec::with_capacity(conns.len());
    for (ws, &n) in conns.into_iter().zip(per) {
        handles.push(tokio::spawn(round_trips(ws, msg.clone(), expect.clone(), o.binary, n)));
    }
    let mut back = Vec::with_capacity(handles.len());
    let mut lat = Vec::new();
    for h in handles {
        let (ws, l) = h.await.map_err(|e| e.to_string())??;
        back.push(ws);
        lat.extend(l);
    }
    Ok((back, lat))
}

async fn close_all(conns: Vec<Ws>) {
    let mut handles = Vec::with_capacity(conns.len());
    for mut ws in conns {
        handles.push(tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                let _ = ws.close(None).await;
                while let Some(Ok(_)) = ws.next().await {}
            })
            .await;
        }));
    }
    for h in handles {
        let _ = h.await;
    }
}

async fn echo_mode(o: &Opts) -> Result<String, String> {
    let conns = connect_all(o).await?;
    let tls = conns.first().map(tls_desc).unwrap_or_default();
    let conns = if o.warmup > 0 {
        run_all(conns, o, &vec![o.warmup; o.conns]).await?.0
    } else {
        conns
    };
    if o.sync {
        let rx = stdin_line();
        say(&format!("READY conns={}", o.conns));
        let _ = rx.await;
    }
    let per: Vec<usize> = (0..o.conns).map(|i| o.msgs / o.conns + usize::from(i < o.msgs % o.conns)).collect();
    let t0 = Instant::now();
    let (conns, mut lat) = run_all(conns, o, &per).await?;
    let el = t0.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat[i] as f64 / 1000.0
    };
    let line = format!(
        "RESULT mode=echo conns={} msgs={} size={} type={} elapsed_s={:.6} msg_per_s={:.1} mb_per_s={:.3} p50_us={:.1} p99_us={:.1} tls={}",
        o.conns,
        o.msgs,
        o.size,
        if o.binary { "binary" } else { "text" },
        el,
        o.msgs as f64 / el,
        (o.msgs * o.size) as f64 / el / 1e6,
        pct(0.50),
        pct(0.99),
        tls
    );
    // Report before closing, so the harness reads the server's CPU right here.
    say(&line);
    close_all(conns).await;
    Ok(String::new())
}

async fn idle_mode(o: &Opts) -> Result<String, String> {
    let t0 = Instant::now();
    let conns = connect_all(o).await?;
    let connect_s = t0.elapsed().as_secs_f64();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut handles = Vec::with_capacity(conns.len());
    for mut ws in conns {
        let mut stop = stop_rx.clone();
        handles.push(tokio::spawn(async move {
            // Read (and so answer pings) until told to stop; report a drop.
            let alive = loop {
                tokio::select! {
                    m = ws.next() => match m {
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break false,
                        Some(Ok(_)) => continue,
                    },
                    _ = stop.changed() => break true,
                }
            };
            if alive {
                let _ = tokio::time::timeout(Duration::from_secs(2), async {
                    let _ = ws.close(None).await;
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
            }
            alive
        }));
    }
    if o.sync {
        let rx = stdin_line();
        say(&format!("READY conns={} connect_s={:.3}", o.conns, connect_s));
        let _ = rx.await;
    } else {
        say(&format!("READY conns={} connect_s={:.3}", o.conns, connect_s));
        tokio::time::sleep(Duration::from_secs_f64(o.hold)).await;
    }
    let _ = stop_tx.send(true);
    let mut dropped = 0usize;
    for h in handles {
        if !h.await.unwrap_or(false) {
            dropped += 1;
        }
    }
    Ok(format!("RESULT mode=idle conns={} connect_s={:.3} dropped={}", o.conns, connect_s, dropped))
}

fn main() {
    let o = parse_args();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let res = rt.block_on(async {
        let work = async {
            if o.mode == "echo" {
                echo_mode(&o).await
            } else {
                idle_mode(&o).await
            }
        };
        match tokio::time::timeout(Duration::from_secs_f64(o.timeout), work).await {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {} s", o.timeout)),
        }
    });
    match res {
        Ok(line) => {
            if !line.is_empty() {
                say(&line);
            }
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("ws-loadgen: {e}");
            std::process::exit(1);
        }
    }
}
