/**
 * The page side of the browser test: bundled for the browser from rxtransport/websocket alone,
 * it exposes a small driver on `window` that the test calls through playwright.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { lengthPrefixed } from '../../src/operators/index';
import { connectWebSocket, type WebSocketTransport } from '../../src/websocket/index';

interface Driver {
  open(url: string): Promise<void>;
  roundTrip(): Promise<unknown[]>;
  frames(): Promise<number[][]>;
  upload(bytes: number): Promise<boolean[]>;
  writableStates(): boolean[];
  drain(): Promise<void>;
}

let transport: WebSocketTransport | undefined;
const states: boolean[] = [];

const opened = (): WebSocketTransport => {
  if (transport === undefined) throw new Error('not open');
  return transport;
};

const driver: Driver = {
  async open(url) {
    transport = await connectWebSocket(url, { highWaterMark: 64 * 1024, pollInterval: 10 });
    transport.writable$.subscribe((state) => states.push(state));
  },
  async roundTrip() {
    const ws = opened();
    const echoes = firstValueFrom(ws.messages$.pipe(take(2), toArray()));
    ws.write(new Uint8Array([1, 2, 3]));
    ws.sendText('héllo');
    const [binary, text] = await echoes;
    return [Array.from(binary as Uint8Array), text];
  },
  async frames() {
    const ws = opened();
    const frames = firstValueFrom(
      ws.data$.pipe(lengthPrefixed({ headerBytes: 4 }), take(2), toArray()),
    );
    ws.sendText('frames');
    return (await frames).map((frame) => Array.from(frame));
  },
  upload(bytes) {
    opened().write(new Uint8Array(bytes));
    return Promise.resolve([...states]);
  },
  writableStates() {
    return [...states];
  },
  drain() {
    return opened().drain();
  },
};

(globalThis as unknown as { rx: Driver }).rx = driver;
