// Fixture host trees for `bulkhead audit --root`: copied to a temp dir with the modes and groups git cannot keep.
import { chmodSync, chownSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURE_SOCKET = '/run/bh-fixture/docker.sock';
/** Where the fixtures' dockerd listens; nothing listens there on the test machine, so the engine is "down". */
export const FIXTURE_HOST = `unix://${FIXTURE_SOCKET}`;

export interface FileMode {
  readonly mode: number;
  readonly gid?: number;
}

export interface MaterializedHost {
  readonly root: string;
  remove(): void;
}

export function materializeHost(
  name: 'weak' | 'hardened',
  modes: Readonly<Record<string, FileMode>>,
): MaterializedHost {
  const root = mkdtempSync(join(tmpdir(), `bh-audit-${name}-`));
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'hosts', name), root, {
    recursive: true,
    verbatimSymlinks: true,
  });
  for (const [path, { mode, gid }] of Object.entries(modes)) {
    const full = join(root, path);
    if (gid !== undefined) chownSync(full, 0, gid);
    chmodSync(full, mode);
  }
  return {
    root,
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
