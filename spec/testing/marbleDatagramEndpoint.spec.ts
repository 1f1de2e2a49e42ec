/** marbleDatagramEndpoint: the real DatagramEndpoint over a handle that plays marbles. */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionRefusedError, type DatagramProtocol } from '../../src/index';
import { MARBLE_DATAGRAM_PEER, marbleDatagramEndpoint } from '../../src/testing/index';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const other = { host: '198.51.100.9', port: 53 };

describe('marbleDatagramEndpoint', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('plays the incoming datagrams on datagrams$, with their senders', () => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, {
        incoming: '-a--b-',
        values: { a: { data: 'ping' }, b: { data: encode('hi'), addr: other } },
      });
      helpers
        .expectObservable(
          udp.datagrams$.pipe(map(({ data, addr }) => `${decode(data)}@${addr.port}`)),
        )
        .toBe('-a--b-', { a: 'ping@5000', b: 'hi@53' });
    });
  });

  it('records each sendto on sent$, as a copy, at its frame', () => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, { incoming: '-x--y' });
      udp.datagrams$.subscribe(({ data, addr }) => {
        udp.sendto(encode(decode(data).toUpperCase()), addr);
      });
      helpers.expectObservable(udp.sent$).toBe('-x--y', {
        x: { data: encode('X'), addr: MARBLE_DATAGRAM_PEER },
        y: { data: encode('Y'), addr: MARBLE_DATAGRAM_PEER },
      });
    });
  });

  it('sends to remoteAddr by default, and refuses another address', () => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, { incoming: '-', remoteAddr: other });
      udp.sendto(encode('q'));
      expect(() => {
        udp.sendto(encode('q'), MARBLE_DATAGRAM_PEER);
      }).toThrow(TypeError);
      expect(udp.getExtraInfo('peername')).toEqual(other);
      helpers.expectObservable(udp.sent$).toBe('s', { s: { data: encode('q'), addr: other } });
    });
  });

  it('gives an ICMP error drawn as a value to errors$ and stays open', () => {
    scheduler.run((helpers) => {
      const refused = new ConnectionRefusedError('ECONNREFUSED', 'recvfrom ECONNREFUSED');
      const udp = marbleDatagramEndpoint(helpers, {
        incoming: '-a-e-b',
        values: { a: { data: 'one' }, e: refused, b: { data: 'two' } },
      });
      helpers.expectObservable(udp.errors$).toBe('---e--|', { e: refused });
      helpers
        .expectObservable(udp.datagrams$.pipe(map(({ data }) => decode(data))))
        .toBe('-a---b|', { a: 'one', b: 'two' });
      helpers.cold('------x').subscribe(() => {
        expect(udp.isClosing()).toBe(false);
        udp.close();
      });
      helpers.expectObservable(udp.closed$).toBe('------(n|)', { n: null });
    });
  });

  it('takes # as an ECONNREFUSED by default, not as the end of the endpoint', () => {
    scheduler.run((helpers) => {
      const events: string[] = [];
      const protocol: DatagramProtocol = {
        datagramReceived: (data) => events.push(`${scheduler.now()} ${decode(data)}`),
        errorReceived: (exc) =>
          events.push(`${scheduler.now()} ${exc.name} ${(exc as { code?: string }).code}`),
      };
      const udp = marbleDatagramEndpoint(helpers, { incoming: '-a-#', protocol });
      helpers.cold('-----x').subscribe(() => {
        expect(udp.isClosing()).toBe(false);
        expect(events).toEqual(['1 a', '3 ConnectionRefusedError ECONNREFUSED']);
      });
    });
  });

  it('keeps the datagrams that came before datagrams$ had a subscriber for the first one', () => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, { incoming: 'abc-' });
      // datagrams$ keeps them for its first subscriber, which comes at 3.
      helpers
        .expectObservable(udp.datagrams$.pipe(map(({ data }) => decode(data))), '---^')
        .toBe('---(abc)');
    });
  });

  it('completes sent$ and ends with connectionLost on close', () => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, { incoming: '-' });
      helpers.cold('--x').subscribe(() => {
        udp.sendto(encode('last'), MARBLE_DATAGRAM_PEER);
        udp.close();
      });
      helpers.expectObservable(udp.sent$.pipe(map(({ data }) => decode(data)))).toBe('--(l|)', {
        l: 'last',
      });
      helpers.expectObservable(udp.closed$).toBe('--(n|)', { n: null });
    });
  });
});
