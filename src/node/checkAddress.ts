import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { invalidArgValue } from '../core/argErrors.js';
import { UnsupportedError } from '../core/errors.js';
import { requireHost, requireString } from '../core/validate.js';

/**
 * Longest Unix socket path, in bytes: `sun_path` holds 108 with its terminating NUL on Linux.
 * libuv copies a longer path cut short, so the socket would be bound (or looked for) under
 * another name.
 * @internal
 */
export const UNIX_PATH_MAX_BYTES = 107;

/**
 * Checks a Unix socket path as the OS takes it: a string, not empty, of at most
 * {@link UNIX_PATH_MAX_BYTES} bytes in UTF-8, with no NUL byte (the C string would end there),
 * except for a Linux abstract name, which starts with one.
 * @internal
 */
export function requireUnixPath(name: string, value: unknown): string {
  const path = requireString(name, value);
  if (path === '') throw invalidArgValue(name, 'must not be empty');
  if (isAbstractName(path)) {
    if (process.platform !== 'linux')
      throw new UnsupportedError(`${name}: abstract Unix socket names (a leading NUL) are Linux's`);
  } else if (path.includes('\0')) {
    throw invalidArgValue(
      name,
      'must not contain a NUL byte (only an abstract name starts with one)',
    );
  }
  const bytes = Buffer.byteLength(path);
  if (bytes > UNIX_PATH_MAX_BYTES) {
    throw invalidArgValue(
      name,
      `must be at most ${UNIX_PATH_MAX_BYTES} bytes long in UTF-8 (sun_path), got ${bytes}: the OS would bind a shorter name`,
    );
  }
  return path;
}

/** A Linux abstract socket name: no file, gone when the socket closes. @internal */
export function isAbstractName(path: string): boolean {
  return path.startsWith('\0');
}

/** Checks a local address to bind a connecting socket to: Node takes IP addresses only. @internal */
export function requireLocalIp(name: string, value: unknown): string {
  const host = requireHost(name, value);
  if (isIP(host) === 0)
    throw invalidArgValue(name, `must be an IP address (Node binds no host names), got '${host}'`);
  return host;
}

/**
 * Checks the zone of a scoped IPv6 literal (`fe80::1%eth0`): an interface index or the name of
 * an interface this machine has. Node 20 fails a connect to an unknown zone at once (EINVAL),
 * Node 22 and later hand it to DNS, where it may never be answered: refused here on every
 * version. A host without a `%` is returned as it is.
 * @internal
 */
export function requireKnownZone(name: string, host: string): string {
  const at = host.indexOf('%');
  if (at < 0 || !host.slice(0, at).includes(':')) return host;
  const zone = host.slice(at + 1);
  if (/^\d+$/.test(zone) || zone in networkInterfaces()) return host;
  throw invalidArgValue(
    name,
    `has the IPv6 zone '${zone}', which is neither an interface index nor an interface of this machine`,
  );
}
