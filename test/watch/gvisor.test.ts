// `bulkhead watch` and a gVisor (runsc) container on the private test dockerd: the host's kernel sources see none
// of its execs, so watch starts a runsc trace session in it and reads its sentry/execve points (and, for
// `docker exec`, which runsc starts without an execve, the Engine's exec record); learned into the same profile,
// alert only in every mode; the session is deleted again on SIGTERM. runsc allows one session per sandbox: watch
// never replaces or deletes another tool's (nor a still running watch's), and reports the container not observable
// while that one holds it; a session a SIGKILLed watch left behind is taken back by the next watch.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadWatchAddon } from '../../src/native/index.js';
import { DEFAULT_TRACE_DIR, recordPath } from '../../src/watch/gvisor-stale.js';
import { runscRootFromArgv } from '../../src/watch/gvisor-trace.js';
import { encodeHandshake } from '../../src/watch/gvisor-wire.js';
import { profileFile } from '../../src/watch/profile.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import {
  runWatch,
  startWatch,
  waitForEvents,
  waitForStatus,
  type RunningWatch,
} from '../harness/watch-run.js';

const NAME = 'bhg-g';

describe('bulkhead watch reads a runsc container through runsc trace', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;
  let profiles: string;
  let db: string;
  let digest: string;
  let id: string;
  const env = (): Record<string, string> => ({ DOCKER_HOST: engine.host });
  const common = (): string[] => ['--profiles', profiles, '--db', db, '--guard', 'none', '--container', NAME];
  const exec = (args: readonly string[]): string => engine.docker(['exec', NAME, ...args]);
  /** `runsc --root R ARGS` on the container's sandbox, as another tool (or its user) would run it. */
  const runsc = (args: readonly string[]): string => {
    const pid = engine.docker(['inspect', '--format', '{{.State.Pid}}', NAME]).trim();
    const root = runscRootFromArgv(
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0'),
    );
    assert.ok(root !== undefined);
    return execFileSync('runsc', ['--root', root, ...args], { encoding: 'utf8' });
  };
  /** Waits (up to 90 s) until the watch's log matches `pattern`. */
  const waitForLog = async (w: RunningWatch, pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 90_000;
    while (!pattern.test(w.stderr())) {
      assert.ok(
        w.child.exitCode === null && Date.now() < deadline,
        `no ${String(pattern)} in:\n${w.stderr()}`,
      );
      await sleep(100);
    }
    return w.stderr();
  };
  const sigkill = async (w: RunningWatch): Promise<void> => {
    const exited = new Promise((done) => w.child.once('exit', done));
    w.child.kill('SIGKILL');
    await exited;
  };
  const traced = (database: string, what: string): Promise<unknown> =>
    waitForEvents(
      database,
      what,
      (e) =>
        e.containerName === NAME &&
        e.kind === 'container' &&
        e.message.includes('observed through runsc trace'),
    );
  const seenExec = (database: string, argv: string): Promise<unknown> =>
    waitForEvents(
      database,
      argv,
      (e) => e.containerName === NAME && e.detail['source'] === 'runsc-trace' && e.argv.join(' ') === argv,
    );

  before(() => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-gv-test-'));
    profiles = join(dir, 'profiles');
    db = join(dir, 'events.db');
    try {
      engine.docker(['rm', '-f', NAME]);
    } catch {
      // not there
    }
    id = engine
      .docker([
        'run',
        '-d',
        '--name',
        NAME,
        '--runtime',
        'runsc',
        '--network',
        'none',
        BUSYBOX_IMAGE,
        'sleep',
        '1000',
      ])
      .trim();
    digest = engine.docker(['inspect', '--format', '{{.Image}}', NAME]).trim();
  });

  after(() => {
    // what a SIGKILLed watch of a failed test left in the trace directory
    for (const f of readdirSync(DEFAULT_TRACE_DIR))
      if (f.startsWith(id) || f.includes(`-${id.slice(0, 12)}.`))
        rmSync(join(DEFAULT_TRACE_DIR, f), { force: true });
    try {
      engine.docker(['rm', '-f', NAME]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns execs seen inside the sandbox into the image profile', async () => {
    const w = await startWatch(['--mode', 'learn', ...common(), '--learn-flush-ms', '60000'], env());
    try {
      const [note] = await waitForEvents(
        db,
        'traced',
        (e) => e.containerName === NAME && e.kind === 'container',
      );
      assert.match(note?.message ?? '', /observed through runsc trace \(alert only\), learn mode/);
      exec(['sh', '-c', '/bin/true; /bin/echo learned']);
      const [t] = await waitForEvents(
        db,
        '/bin/true',
        (e) => e.containerName === NAME && e.path === '/bin/true',
      );
      assert.equal(t?.exe, '/bin/busybox');
      assert.equal(t.detail['source'], 'runsc-trace');
      await waitForEvents(db, '/bin/echo', (e) => e.containerName === NAME && e.path === '/bin/echo');
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    const learned = readFileSync(profileFile(profiles, digest, 'learned'), 'utf8');
    for (const path of ['/bin/true', '/bin/echo', '/bin/sh'])
      assert.match(learned, new RegExp(`path: ${path}\\n`));
    const promote = runWatch(['profile', 'promote', '--all', '--profiles', profiles]);
    assert.equal(promote.status, 0, promote.stderr);
  });

  it('in deny mode alerts (never denies) on `docker exec NAME /bin/ls` and on an ls its shell runs', async () => {
    const w = await startWatch(['--mode', 'deny', ...common()], env());
    try {
      const notes = await waitForEvents(
        db,
        'traced in deny mode',
        (e) => e.containerName === NAME && e.kind === 'container' && e.message.includes('deny mode'),
      );
      assert.match(notes[0]?.message ?? '', /deny acts as alert: a trace point cannot refuse an exec/);
      assert.match(exec(['/bin/ls', '/']), /^bin$/m, 'the exec ran: trace cannot deny');
      const [direct] = await waitForEvents(
        db,
        'docker exec /bin/ls',
        (e) => e.containerName === NAME && e.path === '/bin/ls' && e.detail['source'] === 'docker-exec',
      );
      assert.equal(direct?.verdict, 'alerted');
      assert.equal(direct.ruleId, 'BH-W-001');
      assert.equal(direct.containerId, id);
      assert.deepEqual(direct.argv, ['/bin/ls', '/']);

      assert.match(exec(['sh', '-c', '/bin/ls /; /bin/true']), /^tmp$/m);
      const [inner] = await waitForEvents(
        db,
        'ls from the shell',
        (e) => e.containerName === NAME && e.path === '/bin/ls' && e.detail['source'] === 'runsc-trace',
      );
      assert.equal(inner?.verdict, 'alerted');
      assert.equal(inner.ruleId, 'BH-W-001');
      assert.equal(inner.exe, '/bin/busybox');
      assert.ok(
        typeof inner.ppid === 'number' && inner.ppid > 0,
        'the parent sandbox process from sentry/clone',
      );
      const trues = await waitForEvents(
        db,
        'true (in the profile)',
        (e) =>
          e.containerName === NAME &&
          e.path === '/bin/true' &&
          e.detail['source'] === 'runsc-trace' &&
          e.profileVersion !== null,
      );
      assert.equal(trues[0]?.verdict, 'allowed');

      // watch's status names the container and how it is seen
      const status = await waitForStatus(
        ['--db', db],
        new RegExp(`${NAME} .* observed through runsc trace \\(alert only\\)`),
      );
      assert.match(status.stdout, new RegExp(`${NAME} .* observed through runsc trace \\(alert only\\)`));
      assert.match(
        status.stdout,
        /runsc trace: 1 session\(s\), \d+ messages; dropped by the sentry 0; rejected 0 /,
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    // SIGTERM deleted the session from the sandbox
    assert.match(runsc(['trace', 'list', id]), /SESSIONS \(0\)/);
  });

  it("never replaces or deletes another tool's session, and reports the container not observable while that one holds it", async () => {
    // another tool's session: its own config (no sink), the sandbox's one "Default"
    const other = join(dir, 'other-tool.json');
    writeFileSync(
      other,
      JSON.stringify({
        trace_session: { name: 'Default', points: [{ name: 'sentry/execve' }], sinks: [] },
      }),
    );
    runsc(['trace', 'create', '--config', other, id]);
    const w = await startWatch(['--mode', 'alert', ...common()], env());
    try {
      const [held] = await waitForEvents(
        db,
        'held by another tool',
        (e) => e.containerName === NAME && e.kind === 'container' && e.message.includes("is another tool's"),
      );
      assert.equal(held?.verdict, 'alerted');
      assert.equal(held.profileVersion, 1, 'the profile loads while the container is not traced');
      const heldRow = new RegExp(
        `${NAME} .* v1 +no: not observable from the host \\(gVisor\\).*is another tool's`,
      );
      assert.match((await waitForStatus(['--db', db], heldRow)).stdout, heldRow);
      assert.match(runsc(['trace', 'list', id]), /SESSIONS \(1\)/, 'the other session is still there');

      // the other tool ends its session: watch creates its own (a create without --force, retried)
      runsc(['trace', 'delete', '--name', 'Default', id]);
      await waitForEvents(
        db,
        'created once the other session is gone',
        (e) =>
          e.containerName === NAME && e.kind === 'container' && e.message.includes('trace session created'),
      );
      exec(['sh', '-c', '/bin/true; /bin/ls /dev']);
      await waitForEvents(
        db,
        'traced again',
        (e) =>
          e.containerName === NAME &&
          e.detail['source'] === 'runsc-trace' &&
          e.argv.join(' ') === '/bin/ls /dev',
      );

      // someone removes watch's session: watch notices its sink closing and creates it again
      runsc(['trace', 'delete', '--name', 'Default', id]);
      await waitForEvents(
        db,
        'recreated after a removal',
        (e) =>
          e.containerName === NAME && e.kind === 'container' && e.message.includes('trace session recreated'),
      );

      // another tool replaces it (`--force`): watch reports it, never as clean, and leaves that session alone
      runsc(['trace', 'create', '--force', '--config', other, id]);
      const [replaced] = await waitForEvents(
        db,
        'replaced',
        (e) =>
          e.containerName === NAME &&
          e.kind === 'container' &&
          e.message.includes('trace session replaced by another tool'),
      );
      assert.equal(replaced?.verdict, 'alerted');
      const replacedRow = new RegExp(
        `${NAME} .* v1 +no: not observable .*trace session replaced by another tool`,
      );
      assert.match((await waitForStatus(['--db', db], replacedRow)).stdout, replacedRow);
      // `docker exec` is still judged from the Engine's record, against the profile in force
      exec(['/bin/ls', '/proc']);
      const [direct] = await waitForEvents(
        db,
        'docker exec while replaced',
        (e) =>
          e.containerName === NAME &&
          e.detail['source'] === 'docker-exec' &&
          e.argv.join(' ') === '/bin/ls /proc',
      );
      assert.equal(direct?.verdict, 'alerted');
      assert.equal(direct.profileVersion, 1);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    // SIGTERM left the other tool's session in place
    assert.match(runsc(['trace', 'list', id]), /SESSIONS \(1\)\n"Default"/);
    runsc(['trace', 'delete', '--name', 'Default', id]);
  });

  it('takes back the session a SIGKILLed watch left behind, never one a running watch holds', async () => {
    const db2 = join(dir, 'second.db');
    const first = await startWatch(['--mode', 'alert', ...common()], env());
    let second: RunningWatch | undefined;
    try {
      await traced(db, 'first watch traces');
      // a second watch finds the first one's session: held by a running watch, left alone
      second = await startWatch(
        ['--mode', 'alert', '--profiles', profiles, '--db', db2, '--guard', 'none', '--container', NAME],
        env(),
      );
      await waitForEvents(
        db2,
        'second watch: held',
        (e) => e.containerName === NAME && e.kind === 'container' && e.message.includes("is another tool's"),
      );
      assert.match(
        second.stderr(),
        new RegExp(
          `not a stale bulkhead session: the bulkhead watch that created it still runs \\(pid ${first.child.pid}\\)`,
        ),
      );
      exec(['sh', '-c', '/bin/ls /etc']);
      await seenExec(db, '/bin/ls /etc'); // the first watch still reads it

      // the first watch dies without deleting its session; the second (retrying) takes it back
      await sigkill(first);
      assert.match(runsc(['trace', 'list', id]), /SESSIONS \(1\)/, 'the killed watch left its session');
      await waitForEvents(
        db2,
        'second watch: took it back',
        (e) =>
          e.containerName === NAME &&
          e.kind === 'container' &&
          e.message.includes('replaced a stale one of a bulkhead watch that is gone'),
      );
      assert.match(
        second.stderr(),
        new RegExp(
          `${NAME}: replaced a stale bulkhead trace session \\(its watch, pid ${first.child.pid}, is gone`,
        ),
      );
      exec(['sh', '-c', '/bin/ls /bin']);
      await seenExec(db2, '/bin/ls /bin');
    } finally {
      await first.stop();
      if (second !== undefined) assert.equal(await second.stop(), 0, second.stderr());
    }
    assert.match(runsc(['trace', 'list', id]), /SESSIONS \(0\)/, 'SIGTERM deleted the taken-back session');
    assert.equal(existsSync(recordPath(DEFAULT_TRACE_DIR, id)), false, 'and its record');

    // a watch restarted after a SIGKILL takes back its predecessor's session at start
    const killed = await startWatch(['--mode', 'alert', ...common()], env());
    await traced(db, 'traced before the kill');
    await sigkill(killed);
    const restarted = await startWatch(['--mode', 'alert', ...common()], env());
    try {
      await waitForLog(
        restarted,
        new RegExp(
          `${NAME}: replaced a stale bulkhead trace session \\(its watch, pid ${killed.child.pid}, is gone and its socket ${DEFAULT_TRACE_DIR}/${killed.child.pid}-${id.slice(0, 12)}\\.sock refuses connections\\)`,
        ),
      );
      exec(['sh', '-c', '/bin/ls /tmp']);
      await seenExec(db, '/bin/ls /tmp');
      assert.equal(
        existsSync(join(DEFAULT_TRACE_DIR, `${killed.child.pid}-${id.slice(0, 12)}.sock`)),
        false,
        "the dead watch's socket is removed",
      );
    } finally {
      await sigkill(restarted); // leaves its session, with its record, behind again
    }
  });

  it('leaves alone a session another tool put in place of a killed watch', async (t) => {
    const load = loadWatchAddon();
    const ops = load.ok ? load.addon.seqpacket : undefined;
    if (ops === undefined) {
      t.skip('the watch addon is not built with SOCK_SEQPACKET support');
      return;
    }
    // the previous test's SIGKILLed watch left its session and record; another tool replaces the session (--force)
    // with its own remote sink, which then goes away too: the list looks like bulkhead's, the record is there
    const record = recordPath(DEFAULT_TRACE_DIR, id);
    const left = (JSON.parse(readFileSync(record, 'utf8')) as { socket: string }).socket;
    const sock = join(dir, 'other.sock');
    const listenFd = ops.listen(sock);
    const config = join(dir, 'other-remote.json');
    writeFileSync(
      config,
      JSON.stringify({
        trace_session: {
          name: 'Default',
          points: [{ name: 'sentry/execve' }],
          sinks: [{ name: 'remote', config: { endpoint: sock } }],
        },
      }),
    );
    const pid = engine.docker(['inspect', '--format', '{{.State.Pid}}', NAME]).trim();
    const root =
      runscRootFromArgv(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0')) ?? '';
    const state = { done: false };
    const created = new Promise<void>((resolve, reject) => {
      execFile('runsc', ['--root', root, 'trace', 'create', '--force', '--config', config, id], (error) => {
        state.done = true;
        if (error === null) resolve();
        else reject(new Error(`runsc trace create --force: ${error.message}`));
      });
    });
    const conns: number[] = [];
    while (!state.done) {
      // answer the sink's handshake, as the other tool would
      for (let fd = ops.accept(listenFd); fd >= 0; fd = ops.accept(listenFd)) conns.push(fd);
      for (const fd of conns) if (ops.recv(fd, 64, 1).messages.length > 0) ops.send(fd, encodeHandshake());
      await sleep(10);
    }
    await created;
    for (const fd of [...conns, listenFd]) closeSync(fd);
    assert.match(runsc(['trace', 'list', id]), /SESSIONS \(1\)\n"Default"\n\tSink: "remote"/);

    const w = await startWatch(['--mode', 'alert', ...common()], env());
    try {
      await waitForLog(
        w,
        /not a stale bulkhead session: the sandbox no longer holds the recorded watch's sink connection/,
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    assert.match(runsc(['trace', 'list', id]), /SESSIONS \(1\)/, "the other tool's session is still there");
    assert.ok(existsSync(record), 'the record is left too: nothing of it was taken back');
    runsc(['trace', 'delete', '--name', 'Default', id]);
    for (const f of [record, left, left.replace(/\.sock$/, '.json')]) rmSync(f, { force: true });
  });

  it('with --no-runsc-trace reports the container as not observable, with the reason', async () => {
    const w = await startWatch(['--mode', 'alert', ...common(), '--no-runsc-trace'], env());
    try {
      const notes = await waitForEvents(
        db,
        'not observable',
        (e) =>
          e.containerName === NAME &&
          e.kind === 'container' &&
          e.message.includes('runsc trace is turned off'),
      );
      assert.match(
        notes[0]?.message ?? '',
        /not observable from the host \(gVisor\).*runsc trace is turned off/,
      );
      assert.equal(notes[0]?.profileVersion, 1, 'the promoted profile loads');
      const unobservable = new RegExp(`${NAME} .* v1 +no: not observable from the host \\(gVisor\\)`);
      const status = await waitForStatus(['--db', db], unobservable);
      assert.match(status.stdout, unobservable);
      // what `docker exec` starts is judged from the Engine's exec record, against that profile
      exec(['/bin/ls', '/sys']);
      const [direct] = await waitForEvents(
        db,
        'docker exec without trace',
        (e) =>
          e.containerName === NAME &&
          e.detail['source'] === 'docker-exec' &&
          e.argv.join(' ') === '/bin/ls /sys',
      );
      assert.equal(direct?.verdict, 'alerted');
      assert.equal(direct.ruleId, 'BH-W-001');
      assert.equal(direct.profileVersion, 1);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });
});
