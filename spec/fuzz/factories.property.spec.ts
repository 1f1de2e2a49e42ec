/**
 * Bad input to every factory: given arbitrary values (`fc.anything()`) and targeted near-miss
 * values, each call resolves (and what it opened is closed again) or rejects with a
 * `TransportError`, or a `TypeError`/`RangeError` carrying a string `code`; it never hangs,
 * never crashes the process, and leaves no handle open (checked after every call, and after each
 * property with the leak helper).
 *
 * Safety: hosts are loopback or names that cannot resolve; ports are our own server's, known
 * unused ones, or invalid; programs that really run are only `true` (which reads and writes
 * nothing), and shell commands only `:` with a quoted argument; fds are ones this file opened.
 */
import fc from 'fast-check';
import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import {
  connectReadPipe,
  connectWritePipe,
  createConnection,
  createDatagramEndpoint,
  createServer,
  createUnixConnection,
  createUnixServer,
  subprocessExec,
  subprocessShell,
  type InetAddress,
  type Server,
} from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { HOST, inetAddressOf, turns, unusedPort, useResources } from '../helpers/net';
import {
  NEAR_MISS_NUMBERS,
  USER_ERROR,
  anything,
  anythingButStrings,
  checkCall,
  collectExceptionReports,
  lookAlikes,
  oneOfValues,
  triedSummary,
} from './badInput';

/** Protocol factories, well-behaved or not. */
const protocolFactories = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 1, arbitrary: anything() },
    {
      weight: 4,
      arbitrary: fc.constantFrom<unknown>(
        undefined,
        () => ({}),
        () => undefined,
        () => null,
        () => 5,
        () => 'protocol',
        () => true,
        () => Symbol('protocol'),
        () => Object.create(null) as object,
        () => ({ connectionMade: 5, dataReceived: 'not a function' }),
        () => {
          throw USER_ERROR;
        },
      ),
    },
  );

/** Hosts that stay on this machine or cannot resolve, plus look-alikes. */
const HOSTS: readonly unknown[] = [
  HOST,
  'localhost',
  '::1',
  '0.0.0.0',
  '',
  'nonexistent.invalid',
  '\0',
  'a'.repeat(300),
  '[::1]',
  '127.0.0.1:80',
  127,
];
const hosts = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(HOST, 'localhost') },
    { weight: 2, arbitrary: oneOfValues(HOSTS) },
    { weight: 1, arbitrary: fc.constantFrom(...lookAlikes()) },
    // Strings only from the list: a random one would be a DNS query, slow on some networks.
    { weight: 1, arbitrary: anythingButStrings() },
  );

/** Ports: near misses, look-alikes, anything, and the given good ones. */
const ports = (...good: number[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: oneOfValues(good) },
    { weight: 2, arbitrary: oneOfValues(NEAR_MISS_NUMBERS) },
    { weight: 1, arbitrary: fc.constantFrom(...lookAlikes()) },
    { weight: 1, arbitrary: anything() },
  );

/** An options object: anything, or a record of the given fields (each one optional). */
function options(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: anything() },
    { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 3, arbitrary: fc.record(fields, { requiredKeys: required as never[] }) },
  );
}

