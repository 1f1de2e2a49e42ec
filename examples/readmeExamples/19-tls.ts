// examples/readmeExamples/19-tls.ts
import { firstValueFrom } from 'rxjs';
import {
  createConnection,
  createServer,
  SSLCertVerificationError,
  type InetAddress,
} from '../../src/index.js';
import { testCertificates } from '../tlsCerts.js'; // a throwaway CA, made with openssl

async function main(): Promise<void> {
  const certs = testCertificates();

  // A server with mutual TLS: clients must show a certificate from our CA.
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    ssl: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true },
  });
  server.connections$.subscribe((conn) => {
    const peer = conn.getExtraInfo('peercert') as { subject: { CN: string } };
    conn.write(new TextEncoder().encode(`hello, ${peer.subject.CN}\n`));
    conn.close(); // sends close_notify once the greeting is out
  });
  const { port } = server.address() as InetAddress;

  // The client verifies the server's certificate and host name (here 'localhost').
  const client = await createConnection({
    host: 'localhost',
    port,
    ssl: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
  });
  console.log((client.getExtraInfo('cipher') as unknown[])[1]); // prints: TLSv1.3
  const greeting = new TextDecoder().decode(await firstValueFrom(client.data$));
  console.log(greeting.trim()); // prints: hello, rxtransport test client
  await firstValueFrom(client.closed$);

  // A certificate that does not verify rejects the factory.
  try {
    await createConnection({ host: 'localhost', port, ssl: true }); // Node's public roots
  } catch (error) {
    if (error instanceof SSLCertVerificationError) console.log(error.name); // prints: SSLCertVerificationError
  }

  server.close();
  await server.waitClosed();
  certs.remove();
}

void main();
