/**
 * Test transports: in-memory pairs and marble transports driven by the same core as the real ones.
 * @packageDocumentation
 * @module rxtransport/testing
 */
export { transportPair, type TransportPairOptions } from './transportPair.js';
export {
  marbleTransport,
  type MarbleTransport,
  type MarbleTransportOptions,
  type MarblePeerOptions,
} from './marbleTransport.js';
export {
  marbleDatagramEndpoint,
  MARBLE_DATAGRAM_PEER,
  type MarbleDatagram,
  type MarbleDatagramEndpoint,
  type MarbleDatagramEndpointOptions,
} from './marbleDatagramEndpoint.js';
export {
  marbleSubprocess,
  type MarbleSubprocess,
  type MarbleSubprocessOptions,
} from './marbleSubprocess.js';
export {
  marbleWebSocket,
  type MarbleWebSocket,
  type MarbleWebSocketOptions,
  type SentClose,
} from './marbleWebSocket.js';
