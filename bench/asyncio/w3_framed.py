"""W3 peer: pipelined 64-byte length-prefixed messages, one write() each (messages/s)."""

import asyncio

from common import loop_kinds, now, params, run_variants


class FrameCounter(asyncio.Protocol):
    """Decodes 4-byte big-endian length-prefixed frames by hand and counts them."""

    def __init__(self, total, done):
        self.total, self.done, self.count = total, done, 0
        self.buffer = bytearray()

    def data_received(self, data):
        buffer = self.buffer
        buffer += data
        offset, end = 0, len(buffer)
        view = memoryview(buffer)
        count = self.count
        while end - offset >= 4:
            length = int.from_bytes(view[offset : offset + 4], "big")
            if end - offset - 4 < length:
                break
            view[offset + 4 : offset + 4 + length]  # the payload, as a view
            offset += 4 + length
            count += 1
        view.release()
        del buffer[:offset]
        self.count = count
        if count >= self.total and not self.done.done():
            self.done.set_result(None)


class Writer(asyncio.Protocol):
    def __init__(self):
        self.paused = False
        self.waiter = None

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


def variant(total, frame, batch):
    async def run():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        server = await loop.create_server(lambda: FrameCounter(total, done), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        writer = Writer()
        transport, _ = await loop.create_connection(lambda: writer, "127.0.0.1", port)
        start = now()
        sent = 0
        while sent < total:
            count = min(batch, total - sent)
            for _ in range(count):
                transport.write(frame)
            sent += count
            if writer.paused:
                writer.waiter = loop.create_future()
                await writer.waiter
            else:
                await asyncio.sleep(0)
        await done
        seconds = now() - start
        transport.abort()
        server.close()
        await server.wait_closed()
        return {"mps": total / seconds}

    return run


def main():
    p = params()
    payload = b"m" * p["payload"]
    frame = len(payload).to_bytes(4, "big") + payload
    variants = [(k, k, variant(p["total"], frame, p["batch"])) for k in loop_kinds()]
    run_variants(variants, p.get("runs", 3))


main()
