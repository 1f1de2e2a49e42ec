import { checkProtocol } from '../core/validate.js';
import { toTransportError } from '../core/osErrors.js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { InetAddress } from '../core/address.js';
import { invalidArgValue } from '../core/argErrors.js';
import { DatagramEndpoint } from '../core/DatagramEndpoint.js';
import type { DatagramTransport } from '../core/datagramTransports.js';
import { UnsupportedError } from '../core/errors.js';
import type { DatagramProtocol } from '../core/protocols.js';
import {
  optionalBoolean,
  optionalFunction,
  optionalString,
  requireConnectPort,
  requireListenPort,
  requireObject,
  requireHost,
} from '../core/validate.js';
import type { DatagramProtocolFactory } from '../core/protocolFactories.js';
import { DgramHandle } from './DgramHandle.js';

/**
 * Options of {@link createDatagramEndpoint}.
 * @group Factories
 */
export interface DatagramEndpointOptions {
  /** Address to bind: an IP address or a host name, and a port (0 or none: any free one). */
  readonly localAddr?: {
    readonly host: string;
    readonly port?: number;
    readonly family?: 'IPv4' | 'IPv6';
  };
  /**
   * The single peer: the socket is connected to it (unless `allowBroadcast`), and `sendto`
   * defaults to it and refuses any other address.
   */
  readonly remoteAddr?: InetAddress;
  /**
   * The address family; taken from the addresses when not given. Required when neither address
   * is. `'unix'` is refused: Node's dgram has no Unix datagram sockets
   * ([asyncio difference 45](../../docs/asyncio-differences.md#creating-endpoints)).
   */
  readonly family?: 'IPv4' | 'IPv6' | 'unix';
  /**
   * SO_REUSEADDR, so that several endpoints can bind one address and port. (asyncio 3.11+
   * removed `reuse_address` for UDP; rxtransport keeps it, off by default.)
   * @defaultValue false
   */
  readonly reuseAddress?: boolean;
  /**
   * SO_BROADCAST. With `remoteAddr` too, the socket is not connected: sends go to
   * `remoteAddr` with sendto.
   * @defaultValue false
   */
  readonly allowBroadcast?: boolean;
  /** Protocol factory; without one the endpoint feeds `datagrams$` and `errors$`. */
  readonly protocol?: DatagramProtocolFactory;
}

type Family = 'IPv4' | 'IPv6';

/** One side's address as given: `host` may be a name, to resolve. */
interface Wanted {
  readonly host: string;
  readonly port: number;
}

/** A resolved address. */
interface Resolved {
  readonly address: string;
  readonly family: Family;
}

/** Something that fixes the family, named for the error message. */
interface Constraint {
  readonly name: string;
  readonly family: Family;
}

function familyOfLiteral(host: string): Family | undefined {
  const version = isIP(host);
  if (version === 4) return 'IPv4';
  if (version === 6) return 'IPv6';
  return undefined;
}

function checkFamily(value: unknown): Family | 'unix' | undefined {
  const family = optionalString('options.family', value);
  if (family === undefined || family === 'IPv4' || family === 'IPv6' || family === 'unix')
    return family;
  throw invalidArgValue('options.family', `must be 'IPv4', 'IPv6' or 'unix'. Received '${family}'`);
}

/** Checks `localAddr` or `remoteAddr`; collects what it says about the family. */
function checkAddress(
  name: string,
  value: unknown,
  port: (name: string, value: unknown) => number,
  constraints: Constraint[],
): Wanted | undefined {
  if (value === undefined) return undefined;
  const addr = requireObject(name, value);
  if ('path' in addr) {
    throw new UnsupportedError(
      `${name} is a Unix socket path: Node's dgram module has no Unix datagram sockets (udp4 and udp6 only)`,
    );
  }
  const host = requireHost(`${name}.host`, addr['host']);
  const wanted = { host, port: port(`${name}.port`, addr['port']) };
  const declared = checkFamily(addr['family']);
  if (declared === 'unix') {
    throw invalidArgValue(`${name}.family`, "must be 'IPv4' or 'IPv6'");
  }
  if (declared) constraints.push({ name: `${name}.family`, family: declared });
  const literal = familyOfLiteral(host);
  if (literal) constraints.push({ name: `${name}.host`, family: literal });
  return wanted;
}

/** The one family every constraint agrees on, if any says one. */
function agreedFamily(constraints: readonly Constraint[]): Family | undefined {
  const [first, ...rest] = constraints;
  if (!first) return undefined;
  for (const other of rest) {
    if (other.family !== first.family) {
      throw invalidArgValue(
        other.name,
        `is ${other.family}, but ${first.name} is ${first.family}: an endpoint has one address family`,
      );
    }
  }
  return first.family;
}

async function resolve(wanted: Wanted, family: Family | undefined): Promise<Resolved[]> {
  const literal = familyOfLiteral(wanted.host);
  if (literal) return [{ address: wanted.host, family: literal }];
  try {
    const found = await lookup(wanted.host, {
      all: true,
      family: family === 'IPv6' ? 6 : family === 'IPv4' ? 4 : 0,
    });
    return found.flatMap((entry): Resolved[] =>
      entry.family === 4 || entry.family === 6
        ? [{ address: entry.address, family: entry.family === 6 ? 'IPv6' : 'IPv4' }]
        : [],
    );
  } catch (error) {
    throw toTransportError(error);
  }
}

