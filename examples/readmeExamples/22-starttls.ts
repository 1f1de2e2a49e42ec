// examples/readmeExamples/22-starttls.ts
import { filter, firstValueFrom } from 'rxjs';
import { createConnection, createServer, startTls, type InetAddress } from '../../src/index.js';
import { testCertificates } from '../tlsCerts.js'; // a throwaway CA, made with openssl

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function main(): Promise<void> {
  const certs = testCertificates();

  // A line server in clear: on STARTTLS it answers OK, then upgrades and echoes over TLS.
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((plain) => {
    void firstValueFrom(plain.data$.pipe(filter((line) => text(line) === 'STARTTLS\n'))).then(
      async () => {
        plain.write(new TextEncoder().encode('OK\n')); // goes out first, in clear
        const ssl = { cert: certs.serverCert, key: certs.serverKey };
        const conn = await startTls(plain, ssl, { serverSide: true });
        conn.data$.subscribe(conn.sink);
      },
    );
  });
  const { port } = server.address() as InetAddress;

  const plain = await createConnection({ host: '127.0.0.1', port });
  const ok = firstValueFrom(plain.data$);
  plain.write(new TextEncoder().encode('STARTTLS\n'));
  console.log(text(await ok).trim()); // prints: OK
  const client = await startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost' });
  console.log((client.getExtraInfo('cipher') as unknown[])[1]); // prints: TLSv1.3
  const echoed = firstValueFrom(client.data$);
  client.write(new TextEncoder().encode('secret'));
  console.log(text(await echoed)); // prints: secret
  client.close();
  await firstValueFrom(client.closed$);

  server.close();
  await server.waitClosed();
  certs.remove();
}

void main();
