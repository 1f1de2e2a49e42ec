/**
 * Shared machinery of the bad-input properties: arbitraries of arbitrary and near-miss values,
 * a call raced against a timeout, the rule an outcome must follow (it works, or it throws or
 * rejects with a `TransportError`, or a `TypeError`/`RangeError` carrying a string `code`),
 * and disposal of whatever a call opened.
 */
import fc from 'fast-check';
import { inspect, types } from 'node:util';
import { firstValueFrom, type Observable } from 'rxjs';
import { TransportError } from '../../src/index';
import { countHandles, expectHandlesBack, type HandleCounts } from '../helpers/leaks';

/** How long one call may take before it counts as hung. */
export const CALL_TIMEOUT_MS = 5_000;

/** Inputs tried by the properties of this test file, and how they ended, for the report. */
export const tried = { inputs: 0, outcomes: new Map<string, number>() };

function tally(key: string): void {
  tried.outcomes.set(key, (tried.outcomes.get(key) ?? 0) + 1);
}

/** One line: inputs tried, then the outcomes by kind and error code. */
export function triedSummary(): string {
  const outcomes = [...tried.outcomes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
  return `${tried.inputs} inputs tried (${outcomes})`;
}

/** Bad protocols report to the exception handler: the properties collect it. */
export { collectExceptionReports } from '../helpers/exceptions';

/** Anything at all, including the odd values `fc.anything()` leaves out by default. */
export const anything = (): fc.Arbitrary<unknown> =>
  fc.anything({
    maxDepth: 2,
    maxKeys: 4,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  });

/** Anything but a string (for arguments where a random string would be a real name or path). */
export const anythingButStrings = (): fc.Arbitrary<unknown> =>
  anything().filter((value) => typeof value !== 'string');

/** Numbers just outside (or just inside) what a port, size or fd may be, and numeric look-alikes. */
export const NEAR_MISS_NUMBERS: readonly unknown[] = [
  0,
  -0,
  -1,
  1.5,
  0.1,
  65535,
  65536,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  '80',
  ' 80',
  '0x50',
  80n,
  true,
  null,
  undefined,
];

/** Boxed and object look-alikes: `new Number(80)`, `{ valueOf }`, a null-prototype object. */
export const lookAlikes = (): unknown[] => [
  new Number(80),

  new String('127.0.0.1'),
  { valueOf: () => 80, toString: () => '80' },
  Object.create(null) as object,
  [],
  [80],
  () => 80,
  Symbol('port'),
];

/** Each value of `values`, as an arbitrary. */
export const oneOfValues = (values: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc.constantFrom(...values);

/** What a call did. */
export type Outcome =
  | { readonly kind: 'returned'; readonly value: unknown }
  | { readonly kind: 'resolved'; readonly value: unknown }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'hung' };

/** Calls `fn`; a returned promise is raced against `timeoutMs`. */
export async function settle(fn: () => unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<Outcome> {
  const outcome = await settleOnce(fn, timeoutMs);
  tried.inputs += 1;
  if (outcome.kind === 'threw' || outcome.kind === 'rejected') {
    const { name, code } = (outcome.error ?? {}) as { name?: unknown; code?: unknown };
    tally(`${outcome.kind} ${String(name)}${typeof code === 'string' ? ` ${code}` : ''}`);
  } else {
    tally(outcome.kind);
  }
  return outcome;
}

async function settleOnce(fn: () => unknown, timeoutMs: number): Promise<Outcome> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return { kind: 'threw', error };
  }
  if (!(result instanceof Promise)) return { kind: 'returned', value: result };
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ kind: 'hung' });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      result.then(
        (value: unknown): Outcome => ({ kind: 'resolved', value }),
        (error: unknown): Outcome => ({ kind: 'rejected', error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A readable one-line description of a value for failure messages. */
export function show(value: unknown): string {
  return inspect(value, { depth: 2, breakLength: Infinity, maxStringLength: 80 });
}

/** Whether `error` is one of the errors bad input may produce: coded, of the expected classes. */
export function isAcceptableError(error: unknown): boolean {
  if (error instanceof TransportError) return typeof error.code === 'string';
  // TypeErrors from Node itself belong to another realm than the test's: compare names.
  if (!types.isNativeError(error) && !(error instanceof Error)) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return (name === 'TypeError' || name === 'RangeError') && typeof code === 'string';
}

/**
 * What user code given to a call throws (a protocol factory, say): it may come back unchanged,
 * as asyncio lets a `protocol_factory` exception propagate.
 */
export const USER_ERROR = new Error('thrown by user code on purpose');

/**
 * Throws (failing the property) unless `outcome` worked, or failed with an acceptable error
 * (or with `USER_ERROR`, user code's own). `call` names the call for the message.
 */
export function expectWorksOrCodedError(outcome: Outcome, call: string): void {
  switch (outcome.kind) {
    case 'returned':
    case 'resolved':
      return;
    case 'hung':
      throw new Error(`${call} neither settled nor failed within ${CALL_TIMEOUT_MS} ms`);
    case 'threw':
    case 'rejected':
      if (outcome.error === USER_ERROR || isAcceptableError(outcome.error)) return;
      throw new Error(
        `${call} ${outcome.kind} with ${show(outcome.error)}: expected a TransportError, or a ` +
          'TypeError/RangeError carrying a string code',
      );
  }
}

/** Something with `closed$` that can be closed or aborted (a transport or an endpoint). */
interface Closable {
  close(): void;
  abort?(): void;
  readonly closed$: Observable<Error | null>;
}

/** A server, as `createServer` resolves to. */
interface ServerLike {
  close(): void;
  abortClients(): void;
  waitClosed(): Promise<void>;
}

function isServer(value: unknown): value is ServerLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ServerLike>).waitClosed === 'function' &&
    typeof (value as Partial<ServerLike>).abortClients === 'function'
  );
}

/** Closes whatever a factory resolved to and waits until it is gone. */
export async function dispose(value: unknown): Promise<void> {
  if (isServer(value)) {
    value.close();
    value.abortClients();
    await value.waitClosed();
    return;
  }
  const closable = value as Closable;
  if (typeof closable.abort === 'function') closable.abort();
  else closable.close();
  await firstValueFrom(closable.closed$);
}

/**
 * Runs one call of a property: settles it, checks the outcome, disposes of what it opened, and
 * checks that no handle outlives it.
 */
export async function checkCall(call: string, fn: () => unknown): Promise<Outcome> {
  const before: HandleCounts = countHandles();
  const outcome = await settle(fn);
  expectWorksOrCodedError(outcome, call);
  if (outcome.kind === 'resolved') await dispose(outcome.value);
  await expectHandlesBack(before, { what: call, timeoutMs: 1_500, types: HANDLE_TYPES });
  return outcome;
}

/** Handle types compared around each call (timers of the harness itself are left out). */
export const HANDLE_TYPES = [
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPConnectWrap',
  'PipeWrap',
  'PipeServerWrap',
  'PipeConnectWrap',
  'UDPWrap',
  'ProcessWrap',
  'TTYWrap',
  'GetAddrInfoReqWrap',
  'FSReqCallback',
];
