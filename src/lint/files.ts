// Resolves the FILES/GLOBS arguments of `bulkhead lint` to Dockerfile paths and reads them as untrusted input:
// size-capped, text only. Globs (`*`, `**`, `?`, `[...]`, braces) are matched by picomatch over a directory walk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { BulkheadError, errnoCode, InputError } from '../shared/errors.js';

/** Larger files are refused: real Dockerfiles are kilobytes, and the parser is not built for hostile megabytes. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

const GLOB_CHARS = /[*?[{]/;
const SKIP_DIRS = new Set(['node_modules', '.git']);
const DOCKERFILE_NAME = /^(Dockerfile|Containerfile)(\..+)?$|\.(Dockerfile|dockerfile|Containerfile)$/;

/** A matcher for a glob over "/"-separated relative paths (picomatch; dotfiles match like any other name, and the
 * shell's `[!...]` negation is picomatch's `[^...]`). */
export function globMatcher(glob: string): (path: string) => boolean {
  return picomatch(glob.replace(/\[!/g, '[^'), { dot: true });
}

function walk(dir: string, out: string[], depth = 0): void {
  if (depth > 20) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(full, out, depth + 1);
    } else if (entry.isFile()) out.push(full);
  }
}

/** Expands one argument: a file, a directory (its Dockerfiles, recursively) or a glob. Throws when nothing matches. */
export function expandTarget(arg: string, cwd: string): string[] {
  if (arg === '-') return ['-'];
  if (!GLOB_CHARS.test(arg)) {
    const full = resolve(cwd, arg);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch (error) {
      throw new BulkheadError(
        'INPUT_UNREADABLE',
        `cannot read ${arg}${errnoCode(error) === 'ENOENT' ? ': no such file' : ''}`,
        {
          subject: arg,
          hint: 'check the path; use - to read a Dockerfile from stdin',
          cause: error,
        },
      );
    }
    if (!isDir) return [arg];
    const files: string[] = [];
    walk(full, files);
    const found = files.filter((f) => DOCKERFILE_NAME.test(f.split(sep).pop() ?? '')).sort();
    if (found.length === 0)
      throw new BulkheadError('INPUT_UNREADABLE', `no Dockerfile in directory ${arg}`, {
        subject: arg,
        hint: 'name files Dockerfile, Dockerfile.*, *.Dockerfile or Containerfile, or pass them explicitly',
      });
    return found.map((f) => relative(cwd, f) || f);
  }
  const normal = arg.split(sep).join('/');
  const segments = normal.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const baseParts = segments.slice(0, firstGlob);
  const base = resolve(cwd, baseParts.length === 0 ? '.' : baseParts.join('/') || '/');
  const isMatch = globMatcher(segments.slice(firstGlob).join('/'));
  const files: string[] = [];
  walk(base, files);
  const matches = files.filter((f) => isMatch(relative(base, f).split(sep).join('/'))).sort();
  if (matches.length === 0)
    throw new BulkheadError('INPUT_UNREADABLE', `no file matches ${arg}`, {
      subject: arg,
      hint: 'check the pattern (quote it so the shell does not expand it)',
    });
  return matches.map((f) => (arg.startsWith('/') ? f : relative(cwd, f)));
}

/** Reads a Dockerfile as text; refuses oversized and binary files with an error naming the file. */
export function decodeDockerfile(bytes: Buffer, path: string): string {
  if (bytes.length > MAX_DOCKERFILE_BYTES) {
    throw new InputError(
      path,
      `file is ${bytes.length} bytes; Dockerfiles over ${MAX_DOCKERFILE_BYTES} bytes are refused`,
      { hint: 'is this really a Dockerfile?' },
    );
  }
  if (bytes.includes(0))
    throw new InputError(path, 'file contains NUL bytes: not a text Dockerfile', {
      hint: 'pass a Dockerfile, not a binary',
    });
  return bytes.toString('utf8');
}

export function readDockerfile(path: string, cwd: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, path));
  } catch (error) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${path} (${errnoCode(error) ?? 'error'})`, {
      subject: path,
      hint: 'check the path and permissions',
      cause: error,
    });
  }
  return decodeDockerfile(bytes, path);
}