/** One socket to try: the family and what to bind and connect [D9]. */
interface Candidate {
  readonly family: Family;
  readonly local: Resolved | undefined;
  readonly remote: Resolved | undefined;
}

/** asyncio's candidates: one per family that every given side resolved to, in order [D9]. */
function candidates(
  local: readonly Resolved[] | undefined,
  remote: readonly Resolved[] | undefined,
  family: Family | undefined,
): Candidate[] {
  const order = (local ?? remote)?.map((entry) => entry.family) ?? (family ? [family] : []);
  const result: Candidate[] = [];
  for (const fam of new Set(order)) {
    const l = local?.find((entry) => entry.family === fam);
    const r = remote?.find((entry) => entry.family === fam);
    if ((local && !l) || (remote && !r)) continue;
    result.push({ family: fam, local: l, remote: r });
  }
  return result;
}

/**
 * Opens a UDP endpoint (asyncio `loop.create_datagram_endpoint`) over `node:dgram`. Resolves once
 * the protocol's `connectionMade` has run.
 *
 * Host names are resolved first; each family that both given addresses resolve to is tried in
 * turn (bind, SO_BROADCAST, connect), and the first OS error is raised if none works.
 *
 * @example
 * ```ts
 * import { createDatagramEndpoint } from 'rxtransport';
 * const endpoint = await createDatagramEndpoint({ localAddr: { host: '127.0.0.1', port: 0 } });
 * endpoint.datagrams$.subscribe(({ data, addr }) => endpoint.sendto(data, addr)); // echo
 * ```
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / RangeError `ERR_OUT_OF_RANGE` for bad options;
 *   TypeError `ERR_INVALID_ARG_VALUE` when the addresses and `family` disagree, or when neither
 *   address nor a family is given (asyncio: `ValueError`).
 * @throws {@link UnsupportedError} `ERR_UNSUPPORTED` for `family: 'unix'` or a `{ path }` address.
 * @throws {@link TransportOSError} from the OS: `ENOTFOUND` for a host name that does not
 *   resolve, `EADDRINUSE`, ...
 * @group Factories
 */
export async function createDatagramEndpoint(
  options: DatagramEndpointOptions,
): Promise<DatagramTransport> {
  const opts = requireObject('options', options);
  const family = checkFamily(opts['family']);
  if (family === 'unix') {
    throw new UnsupportedError(
      "Unix datagram endpoints are not supported: Node's dgram module has no Unix datagram " +
        'sockets (udp4 and udp6 only)',
    );
  }
  const constraints: Constraint[] = family ? [{ name: 'options.family', family }] : [];
  const local = checkAddress(
    'options.localAddr',
    opts['localAddr'],
    (name, value) => (value === undefined ? 0 : requireListenPort(name, value)),
    constraints,
  );
  const remote = checkAddress(
    'options.remoteAddr',
    opts['remoteAddr'],
    requireConnectPort,
    constraints,
  );
  const reuseAddress = optionalBoolean('options.reuseAddress', opts['reuseAddress']) ?? false;
  const allowBroadcast = optionalBoolean('options.allowBroadcast', opts['allowBroadcast']) ?? false;
  const protocolFactory = optionalFunction<DatagramProtocolFactory>(
    'options.protocol',
    opts['protocol'],
  );
  const wantedFamily = agreedFamily(constraints);
  if (!local && !remote && !wantedFamily) {
    throw invalidArgValue(
      'options.family',
      "is required when neither localAddr nor remoteAddr is given (asyncio: ValueError 'unexpected address family')",
    );
  }

  const localResolved = local && (await resolve(local, wantedFamily));
  const remoteResolved = remote && (await resolve(remote, wantedFamily));
  const tries = candidates(localResolved, remoteResolved, wantedFamily);
  if (tries.length === 0) {
    throw invalidArgValue(
      'options.remoteAddr',
      "resolves to no address of the family of options.localAddr (asyncio: ValueError 'can not get address information')",
    );
  }

  let firstError: unknown;
  for (const attempt of tries) {
    const handle = new DgramHandle(attempt.family, { reuseAddress });
    const remoteAddr: InetAddress | undefined =
      attempt.remote && remote
        ? { host: attempt.remote.address, port: remote.port, family: attempt.family }
        : undefined;
    try {
      await handle.open({
        local: {
          host: attempt.local?.address ?? (attempt.family === 'IPv6' ? '::' : '0.0.0.0'),
          port: local?.port ?? 0,
        },
        remote: allowBroadcast ? undefined : remoteAddr,
        broadcast: allowBroadcast,
      });
    } catch (error) {
      handle.close();
      firstError ??= error;
      continue;
    }
    let protocol: DatagramProtocol<DatagramTransport> | undefined;
    try {
      protocol = protocolFactory === undefined ? undefined : checkProtocol(protocolFactory());
    } catch (error) {
      handle.close();
      throw error;
    }
    const transport = new DatagramEndpoint(handle, { protocol, remoteAddr });
    await transport.ready;
    return transport;
  }
  throw firstError;
}
