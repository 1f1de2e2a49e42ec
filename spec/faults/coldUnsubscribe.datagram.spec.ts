/**
 * Faults: unsubscribing from `fromDatagramEndpoint` at every stage: before it is bound (after 0
 * to 8 turns of the loop, so that each step of the opening is hit), mid-stream, and after its
 * peer went away. Every stage ends with no handle left (the leak check), nothing reported, and
 * the datagrams queued before the unsubscribe sent.
 */
import { firstValueFrom } from 'rxjs';
import { createDatagramEndpoint, fromDatagramEndpoint } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { countHandles, expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { HOST } from '../helpers/sockets';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { valueOf, within } from '../helpers/process';
import { sockname } from '../helpers/udp';
import { EARLY_TURNS, observe } from './coldUnsubscribe.helpers';

describe('unsubscribing from a cold form', () => {
  const resources = useResources();
  const leaks = useLeakCheck(resources);
  useExceptionReports();

  describe('fromDatagramEndpoint', () => {
    it.each(EARLY_TURNS)('before it is bound (after %i turns) closes the socket', async (n) => {
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 } }),
      );
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['UDPWrap'] });
      for (const endpoint of observed.values) {
        expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      }
      expect(observed.ending).toBeNull();
    });

    it('mid-stream closes the endpoint after its queued datagrams went out', async () => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        peer.abort();
        await firstValueFrom(peer.closed$);
      });
      const got: string[] = [];
      peer.datagrams$.subscribe(({ data }) => got.push(Buffer.from(data).toString()));
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 }, remoteAddr: sockname(peer) }),
      );
      const endpoint = await within(observed.first, 'the endpoint');
      const echoes: string[] = [];
      endpoint.datagrams$.subscribe(({ data }) => echoes.push(Buffer.from(data).toString()));
      peer.sendto(utf8('hello'), sockname(endpoint));
      await waitFor(() => echoes.length === 1, 'a datagram');
      for (let i = 0; i < 50; i++) endpoint.sendto(utf8(`d${i}`));
      observed.subscription.unsubscribe();
      expect(endpoint.isClosing()).toBe(true);
      expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      // Loopback UDP under no load delivers them all, in order.
      await waitFor(() => got.length === 50, 'the 50 datagrams');
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `d${i}`));
    });

    it('after its peer went away closes it; errors$ had reported ECONNREFUSED', async () => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      const peerAddr = sockname(peer);
      peer.abort();
      await firstValueFrom(peer.closed$);
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 }, remoteAddr: peerAddr }),
      );
      const endpoint = await within(observed.first, 'the endpoint');
      const errors: Error[] = [];
      endpoint.errors$.subscribe((error) => errors.push(error));
      for (let i = 0; i < 20 && errors.length === 0; i++) {
        endpoint.sendto(utf8('anyone?'));
        await turns(3);
      }
      // Linux reports the ICMP port-unreachable of a connected UDP socket on a later call.
      for (const error of errors) expect(error).toHaveProperty('code', 'ECONNREFUSED');
      observed.subscription.unsubscribe();
      expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      expect(observed.ending).toBeNull();
      await expectHandlesBack(countHandles(), { types: ['UDPWrap'] });
    });
  });
});
