import type { Socket } from 'node:net';
import { inetAddress } from './netAddress.js';

/** `getExtraInfo` values of a TCP socket. @internal */
export function tcpExtraInfo(socket: Socket): Record<string, unknown> {
  return {
    peername: inetAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily),
    sockname: inetAddress(socket.localAddress, socket.localPort, socket.localFamily),
    socket,
  };
}

/** `getExtraInfo` values of a Unix socket: unnamed ends report `''`, as asyncio. @internal */
export function unixExtraInfo(
  socket: Socket,
  peerPath: string,
  ownPath: string,
): Record<string, unknown> {
  return { peername: { path: peerPath }, sockname: { path: ownPath }, socket };
}
