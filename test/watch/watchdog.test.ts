// Item 8 safety: a hung verdict thread must never hang the host. The addon's test hook
// (BULKHEAD_WATCH_TEST_VERDICT_DELAY_MS=-1) makes the verdict thread hold every event it reads until watch stops,
// as a deadlocked loop would; the watchdog must close the fanotify group so a container's pending exec proceeds,
// record a `stall` event and the counter, and watch carries on alert-only from the proc connector.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { allEvents, runWatch, startWatch, waitForEvents, waitForStatus } from '../harness/watch-run.js';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

describe('watchdog: a stalled verdict thread', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;

  before(() => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-wd-'));
    spawnSync(DOCKER, ['--host', engine.host, 'rm', '-f', 'bhw-wd']);
    engine.docker(['run', '-d', '--name', 'bhw-wd', '--network', 'none', BUSYBOX_IMAGE, 'sleep', '100000']);
  });

  after(() => {
    spawnSync(DOCKER, ['--host', engine.host, 'rm', '-f', 'bhw-wd']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the pending exec proceed, reports the stall, and keeps watching through the proc connector', async () => {
    const db = join(dir, 'events.db');
    const w = await startWatch(
      [
        '--mode',
        'deny',
        '--container',
        'bhw-wd',
        '--profiles',
        join(dir, 'profiles'),
        '--db',
        db,
        '--guard',
        'none',
        '--watchdog-ms',
        '300',
      ],
      { DOCKER_HOST: engine.host, BULKHEAD_WATCH_TEST_VERDICT_DELAY_MS: '-1' },
    );
    try {
      await waitForEvents(
        db,
        'bhw-wd watched',
        (e) => e.containerName === 'bhw-wd' && e.kind === 'container',
      );
      assert.match(w.stderr(), /exec gate: fanotify/);
      // the verdict thread never answers this exec: only the watchdog can let it run (a hung exec fails the
      // spawnSync timeout, status null)
      const started = Date.now();
      const r = spawnSync(DOCKER, ['--host', engine.host, 'exec', 'bhw-wd', '/bin/true'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const tookMs = Date.now() - started;
      assert.equal(r.status, 0, `exec under a stalled verdict thread: ${r.stderr} (${r.signal ?? ''})`);
      const [stall] = await waitForEvents(db, 'stall event', (e) => e.kind === 'stall');
      assert.match(stall?.message ?? '', /watchdog closed the fanotify group/);
      const logged = /exec gate closed by the watchdog after a \d+ ms stall; pending execs were allowed/;
      for (let i = 0; i < 50 && !logged.test(w.stderr()); i++) await sleep(100);
      assert.match(w.stderr(), logged);

      // with the gate closed, execs keep running and the proc connector still attributes them
      const ls = spawnSync(DOCKER, ['--host', engine.host, 'exec', 'bhw-wd', '/bin/ls', '/'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(ls.status, 0, ls.stderr);
      // a short `ls` is attributed by its cgroup, which outlives it; its argv is read from /proc after the exec
      // event and can be gone (at load 12 the reader ran ~9 ms late): then it is "(exited) ls", still attributed
      const [lsEvent] = await waitForEvents(
        db,
        'ls through the proc connector',
        (e) =>
          e.containerName === 'bhw-wd' &&
          /^(\/bin\/ls|\(exited\) ls)$/.test(e.path ?? '') &&
          e.detail['source'] === 'proc',
      );
      assert.ok(lsEvent?.path === '/bin/ls' || lsEvent?.argv.length === 0, JSON.stringify(lsEvent));
      // a process that outlives the reader's delay has its argv
      const slept = spawnSync(DOCKER, ['--host', engine.host, 'exec', 'bhw-wd', '/bin/sleep', '1'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(slept.status, 0, slept.stderr);
      const [sleepEvent] = await waitForEvents(
        db,
        'sleep through the proc connector',
        (e) => e.containerName === 'bhw-wd' && e.path === '/bin/sleep' && e.detail['source'] === 'proc',
      );
      assert.deepEqual(sleepEvent?.argv, ['/bin/sleep', '1']);

      // watch status (the status row is rewritten every second)
      const status = await waitForStatus(['--db', db, '--json'], /"stalls": 1/);
      assert.equal(status.status, 0, status.stderr);
      const parsed = JSON.parse(status.stdout) as {
        sources: { gate: string };
        counters: { stalls: number; gateActive: number };
      };
      assert.equal(parsed.counters.stalls, 1);
      assert.equal(parsed.counters.gateActive, 0);
      assert.match(parsed.sources.gate, /closed by the watchdog/);
      const text = runWatch(['status', '--db', db]);
      assert.match(text.stdout, /stalls 1/);
      process.stderr.write(
        `# exec under a stalled verdict thread completed in ${tookMs} ms (watchdog 300 ms)\n`,
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    assert.equal(allEvents(db).filter((e) => e.kind === 'stall').length, 1);
    const stuck = spawnSync('ps', ['-eo', 'stat=,comm='], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l.startsWith('D') && /busybox|true|ls/.test(l));
    assert.deepEqual(stuck, []);
  });
});
