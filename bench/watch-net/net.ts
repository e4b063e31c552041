// Benchmarks the network stage (issue 12): /proc polling cost per network namespace per cycle and CPU at 100
// namespaces, new-flow detection latency (NFLOG) for connections living 50 ms, memory at 10,000 edges, and the
// connection setup latency bulkhead's deny table adds. Namespaces are made with unshare(1) and joined by one
// veth pair; every packet stays inside them. Writes bench/results/watch-net.md.
// Run (root): node --import tsx bench/watch-net/net.ts [--namespaces 100] [--cycles 20]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowGraph, Resolver } from '../../src/net/graph.js';
import { FULL_POLL_EVERY } from '../../src/net/monitor.js';
import type { NamespaceUnit } from '../../src/net/namespaces.js';
import { applyTable, removeTable, NFLOG_DENY_GROUP, NFLOG_NEW_GROUP } from '../../src/net/nft.js';
import { startNflogReader, type NflogPacket } from '../../src/net/nflog.js';
import { pollNamespace } from '../../src/net/poll.js';
import { netnsInodeOf, scanProcesses } from '../../src/net/procfs.js';
import { NetStore } from '../../src/net/store.js';
import type { FlowObservation, NetContainer } from '../../src/net/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const NAMESPACES = arg('namespaces', 100);
const CYCLES = arg('cycles', 20);
const children: ChildProcess[] = [];

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A process alone in a new network namespace running `script` (sh); resolves once its netns differs from ours. */
async function namespaceProcess(script: string): Promise<ChildProcess & { pid: number }> {
  // its own process group, so the cleanup kills the background servers with it (by group id, nothing else)
  const child = spawn('unshare', ['--net', 'sh', '-c', `ip link set lo up; ${script}`], {
    stdio: 'ignore',
    detached: true,
  });
  children.push(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  const host = netnsInodeOf(process.pid);
  for (let i = 0; i < 100 && netnsInodeOf(pid) === host; i += 1) await sleep(20);
  await sleep(50);
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
  await sleep(500);
  const inodes = new Set(units.map((u) => u.inode));
  const walls: number[] = [];
  const cpu: number[] = [];
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
    await sleep(200);
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
    '',
  ];
}

/** Two namespaces joined by a veth pair: server 10.213.9.1 (listener on 8080), client 10.213.9.2. */
async function pair(): Promise<{ server: number; client: number }> {
  const server = await namespaceProcess('exec sleep 600');
  const client = await namespaceProcess('exec sleep 600');
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
  children.push(listener);
  await sleep(500);
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

function runClient(
  pid: number,
  n: number,
  hold: number,
): { port: number; wallMs: number; setupUs: number; ok: boolean }[] {
  const out = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'python3', '-c', pyClient(n, hold)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [port = '0', wall = '0', setup = '0', ok = '0'] = line.split(' ');
      return { port: Number(port), wallMs: Number(wall), setupUs: Number(setup), ok: ok === '1' };
    });
}

async function runClientAsync(
  pid: number,
  n: number,
  hold: number,
): Promise<{ port: number; wallMs: number }[]> {
  return new Promise((done, fail) => {
    const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, 'python3', '-c', pyClient(n, hold)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('error', fail);
    child.once('close', () => {
      done(
        out
          .trim()
          .split('\n')
          .map((line) => {
            const [port = '0', wall = '0'] = line.split(' ');
            return { port: Number(port), wallMs: Number(wall) };
          }),
      );
    });
  });
}

async function detectionLatency(client: number): Promise<string[]> {
  const N = 200;
  await applyTable(client, { mode: 'observe' });
  const seen = new Map<number, number>();
  const reader = startNflogReader({
    pid: client,
    groups: [NFLOG_NEW_GROUP, NFLOG_DENY_GROUP],
    onPacket: (p: NflogPacket) => {
      if (p.dport === 8080 && !seen.has(p.sport)) seen.set(p.sport, Date.now());
    },
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
    while (state.polling) {
      const scan = scanProcesses(new Set([inode]));
      for (const o of pollNamespace(unit, scan, Date.now()).observations)
        if (o.serverPort === 8080) polled.add(o.clientPort);
      await sleep(1000);
    }
  })();
  const conns = await runClientAsync(client, N, 0.05);
  await sleep(500);
  state.polling = false;
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
    const N = 1000;
    runClient(client, 50, 0); // warm up
    const without = runClient(client, N, 0).map((r) => r.setupUs);
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
    runClient(client, 50, 0);
    const withTable = runClient(client, N, 0);
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
  } finally {
    for (const child of children)
      if (child.pid !== undefined)
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
  }
  lines.push(
    `Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
  );
  writeFileSync(join(ROOT, 'bench/results/watch-net.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

await main();
