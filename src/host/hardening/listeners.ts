// Listening sockets of the host's network namespace with the processes that hold them: /proc/net/{tcp,tcp6,udp,
// udp6} (proc(5); addresses are hex words in the kernel's byte order) joined to /proc/<pid>/fd "socket:[inode]" links.
import { endianness } from 'node:os';
import type { HostProcess, Listener } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

const TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;
type Table = (typeof TABLES)[number];

/** TCP_LISTEN; for UDP an unconnected socket (TCP_CLOSE, no remote address) is the listening kind. */
const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

export interface RawSocket {
  readonly protocol: Table;
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

/** One 32-bit word of /proc/net as the kernel printed it (%08X of the in-memory value) -> 4 bytes in network order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return littleEndian ? bytes.reverse() : bytes;
}

/** Decodes "0100007F" / 32 hex digits into an address string ("127.0.0.1", "::1", "::ffff:10.0.0.1"). */
export function decodeProcNetAddress(hex: string, littleEndian = endianness() === 'LE'): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  if (hex.length === 8) return wordBytes(hex, littleEndian).join('.');
  if (hex.length !== 32) return undefined;
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8), littleEndian));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // RFC 5952: compress the longest run of zero groups (at least two)
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j += 1;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

/** Parses one /proc/net table; malformed lines are skipped (the kernel writes this file, a fixture might not). */
export function parseProcNet(text: string, protocol: Table, littleEndian?: boolean): RawSocket[] {
  const out: RawSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, remote, state] = fields;
    const inode = Number(fields[9]);
    if (local === undefined || remote === undefined || state === undefined || !Number.isInteger(inode))
      continue;
    const listening = protocol.startsWith('tcp')
      ? state === TCP_LISTEN
      : state === UDP_UNCONNECTED && /^0+:0000$/.test(remote);
    if (!listening) continue;
    const [addrHex = '', portHex = ''] = local.split(':');
    const address = decodeProcNetAddress(addrHex, littleEndian);
    const port = Number.parseInt(portHex, 16);
    if (address === undefined || !Number.isInteger(port)) continue;
    out.push({ protocol, address, port, inode });
  }
  return out;
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Every process under the root's /proc: pid, comm and exe (exe needs root for other users' processes). */
export function readProcesses(fs: RootFs): HostProcess[] | undefined {
  const entries = fs.list('/proc');
  if (entries === undefined) return undefined;
  const out: HostProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = fs.readIfExists(`/proc/${entry}/comm`)?.trim();
    if (comm === undefined) continue; // gone since the listing
    const exe = fs.readlink(`/proc/${entry}/exe`);
    out.push({ pid: Number(entry), comm, ...(exe === undefined ? {} : { exe }) });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** socket inode -> the processes whose fd table holds it. */
function socketOwners(fs: RootFs, processes: readonly HostProcess[]): Map<number, HostProcess[]> {
  const owners = new Map<number, HostProcess[]>();
  for (const process of processes) {
    for (const fd of fs.list(`/proc/${process.pid}/fd`) ?? []) {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlink(`/proc/${process.pid}/fd/${fd}`) ?? '');
      if (match === null) continue;
      const inode = Number(match[1]);
      const list = owners.get(inode) ?? [];
      if (!list.some((p) => p.pid === process.pid)) list.push(process);
      owners.set(inode, list);
    }
  }
  return owners;
}

export function readListeners(
  fs: RootFs,
  processes: readonly HostProcess[],
): { listeners: Listener[]; tables: string[] } | undefined {
  const raw: RawSocket[] = [];
  const tables: string[] = [];
  for (const table of TABLES) {
    const text = fs.readIfExists(`/proc/net/${table}`);
    if (text === undefined) continue;
    tables.push(`/proc/net/${table}`);
    raw.push(...parseProcNet(text, table));
  }
  if (tables.length === 0) return undefined;
  const owners = socketOwners(fs, processes);
  const listeners = raw.map((s) => ({
    ...s,
    wildcard: isWildcard(s.address),
    loopback: isLoopback(s.address),
    processes: owners.get(s.inode) ?? [],
    table: `/proc/net/${s.protocol}`,
  }));
  return { listeners, tables };
}
