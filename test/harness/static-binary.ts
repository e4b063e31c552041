// Builds a C fixture (test/fixtures/**.c) as a static binary, for containers of the busybox test image that have
// no libc: `cc -static -Os`, cached per source content in the temp dir, so a test pays for the build once.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Path of the static binary built from `source` (relative to the repository root or absolute). */
export function buildStaticFixture(source: string): string {
  const path = source.startsWith('/') ? source : new URL(`../../${source}`, import.meta.url).pathname;
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'bulkhead-fixtures');
  const out = join(dir, `${basename(path, '.c')}-${hash}`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  try {
    execFileSync('cc', ['-static', '-Os', '-Wall', '-Werror', '-o', partial, path], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`cannot build ${path} (needs gcc and libc6-dev for -static): ${stderr}`, {
      cause: error,
    });
  }
  renameSync(partial, out); // atomic: concurrent test files never run a half-written binary
  return out;
}
