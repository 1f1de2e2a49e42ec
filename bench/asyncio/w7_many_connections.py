"""W7 peer: `connections` concurrent connections, each echoing `size` bytes (MB/s, p99 ms)."""

import asyncio
import math

from common import loop_kinds, now, params, run_variants


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


class EchoClient(asyncio.Protocol):
    def __init__(self, size, chunk, done, start):
        self.size, self.chunk, self.done, self.start = size, chunk, done, start
        self.sent = self.received = 0
        self.paused = False

    def connection_made(self, transport):
        self.transport = transport
        self.pump()

    def pump(self):
        while not self.paused and self.sent < self.size:
            self.sent += len(self.chunk)
            self.transport.write(self.chunk)

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

    def data_received(self, data):
        self.received += len(data)
        if self.received >= self.size and not self.done.done():
            self.done.set_result(now() - self.start)
            self.transport.close()


async def client(loop, port, size, chunk):
    start = now()
    done = loop.create_future()
    await loop.create_connection(lambda: EchoClient(size, chunk, done, start), "127.0.0.1", port)
    return (await done) * 1000


def variant(connections, size, chunk, backlog):
    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", 0, backlog=backlog)
        port = server.sockets[0].getsockname()[1]
        start = now()
        latencies = await asyncio.gather(
            *(client(loop, port, size, chunk) for _ in range(connections))
        )
        seconds = now() - start
        server.close()
        await server.wait_closed()
        latencies.sort()
        p99 = latencies[max(1, math.ceil(0.99 * len(latencies))) - 1]
        return {"mbps": connections * size / seconds / 1e6, "p99": p99}

    return run


def main():
    p = params()
    chunk = b"e" * p["chunk"]
    run = variant(p["connections"], p["size"], chunk, p["backlog"])
    run_variants([(k, k, run) for k in loop_kinds()], p.get("runs", 3))


main()
