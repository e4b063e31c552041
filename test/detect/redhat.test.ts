// Red Hat family detection end to end. AlmaLinux 9: a root filesystem whose rpm sqlite database is built here by
// rpmbuild + rpm --initdb + rpm -i --justdb (epochs, module labels), scanned against the 23 shared AlmaLinux 9 OSV
// records, must give exactly the advisories computed independently below (straight from the JSON, compared by
// rpm's own rpm.vercmp), and a nodejs:22 package is never judged by the nodejs:24 fix. Red Hat: the shared CSAF VEX
// and RHSA documents with the shared repository-to-cpe map give a UBI 8 package set (the shared content manifest)
// "will not fix", "affected" and not-affected verdicts, RHEL 9 fixes, and EUS kept apart from mainline.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectVulnerabilities } from '../../src/detect/index.js';
import { readContentSets } from '../../src/packages/content-sets.js';
import type { InstalledPackage, OsInfo } from '../../src/packages/types.js';
import { scanImage } from '../../src/scan/index.js';
import { buildVulnDb, openVulnDb, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';
import { updateVulnDb } from '../../src/vulndb/update.js';
import { startFeedServer } from '../harness/feed-server.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data');
const work = mkdtempSync(join(tmpdir(), 'bh-detect-rh-'));
const dbs: VulnDb[] = [];
after(() => {
  for (const db of dbs) db.close();
  rmSync(work, { recursive: true, force: true });
});

async function dbFrom(...inputs: string[]): Promise<VulnDb> {
  const path = join(work, `db-${dbs.length}.sqlite`);
  await buildVulnDb(path, { merge: false, toolVersion: 'test' }, (w) => {
    w.transaction(() => {
      const importer = new FeedImporter(w);
      for (const input of inputs) importer.addPath(input);
      importer.flush('osv');
    });
  });
  const db = openVulnDb(path);
  dbs.push(db);
  return db;
}

/** rpm.vercmp for many pairs in one rpm process (the oracle, independent of bulkhead's comparison). */
function rpmVercmp(pairs: readonly (readonly [string, string])[]): number[] {
  const lua = (s: string): string => `"${[...Buffer.from(s)].map((b) => `\\${b}`).join('')}"`;
  const script = join(work, 'cmp.lua');
  writeFileSync(
    script,
    `local c = {${pairs.map(([a, b]) => `{${lua(a)},${lua(b)}}`).join(',')}}\nlocal o = {}\n` +
      'for i, p in ipairs(c) do o[i] = tostring(rpm.vercmp(p[1], p[2])) end\nprint(table.concat(o, " "))\n',
  );
  const out = execFileSync('rpm', ['--eval', `%{lua: dofile("${script}")}`], { encoding: 'utf8' });
  return out.trim().split(/\s+/).map(Number);
}

interface TestRpm {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  readonly module?: string;
}

const ALMA9_PACKAGES: readonly TestRpm[] = [
  { name: 'openssl-libs', epoch: 1, version: '3.0.7', release: '27.el9' },
  { name: 'tar', epoch: 2, version: '1.34', release: '9.el9_7' },
  { name: 'systemd', version: '252', release: '67.el9_8.2' },
  { name: 'less', version: '590', release: '4.el9_4' },
  { name: 'curl', version: '7.76.1', release: '26.el9' },
  // stream 22 at exactly its fix: below the nodejs:24 fix, which must not apply to it
  {
    name: 'nodejs',
    epoch: 1,
    version: '22.23.1',
    release: '2.module_el9.8.0+285+5c3b0251',
    module: 'nodejs:22:9080020260101:5c3b0251',
  },
  {
    name: 'nodejs-devel',
    epoch: 1,
    version: '24.10.0',
    release: '1.module_el9.8.0+200+aaaaaaaa',
    module: 'nodejs:24:9080020260101:9023ffdb',
  },
  {
    name: 'php',
    version: '8.2.20',
    release: '1.module_el9.4.0+65+49ff6472',
    module: 'php:8.2:9040020240101:49ff6472',
  },
];

