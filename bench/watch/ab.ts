// Interleaved A/B of `bulkhead watch` builds on one private dockerd: each round measures the container unwatched and
// watched in deny mode by each tree in BENCH_WATCH_AB (label=root,...; each root with its own built addon), in a
// rotating order, so the machine's shared load falls on every variant alike. Per variant: exec latency in the
// container and on the host (spawn-timer.c, p50/p99), a two-container throughput round, the addon's time per
// verdict and the loss counters. Medians over the rounds go to stdout as a markdown table.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { emptyProfile, learnExec, profileFile, saveProfile } from '../../src/watch/profile.js';
import { importBusybox, startEngine } from '../../test/harness/engine.js';

const ROUNDS = Number(process.env['BENCH_WATCH_AB_ROUNDS'] ?? '3');
const LAT_EXECS = Number(process.env['BENCH_WATCH_AB_EXECS'] ?? '3000');
const PER_ROUND = Number(process.env['BENCH_WATCH_AB_THROUGHPUT'] ?? '4000');
// label=root[@NAME=VALUE]: a tree, and optionally one environment variable for its watcher
const variants = (process.env['BENCH_WATCH_AB'] ?? `new=${join(import.meta.dirname, '..', '..')}`)
  .split(',')
  .map((v) => {
    const eq = v.indexOf('=');
    const label = eq < 0 ? v : v.slice(0, eq);
    const rest = eq < 0 ? '' : v.slice(eq + 1);
    const [root = '', envPair] = rest.split('@');
    const env: Record<string, string> = {};
    if (envPair !== undefined)
      env[envPair.slice(0, envPair.indexOf('='))] = envPair.slice(envPair.indexOf('=') + 1);
    return { label, root, env };
  });

const timerSchema = z.object({
  n: z.number(),
  failed: z.number(),
  seconds: z.number(),
  p50: z.number(),
  p99: z.number(),
});
type Timing = z.infer<typeof timerSchema>;
const statusSchema = z.object({
  counters: z.record(z.string(), z.number()),
  verdictLatencyUs: z.object({ avg: z.number(), max: z.number() }),
  detectionLatencyUs: z.object({ p50: z.number(), p99: z.number() }).optional(),
});

// CPU time (user + system, in clock ticks) of each thread of a process, summed by thread name, and of the whole
// machine (/proc/stat): a throughput round's cost per exec, split by where it is spent
const TICK_US = 1e6 / 100;
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const key = /^libuv-worker|^node$|^bh-|^bulkhead/.test(name) ? name : 'other';
      out.set(key, (out.get(key) ?? 0) + ticks);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
