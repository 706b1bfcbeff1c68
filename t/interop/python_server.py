"""Python websockets server of t/60-interop-python.t (and t/66, t/67); the script is in
t/interop/Interop.pm. Listens on 127.0.0.1 on a port the kernel picks and prints it first.
Usage: python3 python_server.py [--cert FILE --key FILE] [--deflate|--no-deflate]"""
import asyncio, itertools
from websockets.asyncio.server import serve, ServerConnection
from websockets.exceptions import ConnectionClosed
from python_common import MAX_SIZE, describe, report, close_report, options, Wire, open_report

serial = itertools.count(1)

class Counted(Wire, ServerConnection):
    pass

async def handler(ws):
    n = next(serial)
    open_report(ws, n)
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
    report(conn=n, event="close", wire=ws.wire, **close_report(ws))

async def main(kw):
    async with serve(handler, "127.0.0.1", 0, max_size=MAX_SIZE, close_timeout=10, create_connection=Counted, **kw) as server:
        report(event="listening", port=server.sockets[0].getsockname()[1])
        await asyncio.sleep(120)

o, kw = options(server=True)
asyncio.run(main(kw))
