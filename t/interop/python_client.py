"""Python websockets client of t/60-interop-python.t (and t/66, t/67); the script is in
t/interop/Interop.pm.
Usage: python3 python_client.py [--ca FILE] [--deflate|--no-deflate] ws[s]://HOST:PORT/"""
import asyncio
from websockets.asyncio.client import connect, ClientConnection
from websockets.exceptions import ConnectionClosed
from python_common import MESSAGES, MAX_SIZE, describe, report, close_report, options, Wire, open_report

class Counted(Wire, ClientConnection):
    pass

async def main(url, kw):
    kw = dict(kw, max_size=MAX_SIZE, open_timeout=10, close_timeout=10, proxy=None, create_connection=Counted)
    # Connection 1: four messages echoed back, then our close 1000 'bye'.
    async with connect(url, **kw) as ws:
        open_report(ws, 1)
        for m in MESSAGES:
            await ws.send(m)
        for _ in MESSAGES:
            report(conn=1, event="message", **describe(await ws.recv()))
        await ws.close(1000, "bye")
    report(conn=1, event="close", wire=ws.wire, **close_report(ws))
    # Connection 2: the server closes.
    async with connect(url, **kw) as ws:
        open_report(ws, 2)
        await ws.send("close me")
        try:
            msg = await ws.recv()
            report(conn=2, event="error", message="unexpected message", **describe(msg))
        except ConnectionClosed:
            pass
        await ws.wait_closed()
    report(conn=2, event="close", **close_report(ws))
    report(event="done")

o, kw = options(server=False)
try:
    asyncio.run(asyncio.wait_for(main(o.url, kw), 60))
except Exception as e:
    # A refused certificate, a failed handshake, a timeout: said as the other peers say it.
    report(event="error", message=f"{type(e).__name__}: {e}")
    raise SystemExit(1)
