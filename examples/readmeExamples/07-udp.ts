// examples/readmeExamples/07-udp.ts
import { firstValueFrom } from 'rxjs';
import {
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
  type InetAddress,
} from '../../src/index.js';

/** asyncio's UDP echo client: every callback is optional. */
class EchoClientProtocol implements DatagramProtocol<DatagramTransport> {
  private transport: DatagramTransport | null = null;

  constructor(private readonly message: string) {}

  connectionMade(transport: DatagramTransport): void {
    this.transport = transport;
    transport.sendto(new TextEncoder().encode(this.message)); // to remoteAddr
  }

  datagramReceived(data: Uint8Array, addr: InetAddress): void {
    // prints: received "HELLO WORLD!" from 127.0.0.1
    console.log(`received ${JSON.stringify(new TextDecoder().decode(data))} from ${addr.host}`);
    this.transport?.close();
  }

  errorReceived(exc: Error): void {
    console.log(`error received: ${exc.message}`); // an OS error; the endpoint stays open
  }

  connectionLost(): void {
    console.log('connection closed'); // prints: connection closed
  }
}

async function main(): Promise<void> {
  // A server with the Rx surface: it answers each datagram, upper-cased, to its sender.
  const server = await createDatagramEndpoint({ localAddr: { host: '127.0.0.1', port: 0 } });
  server.datagrams$.subscribe(({ data, addr }) => {
    const text = new TextDecoder().decode(data);
    server.sendto(new TextEncoder().encode(text.toUpperCase()), addr);
  });

  // remoteAddr connects the client: sendto() needs no address, and refuses any other.
  const client = await createDatagramEndpoint({
    remoteAddr: server.getExtraInfo('sockname') as InetAddress,
    protocol: () => new EchoClientProtocol('Hello World!'),
  });
  await firstValueFrom(client.closed$);
  server.close();
}

void main();
