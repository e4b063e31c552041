// Alpine detection with the shared secdb files and the apk database fixture: hand-checked matches by origin
// package (v3.4 legacy secdb against ../shared/data/packages/apk-installed, and the 3.22 secdb subset).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectVulnerabilities } from '../../src/detect/index.js';
import type { InstalledPackage, OsInfo } from '../../src/packages/types.js';
import { buildVulnDb, openVulnDb, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data');
const work = mkdtempSync(join(tmpdir(), 'bh-detect-apk-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Test-side reading of lib/apk/db/installed (P: name, V: version, o: origin). */
function apkPackages(text: string): InstalledPackage[] {
  return text.split(/\n\s*\n/).flatMap((block) => {
    const f = new Map(block.split('\n').map((l) => [l.slice(0, 1), l.slice(2)] as const));
    const name = f.get('P');
    const version = f.get('V');
    if (name === undefined || version === undefined) return [];
    const origin = f.get('o') ?? name;
    return [
      {
        format: 'apk' as const,
        name,
        version,
        sourceName: origin,
        sourceVersion: version,
        database: 'lib/apk/db/installed',
      },
    ];
  });
}

function alpine(versionId: string): OsInfo {
  return { family: 'alpine', id: 'alpine', versionId, evidence: 'etc/os-release' };
}

let dbs: VulnDb[] = [];
after(() => {
  for (const db of dbs) db.close();
  dbs = [];
});

async function dbFrom(...inputs: string[]): Promise<VulnDb> {
  const path = join(work, `${dbs.length}.sqlite`);
  await buildVulnDb(path, { merge: false, toolVersion: 'test' }, (w) => {
    w.transaction(() => {
      const importer = new FeedImporter(w);
      for (const input of inputs) importer.addPath(input);
    });
  });
  const db = openVulnDb(path);
  dbs.push(db);
  return db;
}

describe('Alpine 3.4 packages (apk-installed) against the v3.4 secdb', () => {
  let db: VulnDb;
  let ids: (name: string) => string[];
  before(async () => {
    db = await dbFrom(join(DATA, 'vulndb/alpine/secdb-legacy-yaml/v3.4'));
    const packages = apkPackages(readFileSync(join(DATA, 'packages/apk-installed'), 'utf8'));
    const result = detectVulnerabilities({ image: 'alpine:3.4-test', os: alpine('3.4.6'), packages }, db);
    assert.equal(result.unsupported, undefined);
    ids = (name) =>
      result.findings
        .filter((f) => f.target.kind === 'package' && f.target.name === name)
        .map((f) => f.ruleId)
        .sort();
  });

  it('musl 1.1.14-r10 (and musl-utils, same origin) is hit by the r13 and r16 fixes', () => {
    assert.deepEqual(ids('musl'), ['CVE-2016-8859', 'CVE-2017-15650']);
    assert.deepEqual(ids('musl-utils'), ['CVE-2016-8859', 'CVE-2017-15650']);
  });

  it('busybox 1.24.2-r9: r12 and r13 fixes apply, the r0 fixes do not', () => {
    assert.deepEqual(ids('busybox'), ['CVE-2016-6301', 'CVE-2017-15873', 'CVE-2017-16544']);
  });

  it('libssl1.0 1.0.2h-r1 (origin openssl): every fix after h-r1, none at or before it', () => {
    const got = ids('libssl1.0');
    assert.equal(got.length, 23);
    for (const fixedBefore of ['CVE-2016-2107', 'CVE-2016-2177', 'CVE-2016-2178'])
      assert.equal(got.includes(fixedBefore), false);
    for (const open of ['CVE-2016-2180', 'CVE-2016-2179', 'CVE-2016-7052', 'CVE-2017-3738', 'CVE-2018-5407'])
      assert.ok(got.includes(open), open);
    assert.deepEqual(ids('libcrypto1.0'), got);
  });

  it('zlib 1.2.8-r2: the four 1.2.11-r0 CVEs', () => {
    assert.deepEqual(ids('zlib'), ['CVE-2016-9840', 'CVE-2016-9841', 'CVE-2016-9842', 'CVE-2016-9843']);
  });

  it('packages without advisories give nothing', () => {
    assert.deepEqual(ids('alpine-baselayout'), []);
    assert.deepEqual(ids('apk-tools'), []);
  });
});

describe('Alpine 3.22 against the secdb subset', () => {
  const pkg = (name: string, version: string, origin = name): InstalledPackage => ({
    format: 'apk',
    name,
    version,
    sourceName: origin,
    sourceVersion: version,
    database: 'lib/apk/db/installed',
  });

  it('matches by origin, uses the highest fix when an id is listed twice, ignores "0" keys', async () => {
    const db = await dbFrom(join(DATA, 'vulndb/alpine/secdb-json-subset-derived/v3.22-main.subset.json'));
    const run = (p: InstalledPackage): string[] =>
      detectVulnerabilities({ image: 'a', os: alpine('3.22.1'), packages: [p] }, db)
        .findings.map((f) => f.ruleId)
        .sort();
    assert.deepEqual(run(pkg('busybox', '1.37.0-r19')), ['CVE-2024-58251', 'CVE-2025-46394']);
    assert.deepEqual(run(pkg('busybox', '1.37.0-r20')), []);
    assert.deepEqual(run(pkg('ssl_client', '1.37.0-r19', 'busybox')), ['CVE-2024-58251', 'CVE-2025-46394']);
    assert.deepEqual(run(pkg('musl', '1.2.5-r11')), ['CVE-2026-40200']);
    assert.deepEqual(run(pkg('musl', '1.2.5-r9')), ['CVE-2025-26519', 'CVE-2026-40200', 'CVE-2026-6042']);
    // zlib lists "0" (not affected) ids: never reported
    assert.deepEqual(run(pkg('zlib', '1.2.8-r0')), [
      'CVE-2018-25032',
      'CVE-2022-37434',
      'CVE-2026-22184',
      'CVE-2026-27171',
      'CVE-2026-85091',
    ]);
    const f = detectVulnerabilities(
      { image: 'a', os: alpine('3.22.1'), packages: [pkg('musl', '1.2.5-r11')] },
      db,
    ).findings[0];
    assert.equal(f?.severity, 'medium', 'secdb gives no severity: the default applies');
    assert.deepEqual(f.references, ['https://security.alpinelinux.org/vuln/CVE-2026-40200']);
    assert.equal(f.vulnerability?.source, 'alpine-secdb:3.22/main');
  });
});

describe('Wolfi, Chainguard and Ubuntu', () => {
  it('Wolfi and Chainguard images use their own secdbs (release "rolling")', async () => {
    const db = await dbFrom(join(DATA, 'vulndb/wolfi'));
    const apk = (name: string, version: string): InstalledPackage => ({
      format: 'apk',
      name,
      version,
      sourceName: name,
      sourceVersion: version,
      database: 'lib/apk/db/installed',
    });
    const wolfi: OsInfo = { family: 'wolfi', id: 'wolfi', evidence: 'etc/os-release' };
    const w = detectVulnerabilities(
      { image: 'wolfi', os: wolfi, packages: [apk('busybox', '1.35.0-r2'), apk('brotli', '1.0.9-r0')] },
      db,
    );
    assert.deepEqual(w.findings.map((f) => f.ruleId).sort(), ['CVE-2022-28391', 'CVE-2022-30065']);
    assert.equal(
      w.findings[0]?.target.kind === 'package' ? w.findings[0].target.ecosystem : '',
      'wolfi:rolling',
    );
    const chainguard: OsInfo = { family: 'wolfi', id: 'chainguard', evidence: 'etc/os-release' };
    const c = detectVulnerabilities(
      { image: 'cg', os: chainguard, packages: [apk('bind', '9.18.10-r0')] },
      db,
    );
    assert.deepEqual(c.findings.map((f) => f.ruleId).sort(), [
      'CVE-2022-3094',
      'CVE-2022-3736',
      'CVE-2022-3924',
    ]);
  });

  it('Ubuntu 22.04 packages against the OSV Ubuntu records; Ubuntu Pro records never match', async () => {
    const db = await dbFrom(join(DATA, 'vulndb/osv/ubuntu'));
    const deb = (name: string, version: string, source: string): InstalledPackage => ({
      format: 'dpkg',
      name,
      version,
      sourceName: source,
      sourceVersion: version,
      database: 'var/lib/dpkg/status',
    });
    const jammy: OsInfo = {
      family: 'ubuntu',
      id: 'ubuntu',
      versionId: '22.04',
      codename: 'jammy',
      evidence: 'etc/os-release',
    };
    const r = detectVulnerabilities(
      { image: 'ubuntu:22.04', os: jammy, packages: [deb('libwayland-client0', '1.20.0-1', 'wayland')] },
      db,
    );
    // UBUNTU-CVE-2021-3782 (fixed 1.20.0-1ubuntu0.1) and USN-5614-1 (same fix) are one finding
    assert.deepEqual(
      r.findings.map((f) => f.ruleId),
      ['CVE-2021-3782'],
    );
    assert.ok(r.findings[0]?.aliases.includes('USN-5614-1'));
    assert.equal(r.findings[0]?.severity, 'medium');
    const fixed = detectVulnerabilities(
      { image: 'u', os: jammy, packages: [deb('libwayland-client0', '1.20.0-1ubuntu0.1', 'wayland')] },
      db,
    );
    assert.deepEqual(fixed.findings, []);
    // xenial wayland has only a Pro (ESM) fix: a plain 16.04 image is unsupported by this data, never matched to Pro
    const xenial: OsInfo = { family: 'ubuntu', id: 'ubuntu', versionId: '16.04', evidence: 'etc/os-release' };
    const x = detectVulnerabilities(
      { image: 'u16', os: xenial, packages: [deb('libwayland-client0', '1.12.0-1', 'wayland')] },
      db,
    );
    assert.equal(
      x.findings.some((f) => f.ruleId === 'CVE-2021-3782'),
      false,
    );
  });
});
