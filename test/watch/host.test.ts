// Issue 11 item 5, host application control (watch --host), on a real kernel with real files: the host marks go on a
// tmpfs this test mounts under a temp dir (--host-paths), never on the machine's root filesystem, and a fixture dpkg
// database (--package-root) owns two of its binaries: one as shipped, one modified. Alert mode: an unlisted copied
// binary produces one BH-W-009 alert naming its path, the modified package file BH-W-010; deny without the required
// allow-list refuses to start, naming what is missing; learn -> promote -> deny: listed and package-vouched binaries
// run, an unlisted one and a modified package file fail with EPERM (sh exit 126), and a listed binary changed after
// start is denied too. Stopping watch leaves no mark (the unlisted binary runs again). A package upgraded while watch
// runs (the real dpkg, on a database of its own under --package-root) is re-read: in deny mode the upgraded binary runs
// and its exec is allowed, in alert mode it is not alerted; a package file changed with no database change is still
// denied (BH-W-010) or alerted.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { allEvents, runWatch, startWatch, waitForEvents, waitForStatus } from '../harness/watch-run.js';

function first<T>(list: readonly T[]): T {
  const x = list[0];
  assert.ok(x !== undefined);
  return x;
}

function md5(file: string): string {
  return createHash('md5').update(readFileSync(file)).digest('hex');
}

