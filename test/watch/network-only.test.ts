// A profile with a network section and no exec section (what `watch net` learns for an image the exec learner never
// saw, promoted with `watch profile promote`) is no exec profile: in deny mode every exec still runs and none is
// BH-W-001 "not in profile". The control: the same image with an exec section that lacks /bin/ls denies /bin/ls,
// so the watcher does judge this container.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetworkProfiles } from '../../src/net/profiles.js';
import { loadProfile, profileFile, saveProfile } from '../../src/watch/profile.js';
import { runBulkhead } from '../harness/cli.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { allEvents, startWatch, waitForEvents } from '../harness/watch-run.js';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const NAME = 'bhw-netonly';
const T = '2026-12-01T10:00:00.000Z';

describe('a network-only profile in deny mode', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;
  let digest: string;
  const exec = (args: readonly string[]): number | null =>
    spawnSync(DOCKER, ['--host', engine.host, 'exec', NAME, ...args], { timeout: 120_000 }).status;

  before(() => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-netonly-'));
    spawnSync(DOCKER, ['--host', engine.host, 'rm', '-f', NAME]);
    engine.docker(['run', '-d', '--name', NAME, '--network', 'none', BUSYBOX_IMAGE, 'sleep', '100000']);
    digest = engine.docker(['inspect', '--format', '{{.Image}}', NAME]).trim();
  });

  after(() => {
    spawnSync(DOCKER, ['--host', engine.host, 'rm', '-f', NAME]);
    rmSync(dir, { recursive: true, force: true });
  });

  const deny = (profiles: string, db: string): Promise<Awaited<ReturnType<typeof startWatch>>> =>
    startWatch(
      ['--mode', 'deny', '--container', NAME, '--profiles', profiles, '--db', db, '--guard', 'none'],
      { DOCKER_HOST: engine.host },
    );

  it('judges no exec against it (no BH-W-001, nothing denied)', async () => {
    const profiles = join(dir, 'p1');
    const db = join(dir, 'e1.db');
    // the network stage's learned file, promoted as a user would
    new NetworkProfiles(profiles).saveLearned(digest, [BUSYBOX_IMAGE], {
      listening: [{ workload: NAME, proto: 'tcp', port: 8080, firstSeen: T, lastSeen: T }],
      outbound: [],
      inbound: [],
    });
    const promote = await runBulkhead([
      'watch',
      'profile',
      'promote',
      '--profiles',
      profiles,
      '--docker-host',
      'none',
      BUSYBOX_IMAGE,
    ]);
    assert.equal(promote.code, 0, promote.stderr);
    const enforced = loadProfile(profileFile(profiles, digest, 'enforced'));
    assert.equal(enforced.executables, undefined, 'promoted without an exec section');
    const w = await deny(profiles, db);
    try {
      await waitForEvents(db, 'watched', (e) => e.containerName === NAME && e.kind === 'container');
      assert.equal(exec(['/bin/true']), 0);
      assert.equal(exec(['/bin/ls', '/']), 0);
      await waitForEvents(db, '/bin/ls seen', (e) => e.kind === 'exec' && e.path === '/bin/ls');
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    const execs = allEvents(db).filter((e) => e.kind === 'exec' && e.containerName === NAME);
    assert.ok(execs.length >= 2);
    assert.deepEqual(
      execs.filter((e) => e.rules.includes('BH-W-001') || e.verdict !== 'allowed').map((e) => e.path),
      [],
    );
  });

  it('control: an exec section without /bin/ls denies /bin/ls in the same setup', async () => {
    const profiles = join(dir, 'p2');
    const db = join(dir, 'e2.db');
    const networkOnly = loadProfile(profileFile(join(dir, 'p1'), digest, 'enforced'));
    saveProfile(profileFile(profiles, digest, 'enforced'), {
      ...networkOnly,
      executables: [
        { path: '/bin/true', exe: '/bin/busybox', users: [0], parents: [], count: 1 },
        { path: '/bin/sleep', exe: '/bin/busybox', users: [0], parents: [], count: 1 },
        { path: '/bin/sh', exe: '/bin/busybox', users: [0], parents: [], count: 1 },
      ],
    });
    const w = await deny(profiles, db);
    try {
      await waitForEvents(db, 'watched', (e) => e.containerName === NAME && e.kind === 'container');
      assert.equal(exec(['/bin/true']), 0);
      // the shell runs (listed), its /bin/ls is denied before it runs: the shell's "cannot execute" status
      assert.equal(exec(['/bin/sh', '-c', '/bin/ls /']), 126, 'denied before it runs');
      await waitForEvents(
        db,
        '/bin/ls denied',
        (e) => e.path === '/bin/ls' && e.verdict === 'denied' && e.ruleId === 'BH-W-001',
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });
});
