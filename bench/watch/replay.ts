// bench/watch's memory run: records real native batches (proc connector + exec gate on one container's
// filesystem) while the container runs a tight exec loop, then replays them through the same JS pipeline that
// `bulkhead watch` runs (Watcher -> rules -> EventStore with its retention limit) until EVENTS rows are stored,
// sampling RSS and heap. Prints one JSON line. Run by bench/watch/watch.ts in its own process (the RSS is the
// pipeline's alone). Replayed copies get fresh pids (an offset per pass, so forks and exits still add and remove
// their process-tree entries) and the current monotonic time (the detection latency is the JS + SQLite part).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { connectEngine } from '../../src/engine/client.js';
import { loadWatchAddon, type NativeRecord, type WatchAddon } from '../../src/native/index.js';
import { EventStore } from '../../src/watch/store.js';
import { Watcher } from '../../src/watch/watcher.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`replay.ts needs ${name}`);
  return value;
};
const container = env('REPLAY_CONTAINER');
const merged = env('REPLAY_MERGED');
const upper = env('REPLAY_UPPER');
const db = env('REPLAY_DB');
const profiles = env('REPLAY_PROFILES');
const target = Number(process.env['REPLAY_EVENTS'] ?? '1000000');
const retention = Number(process.env['REPLAY_RETENTION'] ?? '200000');
const recordExecs = Number(process.env['REPLAY_RECORD_EXECS'] ?? '5000');
const PID_STRIDE = 4_194_304; // pid_max on 64-bit Linux: every pass's pids are new

function rssKiB(): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? NaN);
}

// ---- 1. record real batches from the addon while the container execs /bin/true in a loop
const load = loadWatchAddon();
if (!load.ok) throw new Error(load.reason);
const real = load.addon;
const RECORD_MARK = 900;
const recorded: { source: 'proc' | 'gate'; batch: NativeRecord[] }[] = [];
real.procStart((batch) => recorded.push({ source: 'proc', batch }));
real.gateStart((batch) => recorded.push({ source: 'gate', batch }), 2000);
real.markSet(RECORD_MARK, merged, upper, 0, null);
try {
  execFileSync('docker', ['exec', container, '/bench/spawn-timer', String(recordExecs), '/bin/true'], {
    env: process.env,
  });
  await sleep(200);
} finally {
  real.markRemove(RECORD_MARK);
  real.gateStop();
  real.procStop();
}
const recordedRecords = recorded.reduce((n, r) => n + r.batch.length, 0);
const recordedGateExecs = recorded
  .filter((r) => r.source === 'gate')
  .reduce((n, r) => n + r.batch.filter((x) => x.kind === 'gate-exec').length, 0);

// ---- 2. the same pipeline as `bulkhead watch --mode deny`, fed the recordings
let procCb: ((batch: NativeRecord[]) => void) | undefined;
let gateCb: ((batch: NativeRecord[]) => void) | undefined;
let mark: number | undefined;
const zero = {
  procEvents: 0,
  procOverflows: 0,
  procDrops: 0,
  gateEvents: 0,
  gateOverflows: 0,
  gateDrops: 0,
  stalls: 0,
  denied: 0,
  verdicts: 0,
  verdictNsTotal: 0,
  verdictNsMax: 0,
  gateActive: 1,
  argsMissed: 0,
  infoMissed: 0,
  procSkipped: 0,
  procRcvbuf: 16 * 1024 * 1024,
  gateSched: 0,
  argsWaitNsTotal: 0,
  gateThreads: 1,
};
const replayAddon: WatchAddon = {
  procStart: (cb) => {
    procCb = cb;
  },
  procStop: () => undefined,
  gateStart: (cb) => {
    gateCb = cb;
  },
  gateStop: () => undefined,
  markSet: (id) => {
    mark = id;
  },
  markRemove: () => undefined,
  guardAdd: () => undefined,
  installerAdd: () => undefined,
  counters: () => zero,
  decodeProc: () => null,
  setVerdictDelayForTest: () => undefined,
  unixSockets: () => ({ sockets: [], total: 0 }),
};
const store = new EventStore(db, { retentionRows: retention });
let stored = 0;
store.onCommit((batch) => {
  stored += batch.length;
});
const { docker } = connectEngine({ host: undefined, env: process.env });
const watcher = new Watcher({
  docker,
  mode: 'deny',
  profilesDir: profiles,
  store,
  containers: [container],
  guard: 'none',
  log: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  addon: replayAddon,
});
await watcher.start();
while (mark === undefined) await sleep(20);
const markId = mark;

const samples: { events: number; rssMiB: number; heapMiB: number }[] = [];
const sample = (): void => {
  samples.push({
    events: stored,
    rssMiB: Math.round(rssKiB() / 102.4) / 10,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 104857.6) / 10,
  });
};
sample();
const started = performance.now();
let nextSample = 100_000;
for (let pass = 1; stored < target; pass += 1) {
  const offset = pass * PID_STRIDE;
  for (const { source, batch } of recorded) {
    const now = Number(process.hrtime.bigint());
    const copy = batch.map((r) => ({
      ...r,
      pid: r.pid + offset,
      tgid: r.tgid + offset,
      ppid: r.ppid === 0 ? 0 : r.ppid + offset,
      ptgid: r.ptgid === 0 ? 0 : r.ptgid + offset,
      timeNs: now,
      ...(r.markId === RECORD_MARK ? { markId } : {}),
    }));
    if (source === 'proc') procCb?.(copy);
    else gateCb?.(copy);
    await turn(); // the event loop runs between batches, as it does between native callbacks
    if (stored >= nextSample) {
      sample();
      nextSample += 100_000;
    }
  }
}
const seconds = (performance.now() - started) / 1000;
await sleep(50);
sample();
await watcher.stop();
const detection = store.detectionLatency();
const rows = store.count();
store.close();
const size = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
process.stdout.write(
  `${JSON.stringify({
    recordedBatches: recorded.length,
    recordedRecords,
    recordedGateExecs,
    stored,
    seconds,
    rows,
    retention,
    dbMiB: Math.round(size(db) / 104857.6) / 10,
    walMiB: Math.round(size(`${db}-wal`) / 104857.6) / 10,
    detection,
    samples,
  })}\n`,
);
