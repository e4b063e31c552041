// `bulkhead watch` and a gVisor (runsc) container on the private test dockerd: the host's kernel sources see none
// of its execs, so watch starts a runsc trace session in it and reads its sentry/execve points (and, for
// `docker exec`, which runsc starts without an execve, the Engine's exec record); learned into the same profile,
// alert only in every mode; the session is deleted again on SIGTERM. runsc allows one session per sandbox: watch
// never replaces or deletes another tool's, and reports the container not observable while that one holds it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runscRootFromArgv } from '../../src/watch/gvisor-trace.js';
import { profileFile } from '../../src/watch/profile.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { runWatch, startWatch, waitForEvents, waitForStatus } from '../harness/watch-run.js';

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
