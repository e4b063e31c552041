// bulkhead watch benchmark (issue 11 targets): exec latency inside a container unwatched vs watched in deny mode
// and on the host; exec throughput across two containers, unwatched and watched, with the drop counters;
// attribution; kernel event -> committed SQLite row latency; watcher RSS over the real rounds, and over 1,000,000
// events replayed from recorded real batches (bench/watch/replay.ts). Own private dockerd; SIGINT stops the
// watcher (its marks go with it), removes the containers and the daemon. Writes bench/results/watch.md.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { emptyProfile, learnExec, profileFile, saveProfile } from '../../src/watch/profile.js';
import { importBusybox, startEngine } from '../../test/harness/engine.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ROUNDS = Number(process.env['BENCH_WATCH_ROUNDS'] ?? '8');
const PER_ROUND = Number(process.env['BENCH_WATCH_EXECS'] ?? '6000');
const UNWATCHED_ROUNDS = Number(process.env['BENCH_WATCH_UNWATCHED_ROUNDS'] ?? '3');
const REPLAY_EVENTS = Number(process.env['BENCH_WATCH_REPLAY_EVENTS'] ?? '1000000');
const REPLAY_RETENTION = Number(process.env['BENCH_WATCH_REPLAY_RETENTION'] ?? '200000');

const replaySchema = z.object({
  recordedBatches: z.number(),
  recordedRecords: z.number(),
  recordedGateExecs: z.number(),
  stored: z.number(),
  seconds: z.number(),
  rows: z.number(),
  retention: z.number(),
  dbMiB: z.number(),
  walMiB: z.number(),
  detection: z.object({ n: z.number(), p50: z.number(), p99: z.number(), max: z.number() }),
  samples: z.array(z.object({ events: z.number(), rssMiB: z.number(), heapMiB: z.number() })),
});

const timerSchema = z.object({
  n: z.number(),
  failed: z.number(),
  seconds: z.number(),
  p50: z.number(),
  p99: z.number(),
});
type Timing = z.infer<typeof timerSchema>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

