/**
 * The real-socket helpers of the Node adapter specs, by concern:
 *
 * - `waits.ts`: polling waits and event-loop turns (no fixed sleeps);
 * - `streams.ts`: collectors of `data$` and `closed$`;
 * - `sockets.ts`: the loopback host, sockets and addresses behind transports, Unix socket
 *   paths, free ports, network handle counts;
 * - `resources.ts`: everything a test opens, closed after it;
 * - `servers.ts`: tracked rxtransport TCP servers (plain and echo);
 * - `rawPeers.ts`: raw `net` peers;
 * - `outcomes.ts`: what a failing call threw or a failing promise rejected with;
 * - `bytes.ts`: `KiB` and `MiB`, with the payload helpers.
 *
 * Specs import from those files; this one re-exports them for older imports.
 */
export { KiB, MiB } from './bytes';
export * from './outcomes';
export * from './rawPeers';
export * from './resources';
export * from './servers';
export * from './sockets';
export * from './streams';
export * from './waits';
