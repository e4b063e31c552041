// A real bulkhead the way a user could install one, for install tests: a shell wrapper that runs this checkout's
// sources with node and tsx (dist/ may not be built), so `--version` and every command answer as bulkhead does.
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Writes `<where>/<name>` (mode 0755) and returns its path. */
export function bulkheadWrapper(where: string, name = 'bulkhead-wrapper'): string {
  const path = join(where, name);
  const loader = import.meta.resolve('tsx');
  writeFileSync(
    path,
    `#!/bin/sh\nexec '${process.execPath}' --import '${loader}' '${join(ROOT, 'src/cli/run.ts')}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}
