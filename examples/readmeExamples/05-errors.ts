// examples/readmeExamples/05-errors.ts
import {
  ConnectionRefusedError,
  createConnection,
  createServer,
  TransportError,
  type InetAddress,
} from '../../src/index.js';

async function main(): Promise<void> {
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as InetAddress;
  const transport = await createConnection({ host: '127.0.0.1', port });

  // Misuse is refused loudly, with a code to switch on.
  transport.writeEof();
  try {
    transport.write(new Uint8Array([1]));
  } catch (error) {
    if (error instanceof TransportError) {
      console.log(`${error.name}: ${error.code}`); // prints: WriteAfterEofError: ERR_WRITE_AFTER_EOF
    }
  }
  transport.close();
  server.close();
  server.closeClients();
  await server.waitClosed();

  // What the OS reports keeps its errno name as the code.
  try {
    await createConnection({ host: '127.0.0.1', port });
  } catch (error) {
    if (error instanceof ConnectionRefusedError) {
      console.log(`${error.name}: ${error.code}`); // prints: ConnectionRefusedError: ECONNREFUSED
    }
  }
}

void main();
