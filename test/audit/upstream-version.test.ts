// Table tests for the upstream version comparator and the escape-CVE range check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareUpstream, isVulnerable, parseUpstreamVersion } from '../../src/audit/upstream-version.js';

function parse(text: string) {
  const v = parseUpstreamVersion(text);
  assert.ok(v, text);
  return v;
}

describe('parseUpstreamVersion', () => {
  const cases: readonly [string, number[], string | undefined, boolean][] = [
    ['1.1.12', [1, 1, 12], undefined, false],
    ['v1.1.12', [1, 1, 12], undefined, false],
    ['1.0.0-rc93', [1, 0, 0], 'rc93', false],
    ['1.4.0-rc.3', [1, 4, 0], 'rc.3', false],
    ['1.0.0~rc6+dfsg1-3+deb10u2', [1, 0, 0], 'rc6', true],
    ['1.1.5+ds1', [1, 1, 5], undefined, true],
    ['1.1.5+ds1-1+deb12u1', [1, 1, 5], undefined, true],
    ['1.6.20~ds1-1+deb12u3', [1, 6, 20], undefined, true],
    ['20.10.24+dfsg1-1+deb12u1+b6', [20, 10, 24], undefined, true],
    ['5:24.0.7-1~debian.12~bookworm', [24, 0, 7], undefined, false],
    ['1.6.28-1', [1, 6, 28], undefined, false],
  ];
  for (const [text, release, pre, distro] of cases) {
    it(text, () => {
      const v = parse(text);
      assert.deepEqual(v.release, release);
      assert.equal(v.pre, pre);
      assert.equal(v.distro, distro);
    });
  }
  it('rejects text without a version', () => {
    assert.equal(parseUpstreamVersion('unknown'), undefined);
  });
});

describe('compareUpstream', () => {
  const cases: readonly [string, string, number][] = [
    ['1.1.11', '1.1.12', -1],
    ['1.1.12', '1.1.12', 0],
    ['1.10.0', '1.9.9', 1],
    ['1.0.0-rc6', '1.0.0-rc7', -1],
    ['1.0.0-rc95', '1.0.0-rc7', 1],
    ['1.0.0-rc95', '1.0.0', -1],
    ['1.4.0-rc.2', '1.4.0-rc.3', -1],
    ['1.4.0-rc.3', '1.4.0', -1],
    ['20.10', '20.10.0', 0],
  ];
  for (const [a, b, want] of cases)
    it(`${a} vs ${b}`, () => {
      assert.equal(compareUpstream(parse(a), parse(b)), want);
    });
});

describe('isVulnerable', () => {
  const fixed = ['1.2.8', '1.3.3', '1.4.0-rc.3'];
  const cases: readonly [string, boolean][] = [
    ['1.1.12', true],
    ['1.2.7', true],
    ['1.2.8', false],
    ['1.3.2', true],
    ['1.3.3', false],
    ['1.4.0-rc.2', true],
    ['1.4.0', false],
    ['1.5.0', false],
  ];
  for (const [v, want] of cases)
    it(`${v} against ${fixed.join(', ')}`, () => {
      assert.equal(isVulnerable(parse(v), fixed), want);
    });
});
