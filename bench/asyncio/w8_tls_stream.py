"""W8 peer: one TLS stream of `total` bytes, server to client, in `chunk`-byte writes (MB/s)."""

import asyncio

from common import loop_kinds, now, params, run_variants
from tls_common import check_cipher, client_context, server_context


class Sender(asyncio.Protocol):
    """Writes `total` bytes; no EOF, TLS has no half-close."""

    def __init__(self, chunk, total):
        self.chunk, self.total, self.sent, self.paused = chunk, total, 0, False

    def connection_made(self, transport):
        self.transport = transport
        self.pump()

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

    def pump(self):
        while not self.paused and self.sent < self.total:
            self.sent += len(self.chunk)
            self.transport.write(self.chunk)


class Counter(asyncio.Protocol):
    def __init__(self, total, done):
        self.total, self.done, self.received = total, done, 0

    def data_received(self, data):
        self.received += len(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


def variant(p, total, chunk):
    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: Sender(chunk, total), "127.0.0.1", 0, ssl=server_context(p)
        )
        port = server.sockets[0].getsockname()[1]
        client_ssl = client_context(p)
        done = loop.create_future()
        start = now()
        transport, _ = await loop.create_connection(
            lambda: Counter(total, done),
            "127.0.0.1",
            port,
            ssl=client_ssl,
            server_hostname="localhost",
        )
        await done
        seconds = now() - start
        check_cipher(transport, p)
        transport.abort()
        server.close()
        await server.wait_closed()
        return {"mbps": total / seconds / 1e6}

    return run


def main():
    p = params()
    total, chunk = p["total"], b"a" * p["chunk"]
    variants = [(kind, kind, variant(p, total, chunk)) for kind in loop_kinds()]
    run_variants(variants, p.get("runs", 3))


main()
