"""W6 reader (one run, in its own process): consumes `total` bytes slowly, 1 ms per 64 KiB, one
chunk at a time, pausing reading at `high` chunks counted and resuming at `low`; prints
{"growth": MiB, "peak": MiB, "baseline": MiB, "seconds": s} (RSS from /proc/self/statm)."""

import asyncio
import gc
import json
import os

from common import new_loop, now, params

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
MS_PER_64_KIB = 1


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def work_seconds(nbytes):
    return max(1, round(nbytes / 65536 * MS_PER_64_KIB)) / 1000


class SlowReader(asyncio.Protocol):
    def __init__(self, p, done):
        self.total, self.high, self.low, self.done = p["total"], p["high"], p["low"], done
        self.queue, self.active, self.paused, self.received = [], False, False, 0
        self.baseline = self.peak = 0

    def connection_made(self, transport):
        self.transport = transport
        # Node reads 64 KiB at a time, asyncio 256 KiB: with the same 16-chunk queue, asyncio
        # would hold four times the bytes. Read 64 KiB at a time, as Node does.
        transport.max_size = 64 * 1024
        gc.collect()
        self.baseline = self.peak = rss()
        self.tick()

    def tick(self):
        self.peak = max(self.peak, rss())
        if not self.done.done():
            asyncio.get_running_loop().call_later(0.005, self.tick)

    def data_received(self, data):
        self.queue.append(data)
        if not self.paused and self.count() >= self.high:
            self.paused = True
            self.transport.pause_reading()
        self.next()

    def count(self):
        return len(self.queue) + (1 if self.active else 0)

    def next(self):
        if self.active or not self.queue:
            return
        chunk = self.queue.pop(0)
        self.active = True
        asyncio.get_running_loop().call_later(work_seconds(len(chunk)), self.consumed, len(chunk))

    def consumed(self, nbytes):
        self.active = False
        self.received += nbytes
        self.peak = max(self.peak, rss())
        if self.received >= self.total:
            if not self.done.done():
                self.done.set_result(None)
            return
        if self.paused and self.count() <= self.low:
            self.paused = False
            self.transport.resume_reading()
        self.next()


async def run(p):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    start = now()
    transport, reader = await loop.create_connection(
        lambda: SlowReader(p, done), "127.0.0.1", p["port"]
    )
    await done
    seconds = now() - start
    transport.abort()
    return {
        "growth": (reader.peak - reader.baseline) / MIB,
        "peak": reader.peak / MIB,
        "baseline": reader.baseline / MIB,
        "seconds": seconds,
    }


def main():
    p = params()
    loop = new_loop(p.get("variant", "asyncio"))
    try:
        print(json.dumps(loop.run_until_complete(run(p))))
    finally:
        loop.close()


main()
