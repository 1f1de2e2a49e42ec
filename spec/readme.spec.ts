/**
 * The README's examples are tested.
 *
 * Every ```ts block of README.md starts with a comment naming its file, for example
 * `// examples/readmeExamples/01-echo.ts`. That file imports the sources by relative path
 * (`'../../src/index.js'`, `'../../src/operators/index.js'`, `'../../src/testing/index.js'`),
 * so that `tsc -p tsconfig.json` type-checks it and tsx runs it as it is; the README shows
 * the same code importing the package's entry points (`'rxtransport'`, `'rxtransport/operators'`,
 * `'rxtransport/testing'`). For each block this spec checks that the file, with those three
 * specifiers swapped for the package's, equals the block (trailing whitespace aside); then it
 * runs the file with tsx in a child process and checks that it exits by itself with code 0,
 * writes nothing to stderr, and prints each text that a `// prints: <text>` comment announces.
 *
 * To change an example, edit the file, then paste it into the README with the package's import
 * specifiers (or the other way round).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const examplesDir = 'examples/readmeExamples';

/** Relative specifiers in the example files, and what the README shows instead. */
const packageSpecifiers: readonly (readonly [string, string])[] = [
  ['../../src/index.js', 'rxtransport'],
  ['../../src/operators/index.js', 'rxtransport/operators'],
  ['../../src/testing/index.js', 'rxtransport/testing'],
  ['../../src/websocket/index.js', 'rxtransport/websocket'],
];

interface Block {
  readonly file: string;
  readonly code: string;
}

function readmeBlocks(): Block[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  for (const match of readme.matchAll(/^```(?:ts|typescript)[ \t]*\n([\s\S]*?)^```/gm)) {
    const code = match[1] ?? '';
    const file = /^\/\/ (examples\/readmeExamples\/[\w.-]+\.ts)[ \t]*$/m.exec(
      code.split('\n')[0] ?? '',
    );
    blocks.push({ file: file?.[1] ?? '', code });
  }
  return blocks;
}

/** Trailing whitespace of each line and trailing blank lines do not count. */
function normalize(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

function asShownInReadme(source: string): string {
  let shown = source;
  for (const [relative, packageName] of packageSpecifiers) {
    shown = shown.replaceAll(`'${relative}'`, `'${packageName}'`);
  }
  return shown;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a TypeScript file with tsx from the repository root, with the node that runs jest.
 * tsx's CommonJS hook alone (`--require tsx/cjs`) is enough for this CommonJS package, and it
 * starts as fast as `--import tsx` (which also installs the ESM loader) on Node 24 and faster
 * on Node 20 and 22: about 1.0 s on Node 20 and 0.5 s on 22 and 24 per example.
 */
function runExample(file: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A safety net against a hung example, far above what any example takes.
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

const blocks = readmeBlocks();

describe('README.md', () => {
  it('has ts examples, each naming its file on its first line', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect({ firstLine: block.code.split('\n')[0], file: block.file }).toEqual({
        firstLine: `// ${block.file}`,
        file: expect.stringMatching(/^examples\/readmeExamples\//),
      });
    }
  });

  it(`shows every file of ${examplesDir} exactly once`, () => {
    const files = readdirSync(join(root, examplesDir))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${examplesDir}/${name}`)
      .sort();
    expect(blocks.map((block) => block.file).sort()).toEqual(files);
  });

  describe.each(blocks.map((block) => [block.file, block] as const))(
    'example %s',
    (file, block) => {
      it('is the file, with the package entry points as import specifiers', () => {
        const source = readFileSync(join(root, file), 'utf8');
        expect(normalize(block.code)).toEqual(normalize(asShownInReadme(source)));
      });

      it('runs, exits by itself with code 0 and prints what it says', async () => {
        const result = await runExample(file);
        expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({
          code: 0,
          signal: null,
          stderr: '',
        });
        const announced = [...block.code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) =>
          (m[1] ?? '').trim(),
        );
        for (const text of announced) expect(result.stdout).toContain(text);
      });
    },
  );
});
