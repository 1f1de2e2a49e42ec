/**
 * Bad input to the subprocess factories, `subprocessExec` and `subprocessShell`: given arbitrary
 * and near-miss programs, arguments, commands, stdio values, working directories and
 * environments, each call resolves (and what it started is ended again) or rejects with a
 * `TransportError`, or a `TypeError`/`RangeError` carrying a string `code`; it never hangs,
 * never crashes the process, and leaves no handle open.
 *
 * Safety: programs that really run are only `true` (which reads and writes nothing), and shell
 * commands only `:` with a quoted argument (or `true`, `exit`).
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subprocessExec, subprocessShell } from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import {
  anything,
  checkCall,
  collectExceptionReports,
  oneOfValues,
  triedSummary,
} from './badInput';
import { NUM_RUNS, options, protocolFactories, useScratchDir } from './factories.helpers';

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();
  const scratchDir = useScratchDir();

  afterAll(() => {
    console.log(`factories given bad input (subprocesses): ${triedSummary()}`);
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
      const dir = scratchDir();
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
