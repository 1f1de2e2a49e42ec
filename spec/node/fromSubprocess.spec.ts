/**
 * fromSubprocess, the cold form of subprocessExec: starts on subscribe, emits the transport,
 * completes after the exit, and unsubscribing kills a child that still runs.
 */
import { firstValueFrom, lastValueFrom, switchMap, toArray, type Subscription } from 'rxjs';
import { TransportOSError, fromSubprocess } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  childHandleCount,
  recordingSubprocessProtocol,
  signalZeroError,
  valueOf,
} from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('fromSubprocess', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** How the subscription ended: `{ complete: true }` or `{ error }`. */
  type Ending = { readonly complete: true } | { readonly error: unknown };

  /** Subscribes, unsubscribing after the test; resolves with the emitted transport. */
  function start(source$: ReturnType<typeof fromSubprocess>): {
    transport: Promise<SubprocessTransport>;
    ended: Promise<Ending>;
    subscription: Subscription;
  } {
    let emit!: (t: SubprocessTransport) => void;
    let end!: (how: Ending) => void;
    const transport = new Promise<SubprocessTransport>((resolve) => (emit = resolve));
    const ended = new Promise<Ending>((resolve) => (end = resolve));
    const subscription = source$.subscribe({
      next: emit,
      complete: () => {
        end({ complete: true });
      },
      error: (error: unknown) => {
        end({ error });
      },
    });
    resources.defer(async () => {
      subscription.unsubscribe();
      const t = await Promise.race([transport, turns(5).then(() => null)]);
      if (t) await valueOf(t.closed$, 'the child to be lost after the test');
    });
    return { transport, ended, subscription };
  }

  it('starts nothing until subscribed', async () => {
    await turns(3);
    const handles = childHandleCount();
    const source$ = fromSubprocess('sleep', ['30']);
    await turns(3);
    expect(childHandleCount()).toBe(handles);
    const { transport } = start(source$);
    await transport;
    expect(childHandleCount()).toBeGreaterThan(handles);
  });

  it('emits the running transport and completes after the child exits', async () => {
    const { transport, ended } = start(fromSubprocess('echo', ['cold']));
    const child = await transport;
    expect(child.getPid()).toBeGreaterThan(0);
    expect((await collect(child.data$)).toString()).toBe('cold\n');
    expect(await ended).toEqual({ complete: true });
    expect(child.getReturncode()).toBe(0);
  });

  it('composes with switchMap to the child output', async () => {
    const output = await lastValueFrom(
      fromSubprocess('sh', ['-c', 'echo a; echo b']).pipe(
        switchMap((child) => child.data$),
        toArray(),
      ),
    );
    expect(Buffer.concat(output).toString()).toBe('a\nb\n');
  });

  it('starts a new child for each subscriber', async () => {
    const source$ = fromSubprocess('sleep', ['30']);
    const a = await start(source$).transport;
    const b = await start(source$).transport;
    expect(a.getPid()).not.toBe(b.getPid());
  });

  it('kills a running child on unsubscribe and leaves no process behind', async () => {
    const { transport, subscription, ended } = start(fromSubprocess('sleep', ['30']));
    const child = await transport;
    const pid = child.getPid();
    subscription.unsubscribe();
    expect(child.isClosing()).toBe(true);
    expect(await valueOf(child.exit$, 'sleep to be killed')).toBe(-9);
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    expect(signalZeroError(pid)?.code).toBe('ESRCH');
    // Unsubscribed: the observer hears nothing more.
    expect(await Promise.race([ended, turns(5).then(() => 'silent')])).toBe('silent');
  });

  it('closes a child that starts after an early unsubscribe', async () => {
    await turns(3);
    const handles = childHandleCount();
    const rec = recordingSubprocessProtocol();
    let made: SubprocessTransport | null = null;
    const subscription = fromSubprocess('sleep', ['30'], {
      protocol: () => ({
        ...rec.protocol,
        connectionMade: (t) => {
          made = t;
          rec.protocol.connectionMade?.(t);
        },
      }),
    }).subscribe();
    subscription.unsubscribe();
    await rec.done;
    expect(made).not.toBeNull();
    const child = made as unknown as SubprocessTransport;
    expect(child.getReturncode()).toBe(-9);
    expect(signalZeroError(child.getPid())?.code).toBe('ESRCH');
    await waitFor(() => childHandleCount() === handles, 'the child handles to be released');
  });

  it('errors with TransportOSError ENOENT for a missing program', async () => {
    const error = await rejectionOf(firstValueFrom(fromSubprocess('rxt-no-such-program')));
    expect(error).toBeInstanceOf(TransportOSError);
    expect(error).toMatchObject({ code: 'ENOENT' });
  });

  it('errors with TypeError for bad arguments', async () => {
    const error = await rejectionOf(firstValueFrom(fromSubprocess('echo', [1 as never])));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
