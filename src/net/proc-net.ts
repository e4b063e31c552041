// Parses the kernel's socket tables /proc/<pid>/net/{tcp,tcp6,udp,udp6} (Linux net/ipv4/tcp_ipv4.c get_tcp4_sock,
// net/ipv6/tcp_ipv6.c get_tcp6_sock, net/ipv4/udp.c udp4_format_sock): addresses are the raw in-kernel words
// printed with %08X, so each 32-bit word is in host (little-endian here) byte order.

export type Proto = 'tcp' | 'udp';
export type TableName = 'tcp' | 'tcp6' | 'udp' | 'udp6';

/** TCP states from include/net/tcp_states.h; UDP sockets report 07 (CLOSE) unbound-peer and 01 when connected. */
const TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
};

export interface SocketEndpoint {
  /** Dotted IPv4 or compressed IPv6; IPv4-mapped IPv6 (::ffff:a.b.c.d) is reported as the IPv4 address. */
  readonly addr: string;
  readonly port: number;
}

export interface SocketRow {
  readonly proto: Proto;
  readonly family: 4 | 6;
  readonly local: SocketEndpoint;
  readonly remote: SocketEndpoint;
  readonly state: string;
  /** Socket inode (0 for TIME_WAIT and other sockets no process owns). */
  readonly inode: number;
  readonly uid: number;
}

export interface ParsedTable {
  readonly rows: SocketRow[];
  /** Lines that did not parse (counted, never fatal: the table is kernel output but the file is still input). */
  readonly skipped: number;
}

function hexWordToBytes(word: string): number[] {
  const value = Number.parseInt(word, 16);
  // the word was printed from a little-endian u32: its least significant byte is the first address byte
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: compress the longest run (>= 2) of zero groups, first one on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Decodes "0100007F:1F90" (IPv4) or a 32-hex-digit IPv6 word string plus port. */
export function decodeEndpoint(text: string): SocketEndpoint | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const hexAddr = text.slice(0, colon);
  const hexPort = text.slice(colon + 1);
  if (!/^[0-9A-Fa-f]{4}$/.test(hexPort)) return undefined;
  const port = Number.parseInt(hexPort, 16);
  if (/^[0-9A-Fa-f]{8}$/.test(hexAddr)) return { addr: hexWordToBytes(hexAddr).join('.'), port };
  if (!/^[0-9A-Fa-f]{32}$/.test(hexAddr)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...hexWordToBytes(hexAddr.slice(i, i + 8)));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { addr: bytes.slice(12).join('.'), port };
  return { addr: formatIpv6(bytes), port };
}

/** Parses one table's text; `table` says which file it came from (protocol and family). */
export function parseProcNet(text: string, table: TableName): ParsedTable {
  const proto: Proto = table.startsWith('tcp') ? 'tcp' : 'udp';
  const family = table.endsWith('6') ? 6 : 4;
  const rows: SocketRow[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const fields = line.split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const local = decodeEndpoint(fields[1] ?? '');
    const remote = decodeEndpoint(fields[2] ?? '');
    const stateHex = fields[3] ?? '';
    const uid = Number(fields[7]);
    const inode = Number(fields[9]);
    if (
      local === undefined ||
      remote === undefined ||
      !/^[0-9A-Fa-f]{2}$/.test(stateHex) ||
      !Number.isInteger(uid) ||
      !Number.isInteger(inode)
    ) {
      skipped += 1;
      continue;
    }
    const code = Number.parseInt(stateHex, 16);
    const state =
      proto === 'udp' ? (code === 1 ? 'ESTABLISHED' : 'UNCONN') : (TCP_STATES[code] ?? `UNKNOWN_${stateHex}`);
    rows.push({ proto, family, local, remote, state, inode, uid });
  }
  return { rows, skipped };
}

/** True for an unspecified (wildcard) address in either family. */
export function isWildcard(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::';
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1';
}
