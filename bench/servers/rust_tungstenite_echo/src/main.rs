//! Reference echo server for bench/: tokio-tungstenite on a tokio current_thread
//! runtime, so the whole server is one thread. Echoes text and binary messages
//! unchanged; tungstenite answers pings and closes by itself.
//!
//!     rust_tungstenite_echo [--host 127.0.0.1] [--port 9002]
//!
//! Prints `listening on ws://HOST:PORT/` once it accepts connections.

use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let mut host = String::from("127.0.0.1");
    let mut port: u16 = 9002;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--host" => host = args.next().expect("--host needs a value"),
            "--port" => port = args.next().expect("--port needs a value").parse().expect("bad --port"),
            _ => {
                eprintln!("usage: rust_tungstenite_echo [--host IP] [--port PORT]");
                std::process::exit(2);
            }
        }
    }
    let addr: SocketAddr = format!("{host}:{port}").parse().expect("--host must be an IP address");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let listener = TcpListener::bind(addr).await.expect("bind");
        println!("listening on ws://{}/", listener.local_addr().expect("local_addr"));
        let _ = std::io::stdout().flush();
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream));
                }
                Err(e) => {
                    eprintln!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    });
}

async fn serve(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
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
