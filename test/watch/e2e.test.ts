// `bulkhead watch` end to end on the private test dockerd (runc containers, --network none): learn, promote,
// alert, deny drift, kill, interactive shell, a broken profile keeping the old one, 2,000 short execs all
// attributed, gVisor read through runsc trace (test/watch/gvisor.test.ts has the rest), clean SIGTERM; and the runtime-binary guard on its own daemon.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStore } from '../../src/watch/store.js';
import { profileFile } from '../../src/watch/profile.js';
import { startEngine, type Engine } from '../harness/engine.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { startWatch, waitForEvents, waitForStatus, type RunningWatch } from '../harness/watch-run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** `bulkhead watch ARGS` on the test engine at `host` (test/harness/watch-run.ts). */
function watchOn(host: string, args: readonly string[]): Promise<RunningWatch> {
  return startWatch(args, { DOCKER_HOST: host });
}

function docker(
  host: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(DOCKER, ['--host', host, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bulkhead watch on the test engine', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;
  let profiles: string;
  let db: string;
  let digest: string;

  before(() => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-watch-'));
    profiles = join(dir, 'profiles');
    db = join(dir, 'events.db');
    for (const name of ['bhw-c', 'bhw-c2', 'bhw-g']) docker(engine.host, ['rm', '-f', name]);
    engine.docker([
      'run',
      '-d',
      '--name',
      'bhw-c',
      '--network',
      'none',
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      'while :; do /bin/true; sleep 0.1; done',
    ]);
    digest = engine.docker(['inspect', '--format', '{{.Image}}', 'bhw-c']).trim();
  });

  after(() => {
    for (const name of ['bhw-c', 'bhw-c2', 'bhw-g']) docker(engine.host, ['rm', '-f', name]);
    rmSync(dir, { recursive: true, force: true });
  });

  // Only this file's containers: the engine is shared with other test files, and a watch that took gvisor.test.ts's
  // runsc container would replace that file's trace session (runsc allows one, named Default, per sandbox).
  const common = (): string[] => [
    '--profiles',
    profiles,
    '--db',
    db,
    '--guard',
    'none',
    '--container',
    'bhw-c',
    'bhw-c2',
    'bhw-g',
  ];

  it('learns a profile and leaves it on SIGTERM; promote makes it enforced', async () => {
    const w = await watchOn(engine.host, ['--mode', 'learn', ...common(), '--learn-flush-ms', '60000']);
    // the container's loop, seen by the watcher (not a guessed delay)
    for (const path of ['/bin/true', '/bin/sleep'])
      await waitForEvents(db, `loop ${path}`, (e) => e.containerName === 'bhw-c' && e.path === path);
    assert.equal(docker(engine.host, ['exec', 'bhw-c', 'cp', '/bin/busybox', '/tmp/learned']).status, 0);
    await waitForEvents(db, 'learned cp', (e) => e.path === '/bin/cp');
    assert.equal(await w.stop(), 0, w.stderr());
    const learned = readFileSync(profileFile(profiles, digest, 'learned'), 'utf8');
    for (const path of ['/bin/true', '/bin/sleep', '/bin/sh', '/bin/cp'])
      assert.match(learned, new RegExp(`path: ${path}\\n`));
    const promote = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/harness/bulkhead-dev.ts',
        'watch',
        'profile',
        'promote',
        '--all',
        '--profiles',
        profiles,
        '--docker-host',
        'none',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(promote.status, 0, promote.stderr);
    assert.match(promote.stdout, /\+ \/bin\/true/);
    assert.ok(existsSync(profileFile(profiles, digest, 'enforced')));
  });

  it('alert: docker exec /bin/ls is one alert; a terminal shell raises BH-W-004; a broken profile keeps v1', async () => {
    const w = await watchOn(engine.host, ['--mode', 'alert', ...common()]);
    try {
      assert.equal(docker(engine.host, ['exec', 'bhw-c', '/bin/ls', '/']).status, 0);
      const [ls] = await waitForEvents(
        db,
        'ls alert',
        (e) => e.path === '/bin/ls' && e.verdict === 'alerted',
      );
      assert.ok(ls);
      assert.equal(ls.containerName, 'bhw-c');
      assert.equal(ls.ruleId, 'BH-W-001');
      assert.equal(ls.profileVersion, 1);
      // two more rounds of the loop after the ls are stored: an alert the loop raised would be stored by then too
      await waitForEvents(
        db,
        'two loop rounds after ls',
        (e) => e.containerName === 'bhw-c' && e.path === '/bin/sleep' && e.time > ls.time,
        2,
      );
      const store = new EventStore(db, { readonly: true });
      const alerts = store
        .query({ container: 'bhw-c' })
        .filter((e) => e.verdict !== 'allowed' && e.kind === 'exec');
      store.close();
      assert.deepEqual(
        alerts.map((e) => e.path),
        ['/bin/ls'],
        'the loop itself raises nothing',
      );

      const shell = docker(engine.host, ['exec', '-t', 'bhw-c', 'sh', '-c', 'true']);
      assert.equal(shell.status, 0, `docker exec -t: ${shell.stderr}`);
      await waitForEvents(
        db,
        'shell rule',
        (e) => e.rules.includes('BH-W-004') && e.containerName === 'bhw-c',
      );

      const file = profileFile(profiles, digest, 'enforced');
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.replace('executables:', 'executables: [oops'));
      const deadline = Date.now() + 10_000;
      while (!w.stderr().includes(`${file}:`) && Date.now() < deadline) await sleep(100);
      assert.match(w.stderr(), new RegExp(`${file}:\\d+:\\d+: invalid YAML`));
      assert.match(w.stderr(), /version 1 stays in force/);
      assert.equal(docker(engine.host, ['exec', 'bhw-c', '/bin/ls', '/']).status, 0);
      await waitForEvents(
        db,
        'ls alert under the old profile',
        (e) => e.path === '/bin/ls' && e.profileVersion === 1,
        2,
      );
      writeFileSync(file, good);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('deny: drift exits 126 with a denied event while /bin/true runs; SIGTERM leaves no gate behind', async () => {
    const w = await watchOn(engine.host, ['--mode', 'deny', ...common()]);
    try {
      const r = docker(engine.host, ['exec', 'bhw-c', 'sh', '-c', 'cp /bin/busybox /tmp/x && /tmp/x true']);
      assert.equal(r.status, 126, `drift exec: ${r.stderr}`);
      const [denied] = await waitForEvents(
        db,
        'drift denial',
        (e) => e.path === '/tmp/x' && e.verdict === 'denied',
      );
      assert.equal(denied?.ruleId, 'BH-W-002');
      const t = docker(engine.host, ['exec', 'bhw-c', '/bin/true']);
      assert.equal(t.status, 0, `/bin/true: ${t.stderr}`);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    // the gate is gone with the process: the same drift exec now runs (busybox says it has no applet "x")
    const again = docker(engine.host, ['exec', 'bhw-c', 'sh', '-c', '/tmp/x true']);
    assert.equal(again.status, 127, again.stderr);
    const stuck = execFileSync('ps', ['-eo', 'stat=,comm='])
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('D') && /busybox|sh|true/.test(l));
    assert.deepEqual(stuck, []);
  });

  it('records the argv an exec was given: many arguments, one past the per-argument slice, and the 2,047-byte cap', async () => {
    const w = await watchOn(engine.host, ['--mode', 'alert', ...common()]);
    try {
      // 40 short arguments and one of 700 bytes (longer than the addon's 256-byte slice, so read again alone)
      const many = [...Array.from({ length: 40 }, (_, i) => `arg${i}-${'m'.repeat(i)}`), 'L'.repeat(700)];
      assert.equal(docker(engine.host, ['exec', 'bhw-c', '/bin/echo', ...many]).status, 0);
      const [echo] = await waitForEvents(
        db,
        'echo with many arguments',
        (e) => e.path === '/bin/echo' && e.argv.length > 2,
      );
      assert.deepEqual(echo?.argv, ['/bin/echo', ...many]);
      // argv is kept to 2,047 bytes: a 3,000-byte argument is cut there
      assert.equal(docker(engine.host, ['exec', 'bhw-c', '/bin/printf', 'P'.repeat(3000)]).status, 0);
      const [printf] = await waitForEvents(
        db,
        'printf with a long argument',
        (e) => e.path === '/bin/printf',
      );
      assert.deepEqual(printf?.argv, ['/bin/printf', 'P'.repeat(2047 - '/bin/printf'.length - 1)]);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('kill: a non-profile exec is killed before it runs and the event says killed', async () => {
    const w = await watchOn(engine.host, ['--mode', 'kill', ...common()]);
    try {
      const r = docker(engine.host, ['exec', 'bhw-c', '/bin/tail', '-f', '/dev/null']);
      assert.equal(r.status, 137, `tail: ${r.stderr}`);
      const [killed] = await waitForEvents(
        db,
        'kill',
        (e) => e.path === '/bin/tail' && e.verdict === 'killed',
      );
      assert.equal(killed?.ruleId, 'BH-W-001');
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('2,000 short execs from the container shell are all attributed to it; runsc is read through runsc trace', async () => {
    const w = await watchOn(engine.host, ['--mode', 'alert', ...common()]);
    try {
      engine.docker([
        'run',
        '-d',
        '--name',
        'bhw-c2',
        '--network',
        'none',
        BUSYBOX_IMAGE,
        'sh',
        '-c',
        'until [ -e /tmp/go ]; do sleep 0.2; done; for i in $(seq 2000); do /bin/true; done; echo done; sleep 1000',
      ]);
      // the loop starts once watch has put its gate on the new container (marks follow the Engine's start event)
      await waitForEvents(
        db,
        'bhw-c2 watched',
        (e) => e.containerName === 'bhw-c2' && e.kind === 'container',
      );
      engine.docker(['exec', 'bhw-c2', 'touch', '/tmp/go']);
      const deadline = Date.now() + 600_000;
      while (!engine.docker(['logs', 'bhw-c2']).includes('done') && Date.now() < deadline) await sleep(500);
      const trues = await waitForEvents(
        db,
        '/bin/true in bhw-c2',
        (e) => e.containerName === 'bhw-c2' && e.path === '/bin/true',
        2000,
      );
      assert.equal(trues.length, 2000);
      const shellPid = Number(engine.docker(['inspect', '--format', '{{.State.Pid}}', 'bhw-c2']).trim());
      assert.ok(
        trues.every((e) => e.ppid === shellPid),
        'every /bin/true is a child of bhw-c2 shell',
      );
      const store = new EventStore(db, { readonly: true });
      const elsewhere = store
        .query({ limit: 100_000 })
        .filter((e) => e.ppid === shellPid && e.containerName !== 'bhw-c2');
      store.close();
      assert.deepEqual(elsewhere, []);

      const g = docker(engine.host, [
        'run',
        '-d',
        '--name',
        'bhw-g',
        '--runtime',
        'runsc',
        '--network',
        'none',
        BUSYBOX_IMAGE,
        'sleep',
        '1000',
      ]);
      assert.equal(g.status, 0, g.stderr);
      const [note] = await waitForEvents(
        db,
        'gVisor note',
        (e) => e.containerName === 'bhw-g' && e.kind === 'container',
      );
      assert.match(note?.message ?? '', /observed through runsc trace \(alert only\)/);
      assert.equal(note?.verdict, 'allowed');
      const { stdout: status } = await waitForStatus(
        ['--db', db],
        /bhw-g .* observed through runsc trace \(alert only\)/,
      );
      assert.match(status, /bhw-g .* observed through runsc trace \(alert only\)/);
      assert.match(status, /drops 0 /);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });
});

describe('runtime-binary guard on a daemon with a copy of runc as a runtime', engineSuite, () => {
  let eng: Engine | undefined;
  let dir: string;

  before(async () => {
    dir = mkdtempSync('/tmp/bh-wg-');
    const runc = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p));
    assert.ok(runc, 'runc installed');
    copyFileSync(runc, join(dir, 'runc-copy'));
    execFileSync('chmod', ['755', join(dir, 'runc-copy')]);
    eng = await startEngine({
      dir: join(dir, 'e'),
      config: { runtimes: { 'bh-runc': { path: join(dir, 'runc-copy') } } },
    });
    const tar = execFileSync(DOCKER, ['--host', sharedEngine().host, 'save', BUSYBOX_IMAGE], {
      maxBuffer: 64 * 1024 * 1024,
    });
    eng.docker(['load'], tar);
  });

  after(async () => {
    await eng?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('denies a container-cgroup open of the runtime binary and lets the daemon start containers with it', async () => {
    assert.ok(eng);
    const copy = join(dir, 'runc-copy');
    const w = await watchOn(eng.host, [
      '--mode',
      'alert',
      '--profiles',
      join(dir, 'p'),
      '--db',
      join(dir, 'e.db'),
      '--guard',
      copy,
    ]);
    try {
      const run = docker(eng.host, [
        'run',
        '-d',
        '--name',
        'gc',
        '--runtime',
        'bh-runc',
        '--network',
        'none',
        BUSYBOX_IMAGE,
        'sleep',
        '1000',
      ]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(docker(eng.host, ['exec', 'gc', '/bin/true']).status, 0);
      const id = run.stdout.trim();
      const procs = `/sys/fs/cgroup/pids/docker/${id}/cgroup.procs`;
      assert.ok(existsSync(procs), procs);
      // a host shell placed in the container's cgroup stands in for a process inside it (no exploit)
      const inside = spawnSync('/bin/sh', ['-c', `echo $$ > ${procs} && cat ${copy} > /dev/null`], {
        encoding: 'utf8',
      });
      assert.notEqual(inside.status, 0);
      assert.match(inside.stderr, /Operation not permitted/);
      const host = spawnSync('/bin/sh', ['-c', `cat ${copy} > /dev/null`]);
      assert.equal(host.status, 0);
      await waitForEvents(
        join(dir, 'e.db'),
        'guard denial',
        (e) => e.kind === 'open' && e.verdict === 'denied' && e.ruleId === 'BH-W-007' && e.path === copy,
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
      docker(eng.host, ['rm', '-f', 'gc']);
    }
  });
});