const NOTES_MARKER = '<!-- notes: kept by bench/watch/watch.ts -->';

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** RSS after each round (every k-th of a long run, and the last), labelled by the events stored by then. */
function rssCell(rssKiBs: readonly number[], perRound: number): string {
  const every = Math.max(1, Math.ceil(rssKiBs.length / 12));
  const shown = rssKiBs
    .map((k, i) => ({ k, i }))
    .filter(({ i }) => i % every === 0 || i === rssKiBs.length - 1);
  return `after each round${every === 1 ? '' : ` (every ${every}th)`}: ${shown.map(({ k, i }) => `${Math.round((i * perRound) / 1000)}k: ${(k / 1024).toFixed(1)}`).join(', ')} MiB`;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

const loadStart = loadavg();
const dir = mkdtempSync('/tmp/bh-bw-');
const engine = await startEngine({ dir: join(dir, 'e') });
const lines: string[] = [];
// children to stop on SIGINT: the watcher (SIGTERM removes its marks), the replay, docker exec loops, perf
const children = new Set<ChildProcess>();
const track = (c: ChildProcess): ChildProcess => {
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
};
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) c.kill('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (children.size > 0 && Date.now() < deadline) await sleep(50);
  for (const c of children) c.kill('SIGKILL');
  spawnSync('/usr/bin/docker', ['--host', engine.host, 'rm', '-f', 'b1', 'b2']);
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  process.stderr.write('bench/watch: interrupted, cleaning up\n');
  void cleanup().then(() => process.exit(130));
});
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
  // one throughput round: both containers exec PER_ROUND times at once; execs/s over the longer of the two
  const round = async (): Promise<number> => {
    const results = await Promise.all(
      ['b1', 'b2'].map(
        (name) =>
          new Promise<Timing>((done, fail) => {
            const p = track(
              spawn('/usr/bin/docker', [
                '--host',
                engine.host,
                'exec',
                name,
                '/bench/spawn-timer',
                String(PER_ROUND),
                '/bin/true',
              ]),
            );
            let out = '';
            p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
            p.on('exit', (code) => {
              if (code === 0) done(timerSchema.parse(JSON.parse(out)));
              else fail(new Error(`exec ${name} failed`));
            });
          }),
      ),
    );
    return (2 * PER_ROUND) / Math.max(...results.map((r) => r.seconds));
  };
  const timeIn = (container: string, n: number): Timing =>
    timerSchema.parse(
      JSON.parse(engine.docker(['exec', container, '/bench/spawn-timer', String(n), '/bin/true'])),
    );
  const timeHost = (n: number): Timing =>
    timerSchema.parse(
      JSON.parse(execFileSync(join(bin, 'spawn-timer'), [String(n), '/bin/true'], { encoding: 'utf8' })),
    );

  // enforced profile: the image's /bin/true only (the timer itself runs from a bind mount)
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

  timeIn('b1', 300); // warm caches
  const unwatched = timeIn('b1', 3000);
  const hostUnwatched = timeHost(3000);
  const unwatchedRates: number[] = [];
  for (let i = 0; i < UNWATCHED_ROUNDS; i += 1) unwatchedRates.push(await round());

  const db = join(dir, 'events.db');
  const child = track(
    spawn(
      process.execPath,
      [
        ...(process.env['BENCH_WATCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
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
        cwd: ROOT,
        env: { ...process.env, DOCKER_HOST: engine.host },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  while (!err.includes('bulkhead watch: deny mode')) {
    if (child.exitCode !== null) throw new Error(`watch exited: ${err}`);
    await sleep(100);
  }
  const pid = child.pid ?? 0;
  const rssStart = rssKiB(pid);
  timeIn('b1', 300);
  const watched = timeIn('b1', 3000);
  const hostWatched = timeHost(3000);

  // throughput and attribution: both containers at once, several rounds; RSS after each round
  const rss: number[] = [rssKiB(pid)];
  const perContainer: Record<string, number> = { b1: 3300, b2: 0 };
  const rates: number[] = [];
  // BENCH_WATCH_PERF=FILE: a system-wide perf profile (cpu-clock) of the throughput rounds only
  const perfOut = process.env['BENCH_WATCH_PERF'];
  const perf =
    perfOut === undefined
      ? undefined
      : track(
          spawn('perf', ['record', '-a', '-g', '-F', '499', '-e', 'cpu-clock', '-o', perfOut], {
            stdio: 'ignore',
          }),
        );
  if (perf !== undefined) {
    process.stderr.write(`watcher pid ${pid}, perf profile ${perfOut ?? ''}\n`);
    await sleep(500);
  }
  for (let i = 0; i < ROUNDS; i += 1) {
    rates.push(await round());
    perContainer['b1'] = (perContainer['b1'] ?? 0) + PER_ROUND;
    perContainer['b2'] = (perContainer['b2'] ?? 0) + PER_ROUND;
    await sleep(500);
    rss.push(rssKiB(pid));
  }
  if (perf !== undefined) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.on('exit', r));
  }
  await sleep(2000);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;

  const sqlite = new Database(db, { readonly: true });
  const counts = z
    .array(z.object({ c: z.string().nullable(), n: z.number() }))
    .parse(
      sqlite
        .prepare(
          "SELECT container_name AS c, COUNT(*) AS n FROM events WHERE kind = 'exec' AND path = '/bin/true' GROUP BY container_name",
        )
        .all(),
    );
  const latencies = z
    .array(z.object({ us: z.number() }))
    .parse(
      sqlite
        .prepare(
          "SELECT (stored_ns - json_extract(detail, '$.timeNs')) / 1000.0 AS us FROM events WHERE kind = 'exec'",
        )
        .all(),
    )
    .map((r) => r.us)
    .sort((a, b) => a - b);
  // what the records of the short-lived /bin/true execs carry: argv (read before the answer) and ppid (read after
  // it, or taken from the proc connector's fork record when the task was already gone)
  const captured = z
    .object({ n: z.number(), argv: z.number(), ppid: z.number(), uid: z.number() })
    .parse(
      sqlite
        .prepare(
          "SELECT COUNT(*) AS n, SUM(argv != '[]') AS argv, SUM(ppid > 0) AS ppid, SUM(uid >= 0) AS uid FROM events WHERE kind = 'exec' AND path = '/bin/true'",
        )
        .get(),
    );
  const totalEvents = z
    .object({ n: z.number() })
    .parse(sqlite.prepare('SELECT COUNT(*) AS n FROM events').get()).n;
  const status = z
    .object({ body: z.string() })
    .parse(sqlite.prepare('SELECT body FROM status WHERE id = 1').get());
  sqlite.close();
  const statusBody = z
    .object({
      counters: z.object({
        procOverflows: z.number(),
        procDrops: z.number(),
        gateOverflows: z.number(),
        gateDrops: z.number(),
        stalls: z.number(),
        verdicts: z.number(),
        argsMissed: z.number(),
        infoMissed: z.number().default(0),
        procSkipped: z.number().default(0),
        gateSched: z.number().default(0),
        argsWaitNsTotal: z.number().default(0),
      }),
      detectionLatencyUs: z.object({ n: z.number(), p50: z.number(), p99: z.number(), max: z.number() }),
      verdictLatencyUs: z.object({ avg: z.number(), max: z.number() }),
    })
    .parse(JSON.parse(status.body));
  const counters = statusBody.counters;
  const detection = statusBody.detectionLatencyUs;
  const verdictTime = statusBody.verdictLatencyUs;
  const expected = (perContainer['b1'] ?? 0) + (perContainer['b2'] ?? 0);
  const attributed = counts.filter((c) => c.c === 'b1' || c.c === 'b2').reduce((s, c) => s + c.n, 0);
  const right =
    Math.min(counts.find((c) => c.c === 'b1')?.n ?? 0, perContainer['b1'] ?? 0) +
    Math.min(counts.find((c) => c.c === 'b2')?.n ?? 0, perContainer['b2'] ?? 0);
  const loadAfterRounds = loadavg();

  // memory over 1,000,000 events: recorded real batches replayed through the watcher's JS pipeline (replay.ts)
  let replay: z.infer<typeof replaySchema> | undefined;
  if (REPLAY_EVENTS > 0) {
    const inspect = (format: string): string => engine.docker(['inspect', '--format', format, 'b1']).trim();
    const r = track(
      spawn(process.execPath, ['--import', 'tsx', join('bench', 'watch', 'replay.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          DOCKER_HOST: engine.host,
          REPLAY_CONTAINER: 'b1',
          REPLAY_MERGED: inspect('{{.GraphDriver.Data.MergedDir}}'),
          REPLAY_UPPER: inspect('{{.GraphDriver.Data.UpperDir}}'),
          REPLAY_DB: join(dir, 'replay.db'),
          REPLAY_PROFILES: profiles,
          REPLAY_EVENTS: String(REPLAY_EVENTS),
          REPLAY_RETENTION: String(REPLAY_RETENTION),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    let out = '';
    r.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((done) => r.on('exit', done));
    if (code !== 0) throw new Error(`replay.ts exited with ${String(code)}`);
    replay = replaySchema.parse(JSON.parse(out.trim().split('\n').pop() ?? ''));
  }
  const load = loadavg();
  const median = (xs: readonly number[]): number =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const rateCell = (xs: readonly number[]): string =>
    `median ${median(xs).toFixed(0)} execs/s (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

  lines.push(
    '# bulkhead watch benchmark',
    '',
    `Generated by \`node --import tsx bench/watch/watch.ts\` on ${new Date().toISOString()} (2 vCPUs shared with other work; load average at the start ${loadStart}, after the throughput rounds ${loadAfterRounds}, at the end ${load}).`,
    'Exec latency is measured inside the container by a static posix_spawn+waitpid timer (bench/watch/spawn-timer.c) running `/bin/true` (busybox).',
    '',
    '| measure | unwatched | watched (deny mode) | added |',
    '|---|---|---|---|',
    `| exec in a container, p50 | ${unwatched.p50.toFixed(0)} µs | ${watched.p50.toFixed(0)} µs | ${(watched.p50 - unwatched.p50).toFixed(0)} µs |`,
    `| exec in a container, p99 | ${unwatched.p99.toFixed(0)} µs | ${watched.p99.toFixed(0)} µs | ${(watched.p99 - unwatched.p99).toFixed(0)} µs |`,
    `| exec on the host (container-only mode), p50 | ${hostUnwatched.p50.toFixed(0)} µs | ${hostWatched.p50.toFixed(0)} µs | ${(hostWatched.p50 - hostUnwatched.p50).toFixed(0)} µs |`,
    `| exec on the host, p99 | ${hostUnwatched.p99.toFixed(0)} µs | ${hostWatched.p99.toFixed(0)} µs | ${(hostWatched.p99 - hostUnwatched.p99).toFixed(0)} µs |`,
    '',
    '| measure | value |',
    '|---|---|',
    `| throughput, 2 containers in parallel, unwatched (${UNWATCHED_ROUNDS} rounds of 2 x ${PER_ROUND} execs) | ${rateCell(unwatchedRates)} |`,
    `| throughput, 2 containers in parallel, watched in deny mode (${ROUNDS} rounds of 2 x ${PER_ROUND} execs) | ${rateCell(rates)} (${((100 * median(rates)) / median(unwatchedRates)).toFixed(0)} % of unwatched) |`,
    `| lost events (proc overflows + drops, gate overflows + drops) | ${counters.procOverflows + counters.procDrops + counters.gateOverflows + counters.gateDrops} (gate verdicts ${counters.verdicts}, stalls ${counters.stalls}; execs whose name and argv could not be read ${counters.argsMissed}) |`,
    `| time the addon takes to answer one permission event (fanotify read -> verdict written) | avg ${verdictTime.avg} µs, max ${verdictTime.max} µs (of it waiting for the exec'ing task to sleep: avg ${(counters.argsWaitNsTotal / Math.max(1, counters.verdicts) / 1000).toFixed(1)} µs); verdict thread ${['default scheduling', 'SCHED_FIFO', 'nice -20'][counters.gateSched] ?? '?'} |`,
    `| what the /bin/true records carry (short-lived execs) | argv ${captured.argv} of ${captured.n} (${((100 * captured.argv) / Math.max(1, captured.n)).toFixed(2)} %, read before the answer); uid ${captured.uid}; ppid ${captured.ppid} (read after the answer; ${counters.infoMissed} gone by then, ppid from the fork record) |`,
    `| proc connector execs not read from /proc (the gate's record has them) | ${counters.procSkipped} |`,
    `| attribution: /bin/true events given to the right container | ${right} of ${expected} (${((100 * right) / expected).toFixed(3)} %); attributed elsewhere ${attributed - right} |`,
    `| kernel event -> committed SQLite row (watcher's histogram, 0.1 ms buckets) | p50 ${(detection.p50 / 1000).toFixed(1)} ms, p99 ${(detection.p99 / 1000).toFixed(1)} ms, max ${(detection.max / 1000).toFixed(1)} ms (${detection.n} events) |`,
    `| kernel event -> start of the row's INSERT transaction, exec events | p50 ${percentile(latencies, 50).toFixed(0)} µs, p99 ${percentile(latencies, 99).toFixed(0)} µs, max ${(latencies[latencies.length - 1] ?? 0).toFixed(0)} µs (${latencies.length} rows) |`,
    `| watcher RSS over ${totalEvents} stored events (real execs) | start ${(rssStart / 1024).toFixed(1)} MiB; ${rssCell(rss, 2 * PER_ROUND)} |`,
    ...(replay === undefined
      ? []
      : [
          `| RSS over ${replay.stored} events replayed through the watcher's JS pipeline (${replay.recordedBatches} recorded real batches, ${replay.recordedRecords} records, ${replay.recordedGateExecs} gated execs, replayed with new pids) | ${replay.samples.map((x) => `${(x.events / 1000).toFixed(0)}k: ${x.rssMiB.toFixed(0)}`).join(', ')} MiB (heap ${replay.samples.map((x) => x.heapMiB.toFixed(0)).join(', ')} MiB) |`,
          `| same: pipeline rate, database kept by the retention limit | ${(replay.stored / replay.seconds).toFixed(0)} events/s (${replay.seconds.toFixed(0)} s); ${replay.rows} rows kept (retention ${replay.retention}), DB ${replay.dbMiB} MiB + WAL ${replay.walMiB} MiB; JS + SQLite part of the detection latency p50 ${(replay.detection.p50 / 1000).toFixed(1)} ms, p99 ${(replay.detection.p99 / 1000).toFixed(1)} ms |`,
        ]),
    '',
  );
  // hand-written notes below the marker (profiles, before/after) survive a re-run; BENCH_WATCH_RESULTS=FILE writes
  // elsewhere (a long soak run: BENCH_WATCH_ROUNDS=84 is ~1,000,000 stored events)
  const resultsFile = process.env['BENCH_WATCH_RESULTS'] ?? join(ROOT, 'bench', 'results', 'watch.md');
  let notes = '';
  try {
    const old = readFileSync(resultsFile, 'utf8');
    const at = old.indexOf(NOTES_MARKER);
    if (at >= 0) notes = old.slice(at);
  } catch {
    // first run
  }
  writeFileSync(resultsFile, lines.join('\n') + (notes === '' ? '' : `\n${notes}`));
  process.stdout.write(lines.join('\n'));
} finally {
  await cleanup();
}
