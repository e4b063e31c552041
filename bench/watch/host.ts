// bulkhead watch --host benchmark: exec latency added on the host by host application control, for a program on a
// marked filesystem (a tmpfs this benchmark mounts and passes as --host-paths, so no mark touches the shared root
// filesystem) unwatched, in alert mode and in deny mode (the program listed in a promoted host profile), and for a
// program on the unmarked root filesystem meanwhile. Own private dockerd; writes its section of
// bench/results/watch.md after the notes marker that bench/watch/watch.ts keeps.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { startEngine } from '../../test/harness/engine.js';

const ROOT = join(import.meta.dirname, '..', '..');
const N = Number(process.env['BENCH_WATCH_HOST_EXECS'] ?? '3000');
const ROUNDS = Number(process.env['BENCH_WATCH_HOST_ROUNDS'] ?? '5');
const NOTES_MARKER = '<!-- notes: kept by bench/watch/watch.ts -->';
const BEGIN = '<!-- host: written by bench/watch/host.ts -->';
const END = '<!-- /host -->';

const timerSchema = z.object({
  n: z.number(),
  failed: z.number(),
  seconds: z.number(),
  p50: z.number(),
  p99: z.number(),
});
type Timing = z.infer<typeof timerSchema>;
const statusSchema = z.object({
  verdictLatencyUs: z.object({ avg: z.number(), max: z.number() }),
  counters: z.object({ verdicts: z.number() }).optional(),
});

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const dir = mkdtempSync('/tmp/bh-bwh-');
const mnt = join(dir, 'mnt');
mkdirSync(mnt);
const engine = await startEngine({ dir: join(dir, 'e') });
let watcher: ChildProcess | undefined;
let mounted = false;
const running = (c: ChildProcess): boolean => c.exitCode === null;
async function cleanup(): Promise<void> {
  const w = watcher;
  if (w !== undefined && running(w)) {
    w.kill('SIGTERM');
    for (let i = 0; i < 200 && running(w); i++) await sleep(50);
  }
  if (mounted) spawnSync('umount', ['-l', mnt]);
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});

const cli = (args: readonly string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', 'test/harness/bulkhead-dev.ts', 'watch', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

async function startWatch(mode: string, profiles: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/harness/bulkhead-dev.ts',
      'watch',
      '--host',
      '--host-paths',
      mnt,
      '--mode',
      mode,
      '--container',
      'bench-no-container',
      '--guard',
      'none',
      '--profiles',
      profiles,
      '--db',
      join(dir, `${mode}.db`),
      '--learn-flush-ms',
      '200',
    ],
    { cwd: ROOT, env: { ...process.env, DOCKER_HOST: engine.host }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; !/bulkhead watch: \w+ mode/.test(err); i++) {
    if (child.exitCode !== null || i > 1200) throw new Error(`watch did not start:\n${err}`);
    await sleep(100);
  }
  return child;
}

async function stopWatch(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  while (running(child)) await sleep(50);
}

try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'bh-bench-host', mnt]);
  mounted = true;
  const timer = join(mnt, 'spawn-timer');
  execFileSync('gcc', ['-O2', '-static', '-o', timer, join(import.meta.dirname, 'spawn-timer.c')]);
  // busybox runs as the applet its name says: mnt/true is "true" on the marked filesystem
  copyFileSync('/bin/busybox', join(mnt, 'true'));
  const time = (program: string): Timing => {
    const runs = Array.from({ length: ROUNDS }, () =>
      timerSchema.parse(JSON.parse(execFileSync(timer, [String(N), program], { encoding: 'utf8' }))),
    );
    runs.sort((a, b) => a.p50 - b.p50);
    const median = runs[Math.floor(runs.length / 2)];
    if (median === undefined) throw new Error('no timing');
    return median;
  };
  const marked = join(mnt, 'true');
  const results: { label: string; marked: Timing; root: Timing; verdict: string }[] = [];
  results.push({ label: 'unwatched', marked: time(marked), root: time('/bin/true'), verdict: '-' });

  // a promoted host profile that lists the timer and mnt/true (learned from one run of each)
  const profiles = join(dir, 'profiles');
  let w = await startWatch('learn', profiles);
  watcher = w;
  execFileSync(timer, ['1', marked]);
  await sleep(1000);
  await stopWatch(w);
  cli(['profile', 'promote', 'host', '--profiles', profiles]);

  for (const mode of ['alert', 'deny']) {
    w = await startWatch(mode, profiles);
    watcher = w;
    const timings = { marked: time(marked), root: time('/bin/true') };
    await sleep(1500); // the status row is written once a second
    const status = statusSchema.parse(JSON.parse(cli(['status', '--json', '--db', join(dir, `${mode}.db`)])));
    results.push({
      label: `watch --host --mode ${mode}`,
      ...timings,
      verdict: `${status.verdictLatencyUs.avg} µs avg, ${status.verdictLatencyUs.max} µs max (${status.counters?.verdicts ?? 0} verdicts)`,
    });
    await stopWatch(w);
  }
  watcher = undefined;

  const base = results[0];
  if (base === undefined) throw new Error('no baseline');
  const lines = [
    BEGIN,
    '## watch --host',
    '',
    `Generated by \`node --import tsx bench/watch/host.ts\` on ${new Date().toISOString()} (2 vCPUs shared with other work; load average ${loadavg()}).`,
    `posix_spawn+waitpid of busybox \`true\` (static), ${N} execs per round, median of ${ROUNDS} rounds: from a tmpfs marked by --host-paths, and of \`/bin/true\` (coreutils) from the unmarked root filesystem at the same time. In both watched modes the program is listed in the promoted host profile (allowed: the usual case).`,
    '',
    '| mode | marked fs p50 | added p50 | marked fs p99 | root fs p50 | added p50 (root fs) | addon time per verdict |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.marked.p50.toFixed(0)} µs | ${(r.marked.p50 - base.marked.p50).toFixed(0)} µs | ${r.marked.p99.toFixed(0)} µs | ${r.root.p50.toFixed(0)} µs | ${(r.root.p50 - base.root.p50).toFixed(0)} µs | ${r.verdict} |`,
    ),
    '',
    END,
    '',
  ];
  const resultsFile = join(ROOT, 'bench', 'results', 'watch.md');
  let old = readFileSync(resultsFile, 'utf8');
  const at = old.indexOf(BEGIN);
  if (at >= 0) {
    const end = old.indexOf(END, at);
    old = old.slice(0, at) + old.slice(end < 0 ? old.length : end + END.length + 1);
  }
  if (!old.includes(NOTES_MARKER)) old = `${old.replace(/\n*$/, '\n')}\n${NOTES_MARKER}\n`;
  writeFileSync(resultsFile, `${old.replace(/\n*$/, '\n')}\n${lines.join('\n')}`);
  process.stdout.write(lines.join('\n'));
} finally {
  await cleanup();
}
