/**
 * rxtransport/websocket (the platform-free client) over real sockets: the `ws` package's
 * browser-compatible `WebSocket` class as the constructor (Node 20 has no global one), and on
 * Node 22+ the platform's own global `WebSocket` too, against a raw `ws` server.
 */
import { once } from 'node:events';
import { filter, firstValueFrom, toArray, take, retry, switchMap, Subject } from 'rxjs';
import { WebSocket as WsWebSocket, WebSocketServer, type RawData } from 'ws';
import {
  connectWebSocket,
  fromWebSocket,
  ReadOverflowError,
  WebSocketCloseError,
  WebSocketHandshakeError,
  type WebSocketConstructor,
  type WebSocketTransport,
} from '../../src/websocket/index';
import { closedValue } from '../helpers/streams';

const HOST = '127.0.0.1';

interface Peer {
  readonly url: string;
  readonly sockets: Promise<import('ws').WebSocket>[];
  next(): Promise<import('ws').WebSocket>;
  close(): Promise<void>;
}

/** A raw ws server; `next()` gives the next accepted socket. */
async function startPeer(): Promise<Peer> {
  const server = new WebSocketServer({ host: HOST, port: 0 });
  await once(server, 'listening');
  const waiting: ((ws: import('ws').WebSocket) => void)[] = [];
  const accepted: import('ws').WebSocket[] = [];
  server.on('connection', (ws) => {
    const taker = waiting.shift();
    if (taker) taker(ws);
    else accepted.push(ws);
  });
  const address = server.address() as { port: number };
  return {
    url: `ws://${HOST}:${address.port}/path`,
    sockets: [],
    next: () => {
      const ready = accepted.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

const constructors: [string, WebSocketConstructor][] = [
  ['the ws package WebSocket', WsWebSocket as unknown as WebSocketConstructor],
];
const platform = (globalThis as { WebSocket?: unknown }).WebSocket;
if (typeof platform === 'function') {
  constructors.push(['the global WebSocket', platform as WebSocketConstructor]);
}

function messagesOf(ws: import('ws').WebSocket, count: number): Promise<[RawData, boolean][]> {
  return new Promise((resolve) => {
    const got: [RawData, boolean][] = [];
    ws.on('message', (data, isBinary) => {
      got.push([data, isBinary]);
      if (got.length === count) resolve(got);
    });
  });
}

describe.each(constructors)('rxtransport/websocket over %s', (_name, WebSocket) => {
  let peer: Peer;
  const opened: WebSocketTransport[] = [];
  const open = async (
    options: Parameters<typeof connectWebSocket>[1] = {},
  ): Promise<WebSocketTransport> => {
    const transport = await connectWebSocket(peer.url, { WebSocket, ...options });
    opened.push(transport);
    return transport;
  };

  beforeEach(async () => {
    peer = await startPeer();
  });
  afterEach(async () => {
    for (const transport of opened.splice(0)) transport.abort();
    await peer.close();
  });

  it('sends one message per write and text with sendText, in order', async () => {
    const transport = await open();
    const server = await peer.next();
    const got = messagesOf(server, 4);
    transport.write(new Uint8Array([1, 2, 3]));
    transport.sendText('héllo');
    transport.writelines([new Uint8Array([4]), new Uint8Array([5, 6])]);
    transport.sink.next(new Uint8Array(70_000).fill(7));
    const messages = await got;
    expect(messages.map(([data, binary]) => [binary, (data as Buffer).byteLength])).toEqual([
      [true, 3],
      [false, 6],
      [true, 3],
      [true, 70_000],
    ]);
    expect((messages[1]?.[0] as Buffer).toString()).toBe('héllo');
  });

  it('emits one chunk per message received, text kept as text on messages$', async () => {
    const transport = await open();
    const server = await peer.next();
    const all = firstValueFrom(transport.messages$.pipe(take(3), toArray()));
    server.send(Buffer.from([9, 8]));
    server.send('text');
    server.send(Buffer.alloc(100_000, 1));
    const [first, second, third] = await all;
    expect(first).toEqual(new Uint8Array([9, 8]));
    expect(second).toBe('text');
    expect((third as Uint8Array).byteLength).toBe(100_000);
  });

  it('ends with null on a 1000 close from the peer, and with WebSocketCloseError on 4001', async () => {
    const clean = await open();
    (await peer.next()).close(1000, 'done');
    expect(await closedValue(clean)).toBeNull();
    const failed = await open();
    (await peer.next()).close(4001, 'bye');
    const error = await closedValue(failed);
    expect(error).toBeInstanceOf(WebSocketCloseError);
    expect(error).toMatchObject({ code: 'ERR_WEBSOCKET_CLOSED', closeCode: 4001, reason: 'bye' });
  });

  it('closes with the code and reason given, after what was written', async () => {
    const transport = await open();
    const server = await peer.next();
    const got = messagesOf(server, 1);
    const closed = once(server, 'close');
    transport.write(new Uint8Array(200_000));
    transport.close(4000, 'later');
    expect((await got)[0]?.[0]).toHaveLength(200_000);
    const [code, reason] = (await closed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4000, 'later']);
    expect(await closedValue(transport)).toBeNull();
  });

  it('refuses bad close codes and reasons with RangeError ERR_OUT_OF_RANGE', async () => {
    const transport = await open();
    expect(() => {
      transport.close(1006);
    }).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => {
      transport.close(4000, 'x'.repeat(124));
    }).toThrow(RangeError);
    expect(transport.isClosing()).toBe(false);
  });

  it('counts what the platform has not sent in the write buffer, and drains', async () => {
    const transport = await open({ highWaterMark: 1024, pollInterval: 5 });
    const server = await peer.next();
    const states: boolean[] = [];
    transport.writable$.subscribe((state) => states.push(state));
    const got = messagesOf(server, 1);
    transport.write(new Uint8Array(4 * 1024 * 1024));
    expect(transport.getWriteBufferSize()).toBeGreaterThan(1024);
    await transport.drain();
    await got;
    expect(states).toEqual([true, false, true]);
  });

  it('holds messages while paused, in order, and aborts past maxPausedBytes', async () => {
    const transport = await open({ maxPausedBytes: 10_000 });
    const server = await peer.next();
    const seen: number[] = [];
    const ended = new Promise<unknown>((resolve) => {
      transport.data$.subscribe({ next: (chunk) => seen.push(chunk.byteLength), error: resolve });
    });
    transport.pauseReading();
    server.send(Buffer.alloc(1));
    server.send(Buffer.alloc(2));
    // The client answers a ping after the messages before it: then both have arrived.
    const pong = once(server, 'pong');
    server.ping();
    await pong;
    expect(seen).toEqual([]);
    transport.resumeReading();
    const third = firstValueFrom(transport.data$.pipe(filter((chunk) => chunk.byteLength === 3)));
    server.send(Buffer.alloc(3));
    await third;
    expect(seen).toEqual([1, 2, 3]);
    transport.pauseReading();
    server.send(Buffer.alloc(20_000));
    expect(await ended).toBeInstanceOf(ReadOverflowError);
    expect(await closedValue(transport)).toBeInstanceOf(ReadOverflowError);
    expect(transport.getExtraInfo('readBackpressure')).toBe('none');
  });

  it('gives url, protocol and the socket as extra info; asSubject() reads and writes', async () => {
    const transport = await open({ protocols: ['chat'] });
    expect(transport.getExtraInfo('url')).toBe(peer.url);
    expect(transport.getExtraInfo('protocol')).toBe('chat');
    const server = await peer.next();
    server.on('message', (data) => {
      server.send(data as Buffer);
    });
    const subject = transport.asSubject();
    expect(subject).toBeInstanceOf(Subject);
    const echoed = firstValueFrom(subject);
    subject.next(new Uint8Array([42]));
    expect(await echoed).toEqual(new Uint8Array([42]));
  });

  it('reconnects with fromWebSocket and retry, each time a new transport', async () => {
    const seen: WebSocketTransport[] = [];
    const texts = firstValueFrom(
      fromWebSocket(peer.url, { WebSocket }).pipe(
        switchMap((transport) => {
          seen.push(transport);
          return transport.messages$;
        }),
        retry({ count: 2, delay: 1 }),
        take(2),
        toArray(),
      ),
    );
    const first = await peer.next();
    first.send('one');
    first.terminate();
    const second = await peer.next();
    second.send('two');
    expect(await texts).toEqual(['one', 'two']);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });
});

describe('rxtransport/websocket: bad input', () => {
  const WebSocket = WsWebSocket as unknown as WebSocketConstructor;

  it.each([
    ['not a URL', 'ERR_INVALID_ARG_VALUE'],
    ['ftp://host/', 'ERR_INVALID_ARG_VALUE'],
    ['ws://host/#frag', 'ERR_INVALID_ARG_VALUE'],
    [42, 'ERR_INVALID_ARG_TYPE'],
  ])('rejects the URL %p with %s', async (url, code) => {
    await expect(connectWebSocket(url as string, { WebSocket })).rejects.toMatchObject({ code });
    expect(() => fromWebSocket(url as string, { WebSocket })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('rejects bad options with typed errors', async () => {
    const url = 'ws://127.0.0.1:1/';
    await expect(connectWebSocket(url, { WebSocket, protocols: ['a b'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(connectWebSocket(url, { WebSocket, highWaterMark: -1 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(
      connectWebSocket(url, { WebSocket: 'x' as unknown as WebSocketConstructor }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('rejects with WebSocketHandshakeError when nothing listens', async () => {
    const server = new WebSocketServer({ host: HOST, port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    await expect(connectWebSocket(`ws://${HOST}:${port}/`, { WebSocket })).rejects.toBeInstanceOf(
      WebSocketHandshakeError,
    );
  });
});
