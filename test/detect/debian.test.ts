// Debian detection: the Debian 12 packages of ../shared/data/packages/dpkg-status-bookworm-a against
// bookworm-derived.json must give exactly the advisories its provenance marks "fixed-by-update"; statuses,
// binNMU source versions, backports (~bpoN), DSA aliases, support-ended packages and unsupported releases.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { detectVulnerabilities } from '../../src/detect/index.js';
import type { InstalledPackage, OsInfo } from '../../src/packages/types.js';
import { buildVulnDb, openVulnDb, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data');
const BOOKWORM: OsInfo = {
  family: 'debian',
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  evidence: 'etc/os-release',
};
const LAYER = { index: 0, digest: 'sha256:' + 'a'.repeat(64) };

/** Test-side reading of a dpkg status file (the product's reader lives in src/packages). */
function dpkgPackages(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const f = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m?.[1] !== undefined) f.set(m[1], m[2] ?? '');
    }
    const name = f.get('Package');
    const version = f.get('Version');
    if (name === undefined || version === undefined) continue;
    const source = /^(\S+)(?: \((.+)\))?$/.exec(f.get('Source') ?? name);
    out.push({
      format: 'dpkg',
      name,
      version,
      sourceName: source?.[1] ?? name,
      sourceVersion: source?.[2] ?? version,
      database: 'var/lib/dpkg/status',
      layer: LAYER,
    });
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'bh-detect-deb-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

async function dbFrom(...inputs: string[]): Promise<VulnDb> {
  const path = join(work, `${inputs.length}-${Math.random().toString(36).slice(2)}.sqlite`);
  await buildVulnDb(path, { merge: false, toolVersion: 'test' }, (w) => {
    w.transaction(() => {
      const importer = new FeedImporter(w);
      for (const input of inputs) importer.addPath(input);
      importer.flush();
    });
  });
  return openVulnDb(path);
}

const provenanceSchema = z.record(z.string(), z.record(z.string(), z.object({ kind: z.string() })));
const feedSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      releases: z.object({ bookworm: z.object({ fixed_version: z.string(), urgency: z.string() }) }),
    }),
  ),
);

