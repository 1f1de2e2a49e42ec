// examples/readmeExamples/23-websocket.ts
import { firstValueFrom } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { connectWebSocket, type WebSocketConstructor } from '../../src/websocket/index.js';

async function main(): Promise<void> {
  // Any WebSocket server; here one from the `ws` package that echoes each message.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (peer) => {
    peer.on('message', (data, binary) => {
      peer.send(data, { binary });
    });
  });
  const { port } = server.address() as { port: number };

  // In a browser (or Node 22+) leave out the WebSocket option: the platform's own is used.
  const ws = await connectWebSocket(`ws://127.0.0.1:${port}/`, {
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  const reply = firstValueFrom(ws.messages$);
  ws.sendText('hello');
  console.log(await reply); // prints: hello
  ws.close(); // a Close frame with code 1000, after everything written
  console.log(await firstValueFrom(ws.closed$)); // prints: null
  server.close();
}

void main();
