import { invalidArgType, invalidArgValue, outOfRange } from './argErrors.js';

/**
 * Option checks shared by the factories, each throwing the platform's own class with Node's code.
 * @internal
 */

export function requireObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgType(name, 'an object', value);
  }
  return value as Record<string, unknown>;
}

export function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  return value;
}

export function optionalString(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requireString(name, value);
}

/**
 * A host name or IP address. A null byte is refused here because Node's answer depends on its
 * version: Node 20 passes it to getaddrinfo (EINVAL), Node 22 and later throw
 * ERR_INVALID_ARG_VALUE; this way every version gives that TypeError (asyncio: `ValueError`).
 */
/**
 * A host name or IP address: a string with no NUL byte (`getaddrinfo` would read only what
 * comes before it, and connect there; Node 22 and later refuse it themselves), and not empty
 * unless `allowEmpty` (a server's host, where empty means every interface).
 */
export function requireHost(name: string, value: unknown, allowEmpty = false): string {
  const host = requireString(name, value);
  if (host === '' && !allowEmpty) throw invalidArgValue(name, 'must not be empty');
  if (host.includes('\0')) throw invalidArgValue(name, 'must be a string without null bytes');
  return host;
}

export function optionalHost(name: string, value: unknown, allowEmpty = false): string | undefined {
  return value === undefined ? undefined : requireHost(name, value, allowEmpty);
}

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

export function requireInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(name, `an integer >= ${min} and <= ${max}`, value);
  }
  return value;
}

export function optionalInteger(
  name: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  return value === undefined ? undefined : requireInteger(name, value, min, max);
}

/** A port to listen on (0 picks a free one). */
export function requireListenPort(name: string, value: unknown): number {
  return requireInteger(name, value, 0, 65535);
}

/** A port to connect to. */
export function requireConnectPort(name: string, value: unknown): number {
  return requireInteger(name, value, 1, 65535);
}

/** Checks an optional callback; the caller names the signature it expects. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function optionalFunction<F extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidArgType(name, 'a function', value);
  return value as F;
}

/**
 * Checks a protocol (what a factory returned, or what `setProtocol` got): a protocol is an
 * object, all its methods optional.
 * @internal
 */
export function checkProtocol<P>(value: P, name = 'protocol factory result'): P {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgType(name, 'an object', value);
  }
  return value;
}

/**
 * `getExtraInfo(name, default)` over a handle's captured values [B4]: the value when the
 * handle has one by that name, else the default.
 * @internal
 */
export function extraInfoValue(
  extraInfo: Readonly<Record<string, unknown>>,
  name: unknown,
  defaultValue: unknown,
): unknown {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  return Object.hasOwn(extraInfo, name) ? extraInfo[name] : defaultValue;
}
