// Enabled systemd units read from the unit directories without systemctl (systemd.unit(5) "[Install]": enabling
// links a unit into <target>.wants/ or .requires/; a unit linked to /dev/null is masked and cannot start).
import type { Unit } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

/** Admin configuration first: a mask or link there overrides the vendor directories (systemd.unit(5) search path). */
export const UNIT_DIRS = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];

export function readUnits(fs: RootFs): { units: Unit[]; dirs: string[] } | undefined {
  const dirs = UNIT_DIRS.filter((d) => fs.list(d) !== undefined);
  if (dirs.length === 0) return undefined;
  const masked = new Set<string>();
  for (const dir of ['/etc/systemd/system', '/run/systemd/system']) {
    for (const name of fs.list(dir) ?? [])
      if (fs.readlink(`${dir}/${name}`) === '/dev/null') masked.add(name);
  }
  const units = new Map<string, Unit>();
  for (const dir of dirs) {
    for (const entry of fs.list(dir) ?? []) {
      if (!/\.(wants|requires)$/.test(entry)) continue;
      for (const name of fs.list(`${dir}/${entry}`) ?? []) {
        if (masked.has(name) || units.has(name)) continue;
        units.set(name, { name, enabled: true, source: `${dir}/${entry}/${name}` });
      }
    }
  }
  return { units: [...units.values()].sort((a, b) => a.name.localeCompare(b.name)), dirs };
}

/** The unit file's directory, when some unit directory has it (installed, enabled or not). */
export function findUnit(fs: RootFs, name: string): string | undefined {
  return UNIT_DIRS.map((d) => `${d}/${name}`).find((p) => fs.exists(p));
}
