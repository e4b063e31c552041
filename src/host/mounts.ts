// Finds the mount holding a path from /proc/self/mountinfo (proc(5) "mountinfo"): the longest mount point that
// is a prefix of the path. A data root whose mount point is "/" shares the root filesystem (CIS 1.1.1).
import type { HostFacts } from '../facts/host.js';
import { known, unknown } from '../facts/known.js';
import type { RootFs } from './root-fs.js';

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function findMount(fs: RootFs, path: string): HostFacts['dataRootMount'] {
  const info = fs.read('/proc/self/mountinfo');
  if (!info.ok) return unknown(info.reason);
  let best: { mountPoint: string; fsType: string; device: string } | undefined;
  for (const line of info.text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash === -1) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const device = left[2];
    const mountPoint = left[4] === undefined ? undefined : unescapeMount(left[4]);
    const fsType = right[0];
    if (device === undefined || mountPoint === undefined || fsType === undefined) continue;
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    if (inside && (best === undefined || mountPoint.length >= best.mountPoint.length))
      best = { mountPoint, fsType, device };
  }
  if (best === undefined) return unknown(`no mount in /proc/self/mountinfo holds ${path}`);
  return known({ dataRoot: path, ...best }, '/proc/self/mountinfo');
}
