#!/usr/bin/env python3
"""A loopback TCP proxy that delays every byte by DELAY ms each way, to measure the
client as if the shop were far away (50 ms round trip: DELAY=25).

    slow-link.py LISTEN_PORT TARGET_PORT DELAY_MS [SECONDS]

Bytes keep their order; each chunk leaves DELAY ms after it arrived. Listens on
127.0.0.1 only and stops by itself after SECONDS (default 600).
"""
import asyncio, sys, time

listen_port, target_port, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000
lifetime = float(sys.argv[4]) if len(sys.argv) > 4 else 600.0


async def pump(reader, writer):
    queue = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(65536)
            await queue.put((time.monotonic() + delay, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(read(), write())
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print(f"slow link: 127.0.0.1:{listen_port} -> 127.0.0.1:{target_port}, {delay * 1000:.0f} ms each way", flush=True)
    async with server:
        await asyncio.sleep(lifetime)


asyncio.run(main())
