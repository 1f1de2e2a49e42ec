"""W5 peer: 64-byte UDP datagrams, at most `window` in flight (received/s and loss %)."""

import asyncio

from common import loop_kinds, now, params, run_variants


class Flow:
    """The windowed sending and the counting, as in bench/workloads/w5Udp.ts."""

    def __init__(self, loop, total, window, stall, send):
        self.loop, self.total, self.window, self.stall, self.send = loop, total, window, stall, send
        self.sent = self.received = self.presumed_lost = self.last_count = 0
        self.done = loop.create_future()
        self.start = self.last_receive = self.last_progress = 0.0
        self.timer = None

    def run(self):
        self.start = self.last_progress = now()
        self.timer = self.loop.call_later(0.01, self.check)
        self.pump()
        return self.done

    def on_receive(self):
        self.received += 1
        self.last_receive = now()
        if self.received >= self.total:
            self.finish()
        elif self.sent - self.received - self.presumed_lost <= self.window // 2:
            self.pump()

    def pump(self):
        while self.sent < self.total and self.sent - self.received - self.presumed_lost < self.window:
            self.sent += 1
            self.send()

    def check(self):
        self.timer = self.loop.call_later(0.01, self.check)
        t = now()
        if self.received != self.last_count:
            self.last_count, self.last_progress = self.received, t
            return
        if t - self.last_progress < self.stall:
            return
        if self.sent >= self.total:
            self.finish()
            return
        self.presumed_lost = self.sent - self.received
        self.last_progress = t
        self.pump()

    def finish(self):
        if self.done.done():
            return
        self.timer.cancel()
        seconds = (self.last_receive or now()) - self.start
        loss = 100 * (self.total - self.received) / self.total
        self.done.set_result({"rps": self.received / seconds, "loss": loss})


class Receiver(asyncio.DatagramProtocol):
    flow = None

    def datagram_received(self, data, addr):
        self.flow.on_receive()


def variant(total, size, window, stall):
    async def run():
        loop = asyncio.get_running_loop()
        receiver, protocol = await loop.create_datagram_endpoint(
            Receiver, local_addr=("127.0.0.1", 0)
        )
        sender, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=receiver.get_extra_info("sockname")
        )
        message = b"u" * size
        flow = Flow(loop, total, window, stall, lambda: sender.sendto(message))
        protocol.flow = flow
        figures = await flow.run()
        sender.close()
        receiver.close()
        return figures

    return run


def main():
    p = params()
    run = variant(p["total"], p["size"], p["window"], p["stall_ms"] / 1000)
    run_variants([(k, k, run) for k in loop_kinds()], p.get("runs", 3))


main()
