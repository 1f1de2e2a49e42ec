/**
 * Faults: `close()` and `abort()` called from inside every callback of a `DatagramProtocol`
 * (connectionMade, datagramReceived, errorReceived, connectionLost) and every Rx subscriber
 * (`datagrams$`, `errors$`, `closed$`) of a real UDP endpoint on loopback. `connectionLost` (and
 * `closed$`) comes exactly once, nothing thrown escapes or reaches the exception handler, later
 * sends are refused, and after `close()` the datagram queued before it still goes out.
 */
import { firstValueFrom } from 'rxjs';
import {
  TransportClosedError,
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
  type InetAddress,
} from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { HOST, unusedPort } from '../helpers/sockets';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { valueOf } from '../helpers/process';
import { ACTIONS } from './reentrantClose.helpers';

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a UDP endpoint', () => {
    interface DatagramCase {
      readonly name: string;
      readonly protocol: ((act: (t: DatagramTransport) => void) => DatagramProtocol) | null;
      readonly subscribe?: (t: DatagramTransport, act: (t: DatagramTransport) => void) => void;
      /** Makes the callback run; `peer` is bound and listening. */
      readonly trigger: (t: DatagramTransport, peer: DatagramTransport) => Promise<void>;
      /** Connect the endpoint to a closed port instead of the peer (for errorReceived). */
      readonly toClosedPort?: boolean;
    }
    const poke = async (t: DatagramTransport, peer: DatagramTransport): Promise<void> => {
      const addr = t.getExtraInfo('sockname') as InetAddress;
      peer.sendto(utf8('poke'), addr);
      await turns(1);
    };
    const provokeError = async (t: DatagramTransport): Promise<void> => {
      for (let i = 0; i < 50 && !t.isClosing(); i++) {
        try {
          t.sendto(utf8('anyone?'));
        } catch {
          break;
        }
        await turns(2);
      }
    };
    const cases: readonly DatagramCase[] = [
      {
        name: 'connectionMade',
        protocol: (act) => ({
          connectionMade: (t) => {
            act(t as DatagramTransport);
          },
        }),
        trigger: () => Promise.resolve(),
      },
      {
        name: 'datagramReceived',
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            datagramReceived: () => {
              act(transport);
            },
          };
        },
        trigger: poke,
      },
      {
        name: 'errorReceived',
        toClosedPort: true,
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            errorReceived: () => {
              act(transport);
            },
          };
        },
        trigger: provokeError,
      },
      {
        name: 'connectionLost',
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            connectionLost: () => {
              act(transport);
            },
          };
        },
        trigger: (t) => {
          t.close();
          return Promise.resolve();
        },
      },
      {
        name: 'a datagrams$ subscriber',
        protocol: null,
        subscribe: (t, act) =>
          t.datagrams$.subscribe(() => {
            act(t);
          }),
        trigger: poke,
      },
      {
        name: 'an errors$ subscriber',
        toClosedPort: true,
        protocol: null,
        subscribe: (t, act) =>
          t.errors$.subscribe(() => {
            act(t);
          }),
        trigger: provokeError,
      },
      {
        name: 'a closed$ subscriber',
        protocol: null,
        subscribe: (t, act) =>
          t.closed$.subscribe(() => {
            act(t);
          }),
        trigger: (t) => {
          t.close();
          return Promise.resolve();
        },
      },
    ];
    const table = cases.flatMap((c) => ACTIONS.map((action) => [c.name, action, c] as const));

    it.each(table)('%s calling %s()', async (_name, action, c) => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        peer.abort();
        await firstValueFrom(peer.closed$);
      });
      const got: string[] = [];
      peer.datagrams$.subscribe(({ data }) => got.push(Buffer.from(data).toString()));
      const remoteAddr: InetAddress = c.toClosedPort
        ? { host: HOST, port: await unusedPort() }
        : (peer.getExtraInfo('sockname') as InetAddress);
      const thrown: unknown[] = [];
      let acted = false;
      let lastWords = false;
      const act = (t: DatagramTransport): void => {
        if (acted) return;
        acted = true;
        if (!t.isClosing() && !c.toClosedPort) {
          t.sendto(utf8('last words'));
          lastWords = true;
        }
        try {
          t[action]();
          t[action]();
          if (action === 'abort') t.close();
        } catch (error) {
          thrown.push(error);
        }
      };
      const lost: (Error | null)[] = [];
      const protocol = c.protocol?.(act);
      const endpoint = await createDatagramEndpoint({
        localAddr: { host: HOST, port: 0 },
        remoteAddr,
        ...(protocol
          ? {
              protocol: () => ({
                ...protocol,
                connectionLost: (exc: Error | null) => {
                  lost.push(exc);
                  protocol.connectionLost?.(exc);
                },
              }),
            }
          : {}),
      });
      resources.defer(async () => {
        endpoint.abort();
        await firstValueFrom(endpoint.closed$);
      });
      let closedEmissions = 0;
      endpoint.closed$.subscribe(() => (closedEmissions += 1));
      c.subscribe?.(endpoint, act);
      await c.trigger(endpoint, peer);
      await waitFor(() => acted, 'the callback to act');
      expect(await valueOf(endpoint.closed$, 'closed$')).toBeNull();
      await turns(10);
      expect(thrown).toEqual([]);
      expect(closedEmissions).toBe(1);
      if (protocol) expect(lost).toEqual([null]);
      expect(endpoint.isClosing()).toBe(true);
      expect(
        thrownBy(() => {
          endpoint.sendto(utf8('late'));
        }),
      ).toBeInstanceOf(TransportClosedError);
      if (lastWords && action === 'close') {
        // close() lets the queued datagram go first [D7].
        await waitFor(() => got.includes('last words'), 'the last datagram');
      }
    });
  });
});
