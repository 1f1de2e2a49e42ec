/**
 * Summarises V8 CPU profiles (from `npm run bench -- --profile ...`): the functions with the most
 * self time, and the self time per source file. Usage:
 * `npx tsx bench/profileSummary.ts /tmp/rxtransport-profiles/*.cpuprofile [--top=25]`.
 *
 * The bench runs as one esbuild bundle (kept beside the profiles in bundle/); esbuild marks where each
 * source file starts with a `// path` comment line, which maps a profiled line to its file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Line ranges of the bundle's source files, from esbuild's `// path` markers. */
function sourceMapOf(bundle: string): (line: number) => string {
  if (!existsSync(bundle)) return () => basename(bundle);
  const starts: { line: number; file: string }[] = [];
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(text);
      if (match?.[1]) starts.push({ line: index, file: match[1] });
    });
  return (line) => {
    let file = 'bundle';
    for (const start of starts) {
      if (start.line > line) break;
      file = start.file;
    }
    return file.replace(/^node_modules\//, '');
  };
}

function summarize(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const dt = profile.timeDeltas[index] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const maps = new Map<string, (line: number) => string>();
  const fileOf = (frame: CallFrame): string => {
    if (!frame.url) return '(native)';
    if (frame.url.startsWith('node:')) return frame.url;
    const url = frame.url.replace(/^file:\/\//, '');
    let map = maps.get(url);
    if (!map) maps.set(url, (map = sourceMapOf(url)));
    return map(frame.lineNumber);
  };
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = fileOf(frame);
    const where = frame.url.startsWith('node:') ? `:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}  ${file}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + time);
    byFile.set(file, (byFile.get(file) ?? 0) + time);
  }
  const print = (title: string, entries: Map<string, number>): void => {
    console.log(`\n${title}`);
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .forEach(([name, time]) => {
        const pct = ((100 * time) / total).toFixed(1).padStart(5);
        console.log(`${pct} %  ${(time / 1000).toFixed(0).padStart(6)} ms  ${name}`);
      });
  };
  console.log(`== ${path}: ${(total / 1e6).toFixed(2)} s sampled`);
  print('Self time by function', byFunction);
  print('Self time by file', byFile);
}

const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
for (const path of process.argv.slice(2).filter((a) => !a.startsWith('--'))) summarize(path, top);
