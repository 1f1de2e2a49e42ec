/**
 * A chat server (examples/pipelines/chatServer.ts): one broadcast Subject, each line from one
 * client goes to the others. First in virtual time, with the server's ends of the connections
 * as marble transports; then end to end over `transportPair`, whose water marks are real, for a
 * reader that falls behind.
 */
import {
  firstValueFrom,
  from,
  lastValueFrom,
  map,
  shareReplay,
  skip,
  toArray,
  type Observable,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { SocketTransport } from '../src/index';
import { lines } from '../src/operators/index';
import { marbleTransport, transportPair } from '../src/testing/index';
import { chatRoom, serveChat } from '../examples/pipelines/chatServer';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('a chat server', () => {
  describe('in virtual time', () => {
    let testScheduler: TestScheduler;
    beforeEach(() => {
      testScheduler = new TestScheduler((actual, expected) => {
        expect(actual).toEqual(expected);
      });
    });

    it('sends each line from one client to the others, and tells them who left', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const room = chatRoom();
        const alice = marbleTransport(helpers, {
          incoming: '-a----b--|',
          values: { a: 'hi all\n', b: 'bye\n' },
        });
        const bob = marbleTransport(helpers, {
          incoming: '---a--------bc|',
          values: { a: 'hi al', b: 'i', c: 'ce\n' }, // cut anywhere: the line goes out when whole
        });
        const carol = marbleTransport(helpers, { incoming: '--c-', values: { c: 'hey\n' } });
        room.join(alice, 'alice');
        room.join(bob, 'bob');
        room.join(carol, 'carol');

        // Alice leaves at 9 (her EOF): the server closes her connection, she hears no more.
        expectObservable(alice.written$.pipe(map(decode))).toBe('--c------|', {
          c: 'carol: hey\n',
        });
        expectObservable(bob.written$.pipe(map(decode))).toBe('-ac---b--l----|', {
          a: 'alice: hi all\n',
          c: 'carol: hey\n',
          b: 'alice: bye\n',
          l: '* alice left\n',
        });
        expectObservable(carol.written$.pipe(map(decode))).toBe('-a----b--l---mn', {
          a: 'alice: hi all\n',
          b: 'alice: bye\n',
          l: '* alice left\n',
          m: 'bob: hi alice\n',
          n: '* bob left\n',
        });
        expectObservable(room.messages$.pipe(map((m) => `${m.from}|${m.text}`))).toBe(
          '-ac---b--l---mn',
          {
            a: 'alice|hi all',
            c: 'carol|hey',
            b: 'alice|bye',
            l: '*|alice left',
            m: 'bob|hi alice',
            n: '*|bob left',
          },
        );
      });
    });

    it('disconnects a client whose line is too long, and the others hear it left', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const room = chatRoom({ maxLength: 8 });
        const mallory = marbleTransport(helpers, {
          incoming: '-a-b----',
          values: { a: 'ok\n', b: 'no end in sight' },
        });
        const dave = marbleTransport(helpers, { incoming: '-' });
        room.join(mallory, 'mallory');
        room.join(dave, 'dave');

        expectObservable(mallory.closed$).toBe('---(n|)', { n: null });
        expectObservable(dave.written$.pipe(map(decode))).toBe('-a-l', {
          a: 'mallory: ok\n',
          l: '* mallory left\n',
        });
      });
    });
  });

  describe('over transportPair', () => {
    /** A client's view: every line it hears, replayed, from the moment it connects. */
    function listen(client: SocketTransport): Observable<string> {
      const heard$ = client.data$.pipe(lines(), shareReplay());
      heard$.subscribe();
      return heard$;
    }

    /** Resolves once `heard$` has `count` lines. */
    const heardLines = (heard$: Observable<string>, count: number): Promise<string> =>
      firstValueFrom(heard$.pipe(skip(count - 1)));

    it('sends each line from one client to the others', async () => {
      const pairs = [transportPair(), transportPair(), transportPair()];
      const clients = pairs.map(([client]) => client);
      const chat = serveChat(from(pairs.map(([, serverEnd]) => serverEnd)));
      const heard = clients.map(listen);

      clients.forEach((client, i) => {
        client.write(encode(`hello from ${i + 1}\n`));
      });
      await Promise.all(heard.map((heard$) => heardLines(heard$, 2)));
      // They leave in turn: each one's EOF makes the server close its connection.
      for (const client of clients) {
        client.writeEof();
        expect(await lastValueFrom(client.closed$)).toBeNull();
      }

      const transcripts = await Promise.all(
        heard.map((heard$) => lastValueFrom(heard$.pipe(toArray()))),
      );
      expect(transcripts).toEqual([
        ['guest2: hello from 2', 'guest3: hello from 3'],
        ['guest1: hello from 1', 'guest3: hello from 3', '* guest1 left'],
        ['guest1: hello from 1', 'guest2: hello from 2', '* guest1 left', '* guest2 left'],
      ]);
      chat.unsubscribe();
    });

    it('disconnects a reader that falls behind instead of buffering for it', async () => {
      const pairs = [
        transportPair({ kernelBufferSize: 256 }),
        transportPair({ kernelBufferSize: 256 }),
      ];
      const [talker, sleeper] = pairs.map(([client]) => client) as [
        SocketTransport,
        SocketTransport,
      ];
      const [, sleeperEnd] = pairs[1]!;
      const chat = serveChat(from(pairs.map(([, serverEnd]) => serverEnd)), { maxBacklog: 1024 });
      sleeper.pauseReading(); // never reads what the others say
      const talkerHeard = listen(talker);

      const line = encode(`${'x'.repeat(99)}\n`);
      for (let i = 0; i < 20; i += 1) talker.write(line);
      // The sleeper's end holds 256 bytes in the "kernel" and 1024 in its write buffer, far
      // less than the 20 lines of 108 bytes: it is aborted, and the talker hears it left.
      expect(await heardLines(talkerHeard, 1)).toBe('* guest2 left');
      expect(await lastValueFrom(sleeperEnd.closed$)).toBeNull();

      // When the sleeper reads again, it gets what had reached its side (the 256 bytes of its
      // "kernel" buffer: two lines and the start of a third), then EOF.
      sleeper.resumeReading();
      const got = await lastValueFrom(sleeper.data$.pipe(lines(), toArray()));
      const said = `guest1: ${'x'.repeat(99)}`;
      expect(got).toEqual([said, said, said.slice(0, 256 - 2 * 108)]);
      chat.unsubscribe();
      talker.abort();
      sleeper.abort();
    });
  });
});
