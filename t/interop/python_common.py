"""What the Python peers share: the messages of t/interop/Interop.pm and the report lines."""
import hashlib, json

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
