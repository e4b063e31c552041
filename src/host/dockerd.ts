// Finds the dockerd process behind the socket in use (by the listening socket's inode in /proc/net/unix or
// /proc/net/tcp and the process's fds, then by pidfile), parses its flags, and reads the daemon.json it really
// reads (--config-file, else /etc/docker/daemon.json). docker-bench-security greps `ps` for the first dockerd,
// which is the wrong daemon when several run.
import { posix } from 'node:path';
import { z } from 'zod';
import type { DaemonConfigFact, DockerdProcess } from '../facts/host.js';
import { known, unknown, type Known } from '../facts/known.js';
import { parseDockerdArgs } from '../shared/dockerd.js';
import type { EngineAddress } from '../engine/client.js';
import { InputError } from '../shared/errors.js';
import { parseJsonText } from '../shared/json.js';
import type { RootFs } from './root-fs.js';

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
const DEFAULT_PIDFILE = '/var/run/docker.pid';

interface ProcessEntry {
  readonly pid: number;
  readonly argv: string[];
}

function listDockerdProcesses(fs: RootFs): ProcessEntry[] | undefined {
  const entries = fs.list('/proc');
  if (entries === undefined) return undefined;
  const found: ProcessEntry[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = fs.readIfExists(`/proc/${entry}/cmdline`);
    if (cmdline === undefined || cmdline === '') continue;
    const argv = cmdline.split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
    if (posix.basename(argv[0] ?? '') === 'dockerd') found.push({ pid: Number(entry), argv });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** Inodes of listening sockets that serve the address, from /proc/net/{unix,tcp,tcp6}. */
function listeningInodes(fs: RootFs, address: EngineAddress): Set<string> | undefined {
  const inodes = new Set<string>();
  if (address.kind === 'unix') {
    const target = posix.normalize(address.socketPath);
    const table = fs.readIfExists('/proc/net/unix');
    if (table === undefined) return undefined;
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, , , flags, , , inode, path] = fields;
      // __SO_ACCEPTCON (0x10000) marks a listening socket
      if (
        path !== undefined &&
        inode !== undefined &&
        flags !== undefined &&
        posix.normalize(path) === target &&
        (parseInt(flags, 16) & 0x10000) !== 0
      ) {
        inodes.add(inode);
      }
    }
  } else {
    const tables = ['/proc/net/tcp', '/proc/net/tcp6'].map((t) => fs.readIfExists(t));
    if (tables.every((t) => t === undefined)) return undefined;
    for (const table of tables) {
      for (const line of (table ?? '').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const local = fields[1];
        const state = fields[3];
        const inode = fields[9];
        const port = local === undefined ? NaN : parseInt(local.split(':')[1] ?? '', 16);
        if (state === '0A' && port === address.port && inode !== undefined) inodes.add(inode);
      }
    }
  }
  return inodes;
}

function ownsSocket(fs: RootFs, pid: number, inodes: ReadonlySet<string>): boolean {
  for (const fd of fs.list(`/proc/${pid}/fd`) ?? []) {
    const link = fs.readlink(`/proc/${pid}/fd/${fd}`);
    const inode = link === undefined ? undefined : /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}

function toFact(
  entry: ProcessEntry,
  matchedBy: DockerdProcess['matchedBy'],
  all: readonly ProcessEntry[],
): DockerdProcess {
  const { flags, unparsed } = parseDockerdArgs(entry.argv.slice(1));
  return {
    pid: entry.pid,
    matchedBy,
    argv: entry.argv,
    flags,
    unparsed,
    others: all.filter((p) => p.pid !== entry.pid).map((p) => p.pid),
  };
}

export function findDockerd(fs: RootFs, address: EngineAddress | undefined): Known<DockerdProcess> {
  const processes = listDockerdProcesses(fs);
  if (processes === undefined) return unknown('/proc is not readable under the root');
  if (processes.length === 0) return unknown('no dockerd process found in /proc');
  if (address !== undefined) {
    const inodes = listeningInodes(fs, address);
    if (inodes?.size === 0) {
      // Nothing listens at the address in use: another dockerd on this host is not the daemon being audited.
      return unknown(
        `no engine listens at ${address.display} on this host, so no dockerd is behind it (dockerd pid${processes.length === 1 ? '' : 's'} ${processes.map((p) => p.pid).join(', ')} serve${processes.length === 1 ? 's' : ''} other sockets); daemon rules are judged only against the daemon behind the socket in use`,
      );
    }
    if (inodes !== undefined) {
      const owner = processes.find((p) => ownsSocket(fs, p.pid, inodes));
      if (owner !== undefined)
        return known(toFact(owner, 'socket-inode', processes), `/proc/${owner.pid}/cmdline`);
    }
  }
  for (const entry of processes) {
    const { flags } = parseDockerdArgs(entry.argv.slice(1));
    const pidfile = flags['pidfile']?.at(-1) ?? DEFAULT_PIDFILE;
    if ((fs.readIfExists(pidfile) ?? '').trim() === String(entry.pid) && processes.length === 1) {
      return known(toFact(entry, 'pidfile', processes), pidfile);
    }
  }
  const only = processes[0];
  if (processes.length === 1 && only !== undefined)
    return known(toFact(only, 'only-dockerd', processes), `/proc/${only.pid}/cmdline`);
  return unknown(
    `${processes.length} dockerd processes (pids ${processes.map((p) => p.pid).join(', ')}) and none could be matched to ${address?.display ?? 'the engine address'} (run as root so their sockets can be read)`,
  );
}

const daemonJsonSchema = z.record(z.string(), z.unknown());

/** Reads the daemon.json the daemon reads; a malformed file is an InputError with file and line:column. */
export function readDaemonConfig(fs: RootFs, dockerd: Known<DockerdProcess>): Known<DaemonConfigFact> {
  const fromFlag = dockerd.state === 'known' ? dockerd.value.flags['config-file']?.at(-1) : undefined;
  const path = fromFlag ?? DEFAULT_DAEMON_JSON;
  const source = fromFlag === undefined ? path : `--config-file=${path}`;
  const read = fs.read(path);
  if (!read.ok) {
    const stat = fs.stat(path);
    if (!stat.ok && stat.missing)
      return known({ path, fromFlag: fromFlag !== undefined, exists: false }, source);
    return unknown(read.reason);
  }
  const hint = 'fix the JSON syntax; dockerd refuses to start with a malformed daemon.json';
  const parsed = daemonJsonSchema.safeParse(
    read.text.trim() === '' ? {} : parseJsonText(read.text, path, hint),
  );
  if (!parsed.success)
    throw new InputError(path, 'daemon.json must be a JSON object', { position: '1:1', hint });
  return known({ path, fromFlag: fromFlag !== undefined, exists: true, config: parsed.data }, source);
}
