// Table tests for the audit's small parsers (image references: test/shared/image-ref.test.ts): security options, kernel release order,
// --only/--skip tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHostPath, isSameOrAncestor, parseSecurityOpt } from '../../src/audit/container-facts.js';
import { compareKernelReleases } from '../../src/audit/kernel-release.js';
import { AUDIT_RULES } from '../../src/audit/rules/index.js';
import { selectRules } from '../../src/audit/select.js';

describe('parseSecurityOpt', () => {
  it('reads both = and : forms', () => {
    const o = parseSecurityOpt([
      'seccomp:unconfined',
      'apparmor=unconfined',
      'label=disable',
      'label:type:spc_t',
      'no-new-privileges:true',
    ]);
    assert.equal(o.seccomp, 'unconfined');
    assert.equal(o.apparmor, 'unconfined');
    assert.deepEqual(o.labels, ['disable', 'type:spc_t']);
    assert.equal(o.noNewPrivileges, true);
  });
  it('keeps a seccomp profile path with colons or equals signs whole', () => {
    assert.equal(parseSecurityOpt(['seccomp=/etc/p=1.json']).seccomp, '/etc/p=1.json');
  });
  it('no-new-privileges=false is false, absence is undefined', () => {
    assert.equal(parseSecurityOpt(['no-new-privileges=false']).noNewPrivileges, false);
    assert.equal(parseSecurityOpt(null).noNewPrivileges, undefined);
  });
});

describe('host paths', () => {
  const cases: readonly [string, string, boolean][] = [
    ['/var/run', '/run/docker.sock', true],
    ['/run', '/var/run/docker.sock', true],
    ['/', '/anything', true],
    ['/etc', '/etcetera', false],
    ['/srv/api/engine.sock', '/srv/api/engine.sock/', true],
  ];
  for (const [a, p, want] of cases)
    it(`${a} holds ${p}: ${String(want)}`, () => {
      assert.equal(isSameOrAncestor(a, p), want);
    });
  it('canonicalises //var/run/', () => {
    assert.equal(canonicalHostPath('//var/run/'), '/run');
  });
});

describe('compareKernelReleases', () => {
  const cases: readonly [string, string, number][] = [
    ['6.1.0-18-amd64', '6.1.0-21-amd64', -1],
    ['6.1.0-21-amd64', '6.1.0-18-amd64', 1],
    ['5.15.0-91-generic', '5.15.0-91-generic', 0],
    ['6.10.0-1-amd64', '6.9.0-1-amd64', 1],
  ];
  for (const [a, b, want] of cases)
    it(`${a} vs ${b}`, () => {
      assert.equal(compareKernelReleases(a, b), want);
    });
});

describe('selectRules', () => {
  const ids = (only: string[], skip: string[] = []): string[] =>
    selectRules(AUDIT_RULES, { only, skip }).map((r) => r.meta.id);
  it('selects by id, prefix and area', () => {
    assert.deepEqual(ids(['BH-C-004']), ['BH-C-004']);
    assert.ok(ids(['bh-i']).every((id) => id.startsWith('BH-I-')));
    assert.ok(ids(['image']).length === 4);
  });
  it('maps the same item through both CIS versions', () => {
    assert.deepEqual(ids(['CIS-1.6.0:5.4']), ids(['CIS-1.8.0:5.5']));
    assert.deepEqual(ids(['5.5']), ['BH-C-004']);
    assert.deepEqual(ids(['CIS-1.8.0:2.7']), ['BH-D-007']);
    assert.deepEqual(ids(['CIS-1.6.0:2.7']), ['BH-D-008']);
  });
  it('skips after selecting', () => {
    assert.deepEqual(ids(['container'], ['container']), []);
  });
});
