// Benchmarks the authorization plugin: decisions per second and p50/p99 latency under concurrent load (open loop
// at a fixed rate, and closed loop at full speed) by replaying dockerd's captured AuthZReq traffic against
// `bulkhead authz serve` on its unix socket, and the overhead of the plugin on `docker ps` (a private dockerd with
// and without --authorization-plugin). Writes bench/results/authz.md.
// Run: node --import tsx bench/authz/decisions.ts [--rate 2000] [--seconds 10]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluate } from '../../src/authz/evaluate.js';
import { loadPolicy } from '../../src/authz/policy.js';
import { authzRequestSchema } from '../../src/authz/protocol.js';
import { decodeRequest } from '../../src/authz/request.js';
import { StaticResolver } from '../../src/authz/resolver.js';
import { importBusybox, startEngine, type Engine } from '../../test/harness/engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(ROOT, '../shared/data/authz');
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const IMAGE = 'bulkhead-test/busybox:latest';
const CAPTURED_WEB_ID = 'f88b01ae079d497d962e9320f9d020e77c02f011324427d3958a7a246ac7ed80';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v === undefined || !Number.isFinite(v) ? fallback : v;
}

const RATE = arg('--rate', 2000);
const SECONDS = arg('--seconds', 10);
const CONCURRENCY = arg('--concurrency', 32);
const PS_RUNS = arg('--ps-runs', 30);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function payloads(webId: string): string[] {
  return readdirSync(DATA)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) =>
        JSON.parse(readFileSync(join(DATA, f), 'utf8')) as { pluginHttp: { url: string }; request: unknown },
    )
    .filter((c) => c.pluginHttp.url === '/AuthZPlugin.AuthZReq' && c.request !== null)
    .map((c) => JSON.stringify(c.request).replaceAll(CAPTURED_WEB_ID, webId));
}

/**
 * A lean HTTP/1.1 keep-alive connection to the plugin socket: hand-written requests and Content-Length framing,
 * so that the load generator spends as little of the shared CPU as possible on itself.
 */
class RawConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    socket.on('error', (error) => {
      this.waiting?.reject(error);
      this.waiting = undefined;
    });
  }

  static open(socketPath: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath, () => {
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  private drain(): void {
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? '0');
    const total = headerEnd + 4 + length;
    if (this.buffer.length < total) return;
    this.buffer = this.buffer.subarray(total);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve();
  }

  send(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(
        `POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Connections that take queued requests in order; latency counts from when a request was due. */
class Pool {
  private readonly idle: RawConnection[];
  private readonly queue: {
    body: string;
    due: number;
    done: (ms: number) => void;
    fail: (e: Error) => void;
  }[] = [];
  /** Index of the next queued request (an O(1) queue: a backlog must not slow the generator down). */
  private head = 0;

  constructor(private readonly connections: RawConnection[]) {
    this.idle = [...connections];
  }

  request(body: string): Promise<number> {
    const due = performance.now();
    return new Promise((done, fail) => {
      this.queue.push({ body, due, done, fail });
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      const conn = this.idle.pop();
      if (conn === undefined) return;
      const next = this.queue[this.head];
      if (next === undefined) {
        this.idle.push(conn);
        return;
      }
      this.head += 1;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      conn.send(next.body).then(
        () => {
          next.done(performance.now() - next.due);
          this.idle.push(conn);
          this.pump();
        },
        (error: unknown) => {
          next.fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  }

  close(): void {
    for (const c of this.connections) c.close();
  }
}

async function openPool(socketPath: string, size: number): Promise<Pool> {
  return new Pool(await Promise.all(Array.from({ length: size }, () => RawConnection.open(socketPath))));
}

interface LoadResult {
  readonly sent: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly errors: number;
}

async function openLoop(
  socketPath: string,
  bodies: readonly string[],
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const pool = await openPool(socketPath, 64);
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  const total = rate * seconds;
  while (sent < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < Math.min(due, total)) {
      const body = bodies[sent % bodies.length] ?? '';
      inflight.push(
        pool.request(body).then(
          (ms) => {
            latencies.push(ms);
          },
          () => {
            errors += 1;
          },
        ),
      );
      sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  pool.close();
  return { sent, seconds: elapsed, latencies: latencies.sort((a, b) => a - b), errors };
}

async function closedLoop(
  socketPath: string,
  bodies: readonly string[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const pool = await openPool(socketPath, concurrency);
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const body = bodies[sent % bodies.length] ?? '';
        sent += 1;
        try {
          latencies.push(await pool.request(body));
        } catch {
          errors += 1;
        }
      }
    }),
  );
  pool.close();
  return {
    sent,
    seconds: (performance.now() - start) / 1000,
    latencies: latencies.sort((a, b) => a - b),
    errors,
  };
}

function runDocker(host: string, args: readonly string[], config: string): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      DOCKER,
      ['--host', host, ...args],
      { env: { ...process.env, DOCKER_CONFIG: config } },
      (error) => {
        if (error !== null) fail(new Error(`docker ${args.join(' ')}: ${error.message}`));
        else done(performance.now() - started);
      },
    );
  });
}

async function timePs(engine: Engine, runs: number, config: string): Promise<number[]> {
  await runDocker(engine.host, ['ps'], config); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) times.push(await runDocker(engine.host, ['ps'], config));
  return times.sort((a, b) => a - b);
}

function startPlugin(args: readonly string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'authz', 'serve', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 150 && !existsSync(path); i += 1) await sleep(100);
  if (!existsSync(path)) throw new Error(`${path} did not appear`);
}

function internalLatencies(log: string): number[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"phase":"req"'))
    .map((l) => (JSON.parse(l) as { latency_ms: number }).latency_ms)
    .sort((a, b) => a - b);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child?.exitCode !== null) return;
  const exited = new Promise<boolean>((done) => {
    child.once('exit', () => {
      done(true);
    });
  });
  child.kill('SIGTERM');
  if (!(await Promise.race([exited, sleep(5000).then(() => false)]))) child.kill('SIGKILL');
}

/** How late an idle Node timer fires on this machine: the scheduling noise every latency figure carries. */
async function idleTimerDelay(seconds: number): Promise<{ p50: number; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await sleep(seconds * 1000);
  h.disable();
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

/** Decode + evaluate only, in this process, no HTTP: the cost of one decision on one core. */
async function inProcess(
  bodies: readonly string[],
  policyFile: string,
  webId: string,
  n: number,
): Promise<{ perSecond: number; cpuUs: number }> {
  const policy = loadPolicy(policyFile);
  const resolver = new StaticResolver([{ id: webId, names: ['web'] }]);
  const run = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) {
      const req = decodeRequest(authzRequestSchema.parse(JSON.parse(bodies[i % bodies.length] ?? '{}')));
      await evaluate(policy, req, resolver);
    }
  };
  await run(2000);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run(n);
  const used = process.cpuUsage(cpu);
  return { perSecond: n / ((performance.now() - start) / 1000), cpuUs: (used.user + used.system) / n };
}

const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

async function main(): Promise<void> {
  const base = mkdtempSync('/tmp/bh-azb-');
  const config = join(base, 'cli');
  mkdirSync(config);
  const name = `bulkhead-bench-${process.pid}`;
  const spec = `/etc/docker/plugins/${name}.spec`;
  const socket = join(base, 'plugin.sock');
  const log = join(base, 'decisions.jsonl');
  const policy = join(ROOT, 'examples/authz/policy.yaml');
  let plain: Engine | undefined;
  let guarded: Engine | undefined;
  let plugin: ChildProcess | undefined;
  const lines: string[] = [];
  try {
    // 1. docker ps on a plain engine, and the engine the plugin resolves containers against
    plain = await startEngine({ dir: join(base, 'plain') });
    importBusybox(plain, IMAGE);
    const webId = plain
      .docker(['run', '-d', '--name', 'web', '--network', 'none', IMAGE, 'sleep', '3600'])
      .trim();
    const psPlain = await timePs(plain, PS_RUNS, config);

    // 2. the plugin under load, replaying the captured requests
    plugin = startPlugin([
      '--policy',
      policy,
      '--socket',
      socket,
      '--docker-host',
      plain.host,
      '--decision-log',
      log,
    ]);
    await waitFor(socket);
    const noise = await idleTimerDelay(5);
    const bodies = payloads(webId);
    const local = await inProcess(bodies, policy, webId, 20000);
    await closedLoop(socket, bodies, 4, 1); // warm-up (JIT, caches)
    writeFileSync(log, '');
    const open = await openLoop(socket, bodies, RATE, SECONDS);
    const inside = internalLatencies(log);
    const closed = await closedLoop(socket, bodies, CONCURRENCY, Math.max(3, SECONDS / 2));
    await stopChild(plugin);
    await plain.stop();
    plain = undefined;

    // 3. docker ps through an engine that asks the plugin about every request
    plugin = startPlugin([
      '--policy',
      policy,
      '--socket',
      socket,
      '--docker-host',
      'none',
      '--decision-log',
      log,
    ]);
    await waitFor(socket);
    mkdirSync('/etc/docker/plugins', { recursive: true });
    writeFileSync(spec, `unix://${socket}\n`);
    guarded = await startEngine({ dir: join(base, 'guarded'), args: [`--authorization-plugin=${name}`] });
    const psGuarded = await timePs(guarded, PS_RUNS, config);

    const medianPlain = percentile(psPlain, 50);
    const medianGuarded = percentile(psGuarded, 50);
    lines.push(
      '# authz benchmark',
      '',
      `Generated by \`node --import tsx bench/authz/decisions.ts\` on ${new Date().toISOString()}.`,
      '',
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (the machine is shared with other builds, so figures are pessimistic).`,
      '',
      `Scheduling noise: an idle Node timer on this machine fired late by p50 ${fmt(noise.p50)} ms, p99 ${fmt(noise.p99)} ms, max ${fmt(noise.max)} ms over 5 s (monitorEventLoopDelay) just before the run; every latency below includes it.`,
      '',
      `Workload: the ${bodies.length} captured AuthZReq payloads from dockerd 20.10 (ping, container create with full`,
      'CLI bodies, logs by container id, exec create/start, TLS users with certificates, build, cp, volume create),',
      'replayed round-robin against `bulkhead authz serve` with examples/authz/policy.yaml. Container and exec ids',
      'are resolved through a real dockerd (with the 500 ms lookup cache). Latency is measured by the client',
      '(HTTP/1.1 keep-alive over the unix socket, 64 connections for the open loop, from the moment each request is due) and, separately, inside the plugin (decision log `latency_ms`).',
      '',
      '| load | requests | achieved decisions/s | p50 ms | p90 ms | p99 ms | max ms | errors |',
      '|---|---|---|---|---|---|---|---|',
      `| open loop at ${RATE}/s for ${SECONDS} s (client view) | ${open.sent} | ${(open.latencies.length / open.seconds).toFixed(0)} | ${fmt(percentile(open.latencies, 50))} | ${fmt(percentile(open.latencies, 90))} | ${fmt(percentile(open.latencies, 99))} | ${fmt(open.latencies.at(-1) ?? NaN)} | ${open.errors} |`,
      `| same run, time inside the plugin | ${inside.length} | | ${fmt(percentile(inside, 50))} | ${fmt(percentile(inside, 90))} | ${fmt(percentile(inside, 99))} | ${fmt(inside.at(-1) ?? NaN)} | |`,
      `| decode + evaluate only, in process, one core (no HTTP) | 20000 | ${local.perSecond.toFixed(0)} | CPU ${(local.cpuUs / 1000).toFixed(3)} ms per decision | | | | |`,
      `| closed loop, ${CONCURRENCY} concurrent clients | ${closed.sent} | ${(closed.latencies.length / closed.seconds).toFixed(0)} | ${fmt(percentile(closed.latencies, 50))} | ${fmt(percentile(closed.latencies, 90))} | ${fmt(percentile(closed.latencies, 99))} | ${fmt(closed.latencies.at(-1) ?? NaN)} | ${closed.errors} |`,
      '',
      `Target: p99 under 2 ms at 2,000 decisions/s — ${percentile(open.latencies, 99) < 2 ? 'met' : 'NOT met'} on this run (client-side p99 ${fmt(percentile(open.latencies, 99))} ms).`,
      '',
      `## \`docker ps\` overhead (${PS_RUNS} runs each, /usr/bin/docker over the unix socket)`,
      '',
      '| engine | p50 ms | p90 ms | max ms |',
      '|---|---|---|---|',
      `| without plugin | ${fmt(medianPlain)} | ${fmt(percentile(psPlain, 90))} | ${fmt(psPlain.at(-1) ?? NaN)} |`,
      `| with --authorization-plugin (bulkhead) | ${fmt(medianGuarded)} | ${fmt(percentile(psGuarded, 90))} | ${fmt(psGuarded.at(-1) ?? NaN)} |`,
      '',
      `Median overhead per \`docker ps\`: ${fmt(medianGuarded - medianPlain)} ms (two plugin calls per API request: AuthZReq and AuthZRes;`,
      '`docker ps` makes two API requests, ping and list). Most of a `docker ps` is the CLI process start-up.',
      '',
    );
    const out = join(ROOT, 'bench/results/authz.md');
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(out, lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\nwrote ${out}\n`);
  } finally {
    rmSync(spec, { force: true });
    if (guarded !== undefined) await guarded.stop();
    if (plain !== undefined) await plain.stop();
    await stopChild(plugin);
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
