// Reads NFLOG packets (nfnetlink_log groups) logged by bulkhead's own nftables table inside one network namespace,
// through Debian tcpdump's `nflog:G1,G2` pseudo-interface run under `nsenter --net` (libpcap pcap-netfilter-linux.c
// binds NFULNL in the namespace of the socket's creator); docs/net.md argues this over conntrack -E and a native
// NFULNL listener. Output lines (`tcpdump -n -l -tt -e -q`) look like:
//   1796161883.922587 version 0, resource ID 7, IPv4, length 172: 10.213.7.4.58756 > 10.213.7.2.8080: tcp 0
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Proto } from './proc-net.js';

export interface NflogPacket {
  /** Milliseconds since the epoch (the kernel's NFLOG timestamp as tcpdump prints it). */
  readonly time: number;
  readonly group: number;
  readonly family: 4 | 6;
  readonly proto: Proto;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

const LINE =
  /^(\d+)\.(\d+) version \d+, resource ID (\d+), IPv([46]), length \d+: (\S+)\.(\d+) > (\S+)\.(\d+): (tcp|UDP)\b/;

/** One tcpdump line, or undefined for lines that are not a TCP/UDP packet (ICMP, fragments, banners). */
export function parseNflogLine(line: string): NflogPacket | undefined {
  const m = LINE.exec(line.trim());
  if (m === null) return undefined;
  const [
    ,
    sec = '',
    frac = '',
    group = '',
    family = '',
    src = '',
    sport = '',
    dst = '',
    dport = '',
    proto = '',
  ] = m;
  return {
    time: Number(sec) * 1000 + Number(`0.${frac}`) * 1000,
    group: Number(group),
    family: family === '6' ? 6 : 4,
    proto: proto === 'tcp' ? 'tcp' : 'udp',
    src,
    sport: Number(sport),
    dst,
    dport: Number(dport),
  };
}

export interface NflogReader {
  /** Resolves once tcpdump says it is listening (rejects with its stderr when it cannot start). */
  readonly ready: Promise<void>;
  readonly child: ChildProcess;
  stop(): void;
}

export interface NflogReaderOptions {
  readonly pid: number;
  readonly groups: readonly number[];
  readonly onPacket: (packet: NflogPacket) => void;
  readonly onExit?: (reason: string) => void;
  readonly nsenter?: string;
  readonly tcpdump?: string;
}

/** Starts one reader in the namespace of `pid`; the caller stops it (SIGTERM to the child it started). */
export function startNflogReader(options: NflogReaderOptions): NflogReader {
  const child = spawn(
    options.nsenter ?? 'nsenter',
    [
      `--net=/proc/${options.pid}/ns/net`,
      options.tcpdump ?? 'tcpdump',
      '-i',
      `nflog:${options.groups.join(',')}`,
      '-n',
      '-l',
      '-tt',
      '-e',
      '-q',
      '-U',
      // hand each packet over at once (the table's queue-threshold 1 makes the kernel send them at once too)
      '--immediate-mode',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let stopped = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 4096) stderr = stderr.slice(-4096);
      if (stderr.includes('listening on')) resolve();
    });
    child.once('error', (error) => {
      reject(new Error(`cannot start tcpdump for NFLOG: ${error.message}`, { cause: error }));
    });
    child.once('exit', (code, signal) => {
      const reason = `tcpdump (nflog) exited ${signal ?? String(code)}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
      reject(new Error(reason));
      if (!stopped) options.onExit?.(reason);
    });
  });
  ready.catch(() => undefined);
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const packet = parseNflogLine(line);
    if (packet !== undefined) options.onPacket(packet);
  });
  return {
    ready,
    child,
    stop: () => {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
