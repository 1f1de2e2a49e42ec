/**
 * Length-prefixed request/response with correlation ids: a client that may have many requests
 * out at once, each with its own timeout, and a server that answers each request as soon as it
 * is done, so that responses come back in any order. Tested in
 * `marbles/requestResponse.marbles.spec.ts`.
 *
 * Wire format, both ways: a frame is a 2-byte big-endian length, then the payload; a payload is
 * a 4-byte big-endian request id, then the body as UTF-8.
 */
import {
  catchError,
  filter,
  from,
  map,
  mergeMap,
  Observable,
  of,
  share,
  Subject,
  take,
  throwIfEmpty,
  timeout,
  type ObservableInput,
  type Subscription,
} from 'rxjs';
import { TransportClosedError, type SocketTransport } from '../../src/index.js';
import {
  encodeLengthPrefixed,
  lengthPrefixed,
  type LengthPrefixedOptions,
} from '../../src/operators/index.js';

/** One request or response: the id that pairs them, and the body. */
export interface Message {
  readonly id: number;
  readonly body: string;
}

const ID_BYTES = 4;
/** The framing of both directions. */
const framing: LengthPrefixedOptions = { headerBytes: 2 };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The payload of a frame: the id, then the body. */
export function encodeMessage({ id, body }: Message): Uint8Array {
  const text = encoder.encode(body);
  const payload = new Uint8Array(ID_BYTES + text.byteLength);
  new DataView(payload.buffer).setUint32(0, id);
  payload.set(text, ID_BYTES);
  return payload;
}

/** Reads a payload back; one too short for an id is a protocol error. */
export function decodeMessage(payload: Uint8Array): Message {
  if (payload.byteLength < ID_BYTES) throw new Error('A message is shorter than its id');
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { id: view.getUint32(0), body: decoder.decode(payload.subarray(ID_BYTES)) };
}

/** Options of {@link requestClient}. */
export interface RequestClientOptions {
  /** How long (ms) a request waits for its response before erroring with rxjs's `TimeoutError`. */
  readonly timeout: number;
}

/** What {@link requestClient} returns. */
export interface RequestClient {
  /**
   * Cold: on subscribe, sends the request with a fresh id and emits the body of the response
   * with that id, then completes. Errors with rxjs's `TimeoutError` when no response came in
   * time, and with the connection's error when it is lost first. Unsubscribing forgets the
   * request (a late response is ignored).
   */
  request(body: string): Observable<string>;
  /** No more requests: sends EOF once the requests already made have gone out. */
  end(): void;
}

/**
 * A client for the request/response protocol over `transport`. Requests go out through
 * `encodeLengthPrefixed` into the transport's `sink`; responses are framed by one shared
 * `lengthPrefixed` subscription (framing state must not be split between subscribers) and
 * handed to the request whose id they carry. A response whose request has gone is dropped.
 */
export function requestClient(
  transport: SocketTransport,
  options: RequestClientOptions,
): RequestClient {
  const outgoing = new Subject<Message>();
  outgoing.pipe(map(encodeMessage), encodeLengthPrefixed(framing)).subscribe(transport.sink);
  // One framing subscription for every request, kept between requests.
  const responses$ = transport.data$.pipe(
    lengthPrefixed(framing),
    map(decodeMessage),
    share({ resetOnRefCountZero: false }),
  );
  let lastId = 0;
  return {
    request: (body) =>
      new Observable<string>((subscriber) => {
        lastId = (lastId % 0xffffffff) + 1; // 1 to 2³² - 1, then round again
        const id = lastId;
        // Listen before sending: the response may come back on the turn the request goes out.
        const subscription = responses$
          .pipe(
            filter((message) => message.id === id),
            take(1),
            throwIfEmpty(
              () => new TransportClosedError(`The connection ended before response ${id}`),
            ),
            map((message) => message.body),
            timeout({ first: options.timeout }),
          )
          .subscribe(subscriber);
        outgoing.next({ id, body });
        return subscription;
      }),
    end: () => {
      outgoing.complete();
    },
  };
}

/** Options of {@link serveRequests}. */
export interface ServeRequestsOptions {
  /**
   * Requests handled at once (as `mergeMap`'s `concurrent`).
   * @defaultValue Infinity
   */
  readonly concurrency?: number;
}

/**
 * Serves the request/response protocol on one connection: each request's body goes to
 * `handle`, and its first value goes back with the request's id as soon as it is ready, so a
 * quick request overtakes a slow one; a handler that fails is answered with `ERR <error>`. The
 * client's EOF is answered with the server's once the requests in progress are answered.
 */
export function serveRequests(
  conn: SocketTransport,
  handle: (body: string) => ObservableInput<string>,
  options: ServeRequestsOptions = {},
): Subscription {
  return conn.data$
    .pipe(
      lengthPrefixed(framing),
      map(decodeMessage),
      mergeMap(
        ({ id, body }) =>
          from(handle(body)).pipe(
            take(1),
            catchError((error: unknown) => of(`ERR ${String(error)}`)),
            map((reply) => ({ id, body: reply })),
          ),
        options.concurrency ?? Number.POSITIVE_INFINITY,
      ),
      map(encodeMessage),
      encodeLengthPrefixed(framing),
    )
    .subscribe(conn.sink);
}
