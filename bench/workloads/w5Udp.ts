import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import {
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
  type InetAddress,
} from '../../src/index.js';
import { HOST } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { deferred, now } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/**
 * W5: 64-byte UDP datagrams from a connected sender to a receiver on loopback; datagrams
 * received per second, and the loss.
 *
 * The sender keeps at most WINDOW datagrams in flight (sent, not yet received), refilling when
 * half of them arrived, so that the figure is the per-datagram cost of sending and receiving,
 * not the kernel's drop policy when a receive buffer overflows. Datagrams missing for STALL_MS
 * are counted lost and sending goes on.
 */

const SIZE = 64;
const WINDOW = 128;
const STALL_MS = 50;

/** The windowed sending and the counting, shared by every variant. */
class UdpFlow {
  private sent = 0;
  private received = 0;
  private presumedLost = 0;
  private start = 0;
  private lastReceive = 0;
  private lastCount = 0;
  private lastProgress = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly finished = deferred<{ rps: number; loss: number }>();

  constructor(
    private readonly total: number,
    private readonly send: () => void,
  ) {}

  run(): Promise<{ rps: number; loss: number }> {
    this.start = now();
    this.lastProgress = this.start;
    this.watchdog = setInterval(() => {
      this.check();
    }, 10);
    this.pump();
    return this.finished.promise;
  }

  onReceive(): void {
    this.received += 1;
    this.lastReceive = now();
    if (this.received >= this.total) this.finish();
    else if (this.sent - this.received - this.presumedLost <= WINDOW / 2) this.pump();
  }

  private pump(): void {
    while (this.sent < this.total && this.sent - this.received - this.presumedLost < WINDOW) {
      this.sent += 1;
      this.send();
    }
  }

  private check(): void {
    const t = now();
    if (this.received !== this.lastCount) {
      this.lastCount = this.received;
      this.lastProgress = t;
      return;
    }
    if (t - this.lastProgress < STALL_MS) return;
    if (this.sent >= this.total) {
      this.finish();
      return;
    }
    this.presumedLost = this.sent - this.received;
    this.lastProgress = t;
    this.pump();
  }

  private finish(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const seconds = ((this.lastReceive || now()) - this.start) / 1000;
    this.finished.resolve({
      rps: this.received / seconds,
      loss: (100 * (this.total - this.received)) / this.total,
    });
  }
}

function rawVariant(total: number, message: Uint8Array): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      let flow: UdpFlow | null = null;
      const receiver = createSocket('udp4');
      receiver.on('message', () => flow?.onReceive());
      receiver.bind(0, HOST);
      await once(receiver, 'listening');
      const sender = createSocket('udp4');
      sender.connect(receiver.address().port, HOST);
      await once(sender, 'connect');
      flow = new UdpFlow(total, () => {
        sender.send(message);
      });
      const figures = await flow.run();
      sender.close();
      receiver.close();
      return figures;
    },
  };
}

class CountingDatagramProtocol implements DatagramProtocol<DatagramTransport> {
  flow: UdpFlow | null = null;

  datagramReceived(): void {
    this.flow?.onReceive();
  }
}

function rxtransportVariant(total: number, message: Uint8Array, rx: boolean): NodeVariant {
  return {
    name: rx ? 'rxtransport Rx' : 'rxtransport Protocol',
    surface: rx ? 'rx' : 'protocol',
    run: async () => {
      let flow: UdpFlow | null = null;
      const protocol = new CountingDatagramProtocol();
      const receiver = await createDatagramEndpoint({
        localAddr: { host: HOST, port: 0 },
        ...(rx ? {} : { protocol: () => protocol }),
      });
      if (rx) receiver.datagrams$.subscribe(() => flow?.onReceive());
      const sender = await createDatagramEndpoint({
        remoteAddr: receiver.getExtraInfo('sockname') as InetAddress,
        ...(rx ? {} : { protocol: () => ({}) }),
      });
      flow = new UdpFlow(total, () => {
        sender.sendto(message);
      });
      protocol.flow = flow;
      const figures = await flow.run();
      sender.close();
      receiver.close();
      return figures;
    },
  };
}

export const w5Udp: Workload = {
  id: 'W5',
  title: '64-byte UDP datagrams',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 20_000 : 500_000;
    const message = new Uint8Array(SIZE).fill(0x75);
    const variants = [
      rxtransportVariant(total, message, true),
      rxtransportVariant(total, message, false),
      rawVariant(total, message),
    ];
    const results = await runInterleaved(ctx, 'W5', variants, 300_000);
    const python = await runPythonPeer(
      ctx,
      'W5',
      'w5_udp.py',
      { total, size: SIZE, window: WINDOW, stall_ms: STALL_MS },
      900_000,
    );
    return {
      id: 'W5',
      title: this.title,
      params: `${total.toLocaleString('en')} datagrams of ${SIZE} bytes, at most ${WINDOW} in flight`,
      metrics: [
        { key: 'rps', label: 'received/s', better: 'higher' },
        { key: 'loss', label: 'loss %', better: 'lower', ratio: false },
      ],
      baseline: 'raw Node',
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({ metric: 'rps', kind: 'ratio', value: 0.9, text: '>= 0.90 of raw Node' }),
      ],
    };
  },
};
