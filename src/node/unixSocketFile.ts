import { lstatSync, renameSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/** The file-system identity of a file, as `stat` gives it. */
interface FileId {
  readonly dev: number;
  readonly ino: number;
}

function idOf(path: string): FileId | null {
  try {
    const stats = lstatSync(path);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return null;
  }
}

function sameFile(a: FileId | null, b: FileId | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
}

/**
 * The socket file a Unix server bound, remembered by device and inode at bind time, so that
 * closing the server removes that file only: not the socket file of a newer server bound to the
 * same path since, nor anything else put there (asyncio 3.13 `cleanup_socket` does the same).
 *
 * libuv itself unlinks the path it was given to bind (relative to the current directory) when
 * the server's handle closes, whatever is there by then. So while closing, what libuv would
 * remove and is not ours is moved aside, within its own directory, and put back at once.
 * @internal
 */
export class UnixSocketFile {
  private readonly absolute: string;
  private readonly id: FileId | null;

  /** Call right after the server listens on `path`. */
  constructor(private readonly path: string) {
    this.absolute = resolve(path);
    this.id = idOf(this.absolute);
  }

  /** Closes the server through `closeServer`, removing the socket file only if it is ours. */
  close(closeServer: () => void): void {
    // libuv's unlink(2) resolves `path` against the current directory, as it is now.
    const target = resolve(this.path);
    const there = idOf(target);
    let aside: string | null = null;
    if (there !== null && !sameFile(there, this.id)) {
      aside = `${target}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.aside`;
      try {
        renameSync(target, aside);
      } catch {
        // Not ours to move: libuv's unlink(2) is refused the same way.
        aside = null;
      }
    }
    try {
      closeServer();
    } finally {
      if (aside !== null) renameSync(aside, target);
    }
    // libuv removed `target`; the file bound is removed here if it still is ours (it is not
    // `target` when the current directory changed since).
    if (sameFile(idOf(this.absolute), this.id)) {
      try {
        unlinkSync(this.absolute);
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