describe('watch --host: host application control', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;
  let mnt: string;
  let mounted = false;
  const bin = (name: string): string => join(mnt, 'bin', name);

  before(() => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-host-'));
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0755', 'bh-host-test', mnt]);
    mounted = true;
    mkdirSync(join(mnt, 'bin'));
    for (const name of ['known', 'unlisted', 'owned', 'modified']) copyFileSync('/usr/bin/true', bin(name));
    // a fixture dpkg database: package bh-fixture owns "owned" (md5 as shipped) and "modified" (another md5)
    const info = join(dir, 'pkgroot', 'var', 'lib', 'dpkg', 'info');
    mkdirSync(info, { recursive: true });
    writeFileSync(join(info, 'bh-fixture.list'), `/.\n${mnt}\n${bin('owned')}\n${bin('modified')}\n`);
    writeFileSync(
      join(info, 'bh-fixture.md5sums'),
      `${md5(bin('owned'))}  ${bin('owned').slice(1)}\n${'0'.repeat(32)}  ${bin('modified').slice(1)}\n`,
    );
  });

  after(() => {
    if (mounted) spawnSync('umount', ['-l', mnt]);
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (mode: string, profiles: string, db: string, pkgroot = join(dir, 'pkgroot')): string[] => [
    '--host',
    '--mode',
    mode,
    '--host-paths',
    mnt,
    '--package-root',
    pkgroot,
    '--container',
    'bh-host-test-no-such-container',
    '--guard',
    'none',
    '--profiles',
    profiles,
    '--db',
    db,
    '--learn-flush-ms',
    '200',
  ];

  it('alert: an unlisted copied binary is one BH-W-009 alert naming it; a modified package file is BH-W-010', async () => {
    const db = join(dir, 'alert.db');
    const w = await startWatch(args('alert', join(dir, 'alert-profiles'), db), { DOCKER_HOST: engine.host });
    try {
      assert.match(w.stderr(), /watch --host: alert mode on .*bh-host-/);
      for (const name of ['unlisted', 'owned', 'modified'])
        assert.equal(spawnSync(bin(name)).status, 0, `${name} runs in alert mode`);
      const alert = first(await waitForEvents(db, 'BH-W-009 alert', (e) => e.path === bin('unlisted')));
      assert.equal(alert.verdict, 'alerted');
      assert.equal(alert.ruleId, 'BH-W-009');
      assert.equal(alert.containerId, null);
      assert.match(alert.message, /not owned by any package and not in the host allow-list/);
      const modified = first(await waitForEvents(db, 'BH-W-010 alert', (e) => e.path === bin('modified')));
      assert.equal(modified.ruleId, 'BH-W-010');
      assert.match(modified.message, /package bh-fixture recorded \(modified package file\)/);
      const owned = first(await waitForEvents(db, 'owned exec', (e) => e.path === bin('owned')));
      assert.equal(owned.verdict, 'allowed');
      assert.equal(owned.ruleId, null);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    assert.equal(allEvents(db).filter((e) => e.path === bin('unlisted')).length, 1);
  });

  it('deny without the required allow-list refuses to start and names what is missing (exit 2)', () => {
    const r = runWatch(args('deny', join(dir, 'empty-profiles'), join(dir, 'refuse.db')), {
      DOCKER_HOST: engine.host,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /watch --host --mode deny refuses to start/);
    assert.match(r.stderr, /host\.yaml does not exist/);
    assert.match(r.stderr, /shell \/\S+ \(\/bin\/sh\) is not listed/);
    assert.match(r.stderr, /bulkhead \/\S+ \(the node binary running bulkhead\) is not listed/);
    assert.match(r.stderr, /fix: learn on this host/);
    assert.equal(spawnSync(bin('unlisted')).status, 0, 'no mark was left behind');
  });

  it('learn -> promote -> deny: listed and package-vouched binaries run; the rest fail with EPERM (126)', async () => {
    const profiles = join(dir, 'deny-profiles');
    const learnDb = join(dir, 'learn.db');
    const learner = await startWatch(args('learn', profiles, learnDb), { DOCKER_HOST: engine.host });
    try {
      assert.equal(spawnSync(bin('known')).status, 0);
      await waitForEvents(learnDb, 'learned exec', (e) => e.path === bin('known'));
    } finally {
      assert.equal(await learner.stop(), 0, learner.stderr());
    }
    const diff = runWatch(['profile', 'diff', 'host', '--profiles', profiles]);
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, new RegExp(`\\+ ${bin('known')}  exe ${bin('known')}; no package owns it`));
    assert.match(diff.stdout, /required: shell/);
    assert.match(diff.stdout, /required: bulkhead/);
    assert.doesNotMatch(diff.stdout, /unlisted/);
    const promote = runWatch(['profile', 'promote', 'host', '--profiles', profiles]);
    assert.match(promote.stdout, /promoted to v1: .*host\.yaml/);
    const show = runWatch(['profile', 'show', 'host', '--profiles', profiles]);
    assert.match(show.stdout, /enforced v1/);

    const db = join(dir, 'deny.db');
    const w = await startWatch(args('deny', profiles, db), { DOCKER_HOST: engine.host });
    try {
      assert.match(
        w.stderr(),
        /deny allow-set of \d+ files \(\d+ in host profile v1, 1 package executables verified\)/,
      );
      const sh = (file: string): number | null => spawnSync('/bin/sh', ['-c', file]).status;
      assert.equal(sh(bin('known')), 0, 'learned and promoted');
      assert.equal(sh(bin('owned')), 0, 'package-vouched');
      assert.equal(sh(bin('unlisted')), 126, 'unlisted: EPERM before it runs');
      assert.equal(sh(bin('modified')), 126, 'modified package file');
      const denied = first(await waitForEvents(db, 'denied unlisted', (e) => e.path === bin('unlisted')));
      assert.equal(denied.verdict, 'denied');
      assert.equal(denied.ruleId, 'BH-W-009');
      const mod = first(await waitForEvents(db, 'denied modified', (e) => e.path === bin('modified')));
      assert.equal(mod.verdict, 'denied');
      assert.equal(mod.ruleId, 'BH-W-010');
      // a listed binary changed after start (new ctime, new sha256) is no longer the file that was allowed
      appendFileSync(bin('known'), '\0');
      assert.equal(sh(bin('known')), 126, 'changed after start');
      assert.equal(spawnSync('/bin/true').status, 0, 'the root filesystem is not gated');
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
    assert.equal(spawnSync(bin('unlisted')).status, 0, 'stop removed every mark');
  });

  /**
   * A dpkg database of its own, written by the real dpkg (`--admindir`, files unpacked at their paths on the test's
   * tmpfs): package bh-<name>-tool owns `tool`, package bh-<name>-other owns `other`. `install(pkg, version)` builds
   * and installs that version (`tool` and `other` are /usr/bin/true plus trailing bytes naming the version: the same
   * program, another md5); dpkg unpacks beside the old file, renames it into place and renames the new info files
   * into info/, as on a real upgrade.
   */
  function dpkgFixture(name: string): {
    pkgroot: string;
    tool: string;
    other: string;
    install: (pkg: 'tool' | 'other', version: number, postinstRuns?: boolean) => void;
  } {
    const pkgroot = join(dir, `pkgroot-${name}`);
    const admin = join(pkgroot, 'var', 'lib', 'dpkg');
    for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(admin, d), { recursive: true });
    writeFileSync(join(admin, 'status'), '');
    writeFileSync(join(admin, 'available'), '');
    const file = (pkg: 'tool' | 'other'): string => bin(`${name}-${pkg}`);
    // postinstRuns: the package's maintainer script runs the binary it has just unpacked (as many postinsts do)
    const install = (pkg: 'tool' | 'other', version: number, postinstRuns = false): void => {
      const build = join(dir, `deb-${name}-${pkg}-${version}`);
      mkdirSync(join(build, 'DEBIAN'), { recursive: true });
      mkdirSync(join(build, mnt, 'bin'), { recursive: true });
      writeFileSync(
        join(build, 'DEBIAN', 'control'),
        `Package: bh-${name}-${pkg}\nVersion: ${version}\nArchitecture: all\nMaintainer: bulkhead tests <tests@example.invalid>\nDescription: watch --host fixture\n`,
      );
      writeFileSync(
        join(build, file(pkg)),
        Buffer.concat([readFileSync('/usr/bin/true'), Buffer.from(`\0v${version}`)]),
        { mode: 0o755 },
      );
      if (postinstRuns)
        writeFileSync(join(build, 'DEBIAN', 'postinst'), `#!/bin/sh\nset -e\n${file(pkg)}\n`, {
          mode: 0o755,
        });
      execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', build, `${build}.deb`], {
        stdio: 'ignore',
      });
      execFileSync('dpkg', [`--admindir=${admin}`, '--log=/dev/null', '-i', `${build}.deb`], {
        stdio: 'ignore',
      });
    };
    return { pkgroot, tool: file('tool'), other: file('other'), install };
  }

  /** Waits (up to 60 s) until watch's stderr matches `pattern`: the re-read's log line follows its markSet. */
  async function waitForLog(w: { stderr: () => string }, pattern: RegExp): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!pattern.test(w.stderr())) {
      if (Date.now() > deadline) assert.fail(`no ${String(pattern)} in:\n${w.stderr()}`);
      await sleep(100);
    }
  }

  it('deny: after a real dpkg upgrade the upgraded binary runs; a package file changed outside dpkg is still denied', async () => {
    const fx = dpkgFixture('deny');
    fx.install('tool', 1);
    fx.install('other', 1);
    const profiles = join(dir, 'upgrade-profiles');
    const learner = await startWatch(args('learn', profiles, join(dir, 'upgrade-learn.db'), fx.pkgroot), {
      DOCKER_HOST: engine.host,
    });
    assert.equal(await learner.stop(), 0, learner.stderr());
    const promote = runWatch(['profile', 'promote', 'host', '--profiles', profiles]);
    assert.equal(promote.status, 0, promote.stderr);

    const db = join(dir, 'upgrade-deny.db');
    const w = await startWatch(args('deny', profiles, db, fx.pkgroot), { DOCKER_HOST: engine.host });
    const sh = (file: string): number | null => spawnSync('/bin/sh', ['-c', file]).status;
    try {
      assert.match(w.stderr(), /2 package executables verified/);
      assert.equal(sh(fx.tool), 0, 'as installed');
      // changed in place, its package not upgraded: the re-read must not vouch for it
      appendFileSync(fx.other, '\0');
      // the postinst runs the upgraded tool before watch has re-read: allowed because dpkg runs it (a deny here
      // failed the upgrade: dpkg -i exited 1), and judging it re-reads at once
      fx.install('tool', 2, true);
      await waitForLog(
        w,
        /package databases changed; re-read in \d+ ms \((on the poll|before an alert), 1 packages read again\): 1 files changed \(0 added, 0 removed, 1 with a new digest\)/,
      );
      assert.match(
        w.stderr(),
        /deny allow-set of \d+ files \(\d+ in host profile v1, 2 package executables verified, \d+ package files looked at again\)/,
      );
      assert.equal(sh(fx.tool), 0, 'upgraded by dpkg');
      assert.equal(sh(fx.other), 126, 'changed outside the package manager');
      const upgraded = await waitForEvents(db, 'upgraded exec', (e) => e.path === fx.tool, 3);
      assert.deepEqual(
        upgraded.map((e) => [e.verdict, e.ruleId, e.detail['runByPackageManager'] ?? false]),
        [
          ['allowed', null, false],
          ['allowed', null, true],
          ['allowed', null, false],
        ],
      );
      const other = first(await waitForEvents(db, 'denied changed file', (e) => e.path === fx.other));
      assert.equal(other.verdict, 'denied');
      assert.equal(other.ruleId, 'BH-W-010');
      const status = await waitForStatus(['--db', db], /re-read \d+ times after package changes/);
      assert.match(
        status.stdout,
        /package databases: dpkg .*pkgroot-deny.*: 2 packages, \d+ files \(re-read \d+ times/,
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('alert: an exec right after a dpkg upgrade is judged by the new md5sums; a changed package file alerts', async () => {
    const fx = dpkgFixture('alert');
    fx.install('tool', 1);
    fx.install('other', 1);
    const db = join(dir, 'upgrade-alert.db');
    const w = await startWatch(args('alert', join(dir, 'upgrade-alert-profiles'), db, fx.pkgroot), {
      DOCKER_HOST: engine.host,
    });
    try {
      appendFileSync(fx.other, '\0');
      fx.install('tool', 2);
      // no wait for the poll: an exec that would alert re-reads a changed database first
      assert.equal(spawnSync(fx.tool).status, 0);
      assert.equal(spawnSync(fx.other).status, 0);
      const tool = first(await waitForEvents(db, 'upgraded exec', (e) => e.path === fx.tool));
      assert.equal(tool.verdict, 'allowed');
      assert.equal(tool.ruleId, null);
      const other = first(await waitForEvents(db, 'changed file alert', (e) => e.path === fx.other));
      assert.equal(other.verdict, 'alerted');
      assert.equal(other.ruleId, 'BH-W-010');
      await waitForLog(w, /package databases changed; re-read/);
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });
});
