/**
 * What `data$` held for a late subscriber is handed to the next one, not lost, when the first
 * subscriber leaves during its own first delivery (`firstValueFrom`, `take(1)`).
 */

import type * as net from 'node:net';
import { firstValueFrom } from 'rxjs';
import { createConnection } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { HOST, socketOf, startRawServer, turns, useResources, waitFor } from '../helpers/net';

describe('data$ held chunks and a subscriber that takes one', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('keeps the rest for the next subscriber', async () => {
    let peer: net.Socket | null = null;
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    await waitFor(() => peer !== null, 'the peer socket');
    const socket = socketOf(transport);
    let sent = 0;
    for (const word of ['one', 'two', 'three']) {
      peer!.write(word);
      sent += word.length;
      await waitFor(() => socket.bytesRead >= sent, `${word} read`);
    }
    await turns(3);
    const first = await firstValueFrom(transport.data$);
    expect(Buffer.from(first).toString()).toBe('one');
    const rest: string[] = [];
    transport.data$.subscribe((chunk) => rest.push(Buffer.from(chunk).toString()));
    expect(rest).toEqual(['two', 'three']);
    transport.write(utf8('bye'));
  });
});
