//! Reference echo server for bench/: tokio-tungstenite on a tokio current_thread
//! runtime, so the whole server is one thread. Echoes text and binary messages
//! unchanged; tungstenite answers pings and closes by itself.
//!
//!     rust_tungstenite_echo [--host 127.0.0.1] [--port 9002] [--cert FILE --key FILE]
//!
//! Prints `listening on ws://HOST:PORT/` once it accepts connections (`wss://` with
//! `--cert` and `--key`: PEM certificate chain and private key, TLS 1.2/1.3 through
//! tokio-rustls with the ring provider, default rustls server configuration).

use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;

const USAGE: &str = "usage: rust_tungstenite_echo [--host IP] [--port PORT] [--cert FILE --key FILE]";

fn main() {
    let mut host = String::from("127.0.0.1");
    let mut port: u16 = 9002;
    let (mut cert, mut key) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--host" => host = args.next().expect("--host needs a value"),
            "--port" => port = args.next().expect("--port needs a value").parse().expect("bad --port"),
            "--cert" => cert = Some(args.next().expect("--cert needs a value")),
            "--key" => key = Some(args.next().expect("--key needs a value")),
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some(TlsAcceptor::from(tls_config(&c, &k))),
        (None, None) => None,
        _ => {
            eprintln!("--cert and --key go together\n{USAGE}");
            std::process::exit(2);
        }
    };
    let addr: SocketAddr = format!("{host}:{port}").parse().expect("--host must be an IP address");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let listener = TcpListener::bind(addr).await.expect("bind");
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        println!("listening on {scheme}://{}/", listener.local_addr().expect("local_addr"));
        let _ = std::io::stdout().flush();
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    match &tls {
                        None => {
                            tokio::spawn(serve(stream));
                        }
                        Some(acc) => {
                            let acc = acc.clone();
                            tokio::spawn(async move {
                                if let Ok(s) = acc.accept(stream).await {
                                    serve(s).await;
                                }
                            });
                        }
                    }
                }
                Err(e) => {
                    eprintln!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    });
}

/// The default rustls server configuration (ring provider, TLS 1.2 and 1.3) for one certificate.
fn tls_config(cert: &str, key: &str) -> Arc<rustls::ServerConfig> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect::<Result<_, _>>())
        .unwrap_or_else(|e| panic!("--cert {cert}: {e}"));
    let key = PrivateKeyDer::from_pem_file(key).unwrap_or_else(|e| panic!("--key {key}: {e}"));
    // ring, as in the engine (deprecated only because ring has no post-quantum key exchange)
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("certificate and key");
    Arc::new(cfg)
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let mut ws = match tokio_tungstenite::accept_async(stream).await {
        Ok(ws) => ws,
        Err(_) => return,
    };
    while let Some(msg) = ws.next().await {
        match msg {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => {
                if ws.send(m).await.is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}
