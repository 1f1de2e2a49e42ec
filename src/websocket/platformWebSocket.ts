/**
 * The part of the WHATWG `WebSocket` that the browser handle uses, typed here so that the
 * platform-free code needs no DOM typings: browsers, workers, Deno, Bun, Node 22+'s global and
 * the `ws` package's class all fit it.
 */

/**
 * An event listener as the platform calls it.
 * @group WebSocket
 */
export type PlatformListener<E> = (event: E) => void;

/**
 * A message event: `data` is an ArrayBuffer (binaryType 'arraybuffer') or a string.
 * @group WebSocket
 */
export interface PlatformMessageEvent {
  readonly data: unknown;
}

/**
 * A close event.
 * @group WebSocket
 */
export interface PlatformCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * A WebSocket as the platform gives it (the WHATWG interface, in part).
 * @group WebSocket
 */
export interface PlatformWebSocket {
  readonly url: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  readonly extensions: string;
  binaryType: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: PlatformListener<unknown>): void;
  addEventListener(type: 'message', listener: PlatformListener<PlatformMessageEvent>): void;
  addEventListener(type: 'close', listener: PlatformListener<PlatformCloseEvent>): void;
  removeEventListener(type: string, listener: PlatformListener<never>): void;
}

/**
 * A `WebSocket` constructor: the platform's own, or one given in the options (for instance
 * the `ws` package's `WebSocket` on Node 20, which has no global one).
 * @group WebSocket
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => PlatformWebSocket;

/** `readyState` values. @internal */
export const OPEN = 1;
/** @internal */
export const CLOSED = 3;

/** The environment's own `WebSocket`, if it has one. @internal */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}

/** A received message's bytes, whatever the platform's binary type gave. @internal */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
