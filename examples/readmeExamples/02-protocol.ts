// examples/readmeExamples/02-protocol.ts
import { firstValueFrom } from 'rxjs';
import {
  createConnection,
  createServer,
  type InetAddress,
  type Protocol,
  type SocketTransport,
} from '../../src/index.js';

/** asyncio's EchoServerProtocol: every callback is optional. */
class EchoServerProtocol implements Protocol<SocketTransport> {
  private transport: SocketTransport | null = null;

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
  }

  dataReceived(data: Uint8Array): void {
    this.transport?.write(data);
  }

  // No eofReceived(): the transport closes on EOF, once the echo is flushed.
}

class EchoClientProtocol implements Protocol<SocketTransport> {
  private readonly decoder = new TextDecoder();
  private received = '';

  constructor(private readonly message: string) {}

  connectionMade(transport: SocketTransport): void {
    transport.write(new TextEncoder().encode(this.message));
    transport.writeEof();
  }

  dataReceived(data: Uint8Array): void {
    this.received += this.decoder.decode(data, { stream: true });
  }

  connectionLost(exc: Error | null): void {
    // prints: received "Hello World!", then closed (null)
    console.log(`received ${JSON.stringify(this.received)}, then closed (${String(exc)})`);
  }
}

async function main(): Promise<void> {
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    protocol: () => new EchoServerProtocol(),
  });
  const { port } = server.address() as InetAddress;
  const transport = await createConnection({
    host: '127.0.0.1',
    port,
    protocol: () => new EchoClientProtocol('Hello World!'),
  });
  await firstValueFrom(transport.closed$);
  server.close();
  await server.waitClosed();
}

void main();
