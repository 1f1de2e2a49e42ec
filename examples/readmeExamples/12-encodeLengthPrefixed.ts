// examples/readmeExamples/12-encodeLengthPrefixed.ts
import { of } from 'rxjs';
import { encodeLengthPrefixed, utf8Encode } from '../../src/operators/index.js';

// One frame per payload, header first, ready for a transport's sink.
of('hi', '', 'you')
  .pipe(utf8Encode(), encodeLengthPrefixed({ headerBytes: 4 }))
  .subscribe((frame) => {
    console.log(Buffer.from(frame).toString('hex'));
  });
// prints: 000000026869
// prints: 00000000
// prints: 00000003796f75
