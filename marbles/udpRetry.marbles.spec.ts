/**
 * A UDP request with a timeout and retries (examples/pipelines/udpRetry.ts), over
 * `marbleDatagramEndpoint`: `incoming` draws what the network brings back, `sent$` each
 * attempt as it leaves. Frames are milliseconds, so `timeout: 3` is three frames.
 */
import { map } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { ConnectionRefusedError } from '../src/index';
import { MARBLE_DATAGRAM_PEER, marbleDatagramEndpoint } from '../src/testing/index';
import { udpRequest } from '../examples/pipelines/udpRetry';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const server = MARBLE_DATAGRAM_PEER;
const stranger = { host: '203.0.113.5', port: 5000 };

describe('a UDP request with a timeout and retries', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  /** The attempts as letters: `q` for each time the request left. */
  const attempts = (udp: ReturnType<typeof marbleDatagramEndpoint>) =>
    udp.sent$.pipe(
      map(({ data, addr }) =>
        decode(data) === 'time?' && addr.host === server.host && addr.port === server.port
          ? 'q'
          : '?',
      ),
    );

  function request(helpers: RunHelpers, incoming: string, values = {}) {
    const udp = marbleDatagramEndpoint(helpers, {
      incoming,
      values: { a: { data: 'noon' }, s: { data: 'spoof', addr: stranger }, ...values },
    });
    const answer = udpRequest(udp, encode('time?'), server, { timeout: 3, retries: 2, backoff: 1 });
    return { udp, answer: answer.pipe(map(decode)) };
  }

  it('takes the first answer, without a retry', () => {
    testScheduler.run((helpers) => {
      const { udp, answer } = request(helpers, '--a');
      helpers.expectObservable(answer).toBe('--(a|)', { a: 'noon' });
      helpers.expectObservable(attempts(udp)).toBe('q');
    });
  });

  it('sends again after each timeout and a backoff, and takes the answer to a retry', () => {
    testScheduler.run((helpers) => {
      // Attempt 1 at 0 times out at 3; attempt 2 at 4 times out at 7; attempt 3 at 8 is answered.
      const { udp, answer } = request(helpers, '-----s----a');
      helpers.expectObservable(attempts(udp)).toBe('q---q---q');
      helpers.expectObservable(answer).toBe('----------(a|)', { a: 'noon' });
    });
  });

  it('gives up with a TimeoutError after the last retry', () => {
    testScheduler.run((helpers) => {
      const { udp, answer } = request(helpers, '-');
      helpers.expectObservable(attempts(udp)).toBe('q---q---q');
      helpers
        .expectObservable(answer)
        .toBe('-----------#', undefined, expect.objectContaining({ name: 'TimeoutError' }));
    });
  });

  it('stops at once on an ICMP error: the port is closed', () => {
    testScheduler.run((helpers) => {
      const refused = new ConnectionRefusedError('ECONNREFUSED', 'recvfrom ECONNREFUSED');
      const { udp, answer } = request(helpers, '-----x--a', { x: refused });
      helpers.expectObservable(attempts(udp)).toBe('q---q');
      helpers.expectObservable(answer).toBe('-----#', undefined, refused);
    });
  });
});