const NUM_RUNS = 150;

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-fuzz-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(`factories given bad input: ${triedSummary()}`);
  });

  /** A TCP server of ours that accepts and closes what connects. */
  async function target(): Promise<{ server: Server; port: number }> {
    const server = resources.server(await createServer({ host: HOST, port: 0 }));
    server.connections$.subscribe((connection) => {
      connection.close();
    });
    return { server, port: inetAddressOf(server).port };
  }

  it('createConnection', async () => {
    const { port } = await target();
    const refused = await unusedPort();
    const localAddr = fc.oneof(
      fc.constant(undefined),
      anything(),
      fc.record(
        { host: oneOfValues([HOST, '::1', '', '192.0.2.1', 5]), port: ports(0) },
        { requiredKeys: [] },
      ),
    );
    const arb = options(
      {
        host: hosts(),
        port: fc.oneof(
          { weight: 3, arbitrary: fc.constant(port) },
          { weight: 1, arbitrary: ports(refused) },
        ),
        protocol: protocolFactories(),
        localAddr,
        noDelay: fc.oneof(fc.boolean(), anything()),
      },
      ['host', 'port', 'protocol'],
    );
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createConnection', () => createConnection(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('createServer', async () => {
    const arb = options({
      host: hosts(),
      port: ports(0),
      backlog: ports(0, 1, 511),
      reuseAddress: fc.oneof(fc.boolean(), anything()),
      protocol: protocolFactories(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createServer', () => createServer(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('createUnixServer and createUnixConnection', async () => {
    const listening = join(dir, 'listening.sock');
    resources.server(await createUnixServer({ path: listening })).connections$.subscribe((c) => {
      c.close();
    });
    const file = join(dir, 'regular-file');
    writeFileSync(file, 'not a socket');
    let n = 0;
    const paths = fc.oneof(
      fc.constantFrom<unknown>(
        () => join(dir, `s${++n}.sock`),
        () => `\0rxt-fuzz-${process.pid}-${++n}`,
        () => listening,
        () => file,
        () => dir,
        () => join(dir, 'missing', 'x.sock'),
        () => join(dir, 'x'.repeat(120)),
        () => join(dir, 'nul\0inside.sock'),
        () => '',
      ),
      // Strings only from the list: a random one is a path relative to the working directory.
      anythingButStrings(),
    );
    const arb = fc.tuple(
      fc.boolean(),
      options({ path: paths, protocol: protocolFactories() }, ['path', 'protocol']),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([server, given]) => {
        // Path makers run here, so that each run gets a fresh path.
        const opts =
          typeof given === 'object' && given !== null && 'path' in given
            ? {
                ...given,
                path:
                  typeof given.path === 'function' ? (given.path as () => unknown)() : given.path,
              }
            : given;
        if (server) await checkCall('createUnixServer', () => createUnixServer(opts as never));
        else await checkCall('createUnixConnection', () => createUnixConnection(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  describe('pipes', () => {
    type PipeKind =
      | 'fifo'
      | 'regular file fd'
      | 'directory fd'
      | '/dev/null fd'
      | 'unopened fd'
      | 'PassThrough'
      | 'destroyed PassThrough'
      | 'Readable of strings'
      | 'Writable only'
      | 'Readable only';
    const kinds: readonly PipeKind[] = [
      'fifo',
      'regular file fd',
      'directory fd',
      '/dev/null fd',
      'unopened fd',
      'PassThrough',
      'destroyed PassThrough',
      'Readable of strings',
      'Writable only',
      'Readable only',
    ];
    /**
     * Never a real descriptor number of this process: the transport would take it over and
     * close it (fd 0-2, jest's IPC channel, ...). Those are made by `materialize` instead.
     */
    const notAnOpenFd = (value: unknown): boolean =>
      typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 19_000;
    const pipeArg = fc.oneof(
      fc.constantFrom(...kinds).map((kind) => ({ kind })),
      oneOfValues([...NEAR_MISS_NUMBERS, ...lookAlikes()].filter(notAnOpenFd)).map((value) => ({
        value,
      })),
      anything()
        .filter(notAnOpenFd)
        .map((value) => ({ value })),
    );

    /**
     * Makes the pipe argument of `kind`. `cleanup()` closes each fd this opened that still
     * refers to what it opened (the transport closes an fd it took, even when it rejects later:
     * the fd number may then belong to something else, which must not be closed).
     */
    function materialize(
      kind: PipeKind,
      direction: 'read' | 'write',
    ): { value: unknown; cleanup: () => Promise<void> } {
      const opened: { fd: number; dev: number; ino: number }[] = [];
      const paths: string[] = [];
      const open = (path: string, flags: number): number => {
        const fd = openSync(path, flags);
        const { dev, ino } = fstatSync(fd);
        opened.push({ fd, dev, ino });
        return fd;
      };
      const cleanup = async (): Promise<void> => {
        // A handle released after a leak closes its fd in a later turn: let it.
        await turns(3);
        for (const { fd, dev, ino } of opened) {
          let same = false;
          try {
            const now = fstatSync(fd);
            same = now.dev === dev && now.ino === ino;
          } catch {
            // Closed already (EBADF).
          }
          if (same) closeSync(fd);
        }
        for (const path of paths) rmSync(path, { force: true });
      };
      switch (kind) {
        case 'fifo': {
          const fifo = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
          execFileSync('mkfifo', [fifo]);
          paths.push(fifo);
          const readFd = open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
          const fd =
            direction === 'read' ? readFd : open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
          return { value: fd, cleanup };
        }
        case 'regular file fd':
          return {
            value: open(join(dir, 'regular-pipe-file'), constants.O_RDWR | constants.O_CREAT),
            cleanup,
          };
        case 'directory fd':
          return { value: open(dir, constants.O_RDONLY), cleanup };
        case '/dev/null fd':
          return {
            value: open(
              '/dev/null',
              direction === 'read' ? constants.O_RDONLY : constants.O_WRONLY,
            ),
            cleanup,
          };
        case 'unopened fd':
          return { value: 19_999, cleanup };
        case 'PassThrough':
          return { value: new PassThrough(), cleanup };
        case 'destroyed PassThrough':
          return { value: new PassThrough().destroy(), cleanup };
        case 'Readable of strings':
          return { value: Readable.from(['a', 'b']), cleanup };
        case 'Writable only':
          return {
            value: new Writable({
              write: (_c, _e, cb) => {
                cb();
              },
            }),
            cleanup,
          };
        case 'Readable only':
          return { value: new Readable({ read: () => undefined }), cleanup };
      }
    }

    it.each(['read', 'write'] as const)('connect%sPipe', async (direction) => {
      const factory = direction === 'read' ? connectReadPipe : connectWritePipe;
      const arb = fc.tuple(
        pipeArg,
        fc.oneof(fc.constant(undefined), options({ protocol: protocolFactories() })),
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([arg, opts]) => {
          const made =
            'kind' in arg ? materialize(arg.kind, direction) : { value: arg.value, cleanup: null };
          try {
            await checkCall(`connect${direction}Pipe`, () =>
              factory(made.value as never, opts as never),
            );
          } finally {
            await made.cleanup?.();
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  it('createDatagramEndpoint', async () => {
    const sink = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
    resources.defer(async () => {
      sink.abort();
      await new Promise((resolve) =>
        sink.closed$.subscribe({
          complete: () => {
            resolve(null);
          },
        }),
      );
    });
    const sinkAddr = sink.getExtraInfo('sockname') as InetAddress;
    const families = fc.oneof(
      oneOfValues(['IPv4', 'IPv6', 'unix', 'ipv4', 'IPV6', '', 4, 6]),
      anything(),
    );
    const addr = (...good: number[]): fc.Arbitrary<unknown> =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant({ host: HOST, port: good[0] }) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: anything() },
        { weight: 1, arbitrary: fc.constant({ path: join(dir, 'dgram.sock') }) },
        {
          weight: 3,
          arbitrary: fc.record(
            { host: hosts(), port: ports(...good), family: families },
            { requiredKeys: ['host'] },
          ),
        },
      );
    const arb = options(
      {
        localAddr: addr(0),
        remoteAddr: addr(sinkAddr.port),
        family: families,
        reuseAddress: fc.oneof(fc.boolean(), anything()),
        allowBroadcast: fc.oneof(fc.boolean(), anything()),
        protocol: protocolFactories(),
      },
      ['localAddr', 'protocol'],
    );
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createDatagramEndpoint', () => createDatagramEndpoint(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  describe('subprocesses', () => {
    /** stdio values: near misses, and the fds 0-2 and an unopened one. */
    const stdio = fc.oneof(
      oneOfValues([
        'pipe',
        'inherit',
        'devnull',
        'stdout',
        'ignore',
        'PIPE',
        '',
        -1,
        1.5,
        0,
        2,
        19_999,
      ]),
      anything().filter((value) => typeof value !== 'number' || !Number.isInteger(value)),
    );
    const subprocessOptions = fc.oneof(
      fc.constant(undefined),
      options({
        stdin: stdio,
        stdout: stdio,
        stderr: stdio,
        cwd: fc.oneof(oneOfValues(['/', '/nonexistent/dir', '', 'rel', 'nul\0']), anything()),
        env: fc.oneof(
          fc.constant({ PATH: '/usr/bin:/bin' }),
          fc.constant({ PATH: 5 }),
          fc.constant({ 'A=B': 'c' }),
          fc.constant({ A: 'nul\0' }),
          fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })),
          anything(),
        ),
        protocol: protocolFactories(),
      }),
    );

    it('subprocessExec', async () => {
      const notExecutable = join(dir, 'not-executable');
      writeFileSync(notExecutable, '#!/bin/sh\n');
      const programs = fc.oneof(
        { weight: 2, arbitrary: anything().filter((value) => typeof value !== 'string') },
        {
          weight: 3,
          arbitrary: oneOfValues([
            'true',
            '',
            ' true',
            'true\0',
            '/nonexistent/program',
            'no-such-program-rxt',
            dir,
            notExecutable,
          ]),
        },
      );
      const args = fc.oneof(
        fc.constant(undefined),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
        fc.array(anything(), { maxLength: 3 }),
        anything(),
      );
      await fc.assert(
        fc.asyncProperty(programs, args, subprocessOptions, async (program, argv, opts) => {
          await checkCall('subprocessExec', () =>
            subprocessExec(program as never, argv as never, opts as never),
          );
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('subprocessShell', async () => {
      /** `: 'text'` runs nothing whatever the text: the quoting keeps it one argument. */
      const quoted = fc
        .string({ maxLength: 16, unit: 'binary' })
        .map((text) => `: '${text.replace(/'/g, `'\\''`)}'`);
      const commands = fc.oneof(
        anything().filter((value) => typeof value !== 'string'),
        quoted,
        oneOfValues(['true', 'exit 3', '', ':', 'exit 300']),
      );
      await fc.assert(
        fc.asyncProperty(commands, subprocessOptions, async (command, opts) => {
          await checkCall('subprocessShell', () =>
            subprocessShell(command as never, opts as never),
          );
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
