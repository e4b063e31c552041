// bulkhead watch benchmark (issue 11 targets): exec latency inside a container unwatched vs watched in deny mode
// and on the host; exec throughput across two containers with the drop counters; attribution; kernel event ->
// SQLite row latency; watcher RSS over many events. Own private dockerd; writes bench/results/watch.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

const dir = mkdtempSync('/tmp/bh-bw-');
const engine = await startEngine({ dir: join(dir, 'e') });
const lines: string[] = [];
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

  const db = join(dir, 'events.db');
  const child = spawn(
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
      cwd: ROOT,
      env: { ...process.env, DOCKER_HOST: engine.host },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
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
  for (let round = 0; round < ROUNDS; round += 1) {
    const runs = ['b1', 'b2'].map(
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
            else fail(new Error(`exec ${name} failed`));
          });
        }),
    );
    const results = await Promise.all(runs);
    const longest = Math.max(...results.map((r) => r.seconds));
    rates.push((2 * PER_ROUND) / longest);
    perContainer['b1'] = (perContainer['b1'] ?? 0) + PER_ROUND;
    perContainer['b2'] = (perContainer['b2'] ?? 0) + PER_ROUND;
    await sleep(500);
    rss.push(rssKiB(pid));
  }
  await sleep(2000);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));

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
  const totalEvents = z
    .object({ n: z.number() })
    .parse(sqlite.prepare('SELECT COUNT(*) AS n FROM events').get()).n;
  const status = z
    .object({ body: z.string() })
    .parse(sqlite.prepare('SELECT body FROM status WHERE id = 1').get());
  sqlite.close();
  const counters = z
    .object({
      counters: z.object({
        procOverflows: z.number(),
        procDrops: z.number(),
        gateOverflows: z.number(),
        gateDrops: z.number(),
        stalls: z.number(),
        verdicts: z.number(),
      }),
    })
    .parse(JSON.parse(status.body)).counters;
  const expected = (perContainer['b1'] ?? 0) + (perContainer['b2'] ?? 0);
  const attributed = counts.filter((c) => c.c === 'b1' || c.c === 'b2').reduce((s, c) => s + c.n, 0);
  const right =
    Math.min(counts.find((c) => c.c === 'b1')?.n ?? 0, perContainer['b1'] ?? 0) +
    Math.min(counts.find((c) => c.c === 'b2')?.n ?? 0, perContainer['b2'] ?? 0);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  lines.push(
    '# bulkhead watch benchmark',
    '',
    `Generated by \`node --import tsx bench/watch/watch.ts\` on ${new Date().toISOString()} (2 vCPUs shared with other work; load average at the end ${load}).`,
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
    `| throughput, 2 containers in parallel (${ROUNDS} rounds of 2 x ${PER_ROUND} execs) | median ${percentile(
      [...rates].sort((a, b) => a - b),
      50,
    ).toFixed(0)} execs/s (min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}) |`,
    `| lost events (proc overflows + drops, gate overflows + drops) | ${counters.procOverflows + counters.procDrops + counters.gateOverflows + counters.gateDrops} (gate verdicts ${counters.verdicts}, stalls ${counters.stalls}) |`,
    `| attribution: /bin/true events given to the right container | ${right} of ${expected} (${((100 * right) / expected).toFixed(3)} %); attributed elsewhere ${attributed - right} |`,
    `| kernel event -> SQLite row, exec events | p50 ${percentile(latencies, 50).toFixed(0)} µs, p99 ${percentile(latencies, 99).toFixed(0)} µs, max ${(latencies[latencies.length - 1] ?? 0).toFixed(0)} µs (${latencies.length} rows) |`,
    `| watcher RSS over ${totalEvents} stored events | start ${(rssStart / 1024).toFixed(1)} MiB; after each round ${rss.map((k) => (k / 1024).toFixed(1)).join(', ')} MiB |`,
    '',
  );
  writeFileSync(join(ROOT, 'bench', 'results', 'watch.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  spawnSync('/usr/bin/docker', ['--host', engine.host, 'rm', '-f', 'b1', 'b2']);
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
