#!/usr/bin/env python3
"""Echo server for bench/: Python asyncio with the `websockets` package
(`pip install websockets`). Echoes text and binary messages unchanged.

    python3 python_websockets_echo.py [--host 127.0.0.1] [--port 9006]
                                      [--cert FILE --key FILE] [--deflate]

--cert/--key (PEM): serve wss:// through Python's ssl module (OpenSSL), default server context.
--deflate: accepted for the harness's sake and changes nothing: websockets accepts
permessage-deflate by default (compression="deflate": server and client window 12 bits,
memLevel 5, zlib's default level, context takeover, and every message compressed, as
websockets has no size threshold). In scenarios a-d the client never offers it.

Prints "listening on ws://HOST:PORT/" (wss:// with --cert) once it accepts connections.
"""
import argparse
import asyncio
import ssl

try:  # websockets >= 13
    from websockets.asyncio.server import serve
except ImportError:  # older releases
    from websockets.server import serve


async def echo(ws, *_path):
    async for message in ws:
        await ws.send(message)


async def main(host, port, cert, key):
    tls = None
    if cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
    # compression: websockets' default ("deflate") in every case; see --deflate above
    async with serve(echo, host, port, max_size=16 * 1024 * 1024, backlog=1024, ssl=tls) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        scheme = "wss" if tls else "ws"
        print(f"listening on {scheme}://{host}:{bound}/", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9006)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--deflate", action="store_true")
    a = p.parse_args()
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    asyncio.run(main(a.host, a.port, a.cert, a.key))