function buildRpmDb(root: string, packages: readonly TestRpm[]): void {
  const top = join(work, 'rpmbuild');
  const rpms: string[] = [];
  for (const p of packages) {
    const spec = join(work, `${p.name}.spec`);
    writeFileSync(
      spec,
      [
        `Name: ${p.name}`,
        `Version: ${p.version}`,
        `Release: ${p.release}`,
        ...(p.epoch === undefined ? [] : [`Epoch: ${p.epoch}`]),
        ...(p.module === undefined ? [] : [`ModularityLabel: ${p.module}`]),
        'Summary: test package',
        'License: MIT',
        'BuildArch: noarch',
        '%description',
        'test',
        '%files',
        '',
      ].join('\n'),
    );
    execFileSync('rpmbuild', ['--define', `_topdir ${top}`, '--quiet', '-bb', spec], { stdio: 'ignore' });
    rpms.push(join(top, 'RPMS', 'noarch', `${p.name}-${p.version}-${p.release}.noarch.rpm`));
  }
  const dbpath = join(root, 'var/lib/rpm');
  mkdirSync(dbpath, { recursive: true });
  execFileSync('rpm', ['--initdb', '--dbpath', dbpath], { stdio: 'ignore' });
  execFileSync('rpm', ['-i', '--nodeps', '--justdb', '--dbpath', dbpath, ...rpms], { stdio: 'ignore' });
}

/** The advisories the shared records imply, computed from the JSON alone with rpm.vercmp deciding the order. */
function expectedAlma(dir: string, packages: readonly TestRpm[]): string[] {
  const candidates: { pkg: string; id: string; installed: string; fixed: string }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      id: string;
      summary: string;
      affected: { package: { name: string }; ranges: { events: { fixed?: string }[] }[] }[];
    };
    const stream = /\b(\S+):(\S+) security update/.exec(record.summary);
    for (const p of packages) {
      for (const a of record.affected) {
        if (a.package.name !== p.name) continue;
        const fixed = a.ranges[0]?.events.find((e) => e.fixed !== undefined)?.fixed ?? '';
        const moduleFix = fixed.includes('.module_el');
        // a module advisory applies to the packages of its stream only, a plain one to non-modular packages only
        if (
          p.module === undefined
            ? moduleFix
            : !moduleFix || `${stream?.[1]}:${stream?.[2]}` !== p.module.split(':').slice(0, 2).join(':')
        )
          continue;
        candidates.push({
          pkg: p.name,
          id: record.id,
          installed: `${p.epoch === undefined ? '' : `${p.epoch}:`}${p.version}-${p.release}`,
          fixed,
        });
      }
    }
  }
  const order = rpmVercmp(candidates.map((c) => [c.installed, c.fixed]));
  return candidates
    .filter((_, i) => order[i] === -1)
    .map((c) => `${c.pkg} ${c.id}`)
    .sort();
}

describe('AlmaLinux 9 root filesystem with an rpm database built by rpm', () => {
  let db: VulnDb;
  let root: string;
  before(async () => {
    db = await dbFrom(join(DATA, 'vulndb/alma'));
    root = join(work, 'alma9');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(
      join(root, 'etc/os-release'),
      'NAME="AlmaLinux"\nVERSION="9.8 (Moss Jungle Cat)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.8"\nPRETTY_NAME="AlmaLinux 9.8 (Moss Jungle Cat)"\n',
    );
    buildRpmDb(root, ALMA9_PACKAGES);
  });

  it('reports exactly the advisories the records imply', async () => {
    const result = await scanImage(`rootfs:${root}`, { db, configChecks: false, env: {} });
    assert.equal(result.unsupported, undefined);
    assert.equal(result.facts.packages.length, ALMA9_PACKAGES.length);
    const nodejs = result.facts.packages.find((p) => p.name === 'nodejs');
    assert.equal(nodejs?.modularityLabel, 'nodejs:22:9080020260101:5c3b0251');
    assert.equal(nodejs.version, '1:22.23.1-2.module_el9.8.0+285+5c3b0251');
    const got = result.findings
      .map((f) => `${f.target.kind === 'package' ? f.target.name : '?'} ${f.ruleId}`)
      .sort();
    const want = expectedAlma(join(DATA, 'vulndb/alma/almalinux9'), ALMA9_PACKAGES);
    assert.ok(want.length >= 5, `only ${want.length} expected advisories`);
    assert.deepEqual(got, want);
  });

  it('never judges the nodejs:22 package by the nodejs:24 fix (ALSA-2026:47057), nor stream 24 by 22', async () => {
    const result = await scanImage(`rootfs:${root}`, { db, configChecks: false, env: {} });
    const of = (name: string): string[] =>
      result.findings
        .filter((f) => f.target.kind === 'package' && f.target.name === name)
        .map((f) => f.ruleId);
    assert.deepEqual(of('nodejs'), []);
    assert.deepEqual(of('nodejs-devel'), ['ALSA-2026:47057']);
    const f = result.findings.find((x) => x.ruleId === 'ALSA-2026:47057');
    assert.equal(f?.severity, 'high', 'severity from the summary word "Important"');
    assert.ok(f.aliases.includes('CVE-2026-13149'), 'CVE ids come from `related`');
    assert.deepEqual(f.references, ['https://errata.almalinux.org/9/ALSA-2026-47057.html']);
  });

  it('an AlmaLinux release the database lacks is said, never a clean result', () => {
    const os: OsInfo = { family: 'alma', id: 'almalinux', versionId: '10.0', evidence: 'etc/os-release' };
    const result = detectVulnerabilities({ image: 'x', os, packages: [] }, db);
    assert.match(result.unsupported ?? '', /no advisories for AlmaLinux 10.*almalinux 8, 9/);
  });
});

