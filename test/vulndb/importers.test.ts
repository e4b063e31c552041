// Table tests for the importers' small parsers: CVSS v3 base scores, id cleaning, Alpine branches, OSV ecosystems,
// tracker urgencies.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { cvss3BaseScore, cvssRating } from '../../src/vulndb/importers/cvss.js';
import { urgencyToSeverity } from '../../src/vulndb/importers/debian-tracker.js';
import { extractIds, shortDescription } from '../../src/vulndb/importers/ids.js';
import { osvTarget } from '../../src/vulndb/importers/osv.js';
import { alpineBranch } from '../../src/vulndb/releases.js';

describe('CVSS v3 base score (FIRST v3.1 spec, checked against NVD)', () => {
  const cases: [string, number | undefined][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
    ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N', 4.7],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N', 4.2],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:H', 6.6],
    ['CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', undefined],
    ['CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', undefined],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', undefined],
  ];
  for (const [vector, score] of cases) {
    it(`${vector} = ${String(score)}`, () => {
      assert.equal(cvss3BaseScore(vector), score);
    });
  }
  it('rates scores like NVD', () => {
    assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssRating), [
      'info',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });
});

describe('vulnerability id cleaning (Alpine secdb quirks)', () => {
  const cases: [string, string[], string[]][] = [
    ['CVE-2019-2426', ['CVE-2019-2426'], []],
    ['CVE_2019-2426', ['CVE-2019-2426'], []],
    ['CVE 2018-16859', ['CVE-2018-16859'], []],
    ['CVE-2017-17434-1', ['CVE-2017-17434'], []],
    ['CVE-2018-8897  XSA-260', ['CVE-2018-8897'], ['XSA-260']],
    ['CVE-????-?????  XSA-295', [], ['XSA-295']],
    ['CVE-2018-14468 (FrameRelay)', ['CVE-2018-14468'], []],
    ['CVE-2017-8073.patch', ['CVE-2017-8073'], []],
    [
      'CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI',
      ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754'],
      ['XSA-254'],
    ],
    ['CVE-2017-12122 TALOS-2017-0488', ['CVE-2017-12122'], ['TALOS-2017-0488']],
    ['wnpa-sec-2017-18', [], ['wnpa-sec-2017-18']],
    ['ZBX-11023', [], ['ZBX-11023']],
    ['GHSA-xxxx-yyyy-zzzz', [], []],
    ['GHSA-2xr9-xg47-8xh3', [], ['GHSA-2xr9-xg47-8xh3']],
    ['garbage', [], []],
  ];
  for (const [text, cves, others] of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(extractIds(text), { cves, others });
    });
  }
  it('keeps the first sentence of a description, at most 300 characters', () => {
    assert.equal(
      shortDescription('Heap overflow in foo.  It allows code execution.\nMore.'),
      'Heap overflow in foo. It allows code execution.'.slice(0, 21),
    );
    assert.equal(shortDescription('   '), undefined);
    assert.equal(shortDescription('x'.repeat(1000))?.length, 300);
  });
});

describe('release naming', () => {
  it('Alpine branches', () => {
    assert.deepEqual(['v3.19', '3.19.1', '3.22.0_alpha20250108', 'edge', 'v3', 'x'].map(alpineBranch), [
      '3.19',
      '3.19',
      '3.22',
      'edge',
      undefined,
      undefined,
    ]);
  });
  it('OSV ecosystems', () => {
    assert.deepEqual(osvTarget('Debian:12'), { ecosystem: 'debian', release: 'bookworm', scheme: 'deb' });
    assert.deepEqual(osvTarget('Alpine:v3.16'), { ecosystem: 'alpine', release: '3.16', scheme: 'apk' });
    assert.deepEqual(osvTarget('Ubuntu:22.04:LTS'), { ecosystem: 'ubuntu', release: '22.04', scheme: 'deb' });
    assert.deepEqual(osvTarget('Ubuntu:Pro:16.04:LTS'), {
      ecosystem: 'ubuntu',
      release: 'pro-16.04',
      scheme: 'deb',
    });
    assert.equal(osvTarget('PyPI'), undefined);
    assert.equal(osvTarget('Debian'), undefined);
    assert.equal(osvTarget('Ubuntu:Pro:FIPS:20.04:LTS'), undefined);
  });
  it('tracker urgencies', () => {
    assert.deepEqual(
      [
        'unimportant',
        'low',
        'low**',
        'medium',
        'high',
        'high**',
        'critical',
        'not yet assigned',
        'end-of-life',
        undefined,
      ].map(urgencyToSeverity),
      ['info', 'low', 'low', 'medium', 'high', 'high', 'critical', null, null, null],
    );
  });
});
