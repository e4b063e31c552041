// Opens and reads files that must stay inside a directory (an OCI layout, a --root tree) and must be regular files:
// symlinks are resolved inside the directory as chroot(2) would (absolute targets re-rooted, ".." stops at the
// root, at most 40 hops like Linux's MAXSYMLINKS) or refused, and FIFOs, devices and sockets are never opened for
// reading, so a hostile tree cannot leak a file outside it, hang a read or feed an endless one.
import {
  constants,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  closeSync,
  fstatSync,
  type Stats,
} from 'node:fs';
import { errnoCode } from './errors.js';

const MAX_SYMLINK_HOPS = 40;

export type Containment = 'resolve-in-root' | 'refuse-symlinks';

export type ContainedPath =
  | { readonly ok: true; readonly path: string; readonly rel: string }
  | {
      readonly ok: false;
      readonly problem: 'missing' | 'loop' | 'symlink' | 'error';
      readonly reason: string;
    };

/** A file type name for messages ("a FIFO", "a character device"). */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

function join(root: string, rel: string): string {
  return rel === '' ? root : root === '/' ? `/${rel}` : `${root}/${rel}`;
}

/**
 * Resolves `path` (absolute or relative, read from `root`) to a path under `root` with no symlink in it. With
 * 'resolve-in-root' symlinks are followed as if `root` were "/"; with 'refuse-symlinks' any symlink is a problem.
 * `followLast` false leaves the last component unresolved (lstat semantics).
 */
export function resolveContained(
  root: string,
  path: string,
  mode: Containment,
  followLast = true,
): ContainedPath {
  const pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, part].join('/');
    if (pending.length === 0 && !followLast) {
      done.push(part);
      break;
    }
    let stats: Stats;
    try {
      stats = lstatSync(join(root, candidate));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR')
        return { ok: false, problem: 'missing', reason: `/${candidate}: not found` };
      return { ok: false, problem: 'error', reason: `/${candidate}: ${code ?? 'error'}` };
    }
    if (!stats.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (mode === 'refuse-symlinks')
      return { ok: false, problem: 'symlink', reason: `${candidate} is a symbolic link` };
    hops += 1;
    if (hops > MAX_SYMLINK_HOPS)
      return { ok: false, problem: 'loop', reason: `/${candidate}: too many levels of symbolic links` };
    let target: string;
    try {
      target = readlinkSync(join(root, candidate));
    } catch (error) {
      return { ok: false, problem: 'error', reason: `/${candidate}: ${errnoCode(error) ?? 'error'}` };
    }
    // An absolute target restarts at the root (re-rooted); a relative one continues from the link's directory.
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  const rel = done.join('/');
  return { ok: true, path: join(root, rel), rel };
}

export type ContainedRead =
  | { readonly ok: true; readonly content: Buffer }
  | {
      readonly ok: false;
      readonly problem: 'missing' | 'loop' | 'symlink' | 'not-regular' | 'too-large' | 'error';
      readonly reason: string;
    };

/**
 * Reads a regular file under `root`, at most `maxBytes` (one byte more is read to tell "too large" from "exactly the
 * limit", so /dev/zero-like files and files that grow while read cannot exhaust memory).
 */
export function readContained(
  root: string,
  path: string,
  mode: Containment,
  maxBytes: number,
): ContainedRead {
  const resolved = resolveContained(root, path, mode);
  if (!resolved.ok) return resolved;
  const opened = openRegular(resolved.path);
  if (!opened.ok) {
    if (opened.problem === 'missing') return { ok: false, problem: 'missing', reason: `${path}: not found` };
    if (opened.problem === 'not-regular')
      return {
        ok: false,
        problem: 'not-regular',
        reason: `${path} is ${opened.fileType}, not a regular file`,
      };
    return opened;
  }
  try {
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(opened.size + 1, 4096)));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(opened.fd, buffer, 0, Math.min(buffer.length, maxBytes + 1 - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
      if (total > maxBytes)
        return { ok: false, problem: 'too-large', reason: `${path} is larger than ${maxBytes} bytes` };
    }
    return { ok: true, content: Buffer.concat(chunks, total) };
  } catch (error) {
    return { ok: false, problem: 'error', reason: `${path}: ${errnoCode(error) ?? 'error'}` };
  } finally {
    closeSync(opened.fd);
  }
}

export type OpenedRegular =
  | { readonly ok: true; readonly fd: number; readonly size: number }
  | {
      readonly ok: false;
      readonly problem: 'missing' | 'not-regular' | 'error';
      readonly reason: string;
      /** For 'not-regular': "a FIFO", "a character device". */
      readonly fileType?: string;
    };

/**
 * Opens a path that must be a regular file: O_NOFOLLOW (the last component is never a link) and O_NONBLOCK (a FIFO
 * swapped in after the check cannot block the open), then fstat of the open file decides.
 */
export function openRegular(path: string): OpenedRegular {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, problem: 'missing', reason: `${path}: not found` };
    if (code === 'ELOOP')
      return {
        ok: false,
        problem: 'not-regular',
        reason: `${path} is a symbolic link, not a regular file`,
        fileType: 'a symbolic link',
      };
    return { ok: false, problem: 'error', reason: `${path}: ${code ?? 'error'}` };
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    const fileType = describeFileType(stats);
    return {
      ok: false,
      problem: 'not-regular',
      reason: `${path} is ${fileType}, not a regular file`,
      fileType,
    };
  }
  return { ok: true, fd, size: stats.size };
}
