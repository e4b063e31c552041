// Resolves host paths named by bind mounts the way the kernel will when dockerd mounts them: lexical clean (the
// volume parser cleans sources) then symlinks followed on this host, so /tmp/link -> /etc or /var/run/docker.sock
// -> /run/docker.sock are judged by what they really are.
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';

/** The path with every existing prefix's symlinks resolved; the missing tail is appended as written. */
export function resolveHostPath(raw: string): string {
  const clean = posix.normalize(raw.startsWith('/') ? raw : `/${raw}`).replace(/(.)\/+$/, '$1');
  const parts = clean.split('/').filter(Boolean);
  for (let n = parts.length; n >= 0; n -= 1) {
    const prefix = `/${parts.slice(0, n).join('/')}`;
    try {
      const real = realpathSync(prefix);
      const tail = parts.slice(n);
      return tail.length === 0 ? real : posix.join(real, ...tail);
    } catch {
      // prefix does not exist (or is unreadable): try a shorter one
    }
  }
  return clean;
}

function isUnder(path: string, base: string): boolean {
  return base === '/' || path === base || path.startsWith(`${base}/`);
}

/** Whether mounting `source` exposes `entry`: the same path, inside it ("/" itself excepted), or an ancestor. */
export function exposes(source: string, entry: string): boolean {
  return source === entry || (entry !== '/' && isUnder(source, entry)) || isUnder(entry, source);
}

/**
 * The sensitive path a source exposes, if any: the source is the path, lies under it, or contains it
 * (mounting /var/run exposes /var/run/docker.sock; mounting / exposes everything).
 */
const resolvedLists = new WeakMap<readonly string[], { at: number; paths: readonly string[] }>();
/** Sensitive paths are re-resolved at most once a second (they are system paths; symlinks there rarely move). */
const LIST_TTL_MS = 1000;

function resolveList(list: readonly string[]): readonly string[] {
  const now = Date.now();
  const hit = resolvedLists.get(list);
  if (hit !== undefined && now - hit.at < LIST_TTL_MS) return hit.paths;
  const paths = list.map(resolveHostPath);
  resolvedLists.set(list, { at: now, paths });
  return paths;
}

export function exposedSensitivePath(source: string, sensitive: readonly string[]): string | undefined {
  const resolved = resolveHostPath(source);
  const targets = resolveList(sensitive);
  for (const [i, entry] of sensitive.entries()) {
    const target = targets[i] ?? resolveHostPath(entry);
    if (exposes(resolved, target)) return entry;
  }
  return undefined;
}

/**
 * Host paths no container may bind by default. Each /run entry is listed in its /var/run form too: /var/run is a
 * symlink to /run on Debian (both forms resolve to one path, as exposedSensitivePath resolves both sides), but a
 * system where it is a real directory has two trees. The engine's own data root, exec root and sockets, when they
 * are not these defaults, are learned at run time (engine-paths.ts) and added to every profile.
 */
export const DEFAULT_SENSITIVE_PATHS: readonly string[] = [
  '/',
  '/etc',
  '/root',
  '/boot',
  '/proc',
  '/sys',
  '/dev',
  '/usr',
  '/lib',
  '/lib32',
  '/lib64',
  '/bin',
  '/sbin',
  // dockerd's default data root and containerd's state: images, container filesystems, their configs
  '/var/lib/docker',
  '/var/lib/containerd',
  // cron spools: a file written there runs as its owner (root's crontab) on the host
  '/var/spool/cron',
  // the engine's sockets and default exec root (runtime state, the plugin sockets of /run/docker/plugins)
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/docker',
  '/var/run/docker',
  '/run/containerd',
  '/var/run/containerd',
  // systemd's private socket and notify socket (systemctl as root), the system D-Bus (systemd, polkit, logind)
  '/run/systemd',
  '/var/run/systemd',
  '/run/dbus',
  '/var/run/dbus',
  // per-user runtime directories: session buses and rootless dockerd's socket (/run/user/UID/docker.sock)
  '/run/user',
  '/var/run/user',
];
