/**
 * A chat server: every line a client sends goes to every other client, through one broadcast
 * `Subject`. Tested over `transportPair` and marble transports in
 * `marbles/chatServer.marbles.spec.ts`.
 */
import { filter, map, Observable, Subject, Subscription, take, type Observer } from 'rxjs';
import type { SocketTransport } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';

/** A line said in the room: `from` is the client's name, or `'*'` for the room's notices. */
export interface ChatMessage {
  readonly from: string;
  readonly text: string;
}

/** Options of {@link chatRoom}. */
export interface ChatRoomOptions {
  /**
   * Longest line a client may send, in bytes; a longer one disconnects it.
   * @defaultValue 1024
   */
  readonly maxLength?: number;
  /**
   * Bytes a client may fall behind by: its write buffer's high water mark. A client whose
   * buffer rises past it (it does not read what the others say) is disconnected, so that one
   * slow reader cannot make the server's memory grow.
   * @defaultValue 65536
   */
  readonly maxBacklog?: number;
}

/** What {@link chatRoom} returns. */
export interface ChatRoom {
  /** Everything said in the room, notices included (hot). */
  readonly messages$: Observable<ChatMessage>;
  /**
   * Adds a client: what it says goes to the others as `name: text` lines, and it hears what
   * they say. It leaves on EOF (the server then closes its end), on a line over `maxLength`, or
   * when it falls `maxBacklog` bytes behind (the server aborts it); the others hear
   * `* name left`. Unsubscribing the returned subscription also makes it leave.
   */
  join(conn: SocketTransport, name: string): Subscription;
}

/** The line a client receives for a message. */
export const formatMessage = ({ from, text }: ChatMessage): string =>
  from === '*' ? `* ${text}\n` : `${from}: ${text}\n`;

/** A chat room: one broadcast Subject, and a pipeline per client. */
export function chatRoom(options: ChatRoomOptions = {}): ChatRoom {
  const said = new Subject<ChatMessage>();
  const maxLength = options.maxLength ?? 1024;

  const join = (conn: SocketTransport, name: string): Subscription => {
    const membership = new Subscription();
    if (options.maxBacklog !== undefined) conn.setWriteBufferLimits(options.maxBacklog);

    // What the others say, to this client. A client that is closing hears no more.
    const hear: Partial<Observer<Uint8Array>> = {
      next: (line) => {
        if (!conn.isClosing()) conn.write(line);
      },
    };
    membership.add(
      said
        .pipe(
          filter((message) => message.from !== name),
          map(formatMessage),
          utf8Encode(),
        )
        .subscribe(hear),
    );

    // A reader that cannot keep up is dropped rather than buffered for.
    membership.add(
      conn.writable$
        .pipe(
          filter((writable) => !writable),
          take(1),
        )
        .subscribe(() => {
          conn.abort();
        }),
    );

    // What this client says, to the others; its EOF (or any end) is its leaving.
    membership.add(
      conn.data$.pipe(lines({ maxLength })).subscribe({
        next: (text) => {
          said.next({ from: name, text });
        },
        error: () => {
          membership.unsubscribe();
        },
        complete: () => {
          membership.unsubscribe();
        },
      }),
    );

    membership.add(() => {
      conn.close(); // flushes what it was told, then closes; a no-op once lost or aborted
      said.next({ from: '*', text: `${name} left` });
    });
    return membership;
  };

  return { messages$: said.asObservable(), join };
}

/**
 * Serves a chat room to every connection of `connections$` (a server's `connections$`, or
 * `fromServer(...)`), naming the clients `guest1`, `guest2`, ... in order of arrival.
 */
export function serveChat(
  connections$: Observable<SocketTransport>,
  options: ChatRoomOptions = {},
): Subscription {
  const room = chatRoom(options);
  let guests = 0;
  const subscription = new Subscription();
  subscription.add(
    connections$.subscribe((conn) => {
      guests += 1;
      subscription.add(room.join(conn, `guest${guests}`));
    }),
  );
  return subscription;
}
