/**
 * Faults: unsubscribing from `fromServer` at every stage: before it listens (after 0 to 8 turns
 * of the loop, so that each step of the opening is hit), mid-stream, and after a client's EOF.
 * Every stage ends with no handle left (the leak check), the port free again, nothing reported,
 * and what was written before the unsubscribe delivered.
 */
import {
  ConnectionRefusedError,
  createConnection,
  fromServer,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, utf8 } from '../helpers/bytes';
import { expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { HOST, unusedPort } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { within } from '../helpers/process';
import { EARLY_TURNS, observe } from './coldUnsubscribe.helpers';
import { expectSameBytes } from './faultHelpers';

describe('unsubscribing from a cold form', () => {
  const resources = useResources();
  const leaks = useLeakCheck(resources);
  useExceptionReports();

  describe('fromServer', () => {
    it.each(EARLY_TURNS)('before it listens (after %i turns) leaves the port free', async (n) => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['TCPServerWrap'] });
      const refused = await rejectionOf(createConnection({ host: HOST, port }));
      expect(refused).toBeInstanceOf(ConnectionRefusedError);
      expect(observed.values).toEqual([]);
      expect(observed.ending).toBeNull();
    });

    it('mid-stream closes the server and its clients after flushing', async () => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      let client: SocketTransport | null = null;
      for (let attempt = 0; client === null; attempt++) {
        try {
          client = resources.transport(await createConnection({ host: HOST, port }));
        } catch (error) {
          if (attempt > 100) throw error;
          await turns(2);
        }
      }
      const connection = await within(observed.first, 'the accepted connection');
      const echo = record(connection.data$);
      const received = record(client.data$);
      client.write(utf8('ping'));
      await waitFor(() => echo.bytes().toString() === 'ping', 'the ping');
      const payload = patternBytes(4 * MiB);
      connection.write(payload);
      observed.subscription.unsubscribe();
      expect(await closedValue(connection)).toBeNull();
      await waitFor(() => received.ended !== null, 'EOF at the client');
      expect(received.ended).toBe('complete');
      expectSameBytes(received.bytes(), payload);
    });

    it('after a client EOF closes the half-open connection and the server', async () => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      let client: SocketTransport | null = null;
      for (let attempt = 0; client === null; attempt++) {
        try {
          client = resources.transport(await createConnection({ host: HOST, port }));
        } catch (error) {
          if (attempt > 100) throw error;
          await turns(2);
        }
      }
      const connection = await within(observed.first, 'the accepted connection');
      const request = collect(connection.data$);
      const reply = collect(client.data$);
      client.write(utf8('request'));
      client.writeEof();
      expect((await request).toString()).toBe('request');
      connection.write(utf8('reply'));
      observed.subscription.unsubscribe();
      expect((await reply).toString()).toBe('reply');
      expect(await closedValue(connection)).toBeNull();
      expect(await closedValue(client)).toBeNull();
      expect(await rejectionOf(createConnection({ host: HOST, port }))).toBeInstanceOf(
        ConnectionRefusedError,
      );
    });
  });
});
