// The runtime-binary guard's targets: the binaries a container escape overwrites (CVE-2019-5736 class), taken
// from the daemon's registered runtimes and the host's running runtime processes, never from hard-coded paths;
// with their hashes, so a change on disk is reported.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { RuntimeInfo } from './containers.js';

export interface GuardTarget {
  readonly path: string;
  /** Where bulkhead found it: "runtime <name>" or "process <pid>". */
  readonly source: string;
  readonly sha256: string;
}

const RUNTIME_PROCESS =
  /^(dockerd|containerd|containerd-shim(-runc-v\d+)?|docker-init|runc|runsc|docker-proxy)$/;
const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A bare runtime name resolved as dockerd does (PATH lookup). */
export function resolveBinary(name: string, pathEnv: string | undefined): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  const dirs = [...(pathEnv?.split(delimiter) ?? []), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Host processes whose executable is a container runtime component (dockerd, containerd, shims, runc). */
function runtimeProcessBinaries(): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let exe: string;
    try {
      exe = readlinkSync(`/proc/${entry}/exe`);
    } catch {
      continue;
    }
    const name = exe.slice(exe.lastIndexOf('/') + 1);
    if (exe.startsWith('/') && !exe.endsWith(' (deleted)') && RUNTIME_PROCESS.test(name) && !found.has(exe))
      found.set(exe, `process ${entry}`);
  }
  return found;
}

export function discoverGuardTargets(
  runtimes: readonly RuntimeInfo[],
  options: { readonly hostProcesses: boolean; readonly pathEnv: string | undefined },
): GuardTarget[] {
  const paths = new Map<string, string>();
  for (const r of runtimes) {
    const path = resolveBinary(r.path, options.pathEnv);
    if (path !== undefined) paths.set(path, `runtime ${r.name}`);
  }
  const init = resolveBinary('docker-init', options.pathEnv);
  if (init !== undefined && options.hostProcesses) paths.set(init, 'docker-init in PATH');
  if (options.hostProcesses)
    for (const [path, source] of runtimeProcessBinaries()) if (!paths.has(path)) paths.set(path, source);
  const targets: GuardTarget[] = [];
  for (const [path, source] of paths) {
    try {
      if (!statSync(path).isFile()) continue;
      targets.push({ path, source, sha256: sha256File(path) });
    } catch {
      // vanished between discovery and hashing
    }
  }
  return targets.sort((a, b) => (a.path < b.path ? -1 : 1));
}
