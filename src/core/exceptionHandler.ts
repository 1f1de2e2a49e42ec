/**
 * What rxtransport hands to the exception handler (asyncio: the context of
 * `loop.call_exception_handler`).
 * @group Errors
 */
export interface ExceptionContext {
  /** What failed, in asyncio's words where asyncio has them. */
  readonly message: string;
  /** The error thrown, when there is one. */
  readonly exception?: unknown;
  /** The transport involved, when there is one. */
  readonly transport?: unknown;
  /** The protocol involved, when there is one. */
  readonly protocol?: unknown;
}

/**
 * A function receiving errors that have no caller to go to.
 * @group Errors
 */
export type ExceptionHandler = (context: ExceptionContext) => void;

const defaultHandler: ExceptionHandler = (context) => {
  console.warn(`rxtransport: ${context.message}`, context.exception ?? '');
};

let handler: ExceptionHandler = defaultHandler;

/**
 * Sets the function that receives errors thrown by user code where no caller can receive them
 * (protocol callbacks other than the data path, `pauseWriting`, ...), as asyncio's
 * `loop.set_exception_handler`. Pass `null` to restore the default, a warning on stderr.
 *
 * @example
 * ```ts
 * import { setExceptionHandler } from 'rxtransport';
 * setExceptionHandler((context) => console.error(context.message, context.exception));
 * ```
 * @group Errors
 */
export function setExceptionHandler(fn: ExceptionHandler | null): void {
  handler = fn ?? defaultHandler;
}

/**
 * Delivers a context to the current handler; an exception thrown by the handler itself goes
 * to the default one, so that nothing becomes an uncaught exception.
 * @internal
 */
export function reportException(context: ExceptionContext): void {
  try {
    handler(context);
  } catch (error) {
    defaultHandler({ message: 'Unhandled error in exception handler', exception: error });
    defaultHandler(context);
  }
}

/**
 * Calls `fn`, reporting (never propagating) what it throws.
 * @internal
 */
export function callReporting(
  message: string,
  fn: () => void,
  context?: Omit<ExceptionContext, 'message' | 'exception'>,
): void {
  try {
    fn();
  } catch (exception) {
    reportException({ ...context, message, exception });
  }
}
