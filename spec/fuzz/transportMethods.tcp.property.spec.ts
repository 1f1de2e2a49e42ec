/**
 * Bad input to the other methods of a TCP transport: `getExtraInfo`, `pauseReading`,
 * `resumeReading` and `getWriteBufferLimits` take anything, and `setProtocol` with an odd
 * protocol and `sink.next` with odd data each work or throw a `TransportError`, or a
 * `TypeError`/`RangeError` carrying a string `code`; the transport then still ends with one
 * `closed$`, leaving no handle.
 */
import fc from 'fast-check';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { closedValue } from '../helpers/streams';
import { turns } from '../helpers/waits';
import { within } from '../helpers/process';
import {
  anything,
  collectExceptionReports,
  expectWorksOrCodedError,
  oneOfValues,
  settle,
  show,
  triedSummary,
} from './badInput';
import { NUM_RUNS, connectedPair, writeArgs } from './transportMethods.helpers';

describe('transport methods given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();

  afterAll(() => {
    console.log(`transport methods given bad input (TCP): ${triedSummary()}`);
  });

  describe('on a TCP transport', () => {
    it('getExtraInfo, pauseReading, resumeReading and getWriteBufferLimits take anything', async () => {
      const { client } = await connectedPair(resources);
      const names = fc.oneof(
        oneOfValues(['peername', 'sockname', 'socket', 'pipe', 'subprocess', '', '__proto__']),
        anything(),
      );
      await fc.assert(
        fc.asyncProperty(names, anything(), async (name, fallback) => {
          const outcome = await settle(() => client.getExtraInfo(name as never, fallback));
          expectWorksOrCodedError(outcome, `getExtraInfo(${show(name)}, ${show(fallback)})`);
          for (const method of ['pauseReading', 'resumeReading', 'getWriteBufferLimits'] as const) {
            // Extra arguments, as an untyped caller might pass them.
            const call: (...args: unknown[]) => unknown = client[method].bind(client);
            const other = await settle(() => call(name, fallback));
            expectWorksOrCodedError(other, `${method}(${show(name)})`);
          }
          expect(client.isClosing()).toBe(false);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('setProtocol and sink.next: odd protocols and odd data end in one closed$, reported', async () => {
      const protocols = fc.oneof(
        anything(),
        fc.constantFrom<unknown>(
          {},
          Object.create(null),
          { dataReceived: 5, eofReceived: 'x', connectionLost: null },
          { getBuffer: () => new Uint8Array(0), bufferUpdated: () => undefined },
          { getBuffer: () => 'not bytes', bufferUpdated: () => undefined },
          { getBuffer: () => new Uint8Array(4), bufferUpdated: 7 },
          { dataReceived: () => undefined },
        ),
      );
      await fc.assert(
        fc.asyncProperty(protocols, writeArgs(), async (protocol, data) => {
          const { client } = await connectedPair(resources);
          expectWorksOrCodedError(
            await settle(() => {
              client.setProtocol(protocol as never);
            }),
            `setProtocol(${show(protocol)})`,
          );
          // sink.next has no caller to throw to: bad data takes the fatal path, reported.
          expectWorksOrCodedError(
            await settle(() => {
              client.sink.next(data as never);
            }),
            `sink.next(${show(data)})`,
          );
          // The server echoes nothing; make data arrive at the client through a second write.
          client.close();
          const exc = await within(closedValue(client), 'closed$ after odd input');
          if (exc !== null) expect(exc).toBeInstanceOf(Error);
          await turns(2);
        }),
        { numRuns: 60 },
      );
    });
  });
});
