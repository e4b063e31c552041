// Package database readers and OS detection against the shared fixtures (Trivy's dpkg/apk test data, two real
// bookworm status files) and a real rpm sqlite database made with Debian's rpm tools.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  detectOs,
  isDebVersion,
  parseSourceField,
  parseSourceRpm,
  readApkDatabase,
  readDpkgDatabase,
  readPackageDatabases,
  readRpmSqlite,
} from '../../src/packages/index.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'packages');

/** Minimal txtar (golang.org/x/tools/txtar): "-- name --" lines start files. */
function readTxtar(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  for (const line of readFileSync(join(DATA, file), 'utf8').split('\n')) {
    const header = /^-- (.+) --$/.exec(line);
    if (header !== null) {
      if (name !== undefined) out.set(name, `${lines.join('\n')}\n`);
      name = header[1];
      lines = [];
    } else lines.push(line);
  }
  if (name !== undefined) out.set(name, `${lines.join('\n')}\n`);
  return out;
}

describe('dpkg reader', () => {
  it('reads the valid fixture: installed packages only, Source mapped', () => {
    const status = readTxtar('dpkg-valid.txtar').get('var/lib/dpkg/status') ?? '';
    const result = readDpkgDatabase(status, 'var/lib/dpkg/status', true);
    assert.equal(result.packages.length, 90); // 91 stanzas, one "deinstall ok config-files"
    assert.deepEqual(result.warnings, []);
    const fdisk = result.packages.find((p) => p.name === 'fdisk');
    assert.deepEqual(fdisk, {
      format: 'dpkg',
      name: 'fdisk',
      version: '2.31.1-0.4ubuntu3.1',
      arch: 'amd64',
      sourceName: 'util-linux',
      sourceVersion: '2.31.1-0.4ubuntu3.1',
      database: 'var/lib/dpkg/status',
    });
  });

  it('skips and counts broken stanzas in the corrupt fixture', () => {
    const status = readTxtar('dpkg-corrupsed.txtar').get('var/lib/dpkg/status') ?? '';
    const result = readDpkgDatabase(status, 'var/lib/dpkg/status', true);
    assert.deepEqual(
      result.packages.map((p) => `${p.name} ${p.version} ${p.sourceName} ${p.sourceVersion}`),
      [
        'libpam-runtime 1.1.8-3.1ubuntu3 pam 1.1.8-3.1ubuntu3',
        'libpam-modules-bin 1.1.8-3.1ubuntu3 pam 1.1.8-3.1ubuntu3',
        'makedev 2.3.1-93ubuntu1 makedev 2.3.1-93ubuntu1',
        'libgcc1 1:5.1.1-12ubuntu1 gcc-5 5.1.1-12ubuntu1',
      ],
    );
    assert.equal(result.warnings.length, 2);
    // "brokenPackageWithNoVersionThatShouldGetThrownOut" is not even a valid name (Policy 5.6.1: lowercase)
    assert.match(result.warnings[0] ?? '', /status:63: stanza without a valid Package name/);
    assert.match(result.warnings[1] ?? '', /invalidpkg/);
  });

  it('reads third-party packages without a Source field', () => {
    const status = readTxtar('dpkg-third-party.txtar').get('var/lib/dpkg/status') ?? '';
    const result = readDpkgDatabase(status, 'var/lib/dpkg/status', true);
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.version, p.sourceName]),
      [
        ['docker-ce', '5:20.10.7~3-0~debian-buster', 'docker-ce'],
        ['apt', '1.6.3ubuntu0.1', 'apt'],
      ],
    );
  });

  it('reads real bookworm status files, binNMUs included', () => {
    for (const [file, count] of [
      ['dpkg-status-bookworm-a', 137],
      ['dpkg-status-bookworm-b', 88],
    ] as const) {
      const result = readDpkgDatabase(readFileSync(join(DATA, file), 'utf8'), 'var/lib/dpkg/status', true);
      assert.equal(result.packages.length, count, file);
      assert.deepEqual(result.warnings, [], file);
      for (const p of result.packages)
        assert.ok(isDebVersion(p.sourceVersion), `${file}: ${p.sourceVersion}`);
    }
  });

  it('reads distroless status.d files, which have no Status field', () => {
    const result = readPackageDatabases([
      {
        path: 'var/lib/dpkg/status.d/libssl3',
        content: Buffer.from(
          'Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n',
        ),
      },
      {
        path: 'var/lib/dpkg/status.d/tzdata',
        content: Buffer.from('Package: tzdata\nVersion: 2024a-0+deb12u1\n'),
      },
    ]);
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.sourceName, p.database]),
      [
        ['libssl3', 'openssl', 'var/lib/dpkg/status.d/libssl3'],
        ['tzdata', 'tzdata', 'var/lib/dpkg/status.d/tzdata'],
      ],
    );
  });

  const sourceCases: { field: string; expected: ReturnType<typeof parseSourceField> }[] = [
    { field: 'openssl', expected: { name: 'openssl' } },
    { field: 'gcc-12 (12.2.0-14)', expected: { name: 'gcc-12', version: '12.2.0-14' } },
    { field: 'bash (5.2.15-2)', expected: { name: 'bash', version: '5.2.15-2' } },
    { field: 'two words', expected: undefined },
  ];
  for (const { field, expected } of sourceCases) {
    it(`parses Source: ${field}`, () => {
      assert.deepEqual(parseSourceField(field), expected);
    });
  }

  const versionCases: [string, boolean][] = [
    ['1:2.38.1-5+deb12u3', true],
    ['5:20.10.7~3-0~debian-buster', true],
    ['2.3.1-93ubuntu1', true],
    ['12.4+deb12u15', true],
    ['1:5.#', false],
    ['abc', false],
    ['', false],
    ['1.0:2', false],
  ];
  for (const [version, valid] of versionCases) {
    it(`deb version syntax: ${JSON.stringify(version)} is ${valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(isDebVersion(version), valid);
    });
  }
});

describe('apk reader', () => {
  it('reads the fixture, skipping the entry without a version', () => {
    const result = readApkDatabase(readFileSync(join(DATA, 'apk-installed'), 'utf8'), 'lib/apk/db/installed');
    assert.equal(result.packages.length, 15);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] ?? '', /invalidPackageWithoutAVersion has no version/);
    assert.deepEqual(result.packages[0], {
      format: 'apk',
      name: 'musl',
      version: '1.1.14-r10',
      arch: 'x86_64',
      sourceName: 'musl',
      sourceVersion: '1.1.14-r10',
      database: 'lib/apk/db/installed',
    });
  });

  it('maps a subpackage to its origin', () => {
    const text = 'P:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n\nP:bad\nV:not a version\n';
    const result = readApkDatabase(text, 'lib/apk/db/installed');
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.sourceName, p.sourceVersion]),
      [['libcrypto3', 'openssl', '3.1.4-r5']],
    );
    assert.equal(result.warnings.length, 1);
  });
});

describe('rpm sqlite reader', () => {
  let dir: string;
  let db: Buffer;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-rpm-'));
    const spec = join(dir, 'demo.spec');
    writeFileSync(
      spec,
      [
        'Name: demo',
        'Version: 1.2.3',
        'Release: 4.el9',
        'Epoch: 2',
        'Summary: demo',
        'License: MIT',
        'BuildArch: noarch',
        '%description',
        'demo',
        '%package libs',
        'Summary: demo libs',
        '%description libs',
        'libs',
        '%files',
        '%files libs',
        '',
      ].join('\n'),
    );
    const top = join(dir, 'top');
    const dbpath = join(dir, 'db');
    mkdirSync(dbpath);
    execFileSync('rpmbuild', ['--define', `_topdir ${top}`, '-bb', spec], { stdio: 'ignore' });
    execFileSync('rpm', ['--initdb', '--dbpath', dbpath], { stdio: 'ignore' });
    const rpms = readdirSync(join(top, 'RPMS', 'noarch')).map((f) => join(top, 'RPMS', 'noarch', f));
    execFileSync('rpm', ['-i', '--nodeps', '--justdb', '--dbpath', dbpath, ...rpms], { stdio: 'ignore' });
    db = readFileSync(join(dbpath, 'rpmdb.sqlite'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads packages with epoch and maps subpackages to the source rpm', () => {
    const result = readRpmSqlite(db, 'var/lib/rpm/rpmdb.sqlite');
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion]).sort(),
      [
        ['demo', '2:1.2.3-4.el9', 'noarch', 'demo', '2:1.2.3-4.el9'],
        ['demo-libs', '2:1.2.3-4.el9', 'noarch', 'demo', '2:1.2.3-4.el9'],
      ],
    );
  });

  it('reports a corrupt database instead of crashing', () => {
    const broken = Buffer.from(db);
    broken.fill(0x41, 4096, 16384);
    const result = readRpmSqlite(broken, 'var/lib/rpm/rpmdb.sqlite');
    assert.ok(result.warnings.length > 0);
    const notSqlite = readRpmSqlite(Buffer.from('hello'), 'var/lib/rpm/rpmdb.sqlite');
    assert.equal(notSqlite.packages.length, 0);
    assert.equal(notSqlite.warnings.length, 1);
  });

  it('splits source rpm names', () => {
    assert.deepEqual(parseSourceRpm('openssl-3.0.7-25.el9_3.src.rpm'), {
      name: 'openssl',
      version: '3.0.7-25.el9_3',
    });
    assert.deepEqual(parseSourceRpm('python3-dnf-plugins-core-4.3.0-13.el9.src.rpm'), {
      name: 'python3-dnf-plugins-core',
      version: '4.3.0-13.el9',
    });
    assert.equal(parseSourceRpm('garbage'), undefined);
  });
});

describe('OS detection', () => {
  const files = (map: Record<string, string>, hasDpkgStatusD = false) => ({
    read: (path: string) => (map[path] === undefined ? undefined : Buffer.from(map[path])),
    hasDpkgStatusD,
  });
  const cases: {
    name: string;
    files: ReturnType<typeof files>;
    expected: Partial<ReturnType<typeof detectOs>>;
  }[] = [
    {
      name: 'debian os-release',
      files: files({
        'etc/os-release':
          'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      }),
      expected: {
        family: 'debian',
        id: 'debian',
        versionId: '12',
        codename: 'bookworm',
        evidence: 'etc/os-release',
      },
    },
    {
      name: 'usr/lib/os-release fallback',
      files: files({ 'usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n' }),
      expected: { family: 'ubuntu', versionId: '22.04', codename: 'jammy', evidence: 'usr/lib/os-release' },
    },
    {
      name: 'alpine-release only',
      files: files({ 'etc/alpine-release': '3.19.1\n' }),
      expected: { family: 'alpine', versionId: '3.19.1', evidence: 'etc/alpine-release' },
    },
    {
      name: 'debian_version only',
      files: files({ 'etc/debian_version': '11.9\n' }),
      expected: { family: 'debian', versionId: '11', codename: 'bullseye' },
    },
    {
      name: 'debian testing',
      files: files({ 'etc/debian_version': 'trixie/sid\n' }),
      expected: { family: 'debian', codename: 'trixie' },
    },
    {
      name: 'rocky via ID',
      files: files({ 'etc/os-release': 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n' }),
      expected: { family: 'rocky', versionId: '9.3' },
    },
    {
      name: 'unknown derivative via ID_LIKE',
      files: files({ 'etc/os-release': 'ID=mydistro\nID_LIKE=debian\nVERSION_ID=1\n' }),
      expected: { family: 'debian', id: 'mydistro' },
    },
    {
      name: 'redhat-release only',
      files: files({ 'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' }),
      expected: { family: 'centos', versionId: '7.9.2009' },
    },
    { name: 'distroless without os-release', files: files({}, true), expected: { family: 'distroless' } },
    { name: 'nothing', files: files({}), expected: { family: 'unknown' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const os = detectOs(c.files);
      for (const [key, value] of Object.entries(c.expected))
        assert.equal(os[key as keyof typeof os], value, key);
    });
  }
});
