/**
 * lengthPrefixed's options: the checks it makes at once on the options object, headerBytes and
 * maxFrame.
 */
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';

describe('lengthPrefixed', () => {
  describe('options', () => {
    it('throws ERR_INVALID_ARG_TYPE at once without an options object', () => {
      for (const options of [undefined, null, 2]) {
        expect(() => lengthPrefixed(options as unknown as { headerBytes: 2 })).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('throws at once for a headerBytes other than 1, 2 or 4', () => {
      for (const headerBytes of [0, 3, 8, 2.5, NaN]) {
        expect(() => lengthPrefixed({ headerBytes: headerBytes as 1 })).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
        );
      }
      for (const headerBytes of [undefined, '2']) {
        expect(() => lengthPrefixed({ headerBytes: headerBytes as unknown as 1 })).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('throws at once for a maxFrame that is not a non-negative integer', () => {
      for (const maxFrame of [-1, 1.5, NaN]) {
        expect(() => lengthPrefixed({ headerBytes: 2, maxFrame })).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
        );
      }
      expect(() => lengthPrefixed({ headerBytes: 2, maxFrame: '8' as unknown as number })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });
});
