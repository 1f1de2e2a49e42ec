/**
 * rxtransport: Python asyncio's low-level transports and protocols for Node.js, as RxJS 7
 * Observables.
 * @packageDocumentation
 * @module rxtransport
 */
export type { Address, InetAddress, UnixAddress } from './core/address.js';
export type { BytesLike } from './core/bytes.js';
export type {
  BaseProtocol,
  BufferedProtocol,
  DatagramProtocol,
  Protocol,
  StreamProtocol,
  SubprocessProtocol,
} from './core/protocols.js';
export type {
  BaseTransport,
  ProcessOutput,
  ReadPipeTransport,
  ReadTransport,
  Server,
  SocketTransport,
  SubprocessTransport,
  WritePipeTransport,
  WriteTransport,
} from './core/transports.js';
export {
  FrameTooLargeError,
  IncompleteFrameError,
  SSLCertVerificationError,
  SSLError,
  TransportClosedError,
  TransportError,
  TransportTimeoutError,
  UnsupportedError,
  WriteAfterEofError,
} from './core/errors.js';
export {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  ProcessLookupError,
  TransportOSError,
  type OSErrorDetails,
} from './core/osErrors.js';
export {
  setExceptionHandler,
  type ExceptionContext,
  type ExceptionHandler,
} from './core/exceptionHandler.js';
export { createConnection, type ConnectionOptions } from './node/createConnection.js';
export { createUnixConnection, type UnixConnectionOptions } from './node/createUnixConnection.js';
export { createServer, type ServerOptions } from './node/createServer.js';
export { createUnixServer, type UnixServerOptions } from './node/createUnixServer.js';
export type {
  ClientTlsOptions,
  ServerTlsOptions,
  TlsClientOptions,
  TlsServerOptions,
} from './node/tls/tlsOptions.js';
export type { SslObjectInfo } from './node/tls/tlsExtraInfo.js';
export { startTls, type StartTlsOptions } from './node/tls/startTls.js';
export { fromConnection } from './node/fromConnection.js';
export { fromServer } from './node/fromServer.js';
export type { DatagramProtocolFactory, StreamProtocolFactory } from './core/protocolFactories.js';
export { connectReadPipe, type ReadPipeOptions } from './node/connectReadPipe.js';
export { connectWritePipe, type WritePipeOptions } from './node/connectWritePipe.js';
export { subprocessExec } from './node/subprocessExec.js';
export { subprocessShell } from './node/subprocessShell.js';
export { fromSubprocess } from './node/fromSubprocess.js';
export type { StdioOption, SubprocessOptions } from './node/spawnOptions.js';
export type { Datagram, DatagramTransport } from './core/datagramTransports.js';
export {
  createDatagramEndpoint,
  type DatagramEndpointOptions,
} from './node/createDatagramEndpoint.js';
export { fromDatagramEndpoint } from './node/fromDatagramEndpoint.js';
