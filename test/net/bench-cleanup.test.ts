// bench/watch-net cleans up on SIGINT (issue 12, benchmarks): a run with tiny sizes is interrupted once everything it
// makes exists (namespaces with a veth pair and nft tables, a private dockerd with containers on an internal network,
// the monitor's tables and tcpdump readers); afterwards no process it started is alive, no container process is
// left, its namespaces are gone (and their tables with them), the veth pair and the engine's directory and mounts
// are gone, and no results file was written.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { engineSuite } from '../harness/shared-engine.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bh-bench-cleanup-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const stateSchema = z.object({
  engineDir: z.string(),
  dockerd: z.number(),
  containers: z.array(z.string()).min(1),
  network: z.string(),
  readers: z.array(z.number()),
});

interface Proc {
  readonly pid: number;
  readonly environ: string;
  readonly cgroup: string;
  readonly netns: string | undefined;
}

/** Every live (non-zombie) process: pid 1 here does not reap orphans, so zombies of any origin linger. */
function processes(): Proc[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return [];
      let netns: string | undefined;
      try {
        netns = readlinkSync(`/proc/${entry}/ns/net`);
      } catch {
        netns = undefined;
      }
      return [
        {
          pid: Number(entry),
          environ: readFileSync(`/proc/${entry}/environ`, 'latin1'),
          cgroup: readFileSync(`/proc/${entry}/cgroup`, 'utf8'),
          netns,
        },
      ];
    } catch {
      return []; // exited while read
    }
  });
}

describe('bench/watch-net on SIGINT', engineSuite, () => {
  it('stops and removes everything it made', async () => {
    const tag = `BULKHEAD_BENCH_TAG=${randomUUID()}`;
    const output = join(dir, 'watch-net.md');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/watch-net/net.ts',
        '--namespaces',
        '2',
        '--containers',
        '2',
        '--cycles',
        '2',
        '--connections',
        '3',
        '--connects',
        '10',
        '--monitor-seconds',
        '600',
        '--output',
        output,
        '--print-state',
      ],
      // the tag is inherited by everything the bench starts (dockerd, containerd, shims, tcpdump, unshare, python)
      {
        cwd: ROOT,
        env: { ...process.env, BULKHEAD_BENCH_TAG: tag.split('=')[1] },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((done) =>
      child.once('exit', (code) => {
        done(code);
      }),
    );
    const state = await new Promise<z.infer<typeof stateSchema>>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const line = /^bench-state (.*)$/m.exec(stderr);
        if (line !== null) resolve(stateSchema.parse(JSON.parse(line[1] ?? '')));
      });
      void exited.then((code) => {
        reject(new Error(`bench exited ${String(code)} before it had made everything:\n${stderr}`));
      });
    });
    child.stdout.resume();

    // before: the checks below can fail (the bench's processes, containers and namespaces are there)
    const before = processes();
    const tagged = before.filter((p) => p.environ.includes(tag));
    assert.ok(
      tagged.some((p) => p.pid === state.dockerd),
      'the private dockerd carries the tag',
    );
    assert.ok(state.readers.length >= 2, `tcpdump readers: ${state.readers.join(',')}`);
    for (const pid of state.readers)
      assert.ok(
        tagged.some((p) => p.pid === pid),
        `reader ${pid} is tagged`,
      );
    const inContainer = (p: Proc): boolean => state.containers.some((id) => p.cgroup.includes(id));
    assert.ok(before.some(inContainer), 'container processes run');
    const host = readlinkSync('/proc/self/ns/net');
    const namespaces = new Set(
      tagged.flatMap((p) => (p.netns === undefined || p.netns === host ? [] : [p.netns])),
    );
    for (const p of before) if (inContainer(p) && p.netns !== undefined) namespaces.add(p.netns);
    assert.ok(namespaces.size >= 4, `the bench's namespaces: ${[...namespaces].join(' ')}`);
    assert.ok(existsSync(state.engineDir));

    child.kill('SIGINT');
    // a bound, not a timing assertion: a cleanup that hangs (a monitor left running keeps the process alive) fails
    // here instead of hanging the suite
    const code = await Promise.race([
      exited,
      sleep(180_000, undefined, { ref: false }).then(() => 'hung' as const),
    ]);
    if (code === 'hung') {
      child.kill('SIGKILL');
      assert.fail(`the bench did not exit within 180 s of SIGINT:\n${stderr}`);
    }
    assert.equal(code, 130, stderr);
    assert.match(stderr, /bench: SIGINT, stopping and cleaning up/);
    assert.doesNotMatch(stderr, /undo .* failed/, stderr);

    const left = processes();
    assert.deepEqual(
      left.filter((p) => p.environ.includes(tag)).map((p) => p.pid),
      [],
      'no process the bench started is alive',
    );
    assert.deepEqual(
      left.filter(inContainer).map((p) => p.pid),
      [],
      'no container process is left',
    );
    assert.deepEqual(
      left.filter((p) => p.netns !== undefined && namespaces.has(p.netns)).map((p) => p.pid),
      [],
      'no process holds one of its namespaces (their nft tables and veth ends went with them)',
    );
    assert.throws(() => execFileSync('ip', ['link', 'show', 'bhbench0'], { stdio: 'pipe' }));
    assert.equal(existsSync(state.engineDir), false, 'the private engine directory is removed');
    assert.ok(
      !readFileSync('/proc/self/mounts', 'utf8').includes(state.engineDir),
      'nothing is mounted below it',
    );
    assert.equal(existsSync(output), false, 'an interrupted run writes no results');
  });
});
