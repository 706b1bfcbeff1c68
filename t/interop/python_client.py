"""Python websockets client of t/60-interop-python.t; the script is in t/interop/Interop.pm.
Usage: python3 python_client.py ws://127.0.0.1:PORT/"""
import asyncio, sys
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from python_common import MESSAGES, MAX_SIZE, describe, report, close_report

async def main(url):
    # Connection 1: four messages echoed back, then our close 1000 'bye'.
    async with connect(url, max_size=MAX_SIZE, open_timeout=10, close_timeout=10) as ws:
        for m in MESSAGES:
            await ws.send(m)
        for _ in MESSAGES:
            report(conn=1, event="message", **describe(await ws.recv()))
        await ws.close(1000, "bye")
    report(conn=1, event="close", **close_report(ws))
    # Connection 2: the server closes.
    async with connect(url, max_size=MAX_SIZE, open_timeout=10, close_timeout=10) as ws:
        await ws.send("close me")
        try:
            msg = await ws.recv()
            report(conn=2, event="error", message="unexpected message", **describe(msg))
        except ConnectionClosed:
            pass
        await ws.wait_closed()
    report(conn=2, event="close", **close_report(ws))
    report(event="done")

asyncio.run(asyncio.wait_for(main(sys.argv[1]), 60))