describe('Debian 12 image packages against bookworm-derived.json', () => {
  let db: VulnDb;
  before(async () => {
    db = await dbFrom(
      join(DATA, 'vulndb/debian/bookworm-derived.json'),
      join(DATA, 'vulndb/debian/security-tracker/data/DSA/list'),
    );
  });
  after(() => {
    db.close();
  });

  it('finds exactly the fixed-by-update advisories, for every binary of each source package', () => {
    const packages = dpkgPackages(readFileSync(join(DATA, 'packages/dpkg-status-bookworm-a'), 'utf8'));
    assert.equal(packages.length, 137);
    const result = detectVulnerabilities({ image: 'debian:12-test', os: BOOKWORM, packages }, db);
    assert.equal(result.unsupported, undefined);
    assert.deepEqual(result.diagnostics, []);
    const provenance = provenanceSchema.parse(
      JSON.parse(readFileSync(join(DATA, 'vulndb/debian/bookworm-derived.provenance.json'), 'utf8')),
    );
    const feed = feedSchema.parse(
      JSON.parse(readFileSync(join(DATA, 'vulndb/debian/bookworm-derived.json'), 'utf8')),
    );
    const expected = Object.entries(provenance)
      .flatMap(([pkg, cves]) =>
        Object.entries(cves)
          .filter(([, p]) => p.kind === 'fixed-by-update')
          .map(([cve]) => `${pkg} ${cve}`),
      )
      .sort();
    assert.equal(expected.length, 75);
    const got = [
      ...new Set(
        result.findings.map(
          (f) => `${f.target.kind === 'package' ? (f.target.sourceName ?? '') : ''} ${f.ruleId}`,
        ),
      ),
    ].sort();
    assert.deepEqual(got, expected);
    // one finding per installed binary of an affected source package
    const binaries = packages.filter((p) => expected.some((e) => e.startsWith(`${p.sourceName} `)));
    assert.equal(
      result.findings.length,
      binaries.reduce((n, p) => n + expected.filter((e) => e.startsWith(`${p.sourceName} `)).length, 0),
    );
    for (const f of result.findings) {
      assert.equal(f.target.kind, 'package');
      const entry = feed[f.target.sourceName ?? '']?.[f.ruleId]?.releases.bookworm;
      assert.ok(entry !== undefined);
      assert.equal(f.vulnerability?.fixedVersion, entry.fixed_version);
      assert.equal(f.vulnerability.status, 'fixed');
      assert.equal(f.severity, entry.urgency);
      assert.equal(f.outcome.kind, 'fail');
      assert.deepEqual(f.target.layer, LAYER);
      assert.equal(f.target.ecosystem, 'debian:bookworm');
      assert.equal(f.evidence[0]?.source, 'var/lib/dpkg/status');
      assert.equal(f.evidence[0].expected, `>= ${entry.fixed_version}`);
      assert.ok(f.aliases.includes(f.ruleId));
    }
  });

  it('carries DSA aliases from the advisory list', () => {
    const packages: InstalledPackage[] = [
      {
        format: 'dpkg',
        name: 'libexpat1',
        version: '2.4.7-1',
        sourceName: 'expat',
        sourceVersion: '2.4.7-1',
        database: 'var/lib/dpkg/status',
      },
    ];
    const result = detectVulnerabilities({ image: 'x', os: BOOKWORM, packages }, db);
    const f = result.findings.find((x) => x.ruleId === 'CVE-2022-43680');
    assert.ok(f !== undefined);
    assert.ok(
      f.aliases.some((a) => a.startsWith('DSA-')),
      f.aliases.join(' '),
    );
  });

  it('an OS release the database has no data for is unsupported, never a clean result', () => {
    const trixie: OsInfo = {
      family: 'debian',
      id: 'debian',
      versionId: '13',
      codename: 'trixie',
      evidence: 'etc/os-release',
    };
    const result = detectVulnerabilities({ image: 'x', os: trixie, packages: [] }, db);
    assert.match(result.unsupported ?? '', /no advisories for Debian 13 \(trixie\).*has debian bookworm/);
    const alpine: OsInfo = {
      family: 'alpine',
      id: 'alpine',
      versionId: '3.19.1',
      evidence: 'etc/os-release',
    };
    assert.match(
      detectVulnerabilities({ image: 'x', os: alpine, packages: [] }, db).unsupported ?? '',
      /Alpine 3\.19/,
    );
    const rhel: OsInfo = { family: 'redhat', id: 'rhel', versionId: '9.3', evidence: 'etc/os-release' };
    // RHEL is supported, but this database has no Red Hat data: said, not a clean result
    assert.match(
      detectVulnerabilities({ image: 'x', os: rhel, packages: [] }, db).unsupported ?? '',
      /no Red Hat advisories/,
    );
    const fedora: OsInfo = { family: 'fedora', id: 'fedora', versionId: '40', evidence: 'etc/os-release' };
    assert.match(
      detectVulnerabilities({ image: 'x', os: fedora, packages: [] }, db).unsupported ?? '',
      /not covered/,
    );
  });
});

