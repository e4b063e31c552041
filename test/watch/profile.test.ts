// Profiles: learning merges execs, diff lists what promote would change, a syntax or schema error names
// file:line:column, and the file round-trips through YAML unchanged (the network section included).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  diffProfiles,
  emptyProfile,
  learnExec,
  listProfileDigests,
  loadProfile,
  parseProfile,
  profileFile,
  promoteProfile,
  saveProfile,
  type LearnedExec,
  type Profile,
} from '../../src/watch/profile.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const NOW = new Date('2026-12-01T10:00:00.000Z');
const exec = (path: string, more: Partial<LearnedExec> = {}): LearnedExec => ({
  path,
  exe: '/bin/busybox',
  sha256: 'b'.repeat(64),
  uid: 0,
  parent: '/bin/busybox',
  ...more,
});

function learned(...execs: LearnedExec[]): Profile {
  return execs.reduce((p, e) => learnExec(p, e, NOW), emptyProfile(DIGEST, ['busybox:latest'], NOW));
}

describe('learnExec', () => {
  it('counts repeats, merges users and parents, keeps entries sorted by path', () => {
    const p = learned(
      exec('/bin/true'),
      exec('/bin/sleep'),
      exec('/bin/true', { uid: 1000, parent: '/bin/sh' }),
    );
    assert.deepEqual(
      p.executables.map((e) => [e.path, e.count, e.users, e.parents]),
      [
        ['/bin/sleep', 1, [0], ['/bin/busybox']],
        ['/bin/true', 2, [0, 1000], ['/bin/busybox', '/bin/sh']],
      ],
    );
    assert.equal(p.learning.events, 3);
  });
  it('does not mutate its input', () => {
    const p = learned(exec('/bin/true'));
    learnExec(p, exec('/bin/ls'), NOW);
    assert.equal(p.executables.length, 1);
  });
});

describe('diffProfiles', () => {
  const cases: readonly { name: string; current: Profile | undefined; next: Profile; expect: string[] }[] = [
    {
      name: 'first promote adds everything',
      current: undefined,
      next: learned(exec('/bin/true')),
      expect: ['added /bin/true'],
    },
    {
      name: 'counts alone are no change',
      current: learned(exec('/bin/true')),
      next: learned(exec('/bin/true'), exec('/bin/true')),
      expect: [],
    },
    {
      name: 'removed, added and a new hash',
      current: learned(exec('/bin/true'), exec('/bin/ls')),
      next: learned(exec('/bin/true', { sha256: 'c'.repeat(64) }), exec('/bin/sleep')),
      expect: ['removed /bin/ls', 'added /bin/sleep', 'changed /bin/true'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = diffProfiles(c.current, c.next).map((d) => `${d.change} ${d.path}`);
      assert.deepEqual(got.sort(), [...c.expect].sort());
    });
  }
});

describe('promoteProfile', () => {
  it('bumps the version and keeps the enforced mode and network section', () => {
    const current: Profile = {
      ...learned(exec('/bin/true')),
      version: 3,
      mode: 'deny',
      network: { egress: [] },
    };
    const next = promoteProfile(current, learned(exec('/bin/true'), exec('/bin/ls')));
    assert.equal(next.version, 4);
    assert.equal(next.mode, 'deny');
    assert.deepEqual(next.network, { egress: [] });
  });
});

describe('profile files', () => {
  it('round-trips, lists digests, and reports errors with file:line:column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-prof-'));
    try {
      const p: Profile = { ...learned(exec('/bin/true')), network: { listen: [{ port: 80 }] } };
      const file = profileFile(dir, DIGEST, 'learned');
      saveProfile(file, p);
      assert.deepEqual(loadProfile(file), p);
      assert.deepEqual(listProfileDigests(dir), [DIGEST]);
      const broken = readFileSync(file, 'utf8').replace('count: 1', 'count: [oops');
      writeFileSync(file, broken);
      assert.throws(
        () => loadProfile(file),
        (e: Error) => new RegExp(`^${file}:\\d+:\\d+: invalid YAML`).test(e.message),
      );
      const text = 'apiVersion: bulkhead.dev/v1\nkind: WatchProfile\nimage: {digest: sha256:x, names: []}\n';
      assert.throws(() => parseProfile(text, 'p.yaml'), /p\.yaml:3:\d+: image\.digest: must be sha256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
