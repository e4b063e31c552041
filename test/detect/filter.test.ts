// Scan filters on real detector output: --severity, --ignore-unfixed, .bulkheadignore.yaml (id, package, expires,
// reason; aliases match) and Trivy's .trivyignore format, with expiry boundaries and malformed files.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadIgnoreFile, parseIgnoreRules } from '../../src/collect/ignore-file.js';
import { applyScanFilters } from '../../src/detect/filter.js';
import { detectVulnerabilities } from '../../src/detect/index.js';
import type { InstalledPackage } from '../../src/packages/types.js';
import { BulkheadError, InputError } from '../../src/shared/errors.js';
import type { Finding } from '../../src/shared/finding.js';
import { buildVulnDb, openVulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const work = mkdtempSync(join(tmpdir(), 'bh-filter-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

let findings: Finding[] = [];
const ids = (list: readonly Finding[]): string[] =>
  list.map((f) => `${f.target.kind === 'package' ? f.target.name : ''}:${f.ruleId}`).sort();

before(async () => {
  const feed = join(work, 'tracker.json');
  writeFileSync(
    feed,
    JSON.stringify({
      foo: {
        'CVE-2031-0001': {
          releases: { bookworm: { status: 'resolved', fixed_version: '1.0-2', urgency: 'high' } },
        },
        'CVE-2031-0002': { releases: { bookworm: { status: 'open', urgency: 'medium' } } },
        'CVE-2031-0003': {
          releases: { bookworm: { status: 'resolved', fixed_version: '1.0-3', urgency: 'low' } },
        },
      },
    }),
  );
  const dsa = join(work, 'list');
  writeFileSync(
    dsa,
    '[01 Jan 2031] DSA-9001-1 foo - security update\n\t{CVE-2031-0001}\n\t[bookworm] - foo 1.0-2\n',
  );
  const path = join(work, 'db.sqlite');
  await buildVulnDb(path, { merge: false, toolVersion: 'test' }, (w) => {
    w.transaction(() => {
      const importer = new FeedImporter(w);
      importer.addPath(feed);
      importer.addPath(dsa);
    });
  });
  const db = openVulnDb(path);
  const pkg = (name: string): InstalledPackage => ({
    format: 'dpkg',
    name,
    version: '1.0-1',
    sourceName: 'foo',
    sourceVersion: '1.0-1',
    database: 'var/lib/dpkg/status',
  });
  findings = detectVulnerabilities(
    {
      image: 'img',
      os: { family: 'debian', id: 'debian', versionId: '12', evidence: 'etc/os-release' },
      packages: [pkg('libfoo1'), pkg('foo-tools')],
    },
    db,
  ).findings;
  db.close();
  assert.equal(findings.length, 6);
});

describe('--severity and --ignore-unfixed', () => {
  it('keeps only the listed severities', () => {
    assert.deepEqual(ids(applyScanFilters(findings, { severities: ['high'] }).findings), [
      'foo-tools:CVE-2031-0001',
      'libfoo1:CVE-2031-0001',
    ]);
    assert.equal(applyScanFilters(findings, { severities: ['critical'] }).findings.length, 0);
    assert.equal(applyScanFilters(findings, {}).findings.length, 6);
  });
  it('drops findings without a fixed version', () => {
    const r = applyScanFilters(findings, { ignoreUnfixed: true });
    assert.equal(
      r.findings.some((f) => f.ruleId === 'CVE-2031-0002'),
      false,
    );
    assert.equal(r.findings.length, 4);
  });
});

describe('.bulkheadignore.yaml', () => {
  const now = new Date('2031-06-01T12:00:00Z');
  it('ignores by id, by id + package, by alias, until the expiry date', () => {
    const rules = parseIgnoreRules(
      [
        'vulnerabilities:',
        '  - id: CVE-2031-0002',
        '    reason: no network exposure',
        '  - id: CVE-2031-0003',
        '    package: libfoo1',
        '    expires: 2031-12-31',
        '  - id: DSA-9001-1 # the advisory id matches the CVE it fixes',
        '    package: foo-tools',
        '    expires: 2031-06-01',
        '  - id: CVE-2031-9999',
        '    expires: 2031-01-01',
        '',
      ].join('\n'),
      '.bulkheadignore.yaml',
    );
    assert.deepEqual(
      rules.rules.map((r) => [r.id, r.line]),
      [
        ['CVE-2031-0002', 2],
        ['CVE-2031-0003', 4],
        ['DSA-9001-1', 7],
        ['CVE-2031-9999', 10],
      ],
    );
    const r = applyScanFilters(findings, { ignore: rules, now });
    assert.deepEqual(ids(r.findings), [
      'foo-tools:CVE-2031-0001',
      'foo-tools:CVE-2031-0003',
      'libfoo1:CVE-2031-0001',
    ]);
    assert.equal(r.ignored.length, 3);
    // the DSA rule expired at 2031-06-01T00:00Z: its finding is back, and a warning says so
    assert.deepEqual(
      r.diagnostics.map((d) => [d.subject, d.message]),
      [
        [
          '.bulkheadignore.yaml:7',
          'ignore rule for DSA-9001-1 (foo-tools) expired on 2031-06-01; the finding is reported again',
        ],
        [
          '.bulkheadignore.yaml:10',
          'ignore rule for CVE-2031-9999 expired on 2031-01-01; it matches nothing now and can be removed',
        ],
      ],
    );
    // one second before the expiry day, the DSA rule still ignores
    const earlier = applyScanFilters(findings, { ignore: rules, now: new Date('2031-05-31T23:59:59Z') });
    assert.deepEqual(ids(earlier.findings), ['foo-tools:CVE-2031-0003', 'libfoo1:CVE-2031-0001']);
  });

  it('accepts a bare list and plain ids', () => {
    const twice = parseIgnoreRules('- id: CVE-1\n  package: a\n- id: CVE-1\n  package: b\n', 'x.yaml');
    assert.deepEqual(
      twice.rules.map((x) => [x.package ?? '', x.line]),
      [
        ['a', 1],
        ['b', 3],
      ],
    );
    const r = parseIgnoreRules('- CVE-2031-0001\n- id: CVE-2031-0002\n', 'x.yaml');
    assert.equal(applyScanFilters(findings, { ignore: r, now }).findings.length, 2);
  });

  it('reports malformed files with the file, position and fix', () => {
    const cases: [string, RegExp][] = [
      ['vulnerabilities:\n  - id: CVE-1\n   bad: [\n', /x\.yaml:\d+:\d+: invalid YAML/],
      ['- package: openssl\n', /entry 1: id/],
      ['- id: CVE-1\n  expires: 2031-13-45\n', /expires must be a date written YYYY-MM-DD/],
      ['- id: CVE-1\n  expires: tomorrow\n', /expires must be a date/],
      ['vulnerabilities: nope\n', /expected a list of entries/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseIgnoreRules(text, 'x.yaml'),
        (e: unknown) => e instanceof InputError && message.test(e.message),
        text,
      );
    }
  });
});

describe("Trivy's .trivyignore", () => {
  it('reads one id a line with comments and exp: dates', () => {
    const path = join(work, '.trivyignore');
    writeFileSync(path, '# accepted risks\nCVE-2031-0002\nCVE-2031-0003 exp:2031-01-01\n\nDSA-9001-1\n');
    const rules = loadIgnoreFile(path);
    assert.deepEqual(
      rules.rules.map((r) => [r.id, r.expires ?? '', r.line]),
      [
        ['CVE-2031-0002', '', 2],
        ['CVE-2031-0003', '2031-01-01', 3],
        ['DSA-9001-1', '', 5],
      ],
    );
    const r = applyScanFilters(findings, { ignore: rules, now: new Date('2031-06-01T00:00:00Z') });
    assert.deepEqual(ids(r.findings), ['foo-tools:CVE-2031-0003', 'libfoo1:CVE-2031-0003']);
    assert.equal(r.diagnostics.length, 1);
    assert.throws(() => parseIgnoreRules('CVE-1 exp:2031-02-30\n', '.trivyignore'), /not a date/);
  });

  it('a missing ignore file is INPUT_UNREADABLE naming the path', () => {
    assert.throws(
      () => loadIgnoreFile(join(work, 'nope.yaml')),
      (e: unknown) =>
        e instanceof BulkheadError && e.code === 'INPUT_UNREADABLE' && e.message.includes('nope.yaml'),
    );
  });
});