describe('the same vulnerability from several feeds gives one finding', () => {
  it('merges a tracker CVE, an OSV UBUNTU-CVE wrapper and a USN; folds a multi-CVE advisory into aliases', async () => {
    const dir = mkdtempSync(join(work, 'dups-'));
    const osv = (id: string, aliases: string[], upstream: string[], fixed: string): string =>
      JSON.stringify({
        id,
        modified: '2030-01-01T00:00:00Z',
        aliases,
        upstream,
        affected: [
          {
            package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'wayland' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
          },
        ],
      });
    writeFileSync(
      join(dir, 'UBUNTU-CVE-2030-1111.json'),
      osv('UBUNTU-CVE-2030-1111', [], ['CVE-2030-1111'], '1.20.0-1ubuntu0.1'),
    );
    writeFileSync(
      join(dir, 'USN-9999-1.json'),
      osv('USN-9999-1', [], ['UBUNTU-CVE-2030-1111'], '1.20.0-1ubuntu0.1'),
    );
    writeFileSync(
      join(dir, 'UBUNTU-CVE-2030-2222.json'),
      osv('UBUNTU-CVE-2030-2222', [], ['CVE-2030-2222'], '1.20.0-1ubuntu0.2'),
    );
    writeFileSync(
      join(dir, 'USN-9998-1.json'),
      osv('USN-9998-1', ['CVE-2030-1111', 'CVE-2030-2222'], [], '1.20.0-1ubuntu0.2'),
    );
    const db = await dbFrom(dir);
    const jammy: OsInfo = { family: 'ubuntu', id: 'ubuntu', versionId: '22.04', evidence: 'etc/os-release' };
    const packages: InstalledPackage[] = [
      {
        format: 'dpkg',
        name: 'libwayland-client0',
        version: '1.20.0-1',
        sourceName: 'wayland',
        sourceVersion: '1.20.0-1',
        database: 'var/lib/dpkg/status',
      },
    ];
    const r = detectVulnerabilities({ image: 'ubuntu:22.04', os: jammy, packages }, db);
    assert.deepEqual(r.findings.map((f) => f.ruleId).sort(), ['CVE-2030-1111', 'CVE-2030-2222']);
    const one = r.findings.find((f) => f.ruleId === 'CVE-2030-1111');
    assert.deepEqual([...(one?.aliases ?? [])].sort(), [
      'CVE-2030-1111',
      'UBUNTU-CVE-2030-1111',
      'USN-9998-1',
      'USN-9999-1',
    ]);
    assert.deepEqual(one?.references, ['https://osv.dev/vulnerability/CVE-2030-1111']);
    db.close();
  });
});