function machineBusyTicks(): number {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  return cpu.slice(0, 8).reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
}
function perExec(before: Map<string, number>, after: Map<string, number>, execs: number): string {
  return [...after]
    .map(([name, t]) => [name, ((t - (before.get(name) ?? 0)) * TICK_US) / execs] as const)
    .filter(([, us]) => us >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${us.toFixed(0)}`)
    .join(', ');
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const dir = mkdtempSync('/tmp/bh-ab-');
const engine = await startEngine({ dir: join(dir, 'e') });
const children = new Set<ChildProcess>();
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) c.kill('SIGTERM');
  for (let i = 0; i < 200 && children.size > 0; i++) await sleep(50);
  spawnSync('/usr/bin/docker', ['--host', engine.host, 'rm', '-f', 'b1', 'b2']);
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});

interface Row {
  p50: number;
  p99: number;
  hostP50: number;
  rate: number;
  verdictUs: number;
  lost: number;
  machineUs: number;
  extra: string;
}
const results = new Map<string, Row[]>();
try {
  importBusybox(engine, 'bench/busybox:latest');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  execFileSync('gcc', [
    '-O2',
    '-static',
    '-o',
    join(bin, 'spawn-timer'),
    join(import.meta.dirname, 'spawn-timer.c'),
  ]);
  for (const name of ['b1', 'b2'])
    engine.docker([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'none',
      '-v',
      `${bin}:/bench:ro`,
      'bench/busybox:latest',
      'sleep',
      '100000',
    ]);
  const digest = engine.docker(['inspect', '--format', '{{.Image}}', 'b1']).trim();
  const profiles = join(dir, 'profiles');
  const now = new Date();
  saveProfile(
    profileFile(profiles, digest, 'enforced'),
    learnExec(
      emptyProfile(digest, ['bench/busybox:latest'], now),
      { path: '/bin/true', exe: '/bin/busybox', sha256: undefined, uid: 0, parent: undefined },
      now,
    ),
  );
  const timeIn = (n: number): Timing =>
    timerSchema.parse(
      JSON.parse(engine.docker(['exec', 'b1', '/bench/spawn-timer', String(n), '/bin/true'])),
    );
  const timeHost = (n: number): Timing =>
    timerSchema.parse(
      JSON.parse(execFileSync(join(bin, 'spawn-timer'), [String(n), '/bin/true'], { encoding: 'utf8' })),
    );
  const round = async (): Promise<number> => {
    const runs = await Promise.all(
      ['b1', 'b2'].map(
        (name) =>
          new Promise<Timing>((done, fail) => {
            const p = spawn('/usr/bin/docker', [
              '--host',
              engine.host,
              'exec',
              name,
              '/bench/spawn-timer',
              String(PER_ROUND),
              '/bin/true',
            ]);
            let out = '';
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.on('exit', (code) => {
              if (code === 0) done(timerSchema.parse(JSON.parse(out)));
              else fail(new Error(`exec ${name}`));
            });
          }),
      ),
    );
    return (2 * PER_ROUND) / Math.max(...runs.map((r) => r.seconds));
  };
  timeIn(300);
  const labels = ['unwatched', ...variants.map((v) => v.label)];
  for (let k = 0; k < ROUNDS; k += 1) {
    const order = labels.map((_, i) => labels[(i + k) % labels.length] ?? '');
    for (const label of order) {
      const v = variants.find((x) => x.label === label);
      let child: ChildProcess | undefined;
      const db = join(dir, `${label}-${k}.db`);
      if (v !== undefined) {
        const c = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            'test/harness/bulkhead-dev.ts',
            'watch',
            '--mode',
            'deny',
            '--profiles',
            profiles,
            '--db',
            db,
            '--guard',
            'none',
            '--retention',
            '10000000',
          ],
          {
            cwd: v.root,
            env: { ...process.env, ...v.env, DOCKER_HOST: engine.host },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        children.add(c);
        c.on('exit', () => children.delete(c));
        child = c;
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        while (!err.includes('bulkhead watch: deny mode')) {
          if (c.exitCode !== null) throw new Error(`watch (${label}) exited: ${err}`);
          await sleep(100);
        }
        timeIn(300);
      }
      const lat = timeIn(LAT_EXECS);
      const host = timeHost(LAT_EXECS);
      const threadsBefore = child?.pid === undefined ? new Map<string, number>() : threadTicks(child.pid);
      const busyBefore = machineBusyTicks();
      const rate = await round();
      const machineUs = ((machineBusyTicks() - busyBefore) * TICK_US) / (2 * PER_ROUND);
      const threads =
        child?.pid === undefined ? '' : perExec(threadsBefore, threadTicks(child.pid), 2 * PER_ROUND);
      let verdictUs = NaN;
      let lost = 0;
      let extra = '';
      if (child !== undefined) {
        await sleep(1500);
        const exited = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await exited;
        const sqlite = new Database(db, { readonly: true });
        const body = z
          .object({ body: z.string() })
          .parse(sqlite.prepare('SELECT body FROM status WHERE id = 1').get()).body;
        const trues = z
          .object({ n: z.number() })
          .parse(
            sqlite
              .prepare("SELECT COUNT(*) AS n FROM events WHERE kind = 'exec' AND path = '/bin/true'")
              .get(),
          ).n;
        const withArgv = z
          .object({ n: z.number() })
          .parse(
            sqlite
              .prepare(
                "SELECT COUNT(*) AS n FROM events WHERE kind = 'exec' AND path = '/bin/true' AND argv != '[]'",
              )
              .get(),
          ).n;
        const withPpid = z
          .object({ n: z.number() })
          .parse(
            sqlite
              .prepare(
                "SELECT COUNT(*) AS n FROM events WHERE kind = 'exec' AND path = '/bin/true' AND ppid > 0",
              )
              .get(),
          ).n;
        sqlite.close();
        const st = statusSchema.parse(JSON.parse(body));
        const c = st.counters;
        verdictUs = st.verdictLatencyUs.avg;
        lost =
          (c['procOverflows'] ?? 0) +
          (c['procDrops'] ?? 0) +
          (c['gateOverflows'] ?? 0) +
          (c['gateDrops'] ?? 0);
        const expected = 300 + LAT_EXECS + 2 * PER_ROUND;
        extra = `/bin/true rows ${trues} (expected ≥ ${expected}), argv ${withArgv}, ppid ${withPpid}, detection p99 ${((st.detectionLatencyUs?.p99 ?? NaN) / 1000).toFixed(1)} ms, procSkipped ${c['procSkipped'] ?? '-'}, infoMissed ${c['infoMissed'] ?? '-'}`;
      }
      extra += `${extra === '' ? '' : ', '}CPU µs per exec in the throughput round: machine ${machineUs.toFixed(0)}${threads === '' ? '' : `, watcher threads: ${threads}`}`;
      const row: Row = {
        p50: lat.p50,
        p99: lat.p99,
        hostP50: host.p50,
        rate,
        verdictUs,
        lost,
        machineUs,
        extra,
      };
      results.set(label, [...(results.get(label) ?? []), row]);
      process.stderr.write(`round ${k} ${label}: ${JSON.stringify(row)} load ${loadavg()}\n`);
    }
  }
  const out = [
    `A/B, ${ROUNDS} interleaved rounds (load at the end ${loadavg()}); medians over rounds`,
    '',
    '| variant | exec p50 in container | p99 | host p50 | throughput 2 containers | machine CPU µs/exec | addon µs/verdict | lost |',
    '|---|---|---|---|---|---|---|---|',
    ...labels.map((l) => {
      const rs = results.get(l) ?? [];
      const m = (f: (r: Row) => number): string => median(rs.map(f)).toFixed(0);
      return `| ${l} | ${m((r) => r.p50)} µs | ${m((r) => r.p99)} µs | ${m((r) => r.hostP50)} µs | ${m((r) => r.rate)}/s | ${m((r) => r.machineUs)} | ${m((r) => r.verdictUs)} | ${m((r) => r.lost)} |`;
    }),
  ];
  process.stdout.write(out.join('\n') + '\n');
} finally {
  await cleanup();
}
