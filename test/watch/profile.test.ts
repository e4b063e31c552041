// Profiles: learning merges execs, diff lists what promote would change (the network section's ports and edges too),
// a syntax or schema error names file:line:column (the network section's included), the file round-trips through
// YAML unchanged, a network-only profile is no exec profile, and the exec learner's write keeps the network section.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { NetworkSection } from '../../src/net/profile.js';
import {
  bareProfile,
  diffProfiles,
  emptyProfile,
  execAllowList,
  inExecProfile,
  learnExec,
  listProfileDigests,
  loadProfile,
  mergeExecSection,
  networkChanged,
  parseProfile,
  profileFile,
  promoteProfile,
  promoteToEnforced,
  saveProfile,
  updateProfileFile,
  type LearnedExec,
  type Profile,
} from '../../src/watch/profile.js';
import { BASE_FACTS } from '../../src/watch/rule.js';
import { rule as notInProfile } from '../../src/watch/rules/bh-w-001-not-in-profile.js';

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
      p.executables?.map((e) => [e.path, e.count, e.users, e.parents]),
      [
        ['/bin/sleep', 1, [0], ['/bin/busybox']],
        ['/bin/true', 2, [0, 1000], ['/bin/busybox', '/bin/sh']],
      ],
    );
    assert.equal(p.learning?.events, 3);
  });
  it('does not mutate its input', () => {
    const p = learned(exec('/bin/true'));
    learnExec(p, exec('/bin/ls'), NOW);
    assert.equal(p.executables?.length, 1);
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

const NET: NetworkSection = {
  listening: [
    { workload: 'web', proto: 'tcp', port: 8080, firstSeen: NOW.toISOString(), lastSeen: NOW.toISOString() },
  ],
  outbound: [],
  inbound: [
    {
      workload: 'web',
      peer: { kind: 'workload', workload: 'api' },
      proto: 'tcp',
      port: 8080,
      count: 3,
      firstSeen: NOW.toISOString(),
      lastSeen: NOW.toISOString(),
    },
  ],
};

/** What the network stage writes for an image it saw first: no exec section at all. */
const networkOnly = (): Profile => ({ ...bareProfile(DIGEST, ['busybox:latest']), network: NET });

describe('promoteProfile', () => {
  it('bumps the version and keeps the enforced mode and network section', () => {
    const current: Profile = { ...learned(exec('/bin/true')), version: 3, mode: 'deny', network: NET };
    const next = promoteProfile(current, learned(exec('/bin/true'), exec('/bin/ls')));
    assert.equal(next.version, 4);
    assert.equal(next.mode, 'deny');
    assert.deepEqual(next.network, NET);
  });
  it('a network-only learned profile keeps the enforced exec section', () => {
    const current: Profile = { ...learned(exec('/bin/true')), version: 2 };
    const next = promoteProfile(current, networkOnly());
    assert.equal(next.version, 3);
    assert.deepEqual(
      next.executables?.map((e) => e.path),
      ['/bin/true'],
    );
    assert.deepEqual(next.network, NET);
    assert.deepEqual(
      diffProfiles(current, networkOnly()).map((c) => `${c.section} ${c.change} ${c.path}`),
      ['network added inbound api -> web:8080/tcp', 'network added listening web 8080/tcp'],
    );
    assert.equal(networkChanged(current, networkOnly()), true);
    assert.equal(networkChanged(next, networkOnly()), false);
  });
});

describe('a network-only profile is no exec profile (BH-W-001 must not fire)', () => {
  it('promoting it over nothing gives no allow-list, and no exec is "not in profile"', () => {
    const enforced = promoteProfile(undefined, networkOnly());
    assert.equal(enforced.executables, undefined);
    assert.equal(execAllowList(enforced), null);
    assert.equal(inExecProfile(enforced, '/bin/true'), undefined);
    const facts = { ...BASE_FACTS, path: '/bin/true', inProfile: inExecProfile(enforced, '/bin/true') };
    assert.equal(notInProfile.check(facts), undefined);
  });
  it('an empty exec section is an allow-list that allows nothing', () => {
    const enforced = promoteProfile(undefined, emptyProfile(DIGEST, [], NOW));
    assert.deepEqual(execAllowList(enforced), []);
    assert.equal(inExecProfile(enforced, '/bin/true'), false);
    assert.match(
      notInProfile.check({ ...BASE_FACTS, path: '/bin/true', inProfile: false }) ?? '',
      /not in the image's process profile/,
    );
  });
});

describe('mergeExecSection: the exec learner never overwrites the network section', () => {
  it("keeps the file's network section and mode, unions executables", () => {
    const file: Profile = { ...learned(exec('/bin/sleep')), network: NET, mode: 'alert' };
    const mine = learned(exec('/bin/true'));
    const merged = mergeExecSection(file, mine);
    assert.deepEqual(merged.network, NET);
    assert.equal(merged.mode, 'alert');
    assert.deepEqual(
      merged.executables?.map((e) => e.path),
      ['/bin/sleep', '/bin/true'],
    );
  });
  it('with nothing learned keeps a network-only file network-only', () => {
    const merged = mergeExecSection(networkOnly(), { ...networkOnly(), network: undefined });
    assert.equal(merged.executables, undefined);
    assert.deepEqual(merged.network, NET);
  });
});

describe('promoteToEnforced', () => {
  it('writes the next version over what the enforced file holds, and says when the network section changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-promote-'));
    try {
      const first = promoteToEnforced(dir, DIGEST, learned(exec('/bin/true')));
      assert.equal(first.file, profileFile(dir, DIGEST, 'enforced'));
      assert.equal(first.profile?.version, 1);
      assert.equal(first.networkChanged, false);
      // another promote (or a migration) wrote meanwhile: this one builds on the file, not on what it read before
      saveProfile(first.file, { ...loadProfile(first.file), version: 5, mode: 'deny' });
      const second = promoteToEnforced(dir, DIGEST, networkOnly());
      assert.ok(second.profile !== undefined);
      assert.equal(second.profile.version, 6);
      assert.equal(second.profile.mode, 'deny');
      assert.equal(second.networkChanged, true);
      assert.deepEqual(loadProfile(second.file), second.profile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('profile files', () => {
  it('round-trips, lists digests, and reports errors with file:line:column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-prof-'));
    try {
      const p: Profile = { ...learned(exec('/bin/true')), network: NET };
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

  it('validates the network section with file:line:column', () => {
    const text = [
      'apiVersion: bulkhead.dev/v1',
      'kind: WatchProfile',
      `image: {digest: "${DIGEST}", names: []}`,
      'version: 1',
      'network:',
      '  listening:',
      '    - { workload: web, proto: tcp, port: 70000, firstSeen: 2026-12-01T10:00:00.000Z, lastSeen: 2026-12-01T10:00:00.000Z }',
      '  outbound:',
      '    - workload: api',
      '      peer: { kind: cidr, cidr: not-a-range }',
      '      proto: sctp',
      '      port: 8080',
      '      count: 1',
      '      firstSeen: 2026-12-01T10:00:00.000Z',
      '      lastSeen: 2026-12-01T10:00:00.000Z',
      '  egress: []',
      '',
    ].join('\n');
    assert.throws(
      () => parseProfile(text, 'p.yaml'),
      (e: Error) =>
        /p\.yaml:7:\d+: network\.listening\.0\.port: /.test(e.message) &&
        /p\.yaml:10:\d+: network\.outbound\.0\.peer\.cidr: an address range/.test(e.message) &&
        /p\.yaml:11:\d+: network\.outbound\.0\.proto: /.test(e.message) &&
        /p\.yaml:6:\d+: network: .*egress/.test(e.message),
    );
    // a network-only profile (no executables, no learning window) is valid
    const ok = parseProfile(text.split('\n').slice(0, 4).join('\n'), 'q.yaml');
    assert.equal(ok.executables, undefined);
  });

  it('updateProfileFile never writes over a file that does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-prof-'));
    try {
      const file = profileFile(dir, DIGEST, 'learned');
      writeFileSync(file, 'apiVersion: [\n');
      assert.throws(
        () => updateProfileFile(file, () => networkOnly()),
        (e: Error) => e.message.startsWith(`${file}:`),
      );
      assert.equal(readFileSync(file, 'utf8'), 'apiVersion: [\n');
      assert.equal(existsSync(`${file}.lock`), false, 'the lock is released');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over the lock of a writer that is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-prof-'));
    try {
      const file = profileFile(dir, DIGEST, 'learned');
      // a pid that cannot run: the kernel's pid_max is at most 2^22
      writeFileSync(`${file}.lock`, '99999999\n');
      updateProfileFile(file, () => networkOnly());
      assert.deepEqual(loadProfile(file).network, NET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