describe('Debian statuses, binNMUs and backports', () => {
  let db: VulnDb;
  before(async () => {
    const feed = {
      foo: {
        'CVE-2030-0001': {
          description: 'Heap overflow in foo. More text.',
          releases: { bookworm: { status: 'resolved', fixed_version: '1.0-1+deb12u1', urgency: 'high' } },
        },
        'CVE-2030-0002': { releases: { bookworm: { status: 'open', urgency: 'medium' } } },
        'CVE-2030-0003': {
          releases: { bookworm: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: '' } },
        },
        'CVE-2030-0004': {
          releases: {
            bookworm: { status: 'open', urgency: 'low', nodsa: 'Not worth it', nodsa_reason: 'ignored' },
          },
        },
        'CVE-2030-0005': {
          releases: {
            bookworm: { status: 'open', urgency: 'low', nodsa: 'Later', nodsa_reason: 'postponed' },
          },
        },
        'CVE-2030-0006': { releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned' } } },
        'CVE-2030-0007': {
          releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'unimportant' } },
        },
        'CVE-2030-0008': { releases: { bookworm: { status: 'open', urgency: 'not yet assigned' } } },
      },
      bar: {
        'CVE-2030-0100': {
          releases: { bookworm: { status: 'resolved', fixed_version: '2.0-1', urgency: 'medium' } },
        },
      },
      oldpkg: {
        'CVE-2030-0200': { releases: { bookworm: { status: 'open', urgency: 'high' } } },
      },
    };
    const path = join(work, 'statuses.json');
    writeFileSync(path, JSON.stringify(feed));
    const ended = join(work, 'security-support-ended.deb12');
    writeFileSync(
      ended,
      '# List of packages whose security support ends before the distribution EOL\n\noldpkg\t3.0-1\t\t2025-01-01\tunmaintained upstream\n',
    );
    db = await dbFrom(path, ended);
  });
  after(() => {
    db.close();
  });

  const pkg = (
    name: string,
    version: string,
    sourceName: string,
    sourceVersion: string,
  ): InstalledPackage => ({
    format: 'dpkg',
    name,
    version,
    sourceName,
    sourceVersion,
    database: 'var/lib/dpkg/status',
  });

  it('carries each tracker status into the finding', () => {
    const result = detectVulnerabilities(
      { image: 'x', os: BOOKWORM, packages: [pkg('libfoo1', '1.0-1', 'foo', '1.0-1')] },
      db,
    );
    const byId = new Map(result.findings.map((f) => [f.ruleId, f]));
    assert.deepEqual([...byId.keys()].sort(), [
      'CVE-2030-0001',
      'CVE-2030-0002',
      'CVE-2030-0003',
      'CVE-2030-0004',
      'CVE-2030-0005',
      'CVE-2030-0008',
    ]);
    assert.equal(byId.get('CVE-2030-0001')?.vulnerability?.status, 'fixed');
    assert.equal(byId.get('CVE-2030-0001')?.title, 'CVE-2030-0001: Heap overflow in foo.');
    assert.equal(byId.get('CVE-2030-0002')?.vulnerability?.status, 'open');
    assert.equal(byId.get('CVE-2030-0002')?.vulnerability?.fixedVersion, null);
    assert.equal(byId.get('CVE-2030-0003')?.vulnerability?.status, 'minor');
    assert.equal(byId.get('CVE-2030-0004')?.vulnerability?.status, 'wont-fix');
    assert.equal(byId.get('CVE-2030-0005')?.vulnerability?.status, 'minor');
    // untriaged urgency: the default severity, flagged for review
    assert.equal(byId.get('CVE-2030-0008')?.severity, 'medium');
    assert.match(byId.get('CVE-2030-0002')?.message ?? '', /no fix available/);
  });

  it('compares the binNMU source version, not the binary version', () => {
    // binary 1.0-1+deb12u1+b1 looks fixed, but its source (1.0-1) is not
    const binnmu = pkg('libfoo1', '1.0-1+b1', 'foo', '1.0-1');
    const r1 = detectVulnerabilities({ image: 'x', os: BOOKWORM, packages: [binnmu] }, db);
    assert.ok(r1.findings.some((f) => f.ruleId === 'CVE-2030-0001'));
    assert.match(r1.findings[0]?.evidence[0]?.value ?? '', /libfoo1 1\.0-1\+b1 \(source foo 1\.0-1\)/);
    const fixed = pkg('libfoo1', '1.0-1+deb12u1+b1', 'foo', '1.0-1+deb12u1');
    const r2 = detectVulnerabilities({ image: 'x', os: BOOKWORM, packages: [fixed] }, db);
    assert.equal(
      r2.findings.some((f) => f.ruleId === 'CVE-2030-0001'),
      false,
    );
  });

  it('orders backports (~bpoN) correctly', () => {
    const cases: [string, boolean][] = [
      ['2.0-1~bpo12+1', true], // backport of the fixed version sorts before it
      ['1.9-1', true],
      ['2.0-1', false],
      ['2.0-2~bpo12+1', false],
      ['2.0-1+deb12u1', false],
    ];
    for (const [version, vulnerable] of cases) {
      const r = detectVulnerabilities(
        { image: 'x', os: BOOKWORM, packages: [pkg('bar', version, 'bar', version)] },
        db,
      );
      assert.equal(r.findings.length > 0, vulnerable, version);
    }
  });

  it('marks open issues of packages whose security support ended as end-of-life', () => {
    const r = detectVulnerabilities(
      { image: 'x', os: BOOKWORM, packages: [pkg('oldpkg', '3.0-1', 'oldpkg', '3.0-1')] },
      db,
    );
    assert.equal(r.findings[0]?.vulnerability?.status, 'end-of-life');
    assert.match(r.findings[0].message, /security support for this package has ended/);
  });

  it('an unparseable installed version is a diagnostic, not a crash or a silent pass', () => {
    const r = detectVulnerabilities(
      { image: 'x', os: BOOKWORM, packages: [pkg('bar', 'garbage version', 'bar', 'garbage version')] },
      db,
    );
    assert.equal(r.findings.length, 0);
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0]?.message ?? '', /invalid deb version/);
  });
});
