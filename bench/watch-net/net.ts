// Benchmarks the network stage (issue 12): /proc polling cost per network namespace per cycle, the whole stage's CPU
// at 100 containers on a private dockerd, new-flow detection latency (NFLOG) for connections living 50 ms, memory at
// 10,000 edges, and the connection setup latency bulkhead's deny table adds. Namespaces are made with unshare(1) and
// joined by one veth pair, containers sit on an --internal network of the private engine: every packet stays inside
// them. Writes bench/results/watch-net.md (or --output FILE).
//
// SIGINT/SIGTERM stop the run and undo everything it made, newest first (namespace processes and their veth and
// nft tables, tcpdump readers, containers, the network, the private engine), then exit 130/143 without results:
// every resource registers its undo step the moment it exists, and every wait is abortable.
// Run (root): node --import tsx bench/watch-net/net.ts [--namespaces 100] [--containers 100] [--cycles 20]
//   [--connections 200] [--connects 1000] [--monitor-seconds 20] [--output FILE] [--print-state]
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { loadWatchAddon } from '../../src/native/index.js';
import { FlowGraph, Resolver } from '../../src/net/graph.js';
import { FULL_POLL_EVERY, NetMonitor } from '../../src/net/monitor.js';
import type { NamespaceUnit } from '../../src/net/namespaces.js';
import { applyTable, removeTable, NFLOG_DENY_GROUP, NFLOG_NEW_GROUP } from '../../src/net/nft.js';
import { startNflogReader, type NflogPacket } from '../../src/net/nflog.js';
import { pollNamespace } from '../../src/net/poll.js';
import { netnsInodeOf, scanProcesses } from '../../src/net/procfs.js';
import { NetStore } from '../../src/net/store.js';
import type { FlowObservation, NetContainer } from '../../src/net/types.js';
import { importBusybox, startEngine } from '../../test/harness/engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const NAMESPACES = arg('namespaces', 100);
const CONTAINERS = arg('containers', 100);
const CYCLES = arg('cycles', 20);
const CONNECTIONS = arg('connections', 200);
const CONNECTS = arg('connects', 1000);
const MONITOR_SECONDS = arg('monitor-seconds', 20);
const outputAt = process.argv.indexOf('--output');
const OUTPUT =
  outputAt >= 0 ? resolve(process.argv[outputAt + 1] ?? '') : join(ROOT, 'bench/results/watch-net.md');
const PRINT_STATE = process.argv.includes('--print-state');
const execFileAsync = promisify(execFile);

/** Undo steps, run newest first on every exit; a step registered after an interrupt is still run at the end. */
const undo: { what: string; run: () => Promise<void> | void }[] = [];
function onUndo(what: string, run: () => Promise<void> | void): void {
  undo.push({ what, run });
}
async function undoAll(): Promise<void> {
  for (let step = undo.pop(); step !== undefined; step = undo.pop()) {
    try {
      await step.run();
    } catch (error) {
      process.stderr.write(
        `bench: undo ${step.what} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
}

/** Aborted by SIGINT/SIGTERM: every sleep and child wait listens to it, and steps check it in between. */
const abort = new AbortController();
let interrupted: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (interrupted !== undefined) {
      process.stderr.write(`bench: ${signal} again, still cleaning up\n`);
      return;
    }
    interrupted = signal;
    process.stderr.write(`bench: ${signal}, stopping and cleaning up\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  });
const checkpoint = (): void => {
  abort.signal.throwIfAborted();
};
const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: abort.signal });

/** Live (non-zombie) processes of process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** SIGKILLs a process group and waits (bounded) until none of it is left alive. */
async function killGroup(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100 && groupMembers(pgid).length > 0; i += 1) await sleep(50);
}

