// examples/readmeExamples/11-lengthPrefixed.ts
import { lengthPrefixed } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

const [client, server] = transportPair();
// A 2-byte big-endian length, then the payload; payloads over 1 KiB are refused.
server.data$.pipe(lengthPrefixed({ headerBytes: 2, maxFrame: 1024 })).subscribe({
  next: (payload) => {
    console.log(`payload: ${new TextDecoder().decode(payload)}`);
  },
  error: (error: unknown) => {
    console.log(`refused: ${(error as { code: string }).code}`);
    server.close();
  },
});
client.write(new Uint8Array([0, 2, 0x68])); // a header and half a payload...
client.write(new Uint8Array([0x69, 0, 3, 0x79, 0x6f, 0x75])); // ...the rest, and a whole frame
client.write(new Uint8Array([0xff, 0xff])); // 65535 bytes announced: refused at once
// prints: payload: hi
// prints: payload: you
// prints: refused: ERR_FRAME_TOO_LARGE
