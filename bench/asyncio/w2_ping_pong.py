"""W2 and W9 peer: ping-pong of `size`-byte messages on one connection, TLS for W9 (round trips/s)."""

import asyncio

from common import loop_kinds, now, params, run_variants
from tls_common import check_tls, client_ssl, server_ssl


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class Ping(asyncio.Protocol):
    def __init__(self, trips, message, done):
        self.trips, self.message, self.done = trips, message, done
        self.pending, self.count = 0, 0

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.pending += len(data)
        size = len(self.message)
        while self.pending >= size:
            self.pending -= size
            self.count += 1
            if self.count == self.trips:
                self.done.set_result(None)
            elif self.count < self.trips:
                self.transport.write(self.message)


def variant(p, trips, message):
    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", 0, ssl=server_ssl(p))
        port = server.sockets[0].getsockname()[1]
        done = loop.create_future()
        transport, _ = await loop.create_connection(
            lambda: Ping(trips, message, done), "127.0.0.1", port, **client_ssl(p)
        )
        check_tls(transport, p)
        start = now()
        transport.write(message)
        await done
        seconds = now() - start
        transport.abort()
        server.close()
        await server.wait_closed()
        return {"rtps": trips / seconds}

    return run


def main():
    p = params()
    message = b"p" * p["size"]
    variants = [(kind, kind, variant(p, p["trips"], message)) for kind in loop_kinds()]
    run_variants(variants, p.get("runs", 3))


main()
