// Reads a container inspect document the way dockerd applies it: security options in both `key=value` and the
// legacy `key:value` form (docker/cli opts/parse.go), capabilities with or without the CAP_ prefix, and what
// --privileged implies (all capabilities, no seccomp, no AppArmor/SELinux confinement, all devices:
// moby daemon/oci_linux.go WithCapabilities/WithSeccomp, docs.docker.com/engine/containers/run/#runtime-privilege).
import type { ContainerInspect } from '../facts/index.js';

export interface SecurityOpts {
  readonly seccomp: string | undefined;
  readonly apparmor: string | undefined;
  /** SELinux label options ("disable", "type:svirt_apache_t", "level:s0:c100,c200"). */
  readonly labels: readonly string[];
  readonly noNewPrivileges: boolean | undefined;
  /** The SecurityOpt entries as given, for evidence. */
  readonly raw: readonly string[];
}

/** Splits HostConfig.SecurityOpt entries into the options dockerd acts on. */
export function parseSecurityOpt(entries: readonly string[] | null | undefined): SecurityOpts {
  let seccomp: string | undefined;
  let apparmor: string | undefined;
  let noNewPrivileges: boolean | undefined;
  const labels: string[] = [];
  for (const entry of entries ?? []) {
    if (entry === 'no-new-privileges') {
      noNewPrivileges = true;
      continue;
    }
    const eq = entry.indexOf('=');
    const colon = entry.indexOf(':');
    const cut = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
    if (cut === -1) continue;
    const key = entry.slice(0, cut);
    const value = entry.slice(cut + 1);
    if (key === 'seccomp') seccomp = value;
    else if (key === 'apparmor') apparmor = value;
    else if (key === 'label') labels.push(value);
    else if (key === 'no-new-privileges') noNewPrivileges = value.trim().toLowerCase() !== 'false';
  }
  return { seccomp, apparmor, labels, noNewPrivileges, raw: [...(entries ?? [])] };
}

export function securityOptsOf(container: ContainerInspect): SecurityOpts {
  return parseSecurityOpt(container.HostConfig?.SecurityOpt);
}

/** "cap_sys_admin" / "CAP_SYS_ADMIN" / "sys_admin" -> "SYS_ADMIN". */
export function normalizeCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

/**
 * Capabilities that break the container boundary or the host when added (beyond Docker's default set): each
 * has a public escape or host-impact path (SYS_ADMIN mount/cgroup release_agent, SYS_MODULE kernel modules,
 * SYS_PTRACE host processes with pid=host, DAC_READ_SEARCH open_by_handle_at "shocker", SYS_RAWIO, BPF...).
 */
export const DANGEROUS_CAPABILITIES: ReadonlySet<string> = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'BPF',
  'PERFMON',
  'SYSLOG',
  'SYS_RESOURCE',
  'LINUX_IMMUTABLE',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_CONTROL',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_TTY_CONFIG',
  'IPC_LOCK',
  'IPC_OWNER',
  'LEASE',
  'CHECKPOINT_RESTORE',
]);

export function isPrivileged(container: ContainerInspect): boolean {
  return container.HostConfig?.Privileged === true;
}

/** A path with "/var/run" folded to "/run" (a symlink on every current distribution) and no trailing slash. */
export function canonicalHostPath(path: string): string {
  let p = path.replace(/\/+/g, '/');
  if (p.length > 1) p = p.replace(/\/$/, '');
  if (p === '/var/run' || p.startsWith('/var/run/')) p = p.slice('/var'.length);
  return p;
}

/** True when `ancestor` is `path` or one of its parent directories. */
export function isSameOrAncestor(ancestor: string, path: string): boolean {
  const a = canonicalHostPath(ancestor);
  const p = canonicalHostPath(path);
  return a === p || a === '/' || p.startsWith(`${a}/`);
}

/** Bind mounts (host paths) of a container: the resolved top-level Mounts, which covers -v and --mount. */
export function bindMounts(
  container: ContainerInspect,
): { index: number; source: string; destination: string; rw: boolean; propagation: string }[] {
  return (container.Mounts ?? []).flatMap((m, index) =>
    m.Type === 'bind' && typeof m.Source === 'string'
      ? [
          {
            index,
            source: m.Source,
            destination: m.Destination ?? '',
            rw: m.RW !== false,
            propagation: m.Propagation ?? '',
          },
        ]
      : [],
  );
}
