"""W4 peer: `total` bytes through `cat` as a subprocess, in `chunk`-byte writes (MB/s)."""

import asyncio

from common import loop_kinds, now, params, run_variants


class Cat(asyncio.SubprocessProtocol):
    def __init__(self, chunk, total, done):
        self.chunk, self.total, self.done = chunk, total, done
        self.sent, self.received, self.paused, self.eof = 0, 0, False, False

    def connection_made(self, transport):
        self.stdin = transport.get_pipe_transport(0)
        self.pump()

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

    def pump(self):
        while not self.paused and self.sent < self.total:
            self.sent += len(self.chunk)
            self.stdin.write(self.chunk)
        if self.sent >= self.total and not self.paused and not self.eof:
            # Not from inside resume_writing: 3.11's pipe transport closes twice if EOF (a close,
            # on a pipe) is sent from its own write callback, and stdin may then stay open.
            self.eof = True
            asyncio.get_running_loop().call_soon(self.stdin.write_eof)

    def pipe_data_received(self, fd, data):
        self.received += len(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


def variant(total, chunk):
    async def run():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        start = now()
        transport, _ = await loop.subprocess_exec(lambda: Cat(chunk, total, done), "cat")
        await done
        seconds = now() - start
        while transport.get_returncode() is None:
            await asyncio.sleep(0.001)
        transport.close()
        return {"mbps": total / seconds / 1e6}

    return run


def main():
    p = params()
    chunk = b"c" * p["chunk"]
    variants = [(k, k, variant(p["total"], chunk)) for k in loop_kinds()]
    run_variants(variants, p.get("runs", 3))


main()
