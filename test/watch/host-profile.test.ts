// The host profile of watch --host (src/watch/host-profile.ts) and the pure parts of src/watch/host.ts: validation
// errors with file:line:column, learning, the learner's merge, diff (package vouching shown), promote, the deny
// preflight (missingForDeny) and the marked filesystems deduplicated by device.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostFilesystems, missingForDeny, requiredHostExecutables } from '../../src/watch/host.js';
import {
  diffHostProfiles,
  emptyHostProfile,
  learnHostExec,
  mergeHostLearned,
  parseHostProfile,
  promoteHostProfile,
  type HostProfile,
} from '../../src/watch/host-profile.js';

const NOW = new Date('2026-12-03T07:00:00.000Z');
const SHA = 'a'.repeat(64);

function learned(...paths: string[]): HostProfile {
  let p = emptyHostProfile('h1', NOW);
  for (const exe of paths)
    p = learnHostExec(p, { exe, sha256: SHA, uid: 0, parent: '/usr/bin/dash', package: undefined }, NOW);
  return p;
}

describe('host profile', () => {
  it('reports a bad key with file:line:column', () => {
    const text = [
      'apiVersion: bulkhead.dev/v1',
      'kind: HostProfile',
      'host: { name: h1 }',
      'version: 1',
      'executables:',
      '  - path: relative/x',
      '    exe: /x',
      '    users: [0]',
      '    parents: []',
      '    count: 1',
      '',
    ].join('\n');
    assert.throws(() => parseHostProfile(text, 'host.yaml'), /host\.yaml:6:\d+: executables\.0\.path/);
  });

  it('learns each exec once per path, counting; seeded entries keep the count', () => {
    let p = learned('/usr/local/bin/x', '/usr/local/bin/x');
    p = learnHostExec(
      p,
      {
        exe: '/usr/bin/dash',
        sha256: undefined,
        uid: undefined,
        parent: undefined,
        package: undefined,
        required: 'shell',
        seeded: true,
      },
      NOW,
    );
    assert.deepEqual(
      p.executables.map((e) => [e.path, e.count, e.required ?? '-']),
      [
        ['/usr/bin/dash', 0, 'shell'],
        ['/usr/local/bin/x', 2, '-'],
      ],
    );
    assert.equal(p.learning?.events, 2);
  });

  it('merges what the file has with what the learner learned', () => {
    const merged = mergeHostLearned(learned('/a'), learned('/b'));
    assert.deepEqual(
      merged.executables.map((e) => e.path),
      ['/a', '/b'],
    );
  });

  it('diff shows package vouching and required roles; promote bumps the version and keeps the mode', () => {
    const next = learnHostExec(
      learned('/a'),
      {
        exe: '/usr/bin/ls',
        sha256: SHA,
        uid: 0,
        parent: undefined,
        package: { manager: 'dpkg', name: 'coreutils', verified: false },
      },
      NOW,
    );
    const changes = diffHostProfiles(undefined, next);
    assert.deepEqual(
      changes.map((c) => `${c.change} ${c.path} ${c.details.join('; ')}`),
      [
        'added /a exe /a; no package owns it',
        'added /usr/bin/ls exe /usr/bin/ls; package coreutils (dpkg, DIGEST MISMATCH)',
      ],
    );
    const v1 = promoteHostProfile(undefined, next);
    assert.equal(v1.version, 1);
    const v2 = promoteHostProfile({ ...v1, mode: 'alert' }, next);
    assert.equal(v2.version, 2);
    assert.equal(v2.mode, 'alert');
    assert.deepEqual(diffHostProfiles(v2, next), []);
  });
});

describe('host deny preflight', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-hostpf-'));
    writeFileSync(join(dir, 'tool'), 'v1');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the shell and bulkhead itself on this machine', () => {
    const { found } = requiredHostExecutables(process.env);
    const roles = new Set(found.map((f) => f.role));
    assert.ok(roles.has('shell'));
    assert.ok(roles.has('bulkhead'));
    assert.ok(found.some((f) => f.from === 'the node binary running bulkhead'));
  });

  it('names what is missing, and a listed file whose content changed', () => {
    const tool = join(dir, 'tool');
    const required = [
      { role: 'shell' as const, path: '/bin/sh-missing', from: '/bin/sh' },
      { role: 'dockerd' as const, path: tool, from: 'dockerd in PATH' },
    ];
    const profile = learned(tool);
    const missing = missingForDeny(profile, required, () => true);
    assert.equal(missing.length, 2);
    assert.match(missing[0] ?? '', /^shell \/bin\/sh-missing \(\/bin\/sh\) is not listed$/);
    assert.match(missing[1] ?? '', /^dockerd .*tool is listed with sha256 aaaaaaaaaaaa, the file now has /);
    // not on a gated filesystem: listed is enough (the gate never judges it)
    assert.deepEqual(
      missingForDeny(profile, required.slice(1), () => false),
      [],
    );
  });

  it('marks one path per device and rejects an explicit path that does not exist', () => {
    const fs = hostFilesystems(['/', '/usr', dir]);
    assert.equal(fs[0]?.path, '/');
    assert.equal(new Set(fs.map((f) => f.dev)).size, fs.length);
    if (statSync('/usr').dev === statSync('/').dev) assert.ok(!fs.some((f) => f.path === '/usr'));
    assert.throws(() => hostFilesystems([join(dir, 'nope')]), /--host-paths: .*nope is not a directory/);
  });
});
