// Stats the files CIS Docker Benchmark section 3 cares about (sockets, daemon.json, unit files, TLS material,
// data root, registry certificates): mode bits, owner and group, read under the root path.
import type { FileStat } from '../facts/host.js';
import type { Accounts } from './accounts.js';
import type { RootFs } from './root-fs.js';

export interface FileToStat {
  readonly path: string;
  readonly role: string;
}

function typeOf(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSocket(): boolean;
  isSymbolicLink(): boolean;
}): FileStat['type'] {
  if (stats.isSocket()) return 'socket';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}

export function statFiles(fs: RootFs, files: readonly FileToStat[], accounts: Accounts): FileStat[] {
  const seen = new Set<string>();
  const out: FileStat[] = [];
  for (const { path, role } of files) {
    const key = `${path}\0${role}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const result = fs.stat(path);
    if (!result.ok) {
      out.push(
        result.missing ? { path, role, exists: false } : { path, role, exists: false, error: result.reason },
      );
      continue;
    }
    const { stats } = result;
    const mode = stats.mode & 0o7777;
    const owner = accounts.users.get(stats.uid);
    const group = accounts.groups.get(stats.gid)?.name;
    out.push({
      path,
      role,
      exists: true,
      type: typeOf(stats),
      mode,
      modeOctal: mode.toString(8).padStart(4, '0'),
      uid: stats.uid,
      gid: stats.gid,
      ...(owner === undefined ? {} : { owner }),
      ...(group === undefined ? {} : { group }),
    });
  }
  return out;
}

/** systemd unit file locations, most specific first (systemd.unit(5) unit search path). */
export const UNIT_DIRS = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/lib/systemd/system',
  '/usr/lib/systemd/system',
] as const;

export function findUnitFile(fs: RootFs, unit: string): string | undefined {
  for (const dir of UNIT_DIRS) if (fs.exists(`${dir}/${unit}`)) return `${dir}/${unit}`;
  return undefined;
}