describe('Rocky Linux OSV records', () => {
  it('match binary names with 0: epochs written out', async () => {
    const db = await dbFrom(join(DATA, 'vulndb/rocky'));
    const os: OsInfo = { family: 'rocky', id: 'rocky', versionId: '8.7', evidence: 'etc/os-release' };
    const pkg = (version: string): InstalledPackage => ({
      format: 'rpm',
      name: 'firefox',
      version,
      sourceName: 'firefox',
      sourceVersion: version,
      database: 'var/lib/rpm/rpmdb.sqlite',
    });
    const run = (v: string): string[] =>
      detectVulnerabilities({ image: 'r', os, packages: [pkg(v)] }, db).findings.map((f) => f.ruleId);
    assert.deepEqual(run('102.10.0-1.el8_7'), ['RLSA-2023:3220']);
    assert.deepEqual(run('102.11.0-2.el8_7'), []);
  });
});

describe('Red Hat CSAF VEX and RHSA documents', () => {
  let db: VulnDb;
  const rpm = (name: string, version: string, source = name, modularityLabel?: string): InstalledPackage => ({
    format: 'rpm',
    name,
    version,
    sourceName: source,
    sourceVersion: version,
    ...(modularityLabel === undefined ? {} : { modularityLabel }),
    database: 'var/lib/rpm/Packages',
  });
  before(async () => {
    // the 2023 VEX archive is imported as it ships (tar.zst); an EUS content set is mapped by a file made here
    const eusMap = join(work, 'eus-repository-to-cpe.json');
    writeFileSync(
      eusMap,
      JSON.stringify({
        data: { 'rhel-9-for-x86_64-baseos-eus-rpms': { cpes: ['cpe:/o:redhat:rhel_eus:9.0::baseos'] } },
      }),
    );
    db = await dbFrom(
      join(DATA, 'vulndb/redhat/vex'),
      join(DATA, 'vulndb/redhat/rhsa'),
      join(DATA, 'vulndb/redhat/csaf-trivy-db'),
    );
    const withEus = await dbFrom(join(DATA, 'vulndb/redhat/vex'), eusMap);
    eusDb = withEus;
  });
  let eusDb: VulnDb;

  const ubi8: () => OsInfo = () => {
    const dir = join(DATA, 'packages/redhat/content_manifests');
    const { contentSets } = readContentSets(
      readdirSync(dir).map((f) => ({
        path: `root/buildinfo/content_manifests/${f}`,
        content: readFileSync(join(dir, f)),
      })),
    );
    return { family: 'redhat', id: 'rhel', versionId: '8.5', evidence: 'etc/os-release', contentSets };
  };

  it('UBI 8 with its content manifest: will not fix, affected, not affected, module stream', () => {
    const packages = [
      rpm('vim-minimal', '2:8.0.1763-16.el8', 'vim'),
      rpm('kernel', '4.18.0-348.el8', 'kernel'),
      rpm('kernel-rt', '4.18.0-348.rt7.130.el8', 'kernel-rt'),
      rpm('curl', '7.61.1-22.el8'),
      rpm(
        'go-toolset',
        '1.21.7-1.module+el8.10.0+21318+5ea197f8',
        'go-toolset',
        'go-toolset:rhel8:8100020240221090158:a3795fd5',
      ),
      rpm('golang', '1.21.7-1.el8'),
    ];
    const result = detectVulnerabilities({ image: 'ubi8', os: ubi8(), packages }, db);
    assert.equal(result.unsupported, undefined);
    const got = result.findings
      .map(
        (f) =>
          `${f.target.kind === 'package' ? f.target.name : ''} ${f.ruleId} ${f.vulnerability?.status ?? ''}`,
      )
      .sort();
    assert.deepEqual(got, [
      'go-toolset CVE-2024-24786 open',
      'kernel CVE-2023-0045 wont-fix',
      'kernel-rt CVE-2023-0045 open',
      'vim-minimal CVE-2023-0049 wont-fix',
    ]);
    const vim = result.findings.find((f) => f.ruleId === 'CVE-2023-0049');
    assert.match(vim?.message ?? '', /Red Hat Enterprise Linux 8 will not fix it/);
    // the appstream content set is not in the shared map: said, not silently ignored
    assert.ok(result.diagnostics.some((d) => d.message.includes('rhel-8-for-x86_64-appstream-rpms')));
  });

  it('RHEL 9 mainline: the highest fix of the product wins, source-named fixes reach binaries', () => {
    const os: OsInfo = { family: 'redhat', id: 'rhel', versionId: '9.4', evidence: 'etc/os-release' };
    const run = (p: InstalledPackage): string[] =>
      detectVulnerabilities({ image: 'ubi9', os, packages: [p] }, db).findings.map(
        (f) => `${f.ruleId} ${f.vulnerability?.fixedVersion ?? ''}`,
      );
    assert.deepEqual(run(rpm('curl-minimal', '7.76.1-23.el9_2.4', 'curl')), [
      'CVE-2023-38545 7.76.1-26.el9_3.2',
    ]);
    assert.deepEqual(run(rpm('libcurl-minimal', '7.76.1-26.el9_3.2', 'curl')), []);
    assert.deepEqual(run(rpm('pam', '1.5.1-20.el9', 'pam')), ['CVE-2024-10041 1.5.1-21.el9_5']);
    assert.deepEqual(run(rpm('python3', '3.9.18-3.el9_4.5', 'python3.9')), ['CVE-2024-8088 3.9.19-8.el9']);
    assert.deepEqual(
      run(rpm('test-package', '1.0.0-1.el9')),
      ['CVE-2024-9999 1:1.0.0-1.el9'],
      'epoch from the purl',
    );
  });

  it('EUS content sets are judged by EUS fixes only', () => {
    const eus: OsInfo = {
      family: 'redhat',
      id: 'rhel',
      versionId: '9.0',
      evidence: 'etc/os-release',
      contentSets: ['rhel-9-for-x86_64-baseos-eus-rpms'],
    };
    const mainline: OsInfo = { family: 'redhat', id: 'rhel', versionId: '9.0', evidence: 'etc/os-release' };
    const curl = [rpm('curl', '7.76.1-14.el9_0.9')];
    assert.deepEqual(detectVulnerabilities({ image: 'eus', os: eus, packages: curl }, eusDb).findings, []);
    assert.deepEqual(
      detectVulnerabilities({ image: 'main', os: mainline, packages: curl }, eusDb).findings.map(
        (f) => f.ruleId,
      ),
      ['CVE-2023-38545'],
    );
    const older = [rpm('curl', '7.76.1-14.el9_0.8')];
    assert.deepEqual(
      detectVulnerabilities({ image: 'eus', os: eus, packages: older }, eusDb).findings.map(
        (f) => f.vulnerability?.fixedVersion,
      ),
      ['7.76.1-14.el9_0.9'],
    );
  });

  it('unknown products and content sets are said, never a clean result', () => {
    const os: OsInfo = {
      family: 'redhat',
      id: 'rhel',
      versionId: '8.5',
      evidence: 'x',
      contentSets: ['my-private-repo'],
    };
    const result = detectVulnerabilities({ image: 'x', os, packages: [rpm('curl', '1-1')] }, db);
    assert.match(result.unsupported ?? '', /my-private-repo.*maps to a Red Hat product CPE/);
    const seven: OsInfo = { family: 'redhat', id: 'rhel', versionId: '5', evidence: 'x' };
    assert.match(
      detectVulnerabilities({ image: 'x', os: seven, packages: [] }, db).unsupported ?? '',
      /no Red Hat advisories/,
    );
    const amazon: OsInfo = { family: 'amazon', id: 'amzn', versionId: '2023', evidence: 'x' };
    assert.match(
      detectVulnerabilities({ image: 'x', os: amazon, packages: [] }, db).unsupported ?? '',
      /ALAS.*not supported/,
    );
  });

  it('a malformed rpmmod qualifier is not matched to any stream', () => {
    const os: OsInfo = { family: 'redhat', id: 'rhel', versionId: '10.0', evidence: 'x' };
    const got = detectVulnerabilities(
      { image: 'x', os, packages: [rpm('firefox-flatpak', '127.0-1.el10'), rpm('good-pkg', '1.0.0-1.el10')] },
      db,
    ).findings.map(
      (f) => `${f.target.kind === 'package' ? f.target.name : ''} ${f.vulnerability?.status ?? ''}`,
    );
    assert.deepEqual(got, ['good-pkg open']);
  });
});

