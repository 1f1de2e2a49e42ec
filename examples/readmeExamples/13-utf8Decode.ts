// examples/readmeExamples/13-utf8Decode.ts
import { from, toArray } from 'rxjs';
import { utf8Decode } from '../../src/operators/index.js';

// '€' is three bytes, E2 82 AC; here they come in three chunks.
const chunks = [new Uint8Array([0x35, 0x20, 0xe2]), new Uint8Array([0x82]), new Uint8Array([0xac])];
from(chunks)
  .pipe(utf8Decode(), toArray())
  .subscribe((texts) => {
    console.log(JSON.stringify(texts)); // prints: ["5 ","€"]
  });