/** Our direct children still alive (tcpdump readers, nsenter), SIGTERMed and waited for, then SIGKILLed. */
async function reapChildren(): Promise<void> {
  const mine = (): number[] =>
    readdirSync('/proc').flatMap((entry) => {
      if (!/^\d+$/.test(entry)) return [];
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields[0] !== 'Z' && Number(fields[1]) === process.pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
  for (const pid of mine())
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  for (let i = 0; i < 100 && mine().length > 0; i += 1) await sleep(50);
  for (const pid of mine())
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
}

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A process alone in a new network namespace running `script` (sh); resolves once its netns differs from ours. */
async function namespaceProcess(script: string): Promise<ChildProcess & { pid: number }> {
  checkpoint();
  // its own process group, so the cleanup kills the background servers with it (by group id, nothing else); the
  // namespace, its nft table and its end of the veth pair go with its last process
  const child = spawn('unshare', ['--net', 'sh', '-c', `ip link set lo up; ${script}`], {
    stdio: 'ignore',
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  onUndo(`namespace process group ${pid}`, () => killGroup(pid));
  const host = netnsInodeOf(process.pid);
  for (let i = 0; i < 100 && netnsInodeOf(pid) === host; i += 1) await pause(20);
  await pause(50);
  return Object.assign(child, { pid });
}

function fakeContainer(i: number, pid: number): NetContainer {
  return {
    id: i.toString(16).padStart(64, '0'),
    name: `ns-${i}`,
    image: 'bench',
    imageId: 'sha256:bench',
    workload: `ns-${i}`,
    pid,
    runtime: 'runc',
    addresses: [],
    netnsOf: undefined,
    networkMode: 'bench',
    mounts: [],
  };
}

async function pollingCost(): Promise<string[]> {
  const units: NamespaceUnit[] = [];
  const load = loadWatchAddon();
  for (let i = 0; i < NAMESPACES; i += 1) {
    // one listener and one loopback connection per namespace (3 sockets), like a small service
    // idle clients (lead's fix): streaming /dev/zero from 100 namespaces saturated both cores of the shared machine
    const p = await namespaceProcess(
      'busybox nc -ll -p 8080 -e cat & sleep 0.2; sleep 600 | busybox nc 127.0.0.1 8080 >/dev/null & exec sleep 600',
    );
    const inode = netnsInodeOf(p.pid);
    if (inode === undefined) throw new Error('namespace not ready');
    const c = fakeContainer(i, p.pid);
    units.push({ inode, pid: p.pid, containers: [c], primary: c });
  }
  await pause(500);
  const inodes = new Set(units.map((u) => u.inode));
  const walls: number[] = [];
  const cpu: number[] = [];
  const unixWalls: number[] = [];
  let rows = 0;
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const scan = scanProcesses(inodes);
    rows = 0;
    for (const u of units) rows += pollNamespace(u, scan, Date.now()).observations.length;
    walls.push(Number(process.hrtime.bigint() - t0) / 1000);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    // BH-N-004's unix-socket dump (sock_diag), which runs in every namespace every cycle
    if (load.ok) {
      const t1 = process.hrtime.bigint();
      for (const u of units) load.addon.unixSockets(`/proc/${u.pid}/ns/net`);
      unixWalls.push(Number(process.hrtime.bigint() - t1) / 1000 / units.length);
    }
    await pause(200);
  }
  const median = pct(walls, 50);
  // the kernel walks its whole TCP hash for every read of a namespace's tcp table: measure that alone
  const first = units[0];
  const tcpCpu: number[] = [];
  for (let i = 0; first !== undefined && i < 50; i += 1) {
    const c0 = process.cpuUsage();
    readFileSync(`/proc/${first.pid}/net/tcp`);
    readFileSync(`/proc/${first.pid}/net/tcp6`);
    const c1 = process.cpuUsage(c0);
    tcpCpu.push(c1.user + c1.system);
  }
  return [
    `## Polling cost (${NAMESPACES} network namespaces, ${CYCLES} cycles)`,
    '',
    `Each namespace: a busybox listener and one loopback connection (3 processes). One cycle = one /proc scan for socket owners plus the four socket tables of every namespace; ${rows} connection observations per cycle.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| cycle wall time p50 / p99 | ${(median / 1000).toFixed(1)} ms / ${(pct(walls, 99) / 1000).toFixed(1)} ms |`,
    `| per namespace per cycle (p50) | ${(median / NAMESPACES).toFixed(0)} µs |`,
    `| CPU per cycle (p50) | ${pct(cpu, 50).toFixed(1)} ms |`,
    `| CPU at the default 1 s interval, every namespace read every cycle | ${((pct(cpu, 50) / 1000) * 100).toFixed(1)} % of one core |`,
    `| of which reading one namespace's tcp + tcp6 tables (p50) | ${pct(tcpCpu, 50).toFixed(0)} µs CPU |`,
    `| watch net at steady state (idle namespaces re-read every ${FULL_POLL_EVERY} cycles, NFLOG announces the rest) | ~${((pct(cpu, 50) / 1000 / FULL_POLL_EVERY) * 100).toFixed(1)} % of one core |`,
    `| unix-socket dump (sock_diag, BH-N-004) per namespace per cycle, p50 / p99 | ${load.ok ? `${pct(unixWalls, 50).toFixed(0)} µs / ${pct(unixWalls, 99).toFixed(0)} µs` : `not measured: ${load.reason}`} |`,
    '',
  ];
}

/** Two namespaces joined by a veth pair: server 10.213.9.1 (listener on 8080), client 10.213.9.2. */
async function pair(): Promise<{ server: number; client: number }> {
  const server = await namespaceProcess('exec sleep 600');
  const client = await namespaceProcess('exec sleep 600');
  // until both ends are moved into the namespaces the pair is the host's: deleting one end deletes both
  onUndo('veth pair bhbench0/bhbench1', () => {
    try {
      execFileSync('ip', ['link', 'del', 'bhbench0'], { stdio: 'ignore' });
    } catch {
      // moved into a namespace (gone with it) or never made
    }
  });
  execFileSync('ip', ['link', 'add', 'bhbench0', 'type', 'veth', 'peer', 'name', 'bhbench1']);
  execFileSync('ip', ['link', 'set', 'bhbench0', 'netns', String(server.pid)]);
  execFileSync('ip', ['link', 'set', 'bhbench1', 'netns', String(client.pid)]);
  const inNs = (pid: number, args: string[]): void => {
    execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', ...args]);
  };
  inNs(server.pid, ['addr', 'add', '10.213.9.1/24', 'dev', 'bhbench0']);
  inNs(server.pid, ['link', 'set', 'bhbench0', 'up']);
  inNs(client.pid, ['addr', 'add', '10.213.9.2/24', 'dev', 'bhbench1']);
  inNs(client.pid, ['link', 'set', 'bhbench1', 'up']);
  const listener = spawn('nsenter', [`--net=/proc/${server.pid}/ns/net`, 'python3', '-c', PY_SERVER], {
    stdio: 'ignore',
  });
  onUndo('veth listener', () => {
    listener.kill('SIGKILL');
  });
  await pause(500);
  return { server: server.pid, client: client.pid };
}

const PY_SERVER = `
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.213.9.1', 8080)); s.listen(512)
while True:
    c, _ = s.accept(); c.close()
`;

/** Python client: N connections, each held `hold` seconds; prints "port connect_wall_ms setup_us" per connection. */
const pyClient = (n: number, hold: number): string => `
import socket, time
for i in range(${n}):
    c = socket.socket()
    t0 = time.perf_counter(); w = time.time()
    try:
        c.connect(('10.213.9.1', 8080)); ok = 1
    except OSError:
        ok = 0
    t1 = time.perf_counter()
    print(c.getsockname()[1], round(w * 1000, 3), round((t1 - t0) * 1e6, 1), ok, flush=True)
    time.sleep(${hold}); c.close(); time.sleep(0.01)
`;

/** The Python client in the namespace of `pid`; an interrupt kills it (execFile's signal). */
async function runClient(
  pid: number,
  n: number,
  hold: number,
): Promise<{ port: number; wallMs: number; setupUs: number; ok: boolean }[]> {
  const { stdout: out } = await execFileAsync(
    'nsenter',
    [`--net=/proc/${pid}/ns/net`, 'python3', '-c', pyClient(n, hold)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, signal: abort.signal },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [port = '0', wall = '0', setup = '0', ok = '0'] = line.split(' ');
      return { port: Number(port), wallMs: Number(wall), setupUs: Number(setup), ok: ok === '1' };
    });
}

async function detectionLatency(client: number): Promise<string[]> {
  const N = CONNECTIONS;
  onUndo('nft table in the client namespace', async () => {
    await removeTable(client);
  });
  await applyTable(client, { mode: 'observe' });
  const seen = new Map<number, number>();
  const reader = startNflogReader({
    pid: client,
    groups: [NFLOG_NEW_GROUP, NFLOG_DENY_GROUP],
    onPacket: (p: NflogPacket) => {
      if (p.dport === 8080 && !seen.has(p.sport)) seen.set(p.sport, Date.now());
    },
  });
  onUndo('NFLOG reader of the client namespace', () => {
    reader.stop();
  });
  await reader.ready;
  // meanwhile, /proc polling alone at the default 1 s interval: how many of the 50 ms connections would it see?
  const inode = netnsInodeOf(client);
  if (inode === undefined) throw new Error('client namespace gone');
  const c = fakeContainer(9999, client);
  const unit: NamespaceUnit = { inode, pid: client, containers: [c], primary: c };
  const polled = new Set<number>();
  const state = { polling: true };
  const poller = (async () => {
    while (state.polling && !abort.signal.aborted) {
      const scan = scanProcesses(new Set([inode]));
      for (const o of pollNamespace(unit, scan, Date.now()).observations)
        if (o.serverPort === 8080) polled.add(o.clientPort);
      await sleep(1000);
    }
  })();
  const conns = await runClient(client, N, 0.05).finally(() => {
    state.polling = false;
  });
  await pause(500);
  await poller;
  reader.stop();
  await removeTable(client);

  const latencies = conns.flatMap((k) => {
    const at = seen.get(k.port);
    return at === undefined ? [] : [at - k.wallMs];
  });
  return [
    `## New-flow detection (${N} connections living 50 ms)`,
    '',
    "Latency = time the NFLOG packet reached bulkhead (Date.now in the reader callback) minus the client's wall clock just before connect().",
    '',
    '| metric | value |',
    '|---|---|',
    `| detected by NFLOG | ${latencies.length} / ${N} |`,
    `| detection latency p50 / p99 | ${pct(latencies, 50).toFixed(1)} ms / ${pct(latencies, 99).toFixed(1)} ms |`,
    `| seen by /proc polling alone (1 s interval) | ${polled.size} / ${N} |`,
    '',
  ];
}

function setupLatency(server: number, client: number): Promise<string[]> {
  return (async () => {
    const N = CONNECTS;
    await runClient(client, 50, 0); // warm up
    const without = (await runClient(client, N, 0)).map((r) => r.setupUs);
    onUndo('nft tables of the veth pair', async () => {
      await removeTable(client);
      await removeTable(server);
    });
    // deny tables on both sides with the edge allowed: the client's out chain and the server's in chain
    await applyTable(client, {
      mode: 'deny',
      allow: [
        { direction: 'out', proto: 'tcp', port: 8080, peer: { kind: 'addresses', addrs: ['10.213.9.1'] } },
      ],
    });
    await applyTable(server, {
      mode: 'deny',
      allow: [
        { direction: 'in', proto: 'tcp', port: 8080, peer: { kind: 'addresses', addrs: ['10.213.9.2'] } },
      ],
    });
    await runClient(client, 50, 0);
    const withTable = await runClient(client, N, 0);
    await removeTable(client);
    await removeTable(server);
    const ok = withTable.filter((r) => r.ok).length;
    const w = withTable.map((r) => r.setupUs);
    return [
      `## Connection setup latency added by the deny table (${N} connects over a veth pair)`,
      '',
      'connect() wall time in the client (Python, time.perf_counter), tables on both ends with the edge allowed (every SYN passes the established check, the allow rule, ct state new and one NFLOG log).',
      '',
      '| | p50 | p99 |',
      '|---|---|---|',
      `| no table | ${pct(without, 50).toFixed(0)} µs | ${pct(without, 99).toFixed(0)} µs |`,
      `| bulkhead deny table, edge allowed | ${pct(w, 50).toFixed(0)} µs | ${pct(w, 99).toFixed(0)} µs |`,
      `| added | ${(pct(w, 50) - pct(without, 50)).toFixed(0)} µs | ${(pct(w, 99) - pct(without, 99)).toFixed(0)} µs |`,
      '',
      `Connections accepted with the table: ${ok} / ${N}.`,
      '',
    ];
  })();
}

const CLK_TCK = 100;

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15), 0 when it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

function rssMiBOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Our children named `comm` (the monitor's tcpdump readers: nsenter execs tcpdump in place). */
function childrenNamed(comm: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) return [];
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid
        ? [Number(entry)]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * The whole stage (NetMonitor: Engine API list, /proc scan, socket tables, unix dumps, one tcpdump reader and one
 * table per namespace) over CONTAINERS busybox containers of a private dockerd, at the default 1 s interval.
 */
async function containerStage(): Promise<string[]> {
  const dir = mkdtempSync('/tmp/bh-bnet-');
  onUndo(`engine dir ${dir}`, () => {
    rmSync(dir, { recursive: true, force: true });
  });
  checkpoint();
  const engine = await startEngine({ dir });
  onUndo(`private dockerd ${engine.pid}`, () => engine.stop());
  checkpoint();
  const image = 'bulkhead-bench/busybox:latest';
  importBusybox(engine, image);
  checkpoint();
  const network = 'bh-bench-net';
  engine.docker(['network', 'create', '--internal', '--subnet', '10.213.11.0/24', network]);
  const ids: string[] = [];
  onUndo(`containers and network ${network}`, async () => {
    // one rm -f for all (dockerd's shutdown would stop them one by one with a grace period)
    if (ids.length > 0) await execFileAsync('/usr/bin/docker', ['--host', engine.host, 'rm', '-f', ...ids]);
    await execFileAsync('/usr/bin/docker', ['--host', engine.host, 'network', 'rm', network]);
  });
  // like the namespaces above: a listener and one idle loopback connection each; four docker runs at a time
  const script =
    'nc -ll -p 8080 -e cat & sleep 0.2; sleep 3600 | nc 127.0.0.1 8080 >/dev/null & exec sleep 3600';
  for (let i = 0; i < CONTAINERS; i += 4) {
    checkpoint();
    const batch = Array.from({ length: Math.min(4, CONTAINERS - i) }, (_, k) => `bh-bench-${i + k}`);
    const started = await Promise.all(
      batch.map((name) =>
        execFileAsync('/usr/bin/docker', [
          '--host',
          engine.host,
          'run',
          '-d',
          '--name',
          name,
          '--network',
          network,
          image,
          'sh',
          '-c',
          script,
        ]),
      ),
    );
    ids.push(...started.map((r) => r.stdout.trim()));
  }
  const docker = new Docker({ socketPath: engine.socket });
  const storeDir = mkdtempSync(join(tmpdir(), 'bh-bench-net-store-'));
  onUndo(`store ${storeDir}`, () => {
    rmSync(storeDir, { recursive: true, force: true });
  });
  const store = new NetStore(join(storeDir, 'watch.db'));
  onUndo('store', () => {
    store.close();
  });
  const monitor = new NetMonitor({
    docker,
    mode: 'alert',
    profilesDir: join(storeDir, 'profiles'),
    store,
    intervalMs: 1000,
  });
  onUndo('network monitor (its tables and NFLOG readers)', () => monitor.stop());
  const setup0 = Date.now();
  await monitor.start();
  const setupMs = Date.now() - setup0;
  const readers = childrenNamed('tcpdump');
  // --print-state (bench-cleanup.test.ts): everything this run makes exists from here on
  if (PRINT_STATE)
    process.stderr.write(
      `bench-state ${JSON.stringify({ engineDir: dir, dockerd: engine.pid, containers: ids, network, readers })}\n`,
    );
  await pause(2000); // the first cycles after start-up re-read every namespace
  const status0 = monitor.status();
  const cpu0 = process.cpuUsage();
  const readers0 = readers.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const dockerd0 = cpuMsOf(engine.pid);
  const wall0 = Date.now();
  const polls: number[] = [];
  const unix: number[] = [];
  for (let cycles = status0.cycles; Date.now() - wall0 < MONITOR_SECONDS * 1000;) {
    await pause(200);
    const status = monitor.status();
    if (status.cycles === cycles) continue;
    cycles = status.cycles;
    polls.push(status.lastCycleUs);
    const u = monitor.engineSockets;
    if (u.lastNamespaces > 0) unix.push(u.lastUs / u.lastNamespaces);
  }
  const wallMs = Date.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const readersMs = readers.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - readers0;
  const dockerdMs = cpuMsOf(engine.pid) - dockerd0;
  const status = monitor.status();
  const share = (ms: number): string => `${((ms / wallMs) * 100).toFixed(1)} %`;
  const readersRss = readers.reduce((sum, pid) => sum + rssMiBOf(pid), 0);
  return [
    `## The whole stage at ${CONTAINERS} containers (private dockerd, ${MONITOR_SECONDS} s at the 1 s interval)`,
    '',
    `Each container: busybox with a listener and one idle loopback connection, on an --internal network. \`NetMonitor\` in alert mode with its tables and NFLOG readers, as \`watch net\` runs it. Measured after start-up (${(setupMs / 1000).toFixed(1)} s: ${status.namespaces} tables applied and readers started), over ${polls.length} cycles.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| containers / namespaces watched / unobservable | ${status.containers} / ${status.namespaces} / ${status.unobservable.length} |`,
    `| bulkhead (Node) CPU | ${share((cpu.user + cpu.system) / 1000)} of one core |`,
    `| ${readers.length} tcpdump NFLOG readers, CPU together | ${share(readersMs)} of one core |`,
    `| dockerd answering the per-cycle container list | ${share(dockerdMs)} of one core |`,
    `| poll part of a cycle (/proc scan, due socket tables, unix dumps) p50 / p99 | ${(pct(polls, 50) / 1000).toFixed(1)} ms / ${(pct(polls, 99) / 1000).toFixed(1)} ms |`,
    `| same per namespace (p50) | ${(pct(polls, 50) / Math.max(1, status.namespaces)).toFixed(0)} µs |`,
    `| unix-socket dump per namespace (p50 / p99) | ${unix.length > 0 ? `${pct(unix, 50).toFixed(0)} µs / ${pct(unix, 99).toFixed(0)} µs` : 'not run (no addon or no engine socket)'} |`,
    `| RSS: bulkhead / all tcpdump readers | ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB / ${readersRss.toFixed(0)} MiB |`,
    '',
  ];
}

function memoryAt10k(): string[] {
  global.gc?.();
  const graph = new FlowGraph();
  const resolver = new Resolver({ units: [], networks: [], polls: new Map() });
  const base = process.memoryUsage().heapUsed;
  const obs: FlowObservation[] = [];
  for (let i = 0; i < 10_000; i += 1)
    obs.push({
      netns: 1,
      proto: 'tcp',
      clientAddr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      clientPort: 40000 + (i % 20000),
      serverAddr: '10.213.7.2',
      serverPort: 1000 + (i % 500),
      client: undefined,
      server: undefined,
      source: 'proc',
      time: Date.now(),
    });
  graph.add(obs, resolver);
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - base;
  const dir = mkdtempSync(join(tmpdir(), 'bh-bench-net-'));
  const store = new NetStore(join(dir, 'watch.db'));
  const t0 = process.hrtime.bigint();
  store.write(graph.list(), []);
  const writeMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  const back = store.edges().length;
  const readMs = Number(process.hrtime.bigint() - t1) / 1e6;
  store.close();
  rmSync(dir, { recursive: true, force: true });

  return [
    '## Memory at 10,000 edges',
    '',
    '| metric | value |',
    '|---|---|',
    `| edges in the graph | ${graph.edges.size} |`,
    `| heap for edges + tracked 5-tuples | ${(heap / 1024 / 1024).toFixed(1)} MiB (${Math.round(heap / graph.edges.size)} B per edge) |`,
    `| RSS of the benchmark process | ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB |`,
    `| SQLite write of all edges (one transaction) / read back | ${writeMs.toFixed(0)} ms / ${readMs.toFixed(0)} ms (${back} rows) |`,
    '',
  ];
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const lines = [
    '# Network stage (watch net) benchmarks',
    '',
    `Generated by \`node --import tsx bench/watch-net/net.ts\` on ${new Date().toISOString()} — ${cpus().length} CPUs, load average at start ${load} (the machine is shared; figures under load).`,
    '',
  ];
  try {
    lines.push(...memoryAt10k());
    const { server, client } = await pair();
    lines.push(...(await detectionLatency(client)));
    lines.push(...(await setupLatency(server, client)));
    lines.push(...(await pollingCost()));
    lines.push(...(await containerStage()));
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    await undoAll();
    await reapChildren();
  }
  if (interrupted !== undefined) {
    process.stderr.write(
      `bench: interrupted (${interrupted}); everything it made is removed, no results written\n`,
    );
    process.exitCode = interrupted === 'SIGINT' ? 130 : 143;
    return;
  }
  lines.push(
    `Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
  );
  writeFileSync(OUTPUT, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

await main();