describe('db update fetches Red Hat VEX through archive_latest.txt', () => {
  it('follows the pointer to the .tar.zst, imports it entry by entry, with the OSV and CPE feeds', async () => {
    // a served directory: the pointer file written here, the shared archive and map linked in place
    const served = join(work, 'served');
    mkdirSync(join(served, 'vex'), { recursive: true });
    writeFileSync(join(served, 'vex/archive_latest.txt'), 'csaf_vex_2023-10-31.tar.zst\n');
    symlinkSync(
      join(DATA, 'vulndb/redhat/vex/csaf_vex_2023-10-31.tar.zst'),
      join(served, 'vex/csaf_vex_2023-10-31.tar.zst'),
    );
    symlinkSync(
      join(DATA, 'vulndb/redhat/csaf-trivy-db/cpe/repository-to-cpe.json'),
      join(served, 'repository-to-cpe.json'),
    );
    symlinkSync(join(DATA, 'vulndb/rocky/RLSA-2023_3220.json'), join(served, 'rocky.json'));
    const server = await startFeedServer({ root: served });
    try {
      const path = join(work, 'updated.sqlite');
      const report = await updateVulnDb(
        path,
        [
          { group: 'redhat', url: `${server.url}/rocky.json`, optional: false },
          { group: 'redhat', url: `${server.url}/vex/archive_latest.txt`, optional: false, indirect: true },
          { group: 'redhat', url: `${server.url}/repository-to-cpe.json`, optional: false },
        ],
        { toolVersion: 't' },
      );
      assert.deepEqual(server.requests, [
        '/rocky.json',
        '/vex/archive_latest.txt',
        '/vex/csaf_vex_2023-10-31.tar.zst',
        '/repository-to-cpe.json',
      ]);
      const vex = report.sources.find((x) => x.name === 'redhat-csaf:csaf_vex_2023-10-31');
      assert.equal(vex?.stats.records, 3, 'three of the five 2023 documents name an rpm product with a CPE');
      const db = openVulnDb(path);
      dbs.push(db);
      assert.deepEqual(
        db.repositoryCpes(['rhel-8-for-x86_64-baseos-rpms']).get('rhel-8-for-x86_64-baseos-rpms'),
        ['cpe:/o:redhat:enterprise_linux:8::baseos'],
      );
      const os: OsInfo = {
        family: 'redhat',
        id: 'rhel',
        versionId: '8.5',
        evidence: 'x',
        contentSets: ['rhel-8-for-x86_64-baseos-rpms'],
      };
      const vim: InstalledPackage = {
        format: 'rpm',
        name: 'vim-minimal',
        version: '2:8.0.1763-16.el8',
        sourceName: 'vim',
        sourceVersion: '2:8.0.1763-16.el8',
        database: 'x',
      };
      assert.deepEqual(
        detectVulnerabilities({ image: 'ubi8', os, packages: [vim] }, db).findings.map(
          (f) => f.vulnerability?.status,
        ),
        ['wont-fix'],
      );
    } finally {
      await server.close();
    }
  });

  it('a pointer that names no file fails the update', async () => {
    const served = join(work, 'served-bad');
    mkdirSync(served, { recursive: true });
    writeFileSync(join(served, 'archive_latest.txt'), '<html>login</html>');
    const server = await startFeedServer({ root: served });
    try {
      await assert.rejects(
        updateVulnDb(
          join(work, 'bad.sqlite'),
          [{ group: 'redhat', url: `${server.url}/archive_latest.txt`, optional: false, indirect: true }],
          { toolVersion: 't' },
        ),
        /expected the name of a feed file/,
      );
    } finally {
      await server.close();
    }
  });
});
