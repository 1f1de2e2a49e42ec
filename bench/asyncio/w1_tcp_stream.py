"""W1 and W8 peer: one stream of `total` bytes, server to client, in `chunk`-byte writes, TLS
for W8 (MB/s)."""

import asyncio

from common import loop_kinds, now, params, run_variants
from tls_common import check_tls, client_ssl, server_ssl

READ_BUFFER = 256 * 1024


class Sender(asyncio.Protocol):
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
        # TLS has no half-close: no EOF there.
        if self.sent >= self.total and not self.paused and self.transport.can_write_eof():
            self.transport.write_eof()


class Counter(asyncio.Protocol):
    def __init__(self, total, done):
        self.total, self.done, self.received = total, done, 0

    def data_received(self, data):
        self.received += len(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


class BufferedCounter(asyncio.BufferedProtocol):
    def __init__(self, total, done):
        self.total, self.done, self.received = total, done, 0
        self.buffer = bytearray(READ_BUFFER)

    def get_buffer(self, sizehint):
        return self.buffer

    def buffer_updated(self, nbytes):
        self.received += nbytes
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


def variant(p, total, chunk, reader):
    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: Sender(chunk, total), "127.0.0.1", 0, ssl=server_ssl(p)
        )
        port = server.sockets[0].getsockname()[1]
        done = loop.create_future()
        tls = client_ssl(p)
        start = now()
        transport, _ = await loop.create_connection(
            lambda: reader(total, done), "127.0.0.1", port, **tls
        )
        check_tls(transport, p)
        await done
        seconds = now() - start
        transport.abort()
        server.close()
        await server.wait_closed()
        return {"mbps": total / seconds / 1e6}

    return run


def main():
    p = params()
    total, chunk = p["total"], b"a" * p["chunk"]
    variants = []
    for kind in loop_kinds():
        variants.append((kind, kind, variant(p, total, chunk, Counter)))
        if "cafile" not in p:
            variants.append((f"{kind} (buffered)", kind, variant(p, total, chunk, BufferedCounter)))
    run_variants(variants, p.get("runs", 3))


main()
