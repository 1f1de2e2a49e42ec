/**
 * A subprocess driven line by line, as one drives a REPL: each command is written to the
 * child's stdin only once the answer to the one before has come back on its stdout. Tested in
 * `marbles/lineRepl.marbles.spec.ts`.
 */
import { concatMap, Observable, share, take, throwIfEmpty } from 'rxjs';
import { TransportClosedError, type SubprocessTransport } from '../../src/index.js';
import { lines } from '../../src/operators/index.js';

const encoder = new TextEncoder();

/**
 * Sends each command of `commands` as a line to the child and emits its answer, the next line
 * of its stdout, before it sends the next command. When `commands` completes, the child's stdin
 * is closed (a REPL exits at EOF) and the result completes. Errors with `TransportClosedError`
 * when the child's stdout ends before an answer.
 */
export function replSession(
  child: SubprocessTransport,
  commands: Observable<string>,
): Observable<string> {
  return new Observable<string>((subscriber) => {
    // One framing for every answer: a line may come in pieces, two answers in one chunk.
    const answers = child.data$.pipe(lines(), share({ resetOnRefCountZero: false }));
    return commands
      .pipe(
        concatMap(
          (command) =>
            new Observable<string>((inner) => {
              const subscription = answers
                .pipe(
                  take(1),
                  throwIfEmpty(
                    () => new TransportClosedError(`The child ended before answering ${command}`),
                  ),
                )
                .subscribe(inner);
              child.sink.next(encoder.encode(`${command}\n`));
              return subscription;
            }),
        ),
      )
      .subscribe({
        next: (answer) => {
          subscriber.next(answer);
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          child.sink.complete();
          subscriber.complete();
        },
      });
  });
}
