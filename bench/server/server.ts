// Fleet server benchmark (issue 14): the real `bulkhead server` runs as its own process (SQLite, then a private
// PostgreSQL on a unix socket) and simulated hosts push signed reports from separate pusher processes
// (bench/server/pusher.ts), so the figures are the server's alone; then "hosts affected by CVE X" and the fleet
// page are timed (p50/p95) and every stored inventory is rematched over the API. The server's CPU time and peak
// RSS (VmHWM of its /proc/<pid>/status) are reported separately. SIGINT/SIGTERM stop the children, PostgreSQL and
// remove the work directory. Writes bench/results/server.md.
// Usage: node --import tsx bench/server/server.ts [--hosts 1000] [--containers 50] [--packages 200] [--images 100]
//        [--concurrency 16] [--pushers 2] [--budget-s 300] [--only sqlite|postgres] [--cpu-prof DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBulkhead } from '../../test/harness/cli.js';
import { startPostgres, type Postgres } from '../../test/harness/postgres.js';
import { createEnrolmentToken, createTenant } from '../../src/server/access.js';
import { enrolHost } from '../../src/server/ingest.js';
import { openStore, type StoreLocation } from '../../src/server/store.js';
import { FEED, type FleetShape } from './fleet-sim.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    containers: { type: 'string', default: '50' },
    packages: { type: 'string', default: '200' },
    images: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    pushers: { type: 'string', default: '2' },
    'budget-s': { type: 'string', default: '300' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, '../results/server.md') },
  },
});
const shape: FleetShape = {
  hosts: Number(values.hosts),
  containers: Number(values.containers),
  packages: Number(values.packages),
  images: Number(values.images),
};
const CONCURRENCY = Number(values.concurrency);
const PUSHERS = Math.max(1, Number(values.pushers));
const BUDGET_MS = Number(values['budget-s']) * 1000;
const ROOT = join(import.meta.dirname, '../..');

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

// everything started here, stopped newest first on SIGINT/SIGTERM or at the end
const children = new Set<ChildProcess>();
let postgres: Postgres | undefined;
const work = mkdtempSync(join(tmpdir(), 'bh-bench-server-'));
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const child of [...children].reverse()) child.kill('SIGTERM');
  await postgres?.stop().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });

/** A process's peak resident set (VmHWM) and CPU seconds (utime + stime) from /proc. */
function procStats(pid: number): { hwmMb: number; rssMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of proc(5))
  return { hwmMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024), cpuS: ticks / 100 };
}

/**
 * CPU seconds of a PostgreSQL instance: the postmaster's own, its reaped children's (cutime + cstime, so backends
 * that exited still count) and every live child's (backends, walwriter, autovacuum).
 */
function postgresCpuS(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const fieldsOf = (pid: number | string): string[] => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = fieldsOf(postmaster);
  // utime, stime, cutime, cstime are fields 14-17 of proc(5); ppid is field 4
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fieldsOf(entry);
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile: its time is in the postmaster's cutime/cstime now
    }
  }
  return ticks / 100;
}

function startChild(args: readonly string[], nodeFlags: readonly string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else
      child.once('exit', (code) => {
        resolve(code);
      });
  });
}

async function startServerProcess(
  location: StoreLocation,
  vulndbPath: string,
  profileDir: string | undefined,
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const store = location.kind === 'sqlite' ? ['--data', location.dir] : ['--database', location.url];
  const flags = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const child = startChild(
    ['src/cli/run.ts', 'server', '--listen', '127.0.0.1:0', ...store, '--db', vulndbPath],
    flags,
  );
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`bulkhead server exited ${String(code)}: ${log}`));
    });
  });
  return { child, url, log: () => log };
}

interface Result {
  store: string;
  pushed: number;
  /** Images sent as references {digest, inventoryHash} in place of an inventory; reports re-sent in full. */
  references: number;
  resent: number;
  seconds: number;
  perSecond: number;
  serverCpuPerReportMs: number;
  /** PostgreSQL's CPU (every backend and helper process) per report during ingest; undefined on SQLite. */
  postgresCpuPerReportMs: number | undefined;
  /** The pusher processes' CPU per report (signing, JSON, HTTP), on the same cores. */
  pusherCpuPerReportMs: number;
  cveP50: number;
  cveP95: number;
  cveRows: string;
  pageP50: number;
  pageP95: number;
  /** Bytes of the fleet page's HTML as served (the default view). */
  pageBytes: number;
  rematchMs: number;
  rematchImages: number;
  hwmIngestMb: number;
  hwmMb: number;
}

