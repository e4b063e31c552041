// Groups watched containers by network namespace inode (one poller per namespace, not per container: `--network
// container:X` and pods share one) and names every container whose namespace cannot be observed, with the reason.
import { netnsInodeOf } from './procfs.js';
import type { NetContainer } from './types.js';

export interface NamespaceUnit {
  readonly inode: number;
  /** A process in the namespace to read /proc/<pid>/net from and to nsenter through. */
  readonly pid: number;
  readonly containers: readonly NetContainer[];
  /** The container that owns the namespace (the others joined it); its addresses are the namespace's. */
  readonly primary: NetContainer;
}

export interface Unobservable {
  readonly container: NetContainer;
  readonly reason: string;
}

export interface NamespaceGrouping {
  readonly units: NamespaceUnit[];
  readonly unobservable: Unobservable[];
}

/** Reasons are phrased for the operator: what is not seen and why. */
export function groupByNamespace(
  containers: readonly NetContainer[],
  procRoot = '/proc',
  hostNetns: number | undefined = netnsInodeOf(1, procRoot),
): NamespaceGrouping {
  const unobservable: Unobservable[] = [];
  const byInode = new Map<number, NetContainer[]>();
  const pidOf = new Map<number, number>();
  for (const container of containers) {
    if (container.runtime === 'runsc' || container.runtime.includes('gvisor')) {
      unobservable.push({
        container,
        reason:
          'not observable from the host (gVisor): runsc has its own network stack, its sockets are not in the host /proc and nftables in its namespace never sees its traffic',
      });
      continue;
    }
    if (container.pid <= 0) {
      unobservable.push({ container, reason: 'namespace gone: the container has no running process' });
      continue;
    }
    const inode = netnsInodeOf(container.pid, procRoot);
    if (inode === undefined) {
      unobservable.push({
        container,
        reason: `namespace gone: /proc/${container.pid}/ns/net cannot be read (the process exited)`,
      });
      continue;
    }
    if (container.networkMode === 'host' || inode === hostNetns) {
      unobservable.push({
        container,
        reason:
          'uses the host network namespace (--network host): its flows are the host own, bulkhead neither attributes nor filters them',
      });
      continue;
    }
    const list = byInode.get(inode);
    if (list === undefined) byInode.set(inode, [container]);
    else list.push(container);
    if (!pidOf.has(inode)) pidOf.set(inode, container.pid);
  }
  const units: NamespaceUnit[] = [];
  for (const [inode, members] of byInode) {
    const primary = members.find((c) => c.netnsOf === undefined) ?? members[0];
    const pid = pidOf.get(inode);
    if (primary === undefined || pid === undefined) continue;
    units.push({ inode, pid: primary.pid > 0 ? primary.pid : pid, containers: members, primary });
  }
  units.sort((a, b) => a.primary.name.localeCompare(b.primary.name));
  return { units, unobservable };
}
