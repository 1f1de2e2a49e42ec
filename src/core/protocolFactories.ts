/**
 * Protocol factories as the loop factories take them (asyncio's `protocol_factory`): called
 * once per transport, for each accepted connection on a server.
 */
import type { DatagramTransport } from './datagramTransports.js';
import type { DatagramProtocol, StreamProtocol } from './protocols.js';
import type { SocketTransport } from './transports.js';

/**
 * A protocol factory for stream transports (asyncio `protocol_factory`).
 * @group Protocols
 */
export type StreamProtocolFactory = () => StreamProtocol<SocketTransport>;

/**
 * A protocol factory for datagram endpoints (asyncio `protocol_factory`).
 * @group Protocols
 */
export type DatagramProtocolFactory = () => DatagramProtocol<DatagramTransport>;
