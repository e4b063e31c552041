// Reads files of the host under a root path ("/" or a fixture tree given by --root), never outside it: paths are
// resolved inside the root as chroot(2) would (an absolute symlink is re-rooted, ".." stops at the root), only
// regular files are read, and at most a cap (FIFOs, devices and endless files are refused, never opened to block).
import { lstatSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { resolveContained, readContained } from '../shared/contained-file.js';
import { errnoCode, UsageError } from '../shared/errors.js';

export type ReadResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Files under /proc and /sys report size 0; cap reads so a hostile tree cannot exhaust memory. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

/** Checks that a --root exists and is a directory: a missing root is a usage error, not a host with no facts. */
export function checkRoot(root: string): void {
  let stats: Stats;
  try {
    stats = statSync(root);
  } catch (error) {
    throw new UsageError(
      `--root ${root} ${errnoCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoCode(error) ?? 'error'})`}`,
      {
        subject: root,
        hint: 'pass the directory a host filesystem is mounted at (default /)',
        cause: error,
      },
    );
  }
  if (!stats.isDirectory())
    throw new UsageError(`--root ${root} is not a directory`, {
      subject: root,
      hint: 'pass the directory a host filesystem is mounted at (default /)',
    });
}

export class RootFs {
  readonly root: string;

  constructor(root: string) {
    this.root = posix.resolve(root);
  }

  /** Maps a host path ("/etc/os-release") to the path under the root, lexically; ".." cannot climb above the root. */
  resolve(hostPath: string): string {
    const normal = posix.normalize(`/${hostPath}`);
    return this.root === '/' ? normal : posix.join(this.root, normal);
  }

  /** The path under the root with every symlink resolved inside the root, or undefined when it does not resolve. */
  private real(hostPath: string, followLast = true): string | undefined {
    const resolved = resolveContained(this.root, hostPath, 'resolve-in-root', followLast);
    return resolved.ok ? resolved.path : undefined;
  }

  read(hostPath: string): ReadResult {
    const result = readContained(this.root, hostPath, 'resolve-in-root', MAX_READ_BYTES);
    if (result.ok) return { ok: true, text: result.content.toString('utf8') };
    switch (result.problem) {
      case 'missing':
        return { ok: false, reason: `${hostPath}: not found` };
      case 'too-large':
        return { ok: false, reason: `${hostPath} is larger than ${MAX_READ_BYTES} bytes` };
      case 'not-regular':
        return { ok: false, reason: result.reason };
      case 'loop':
      case 'symlink':
        return { ok: false, reason: `${hostPath}: too many levels of symbolic links` };
      case 'error':
        return { ok: false, reason: `${hostPath}: ${describeErrnoText(result.reason)}` };
      default:
        return result.problem satisfies never;
    }
  }

  /** The file's bytes up to `cap` (package databases are larger than MAX_READ_BYTES), or why it cannot be read. */
  readBytes(hostPath: string, cap: number): { ok: true; content: Buffer } | { ok: false; reason: string } {
    const result = readContained(this.root, hostPath, 'resolve-in-root', cap);
    if (result.ok) return { ok: true, content: result.content };
    return result.problem === 'missing'
      ? { ok: false, reason: `${hostPath}: not found` }
      : {
          ok: false,
          reason: `${hostPath}: ${result.problem === 'too-large' ? `larger than ${cap} bytes` : result.problem}`,
        };
  }

  /** The file's text, or undefined when it does not exist or cannot be read. */
  readIfExists(hostPath: string): string | undefined {
    const result = this.read(hostPath);
    return result.ok ? result.text : undefined;
  }

  exists(hostPath: string): boolean {
    const path = this.real(hostPath, false);
    if (path === undefined) return false;
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  }

  list(hostPath: string): string[] | undefined {
    const path = this.real(hostPath);
    if (path === undefined) return undefined;
    try {
      return readdirSync(path).sort();
    } catch {
      return undefined;
    }
  }

  readlink(hostPath: string): string | undefined {
    const path = this.real(hostPath, false);
    if (path === undefined) return undefined;
    try {
      return readlinkSync(path);
    } catch {
      return undefined;
    }
  }

  /** stat, following symlinks inside the root (a socket path that is a symlink reports the socket's mode, as dockerd's clients see it). */
  stat(hostPath: string): { ok: true; stats: Stats } | { ok: false; reason: string; missing: boolean } {
    const resolved = resolveContained(this.root, hostPath, 'resolve-in-root');
    if (!resolved.ok)
      return {
        ok: false,
        reason: resolved.problem === 'missing' ? 'not found' : resolved.reason,
        missing: resolved.problem === 'missing',
      };
    try {
      return { ok: true, stats: lstatSync(resolved.path) };
    } catch (error) {
      return {
        ok: false,
        reason: describeErrno(error),
        missing: errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR',
      };
    }
  }
}

function describeErrnoText(reason: string): string {
  if (/: (EACCES|EPERM)$/.test(reason)) return 'permission denied (run as root to read it)';
  if (reason.endsWith(': EISDIR')) return 'is a directory';
  return reason.replace(/^.*: /, '');
}

function describeErrno(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (run as root to read it)';
    case 'EISDIR':
      return 'is a directory';
    case undefined:
      return error instanceof Error ? error.message : String(error);
    default:
      return errnoCode(error) ?? 'error';
  }
}
