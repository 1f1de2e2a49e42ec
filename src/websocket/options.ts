import { invalidArgType, invalidArgValue } from '../core/argErrors.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { optionalFunction, optionalInteger, requireObject } from '../core/validate.js';

/**
 * Options of `connectWebSocket` and `fromWebSocket`, on every platform.
 * @group WebSocket
 */
export interface WebSocketClientOptions {
  /** Subprotocols offered in the handshake (`Sec-WebSocket-Protocol`). */
  readonly protocols?: string | readonly string[];
  /** asyncio's protocol factory; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
  /** Write buffer high-water mark in bytes (default 64 KiB), as `setWriteBufferLimits`. */
  readonly highWaterMark?: number;
  /** Write buffer low-water mark in bytes (default high / 4). */
  readonly lowWaterMark?: number;
  /**
   * Where reading cannot stop the network (a browser's `WebSocket`): bytes held while paused
   * before the transport aborts with `ReadOverflowError`. Default 16 MiB.
   */
  readonly maxPausedBytes?: number;
  /**
   * How often, in ms, the platform's `bufferedAmount` is polled while bytes wait (no event
   * tells when it falls). Default 16.
   */
  readonly pollInterval?: number;
}

/** Defaults of {@link WebSocketClientOptions}. @internal */
export const DEFAULT_MAX_PAUSED_BYTES = 16 * 1024 * 1024;
/** @internal */
export const DEFAULT_POLL_INTERVAL = 16;

/** Checked client options, defaults filled in. @internal */
export interface CheckedClientOptions {
  readonly protocols: string[];
  readonly protocol: StreamProtocolFactory | undefined;
  readonly highWaterMark: number | undefined;
  readonly lowWaterMark: number | undefined;
  readonly maxPausedBytes: number;
  readonly pollInterval: number;
}

const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/** Checks the options common to every platform. @internal */
export function checkClientOptions(options: unknown): CheckedClientOptions {
  const opts = options === undefined ? {} : requireObject('options', options);
  return {
    protocols: checkSubprotocols(opts['protocols']),
    protocol: optionalFunction<StreamProtocolFactory>('options.protocol', opts['protocol']),
    highWaterMark: optionalInteger('options.highWaterMark', opts['highWaterMark'], 0, MAX_BYTES),
    lowWaterMark: optionalInteger('options.lowWaterMark', opts['lowWaterMark'], 0, MAX_BYTES),
    maxPausedBytes:
      optionalInteger('options.maxPausedBytes', opts['maxPausedBytes'], 0, MAX_BYTES) ??
      DEFAULT_MAX_PAUSED_BYTES,
    pollInterval:
      optionalInteger('options.pollInterval', opts['pollInterval'], 1, 60_000) ??
      DEFAULT_POLL_INTERVAL,
  };
}

/** A subprotocol is an HTTP token (RFC 6455 4.1); each may be offered once. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkSubprotocols(value: unknown): string[] {
  if (value === undefined) return [];
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (typeof value !== 'string' && !Array.isArray(value)) {
    throw invalidArgType('options.protocols', 'a string or an array of strings', value);
  }
  const seen = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string' || !TOKEN.test(item)) {
      throw invalidArgValue('options.protocols', `must hold HTTP tokens; got ${String(item)}`);
    }
    if (seen.has(item)) throw invalidArgValue('options.protocols', `lists '${item}' twice`);
    seen.add(item);
  }
  return [...seen];
}

/**
 * Checks a WebSocket URL: `ws:`, `wss:`, or `http:`/`https:` (which mean the same), no
 * fragment. Returns it as a string.
 * @internal
 */
export function checkWebSocketUrl(url: unknown): string {
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw invalidArgType('url', 'of type string or an instance of URL', url);
  }
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw invalidArgValue('url', `must be an absolute ws: or wss: URL; got '${String(url)}'`);
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw invalidArgValue('url', `must use ws: or wss:; got '${parsed.protocol}'`);
  }
  if (parsed.hash !== '') throw invalidArgValue('url', 'must not have a fragment');
  return parsed.href;
}
