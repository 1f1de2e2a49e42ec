/**
 * The pipelines the marbles/ suite draws with the new marble forms, over real sockets and a
 * real child: writeWhileWritable and proxy over TCP, udpRequest over UDP, replSession with a
 * line-answering child.
 */
import { lastValueFrom, from, map, reduce, toArray } from 'rxjs';
import {
  createConnection,
  createDatagramEndpoint,
  subprocessExec,
  type DatagramTransport,
} from '../../src/index';
import { replSession } from '../../examples/pipelines/lineRepl';
import { writeWhileWritable } from '../../examples/pipelines/pacedProducer';
import { udpRequest } from '../../examples/pipelines/udpRetry';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { trackProcess } from '../helpers/process';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('the drawn pipelines over real transports', () => {
  const resources = useResources();

  it('writeWhileWritable keeps the write buffer near its high mark against a slow reader', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const writer = resources.transport(await createConnection({ host: HOST, port }));
    const reader = await accepted;
    reader.pauseReading();
    writer.setWriteBufferLimits(64 * 1024, 16 * 1024);
    const chunk = new Uint8Array(16 * 1024);
    let peak = 0;
    function* chunks(): Generator<Uint8Array> {
      for (let i = 0; i < 512; i += 1) {
        peak = Math.max(peak, writer.getWriteBufferSize());
        yield chunk;
      }
    }
    const total = lastValueFrom(writeWhileWritable(writer, chunks()));
    setTimeout(() => {
      reader.resumeReading();
    }, 50);
    const received = lastValueFrom(
      reader.data$.pipe(reduce((sum, data) => sum + data.byteLength, 0)),
    );
    expect(await total).toBe(512 * chunk.byteLength);
    expect(peak).toBeLessThanOrEqual(64 * 1024 + chunk.byteLength);
    await writer.flushed();
    writer.writeEof();
    expect(await received).toBe(512 * chunk.byteLength);
  });

  it('udpRequest retries after a timeout and takes the answer to a retry', async () => {
    const endpoints: DatagramTransport[] = [];
    const service = await createDatagramEndpoint({ localAddr: { host: '127.0.0.1', port: 0 } });
    endpoints.push(service);
    let seen = 0;
    // The service drops the first request, then answers.
    service.datagrams$.subscribe(({ data, addr }) => {
      seen += 1;
      if (seen > 1) service.sendto(encode(decode(data).toUpperCase()), addr);
    });
    const serviceAddr = service.getExtraInfo('sockname') as { host: string; port: number };
    const client = await createDatagramEndpoint({ localAddr: { host: '127.0.0.1', port: 0 } });
    endpoints.push(client);
    try {
      const answer = await lastValueFrom(
        udpRequest(client, encode('time?'), serviceAddr, { timeout: 100, retries: 3 }).pipe(
          map(decode),
        ),
      );
      expect(answer).toBe('TIME?');
      expect(seen).toBe(2);
    } finally {
      for (const endpoint of endpoints) endpoint.abort();
    }
  });

  it('replSession sends each command once the child has answered the one before', async () => {
    const script =
      "let n=0;process.stdin.setEncoding('utf8');let b='';" +
      "process.stdin.on('data',(d)=>{b+=d;let i;while((i=b.indexOf('\\n'))>=0){const l=b.slice(0,i);" +
      "b=b.slice(i+1);n+=1;process.stdout.write(n+':'+l.toUpperCase()+'\\n');}});";
    const child = trackProcess(resources, await subprocessExec(process.execPath, ['-e', script]));
    const answers = await lastValueFrom(
      replSession(child, from(['one', 'two', 'three'])).pipe(toArray()),
    );
    expect(answers).toEqual(['1:ONE', '2:TWO', '3:THREE']);
    expect(await lastValueFrom(child.exit$)).toBe(0);
  });
});
