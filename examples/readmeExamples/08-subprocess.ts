// examples/readmeExamples/08-subprocess.ts
import { from, lastValueFrom, toArray } from 'rxjs';
import { subprocessExec, subprocessShell } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';

async function main(): Promise<void> {
  // A child composes like a socket: its sink is stdin, its data$ is stdout.
  const sort = await subprocessExec('sort');
  from(['pear\n', 'apple\n', 'fig\n']).pipe(utf8Encode()).subscribe(sort.sink); // complete = EOF
  const sorted = await lastValueFrom(sort.data$.pipe(lines(), toArray()));
  console.log(sorted.join(' ')); // prints: apple fig pear
  console.log(`sort exited with ${await lastValueFrom(sort.exit$)}`); // prints: sort exited with 0

  // output$ tags stdout (1) and stderr (2); exit$ replays the return code.
  const shell = await subprocessShell('echo out; echo oops >&2; exit 3');
  const output = await lastValueFrom(shell.output$.pipe(toArray()));
  for (const { fd, data } of output)
    console.log(`fd ${fd}: ${new TextDecoder().decode(data).trim()}`);
  // prints: fd 2: oops
  console.log(`return code ${shell.getReturncode() ?? (await lastValueFrom(shell.exit$))}`); // prints: return code 3
}

void main();
