// Reads files of the host under a root path ("/" or a fixture tree given by --root), never outside it.
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { errnoCode } from '../shared/errors.js';

export type ReadResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Files under /proc and /sys report size 0; cap reads so a hostile tree cannot exhaust memory. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export class RootFs {
  readonly root: string;

  constructor(root: string) {
    this.root = posix.resolve(root);
  }

  /** Maps a host path ("/etc/os-release") to the path under the root; ".." cannot climb above the root. */
  resolve(hostPath: string): string {
    const normal = posix.normalize(`/${hostPath}`);
    return this.root === '/' ? normal : posix.join(this.root, normal);
  }

  read(hostPath: string): ReadResult {
    try {
      const text = readFileSync(this.resolve(hostPath));
      if (text.length > MAX_READ_BYTES)
        return { ok: false, reason: `${hostPath} is larger than ${MAX_READ_BYTES} bytes` };
      return { ok: true, text: text.toString('utf8') };
    } catch (error) {
      return { ok: false, reason: `${hostPath}: ${describeErrno(error)}` };
    }
  }

  /** The file's text, or undefined when it does not exist or cannot be read. */
  readIfExists(hostPath: string): string | undefined {
    const result = this.read(hostPath);
    return result.ok ? result.text : undefined;
  }

  exists(hostPath: string): boolean {
    try {
      lstatSync(this.resolve(hostPath));
      return true;
    } catch {
      return false;
    }
  }

  list(hostPath: string): string[] | undefined {
    try {
      return readdirSync(this.resolve(hostPath)).sort();
    } catch {
      return undefined;
    }
  }

  readlink(hostPath: string): string | undefined {
    try {
      return readlinkSync(this.resolve(hostPath));
    } catch {
      return undefined;
    }
  }

  /** stat, following symlinks (a socket path that is a symlink reports the socket's mode, as dockerd's clients see it). */
  stat(hostPath: string): { ok: true; stats: Stats } | { ok: false; reason: string; missing: boolean } {
    try {
      return { ok: true, stats: statSync(this.resolve(hostPath)) };
    } catch (error) {
      return {
        ok: false,
        reason: describeErrno(error),
        missing: errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR',
      };
    }
  }
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
