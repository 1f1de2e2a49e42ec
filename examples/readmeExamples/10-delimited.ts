// examples/readmeExamples/10-delimited.ts
import { from } from 'rxjs';
import { delimited } from '../../src/operators/index.js';

// HTTP-style header blocks end with an empty line: a 4-byte delimiter, here split
// across two chunks as a socket may deliver it.
const chunks = ['Host: a\r\nAccept: */*\r', '\n\r\nHost: b\r\n\r\n'].map((text) =>
  new TextEncoder().encode(text),
);
from(chunks)
  .pipe(delimited('\r\n\r\n', { maxLength: 8192 }))
  .subscribe((block) => {
    const headers = new TextDecoder().decode(block).split('\r\n');
    console.log(`${headers.length} header(s): ${headers.join(', ')}`);
  });
// prints: 2 header(s): Host: a, Accept: */*
// prints: 1 header(s): Host: b
