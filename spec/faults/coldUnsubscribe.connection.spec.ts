/**
 * Faults: unsubscribing from `fromConnection` at every stage: before it has connected (after 0
 * to 8 turns of the loop, so that each step of the opening is hit), mid-stream, after EOF, and
 * after the connection was lost. Every stage ends with no handle left (the leak check), nothing
 * reported, and what was written before the unsubscribe delivered.
 */
import { fromConnection } from '../../src/index';
import { patternBytes, utf8 } from '../helpers/bytes';
import { expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue, collect, record, type Recording } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { valueOf, within } from '../helpers/process';
import { EARLY_TURNS, observe } from './coldUnsubscribe.helpers';
import { expectSameBytes, rawCollect, type RawCollector } from './faultHelpers';

describe('unsubscribing from a cold form', () => {
  const resources = useResources();
  const leaks = useLeakCheck(resources);
  useExceptionReports();

  describe('fromConnection', () => {
    it.each(EARLY_TURNS)(
      'before it has connected (after %i turns) closes what it opens',
      async (n) => {
        const { server, port } = await startServer(resources);
        const serverSides: Recording[] = [];
        server.connections$.subscribe((connection) => {
          serverSides.push(record(connection.data$));
        });
        const observed = observe(resources, fromConnection({ host: HOST, port }));
        await turns(n);
        observed.subscription.unsubscribe();
        // Whatever was opened is closed: the server side (if it got that far) sees EOF.
        await expectHandlesBack(leaks.baseline(), { types: ['TCPConnectWrap'] });
        await turns(10);
        for (const serverSide of serverSides) {
          await waitFor(() => serverSide.ended === 'complete', 'EOF at the server');
        }
        expect(observed.ending).toBeNull();
        for (const transport of observed.values) {
          expect(transport.isClosing()).toBe(true);
          expect(await valueOf(transport.closed$, 'the transport to close')).toBeNull();
        }
      },
    );

    it('mid-stream flushes what was written, then closes', async () => {
      let collector!: RawCollector;
      const raw = await startRawServer(resources, (socket) => {
        collector = rawCollect(socket);
        socket.write(utf8('hello'));
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      const data = record(transport.data$);
      await waitFor(() => data.bytes().toString() === 'hello', 'the greeting');
      const payload = patternBytes(4 * MiB);
      transport.write(payload);
      observed.subscription.unsubscribe();
      expect(transport.isClosing()).toBe(true);
      expect(await closedValue(transport)).toBeNull();
      expect(await within(collector.ended, 'EOF at the peer')).toBe('end');
      expectSameBytes(collector.bytes(), payload);
      expect(observed.ending).toBeNull();
    });

    it('after EOF closes the half-open connection', async () => {
      let collector!: RawCollector;
      const raw = await startRawServer(resources, (socket) => {
        collector = rawCollect(socket);
        socket.end(utf8('bye'));
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      expect((await collect(transport.data$)).toString()).toBe('bye');
      expect(transport.isClosing()).toBe(false);
      transport.write(utf8('last words'));
      observed.subscription.unsubscribe();
      expect(await closedValue(transport)).toBeNull();
      expect(await within(collector.ended, 'EOF at the peer')).toBe('end');
      expect(collector.bytes().toString()).toBe('last words');
    });

    it('after the connection was lost is a no-op; the error was delivered first', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.resetAndDestroy());
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      transport.data$.subscribe({ error: () => undefined });
      transport.write(utf8('x'));
      await waitFor(() => observed.ending !== null, 'the loss');
      expect(observed.ending).toBe('error');
      expect(observed.error).toHaveProperty('code');
      observed.subscription.unsubscribe();
    });
  });
});
