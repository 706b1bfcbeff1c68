"""What the Python peers share: the messages of t/interop/Interop.pm, the report lines, and the
options of the TLS and permessage-deflate runs (t/66-interop-tls.t, t/67-interop-deflate.t)."""
import argparse, hashlib, json, ssl

TEXT = "h\u00e9llo w\u00f6rld \u2603 \U0001F600 \u65e5\u672c\u8a9e"
BINARY = bytes(range(256))
BIG_TEXT = "\u00fcnic\u00f6de \u2603 \U0001F600 " * 4000
BIG_BINARY = BINARY * 400
MESSAGES = [TEXT, BINARY, BIG_TEXT, BIG_BINARY]
MAX_SIZE = 1 << 20

def report(**kv):
    print(json.dumps(kv), flush=True)

def describe(msg):
    data = msg.encode("utf-8") if isinstance(msg, str) else bytes(msg)
    return {"type": "text" if isinstance(msg, str) else "binary",
            "length": len(data), "sha256": hashlib.sha256(data).hexdigest()}

def close_report(ws):
    """The Close frame this side received, and whether the closing handshake completed."""
    p = ws.protocol
    rcvd = [p.close_rcvd.code, p.close_rcvd.reason] if p.close_rcvd else None
    return {"rcvd": rcvd, "clean": p.close_rcvd is not None and p.close_sent is not None}

def options(server):
    """--deflate / --no-deflate: offer or accept permessage-deflate, or not (without either, the
    library's default: websockets enables it). A client takes --ca FILE (the CA that signed the
    wss:// server's certificate, verified with the host name) and the URL; a server takes
    --cert FILE --key FILE (the certificate chain and its key: it serves wss://)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--deflate", dest="deflate", action="store_true", default=None)
    ap.add_argument("--no-deflate", dest="deflate", action="store_false")
    if server:
        ap.add_argument("--cert")
        ap.add_argument("--key")
    else:
        ap.add_argument("--ca")
        ap.add_argument("url")
    o = ap.parse_args()
    kw = {}
    if o.deflate is not None:
        kw["compression"] = "deflate" if o.deflate else None
    if server and o.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(o.cert, o.key)
        kw["ssl"] = ctx
    if not server and o.ca:
        # Verification as by default (CERT_REQUIRED, check_hostname), against the test CA only.
        kw["ssl"] = ssl.create_default_context(cafile=o.ca)
    return o, kw

class Wire:
    """Counts the bytes a connection reads and writes above TLS (WebSocket frames and the HTTP
    handshake): with permessage-deflate, far fewer than the messages' bytes."""
    def connection_made(self, transport):
        super().connection_made(transport)
        self.wire = {"read": 0, "written": 0}
        write = transport.write
        def counted(data):
            self.wire["written"] += len(data)
            return write(data)
        transport.write = counted

    def data_received(self, data):
        self.wire["read"] += len(data)
        super().data_received(data)

def open_report(ws, n):
    """The Sec-WebSocket-Extensions of the 101 answer: what was negotiated."""
    report(conn=n, event="open", extensions=ws.response.headers.get("Sec-WebSocket-Extensions"))
