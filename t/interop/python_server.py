"""Python websockets server of t/60-interop-python.t; the script is in t/interop/Interop.pm.
Listens on 127.0.0.1 on a port the kernel picks and prints it first."""
import asyncio, itertools
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from python_common import MAX_SIZE, describe, report, close_report

serial = itertools.count(1)

async def handler(ws):
    n = next(serial)
    try:
        async for msg in ws:
            report(conn=n, event="message", **describe(msg))
            if msg == "close me":
                await ws.close(4001, "server says bye")
                break
            await ws.send(msg)
    except ConnectionClosed:
        pass
    await ws.wait_closed()
    report(conn=n, event="close", **close_report(ws))

async def main():
    async with serve(handler, "127.0.0.1", 0, max_size=MAX_SIZE, close_timeout=10) as server:
        report(event="listening", port=server.sockets[0].getsockname()[1])
        await asyncio.sleep(120)

asyncio.run(main())