async function runOne(
  name: string,
  location: StoreLocation,
  vulndbPath: string,
  postgresData?: string,
): Promise<Result> {
  // tenants, enrolment tokens and enrolled keys are written before the server starts (setup, not measured)
  const store = await openStore(location);
  const keys: string[] = [];
  let apiToken: string;
  try {
    apiToken = (await createTenant(store.db, 'bench', [{}])).token;
    for (let h = 0; h < shape.hosts; h += 1) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const token = (await createEnrolmentToken(store.db, undefined, { rack: String(h % 20) })).token;
      await enrolHost(store.db, {
        token,
        publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
        name: `host-${h}`,
        labels: {},
      });
      keys.push(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    }
  } finally {
    await store.close();
  }
  const keysFile = join(work, `${name}-keys.json`);
  writeFileSync(keysFile, JSON.stringify(keys));
  const server = await startServerProcess(location, vulndbPath, values['cpu-prof']);
  const pid = server.child.pid ?? 0;
  try {
    const cpuBefore = procStats(pid).cpuS;
    const pgCpuBefore = postgresData === undefined ? 0 : postgresCpuS(postgresData);
    const per = Math.ceil(shape.hosts / PUSHERS);
    const pushers = Array.from({ length: PUSHERS }, (_, p) =>
      startChild([
        'bench/server/pusher.ts',
        '--url',
        server.url,
        '--keys',
        keysFile,
        '--shape',
        JSON.stringify(shape),
        '--from',
        String(p * per),
        '--to',
        String(Math.min(shape.hosts, (p + 1) * per)),
        '--concurrency',
        String(Math.max(1, Math.round(CONCURRENCY / PUSHERS))),
        '--budget-ms',
        String(BUDGET_MS),
      ]),
    );
    const outcomes = await Promise.all(
      pushers.map(async (child) => {
        let out = '';
        let err = '';
        child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
        const code = await exited(child);
        if (code !== 0) throw new Error(`pusher exited ${code}: ${err}`);
        return JSON.parse(out) as {
          pushed: number;
          references: number;
          resent: number;
          errors: string[];
          ms: number;
          cpuMs: number;
        };
      }),
    );
    const errors = outcomes.flatMap((o) => o.errors);
    if (errors.length > 0) throw new Error(`pushes refused: ${errors.join('; ')}`);
    const pushed = outcomes.reduce((n, o) => n + o.pushed, 0);
    const references = outcomes.reduce((n, o) => n + o.references, 0);
    const resent = outcomes.reduce((n, o) => n + o.resent, 0);
    const pusherCpuMs = outcomes.reduce((n, o) => n + o.cpuMs, 0);
    const seconds = Math.max(...outcomes.map((o) => o.ms)) / 1000;
    const afterIngest = procStats(pid);
    const pgCpuAfter = postgresData === undefined ? 0 : postgresCpuS(postgresData);
    const get = async (path: string, init: RequestInit = {}): Promise<{ ms: number; body: string }> => {
      const t = performance.now();
      const response = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiToken}` },
      });
      const body = await response.text();
      if (response.status !== 200)
        throw new Error(`${path} answered ${response.status}: ${body.slice(0, 300)}`);
      return { ms: performance.now() - t, body };
    };
    const timed = async (path: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i += 1) out.push((await get(path)).ms);
      return out;
    };
    // the CVE on the most hosts, from the overview's top CVEs
    const overview = JSON.parse((await get('/api/v1/overview')).body) as { topCves: { id: string }[] };
    const cveId = overview.topCves[0]?.id ?? 'CVE-2000-0001';
    const first = JSON.parse((await get(`/api/v1/cves/${cveId}`)).body) as Record<string, unknown>;
    const totals = first['totals'] as { hosts: number; containers: number; images: number } | undefined;
    const cveRows =
      totals === undefined
        ? `${(first['affected'] as unknown[] | undefined)?.length ?? 0} rows`
        : `${totals.hosts} hosts, ${totals.containers} containers, ${totals.images} images`;
    const cve = await timed(`/api/v1/cves/${cveId}`, 40);
    const page = await timed('/', 20);
    const pageBytes = Buffer.byteLength((await get('/')).body);
    const rematch = JSON.parse((await get('/api/v1/rematch', { method: 'POST' })).body) as {
      ms?: number;
      images?: number;
    };
    const end = procStats(pid);
    return {
      store: name,
      pushed,
      references,
      resent,
      seconds,
      perSecond: pushed / seconds,
      serverCpuPerReportMs: ((afterIngest.cpuS - cpuBefore) * 1000) / Math.max(1, pushed),
      pusherCpuPerReportMs: pusherCpuMs / Math.max(1, pushed),
      postgresCpuPerReportMs:
        postgresData === undefined ? undefined : ((pgCpuAfter - pgCpuBefore) * 1000) / Math.max(1, pushed),
      cveP50: percentile(cve, 50),
      cveP95: percentile(cve, 95),
      cveRows: `${cveId}: ${cveRows}`,
      pageP50: percentile(page, 50),
      pageP95: percentile(page, 95),
      pageBytes,
      rematchMs: rematch.ms ?? -1,
      rematchImages: rematch.images ?? 0,
      hwmIngestMb: afterIngest.hwmMb,
      hwmMb: end.hwmMb,
    };
  } finally {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const vulndbPath = join(work, 'vulndb.sqlite');
  const imported = await runBulkhead(['db', 'import', '--quiet', '--db', vulndbPath, FEED]);
  if (imported.code !== 0) throw new Error(imported.stderr);
  const results: Result[] = [];
  if (values.only !== 'postgres')
    results.push(await runOne('SQLite', { kind: 'sqlite', dir: join(work, 'sqlite') }, vulndbPath));
  if (values.only !== 'sqlite') {
    postgres = await startPostgres();
    results.push(
      await runOne(
        'PostgreSQL',
        { kind: 'postgres', url: postgres.url },
        vulndbPath,
        join(postgres.dir, 'data'),
      ),
    );
  }
  const f = (n: number): string => n.toFixed(1);
  const command = `node --import tsx bench/server/server.ts --hosts ${shape.hosts} --containers ${shape.containers} --packages ${shape.packages} --images ${shape.images} --concurrency ${CONCURRENCY} --pushers ${PUSHERS} --budget-s ${BUDGET_MS / 1000}`;
  const lines = [
    '# Fleet server benchmark',
    '',
    `\`${command}\``,
    '',
    `Simulated hosts: ${shape.hosts} × ${shape.containers} containers over ${shape.images} distinct images of ${shape.packages} packages (real Debian source names from the shared bookworm feed, so findings exist); each report covers the ${Math.min(shape.containers, shape.images)} images it runs, and, like the agent, a pusher first asks the server (\`POST /api/v1/inventories/missing\`, signed) which inventories it still needs and sends the others as references {digest, inventoryHash}. The server is \`bulkhead server\` in its own process; ${PUSHERS} pusher processes sign and send with ${CONCURRENCY} requests in flight in all, on the same 2-core machine (they take CPU from the server). PostgreSQL 15 is the test harness's private instance (unix socket, fsync off). Load average at start: ${load} (the machine is shared with other work). Run ${new Date().toISOString()}.`,
    '',
    '| store | reports pushed | seconds | reports/s | server CPU ms / report | PostgreSQL CPU ms / report | pushers CPU ms / report | CVE query p50 / p95 ms | fleet page p50 / p95 ms | fleet page KB | rematch ms (images) | server peak RSS MiB after ingest / at end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.store} | ${r.pushed} | ${f(r.seconds)} | ${f(r.perSecond)} | ${f(r.serverCpuPerReportMs)} | ${r.postgresCpuPerReportMs === undefined ? '-' : f(r.postgresCpuPerReportMs)} | ${f(r.pusherCpuPerReportMs)} | ${f(r.cveP50)} / ${f(r.cveP95)} | ${f(r.pageP50)} / ${f(r.pageP95)} | ${f(r.pageBytes / 1024)} | ${r.rematchMs} (${r.rematchImages}) | ${r.hwmIngestMb} / ${r.hwmMb} |`,
    ),
    '',
    `Images sent by reference: ${results.map((r) => `${r.store} ${r.references} of ${r.pushed * Math.min(shape.containers, shape.images)} (${r.resent} reports re-sent in full after a refused reference)`).join('; ')}.`,
    '',
    `CVE queried: ${results.map((r) => `${r.store} ${r.cveRows}`).join('; ')}. RSS is VmHWM of the server process only.`,
    '',
  ];
  writeFileSync(values.out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

try {
  await main();
} finally {
  await cleanup();
}
