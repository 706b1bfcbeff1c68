#!/usr/bin/env python3
"""Echo server for bench/: Python asyncio with the `websockets` package
(`pip install websockets`). Echoes text and binary messages unchanged.

    python3 python_websockets_echo.py [--host 127.0.0.1] [--port 9006]

Prints "listening on ws://HOST:PORT/" once it accepts connections.
"""
import argparse
import asyncio

try:  # websockets >= 13
    from websockets.asyncio.server import serve
except ImportError:  # older releases
    from websockets.server import serve


async def echo(ws, *_path):
    async for message in ws:
        await ws.send(message)


async def main(host, port):
    async with serve(echo, host, port, max_size=16 * 1024 * 1024, backlog=1024) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://{host}:{bound}/", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9006)
    a = p.parse_args()
    asyncio.run(main(a.host, a.port))
