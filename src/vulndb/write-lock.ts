// One writer at a time per database file: `db import` and `db update` hold `<db>.lock` (created with O_EXCL, holding
// the writer's pid) across copy, build and rename, so two writers never both start from the same old file and lose
// one's work. A second writer waits; a lock or temp file left by a killed writer (its pid gone) is removed.
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BulkheadError, errnoCode } from '../shared/errors.js';

export interface LockOptions {
  /** How long a second writer waits for the first (default 10 minutes: a full `db update` takes a few). */
  readonly waitMs?: number;
  /** Called once when the lock is held by another live writer and this one starts waiting. */
  readonly onWait?: (pid: number) => void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

function unwritable(dir: string, error: unknown): BulkheadError {
  const code = errnoCode(error) ?? 'error';
  return new BulkheadError(
    'INPUT_UNREADABLE',
    `cannot write the database in ${dir} (${code}${code === 'EROFS' ? ': read-only file system' : code === 'EACCES' || code === 'EPERM' ? ': permission denied' : ''})`,
    {
      subject: dir,
      hint: `make ${dir} writable for this user, or choose a writable location with --db PATH (e.g. --db ~/.cache/bulkhead/vulndb.sqlite)`,
      cause: error,
    },
  );
}

/** A temp file of a build: `.<name>.<pid>.<ms>.tmp` (and SQLite's `-journal` beside it). */
export function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
}

/** Removes temp files of builds whose writer is gone (a killed import); called with the lock held. */
export function removeStaleTemps(target: string): string[] {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.\d+\.tmp(-journal|-wal|-shm)?$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    if (alive(Number(match[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Holds the write lock of `target` while `fn` runs. */
export async function withWriteLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lock = `${target}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 600_000);
  let told = false;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx', 0o644);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw unwritable(dirname(target), error);
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    }
    let holder = NaN;
    try {
      // an empty lock is one still being written (created, pid not yet in it): NaN, not Number('') = 0, which
      // read as a dead holder and let two writers in (one import's sources lost: test/vulndb/writers.test.ts)
      const text = readFileSync(lock, 'utf8').trim();
      holder = text === '' ? NaN : Number(text);
    } catch {
      continue; // released between our open and read: try again
    }
    if (!alive(holder)) {
      // a writer killed while holding it; a lock still being written (empty) is given a moment
      if (!Number.isNaN(holder) || Date.now() > deadline) {
        rmSync(lock, { force: true });
        continue;
      }
    } else if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    if (Date.now() > deadline)
      throw new BulkheadError('DB_UPDATE', `${target} is being written by another bulkhead (pid ${holder})`, {
        subject: target,
        hint: `wait for it to finish and run again; if no such process runs, remove ${lock}`,
      });
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
