// Reads the process side of /proc for network attribution: a process's network namespace inode
// (/proc/<pid>/ns/net, proc(5) "/proc/pid/ns/"), its container id from /proc/<pid>/cgroup (cgroup v1 and v2,
// docker's cgroupfs and systemd drivers, containerd and kubepods forms) and the socket inodes it holds
// (/proc/<pid>/fd/* -> "socket:[N]"); the cgroup forms are watch's parser (src/watch/cgroup.ts).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../shared/errors.js';
import { parseProcCgroup } from '../watch/cgroup.js';
import type { TableName } from './proc-net.js';

/** The container id of a /proc/<pid>/cgroup file, by watch's parser (every runtime's path form). */
export function containerIdFromCgroup(text: string): string | undefined {
  return parseProcCgroup(text)?.containerId;
}

/** Inode of a namespace link such as "net:[4026532184]". */
export function parseNamespaceLink(link: string): number | undefined {
  const match = /^[a-z_]+:\[(\d+)\]$/.exec(link);
  return match === null ? undefined : Number(match[1]);
}

export function netnsInodeOf(pid: number, procRoot = '/proc'): number | undefined {
  try {
    return parseNamespaceLink(readlinkSync(join(procRoot, String(pid), 'ns', 'net')));
  } catch {
    return undefined;
  }
}

export interface SocketOwner {
  readonly pid: number;
  /** Container id from the process's cgroup; undefined for host processes holding a socket in the namespace. */
  readonly containerId: string | undefined;
}

export interface ProcessScan {
  /** socket inode -> owning process (the first one found; a forked socket belongs to one container anyway). */
  readonly owners: Map<number, SocketOwner>;
  /** network namespace inode -> pids seen in it (only the namespaces asked for). */
  readonly pidsByNetns: Map<number, number[]>;
  /** Processes examined. */
  readonly processes: number;
}

/**
 * One pass over /proc shared by every namespace poller: for each process in one of `netns`, its container and
 * sockets. Processes that exit mid-scan are skipped (ENOENT), which loses nothing a later cycle or NFLOG won't see.
 */
export function scanProcesses(netns: ReadonlySet<number>, procRoot = '/proc'): ProcessScan {
  const owners = new Map<number, SocketOwner>();
  const pidsByNetns = new Map<number, number[]>();
  let processes = 0;
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return { owners, pidsByNetns, processes };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    processes += 1;
    const inode = netnsInodeOf(pid, procRoot);
    if (inode === undefined || !netns.has(inode)) continue;
    let containerId: string | undefined;
    let fds: string[];
    try {
      containerId = containerIdFromCgroup(readFileSync(join(procRoot, entry, 'cgroup'), 'utf8'));
      fds = readdirSync(join(procRoot, entry, 'fd'));
    } catch {
      continue;
    }
    const list = pidsByNetns.get(inode);
    if (list === undefined) pidsByNetns.set(inode, [pid]);
    else list.push(pid);
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(join(procRoot, entry, 'fd', fd));
      } catch {
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const socket = Number(link.slice(8, -1));
      if (!owners.has(socket)) owners.set(socket, { pid, containerId });
    }
  }
  return { owners, pidsByNetns, processes };
}

export const TABLES: readonly TableName[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** Reads the four socket tables of the namespace `pid` lives in; a missing table (no IPv6) reads as empty. */
export function readSocketTables(pid: number, procRoot = '/proc'): Map<TableName, string> {
  const tables = new Map<TableName, string>();
  for (const table of TABLES) {
    try {
      tables.set(table, readFileSync(join(procRoot, String(pid), 'net', table), 'utf8'));
    } catch (error) {
      if (table.endsWith('6') && errnoCode(error) === 'ENOENT') continue;
      throw error;
    }
  }
  return tables;
}
