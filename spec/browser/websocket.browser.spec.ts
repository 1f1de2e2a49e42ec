/**
 * rxtransport/websocket in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) loads a page whose script is bundled from rxtransport/websocket for the
 * browser, and talks to a `ws` server on loopback.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const MiB = 1024 * 1024;

let bundle: string;
let http: Server;
let wss: WebSocketServer;
let browser: Browser;
let page: Page;
let peer: WebSocket;
let received = 0;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  const result = await build({
    entryPoints: [`${__dirname}/pageScript.ts`],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
  });
  bundle = result.outputFiles[0]?.text ?? '';
  http = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.setHeader('content-type', 'text/javascript');
      response.end(bundle);
    } else {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>rxtransport</title><script src="/bundle.js"></script>');
    }
  });
  wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => {
    peer = socket;
    socket.on('message', (data, isBinary) => {
      const bytes = data as Buffer;
      received += bytes.byteLength;
      if (!isBinary && bytes.toString() === 'frames') {
        // Two length-prefixed frames, cut into messages of 3 bytes.
        const frames = Buffer.from([0, 0, 0, 3, 7, 8, 9, 0, 0, 0, 1, 5]);
        for (let i = 0; i < frames.length; i += 3) socket.send(frames.subarray(i, i + 3));
      } else if (bytes.byteLength < 1024) {
        socket.send(bytes, { binary: isBinary });
      }
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  const { port } = http.address() as { port: number };
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.evaluate(async (url) => {
    await (globalThis as unknown as { rx: { open(u: string): Promise<void> } }).rx.open(url);
  }, `ws://127.0.0.1:${port}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await new Promise((resolve) => http?.close(resolve));
});

type Rx = Record<string, (...args: number[]) => Promise<unknown>>;
const call = (name: string, ...args: number[]): Promise<unknown> =>
  page.evaluate(([fn, rest]) => (globalThis as unknown as { rx: Rx }).rx[fn]?.(...rest), [
    name,
    args,
  ] as const);

describe('rxtransport/websocket in Chromium', () => {
  it('bundles for the browser without a node: import', () => {
    expect(bundle.length).toBeGreaterThan(0);
    expect(bundle).not.toMatch(/["']node:/);
  });

  it('exchanges binary and text messages', async () => {
    expect(await call('roundTrip')).toEqual([[1, 2, 3], 'héllo']);
  });

  it('frames length-prefixed records split over 3-byte messages', async () => {
    expect(await call('frames')).toEqual([[7, 8, 9], [5]]);
  });

  it('sees writable$ go false while the server has paused reading, and true after', async () => {
    peer.pause();
    const before = received;
    // More than loopback's socket buffers can take, so the page's bufferedAmount stays up.
    const states = (await call('upload', 64 * MiB)) as boolean[];
    expect(states.at(-1)).toBe(false);
    // Paused, the server reads nothing, so the page cannot drain.
    const drained = call('drain').then(() => true);
    const early = await Promise.race([drained, new Promise((r) => setTimeout(r, 500, false))]);
    expect(early).toBe(false);
    expect(received).toBe(before);
    peer.resume();
    expect(await drained).toBe(true);
    expect(((await call('writableStates')) as boolean[]).at(-1)).toBe(true);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (received - before >= 64 * MiB) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
    expect(received - before).toBe(64 * MiB);
  });
});
