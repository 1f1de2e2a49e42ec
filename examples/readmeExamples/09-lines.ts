// examples/readmeExamples/09-lines.ts
import { FrameTooLargeError, lines } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

const [client, server] = transportPair();
// Lines of at most 16 bytes: a longer one is refused before it is buffered.
server.data$.pipe(lines({ maxLength: 16 })).subscribe({
  next: (line) => {
    console.log(`line: ${line}`);
  },
  error: (error: unknown) => {
    if (error instanceof FrameTooLargeError) console.log(`refused: ${error.code}`);
    server.close();
  },
});
// Chunks cut anywhere, even inside a \r\n or a character, give the same lines.
const bytes = new TextEncoder().encode('hello\r\nwörld\nthis line never seems to end');
client.write(bytes.subarray(0, 6)); // 'hello\r'
client.write(bytes.subarray(6, 9)); // '\nw' and the first byte of 'ö'
client.write(bytes.subarray(9));
// prints: line: hello
// prints: line: wörld
// prints: refused: ERR_FRAME_TOO_LARGE
