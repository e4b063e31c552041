// Package file records for watch --host: dpkg's .list/.md5sums readers (hostile input: bad lines, huge lines, NULs,
// arch-qualified names) and rpm's file-digest reader, checked against what Debian's rpm prints for the shared rpmdb
// fixtures (sqlite and BerkeleyDB) and for a package built here with rpmbuild and installed into a fresh rpmdb.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  dpkgInfoPackage,
  MAX_RECORD_LINE,
  parseDpkgList,
  parseDpkgMd5sums,
} from '../../src/packages/dpkg-files.js';
import { readBdbBlobs } from '../../src/packages/rpm-bdb.js';
import { decodeRpmFiles, readRpmFileRecords } from '../../src/packages/rpm-files.js';
import { readRpmSqliteBlobs } from '../../src/packages/rpm.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/packages');
const HAVE_RPM = spawnSync('rpm', ['--version']).status === 0;

describe('dpkg file records', () => {
  const cases: { name: string; file: string; want: [string, 'list' | 'md5sums'] | undefined }[] = [
    { name: 'plain', file: 'coreutils.md5sums', want: ['coreutils', 'md5sums'] },
    { name: 'arch-qualified', file: 'libc6:amd64.list', want: ['libc6', 'list'] },
    { name: 'maintainer script', file: 'dash.postinst', want: undefined },
    { name: 'not a package name', file: '../etc.list', want: undefined },
  ];
  for (const c of cases)
    it(`names the package of ${c.name} info files`, () => {
      const got = dpkgInfoPackage(c.file);
      assert.deepEqual(got === undefined ? undefined : [got.name, got.kind], c.want);
    });

  it('reads md5sums lines and skips and counts bad, huge and NUL lines', () => {
    const huge = `${'a'.repeat(32)}  usr/${'x'.repeat(MAX_RECORD_LINE)}`;
    const text = [
      'd41d8cd98f00b204e9800998ecf8427e  usr/bin/empty',
      '7987CF330FF5BB94015DFBB9EAE5A99F  usr/bin/upper',
      '0123456789abcdef0123456789abcdef *usr/bin/binary mode',
      'not an md5 line',
      '0123  usr/bin/short',
      huge,
      `0123456789abcdef0123456789abcdef  usr/bin/nul\0byte`,
      '',
      '0123456789abcdef0123456789abcdef  /already/absolute\r',
    ].join('\n');
    const r = parseDpkgMd5sums(text, 'x.md5sums');
    assert.deepEqual(
      [...r.entries],
      [
        ['/usr/bin/empty', 'd41d8cd98f00b204e9800998ecf8427e'],
        ['/usr/bin/upper', '7987cf330ff5bb94015dfbb9eae5a99f'],
        ['/usr/bin/binary mode', '0123456789abcdef0123456789abcdef'],
        ['/already/absolute', '0123456789abcdef0123456789abcdef'],
      ],
    );
    assert.equal(r.skipped, 4);
    assert.match(r.warnings.join('\n'), /x\.md5sums:4: not "<md5> {2}<path>", skipped/);
    assert.match(r.warnings.join('\n'), /x\.md5sums:6: line of \d+ characters, skipped/);
  });

  it('keeps at most 20 warnings of a file full of garbage, and counts them all', () => {
    const r = parseDpkgMd5sums('garbage\n'.repeat(10_000), 'g.md5sums');
    assert.equal(r.skipped, 10_000);
    assert.equal(r.warnings.length, 20);
    assert.equal(r.entries.size, 0);
  });

  it('reads .list files: absolute paths only, /. dropped', () => {
    const r = parseDpkgList('/.\n/usr\n/usr/bin/dash\nrelative/path\n\n/bin/sh\n', 'dash.list');
    assert.deepEqual(r.paths, ['/usr', '/usr/bin/dash', '/bin/sh']);
    assert.equal(r.skipped, 1);
  });

  it('reads every md5sums file of this machine, and each digest matches md5sum for a few real files', () => {
    const info = '/var/lib/dpkg/info';
    const files = readdirSync(info).filter((f) => f.endsWith('.md5sums'));
    assert.ok(files.length > 50);
    let entries = 0;
    for (const f of files) {
      const r = parseDpkgMd5sums(readFileSync(join(info, f), 'utf8'), f);
      assert.equal(r.skipped, 0, r.warnings.join('\n'));
      entries += r.entries.size;
    }
    const dash = parseDpkgMd5sums(readFileSync(join(info, 'dash.md5sums'), 'utf8'), 'dash.md5sums');
    const listed = [...dash.entries].find(([p]) => p.endsWith('/bin/dash'));
    assert.ok(listed !== undefined, 'dash.md5sums lists bin/dash');
    const real = execFileSync('md5sum', [listed[0]], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(listed[1], real);
    assert.ok(entries > 1000);
  });
});

/** What Debian's rpm says of a database copy: name, digest algorithm and each file with its digest. */
function rpmOracle(dbDir: string): string[] {
  const out = execFileSync(
    'rpm',
    ['--dbpath', dbDir, '-qa', '--qf', '[%{=NAME}\\t%{=FILEDIGESTALGO}\\t%{FILENAMES}\\t%{FILEDIGESTS}\\n]'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l !== '' && !l.includes('(none)'))
    .sort();
}

const ALGO_NUMBER: Record<string, string> = { md5: '1', sha1: '2', sha256: '8', sha512: '10' };

function ours(packages: ReturnType<typeof readRpmFileRecords>['packages']): string[] {
  return packages
    .flatMap((p) => p.files.map((f) => [p.name, ALGO_NUMBER[p.algo] ?? p.algo, f.path, f.digest].join('\t')))
    .sort();
}

describe('rpm file digests', { skip: HAVE_RPM ? false : 'Debian rpm is not installed' }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-rpmfiles-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists exactly the files and digests rpm lists for the Fedora 36 rpmdb.sqlite', () => {
    const src = join(DATA, 'rpm-sqlite', 'preflight-fedora36-rpmdb.sqlite');
    // rpm writes next to the database it opens: give it a copy (the shared data stays read-only)
    const db = join(dir, 'sqlite');
    mkdirSync(db);
    copyFileSync(src, join(db, 'rpmdb.sqlite'));
    const { blobs, problems } = readRpmSqliteBlobs(readFileSync(src), src);
    assert.deepEqual(problems, []);
    const r = readRpmFileRecords(blobs);
    assert.deepEqual(r.problems, []);
    const want = rpmOracle(db);
    assert.ok(want.length > 1000, `${want.length} files`);
    assert.deepEqual(ours(r.packages), want);
  });

  for (const name of readdirSync(join(DATA, 'rpm-bdb')).filter((f) => f.endsWith('-Packages')))
    it(`lists exactly the files and digests rpm lists for BerkeleyDB ${name}`, () => {
      const src = join(DATA, 'rpm-bdb', name);
      const db = join(dir, name);
      mkdirSync(db);
      copyFileSync(src, join(db, 'Packages'));
      const r = readRpmFileRecords(readBdbBlobs(readFileSync(src)).blobs);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(ours(r.packages), rpmOracle(db));
    });

  it('reads a package built here with rpmbuild and installed into a fresh rpmdb; its digest is the file sha256', (t) => {
    if (spawnSync('rpmbuild', ['--version']).status !== 0) {
      t.skip('rpmbuild is not installed');
      return;
    }
    const top = join(dir, 'build');
    mkdirSync(join(top, 'SPECS'), { recursive: true });
    writeFileSync(
      join(top, 'SPECS', 'bh-tiny.spec'),
      [
        'Name: bh-tiny',
        'Version: 1.0',
        'Release: 1',
        'Summary: tiny test package',
        'License: MIT',
        'BuildArch: noarch',
        '%description',
        'tiny',
        '%install',
        'mkdir -p %{buildroot}/opt/bh-tiny/bin',
        "printf '#!/bin/sh\\necho tiny\\n' > %{buildroot}/opt/bh-tiny/bin/tiny",
        'chmod 755 %{buildroot}/opt/bh-tiny/bin/tiny',
        '%files',
        '/opt/bh-tiny/bin/tiny',
        '',
      ].join('\n'),
    );
    const build = spawnSync(
      'rpmbuild',
      [
        '--define',
        `_topdir ${top}`,
        '--define',
        '_build_id_links none',
        '-bb',
        join(top, 'SPECS', 'bh-tiny.spec'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(build.status, 0, build.stderr);
    const rpmFile = join(top, 'RPMS', 'noarch', 'bh-tiny-1.0-1.noarch.rpm');
    const dbDir = join(dir, 'fresh-db');
    const root = join(dir, 'root');
    mkdirSync(root);
    execFileSync('rpm', ['--dbpath', dbDir, '--initdb']);
    const install = spawnSync(
      'rpm',
      [
        '--dbpath',
        dbDir,
        '--root',
        root,
        '--nodeps',
        '--noscripts',
        '--ignoreos',
        '--ignorearch',
        '-i',
        rpmFile,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(install.status, 0, install.stderr);
    const sqlite = join(root, dbDir, 'rpmdb.sqlite');
    const file = readdirSync(join(root, dbDir)).includes('rpmdb.sqlite')
      ? sqlite
      : join(dbDir, 'rpmdb.sqlite');
    const r = readRpmFileRecords(readRpmSqliteBlobs(readFileSync(file), file).blobs);
    const tiny = r.packages.find((p) => p.name === 'bh-tiny');
    assert.ok(
      tiny !== undefined,
      `packages: ${r.packages.map((p) => p.name).join(',')}; ${r.problems.join('; ')}`,
    );
    const entry = tiny.files.find((f) => f.path === '/opt/bh-tiny/bin/tiny');
    assert.ok(entry !== undefined);
    const sha = execFileSync('sha256sum', [join(root, 'opt/bh-tiny/bin/tiny')], { encoding: 'utf8' }).split(
      ' ',
    )[0];
    assert.equal(tiny.algo, 'sha256');
    assert.equal(entry.digest, sha);
    assert.equal(entry.mode & 0o777, 0o755);
  });
});

describe('rpm file digests: hostile headers', () => {
  /** A header blob with the given index entries ([tag, type, count, data]). */
  function header(entries: [number, number, number, Buffer][]): Buffer {
    const index = Buffer.alloc(entries.length * 16);
    const data: Buffer[] = [];
    let offset = 0;
    entries.forEach(([tag, type, count, bytes], i) => {
      index.writeInt32BE(tag, i * 16);
      index.writeUInt32BE(type, i * 16 + 4);
      index.writeInt32BE(offset, i * 16 + 8);
      index.writeUInt32BE(count, i * 16 + 12);
      data.push(bytes);
      offset += bytes.length;
    });
    const head = Buffer.alloc(8);
    head.writeUInt32BE(entries.length, 0);
    head.writeUInt32BE(offset, 4);
    return Buffer.concat([head, index, ...data]);
  }
  const str = (...s: string[]): Buffer => Buffer.from(s.map((x) => `${x}\0`).join(''));
  const i32 = (...n: number[]): Buffer => {
    const b = Buffer.alloc(n.length * 4);
    n.forEach((v, i) => b.writeUInt32BE(v, i * 4));
    return b;
  };
  const NAME: [number, number, number, Buffer] = [1000, 6, 1, str('p')];

  const cases: { name: string; blob: Buffer; problem: RegExp | undefined; files?: string[] }[] = [
    {
      name: 'a good header',
      blob: header([
        NAME,
        [1116, 4, 2, i32(0, 1)],
        [1117, 8, 2, str('a', 'b')],
        [1118, 8, 2, str('/x/', '/y/')],
      ]),
      problem: undefined,
      files: ['/x/a', '/y/b'],
    },
    {
      name: 'DIRINDEXES past DIRNAMES',
      blob: header([NAME, [1116, 4, 1, i32(7)], [1117, 8, 1, str('a')], [1118, 8, 1, str('/x/')]]),
      problem: /DIRINDEXES\[0\] points past DIRNAMES/,
    },
    {
      name: 'fewer DIRINDEXES than BASENAMES',
      blob: header([NAME, [1116, 4, 1, i32(0)], [1117, 8, 2, str('a', 'b')], [1118, 8, 1, str('/x/')]]),
      problem: /2 BASENAMES but 1 DIRINDEXES/,
    },
    {
      name: 'a string array that claims more strings than it holds',
      blob: header([NAME, [1117, 8, 5, str('a')]]),
      problem: /not terminated/,
    },
    {
      name: 'an integer array running past the data',
      blob: header([NAME, [1116, 4, 1000, i32(0)]]),
      problem: /run past the data store/,
    },
    {
      name: 'an unknown digest algorithm',
      blob: header([NAME, [5011, 4, 1, i32(99)]]),
      problem: /algorithm 99/,
    },
    { name: 'truncated', blob: Buffer.from([0, 0, 0, 9, 0, 0]), problem: /shorter than 8 bytes/ },
    { name: 'a huge index', blob: Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), problem: /implausible/ },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = readRpmFileRecords([{ id: 'h', blob: c.blob }]);
      if (c.problem === undefined) {
        assert.deepEqual(r.problems, []);
        assert.deepEqual(
          r.packages[0]?.files.map((f) => f.path),
          c.files,
        );
        assert.equal(r.packages[0]?.algo, 'md5');
      } else {
        assert.equal(r.packages.length, 0);
        assert.match(r.problems.join('\n'), c.problem);
      }
    });

  it('a header without files is not a package with files', () => {
    assert.equal(decodeRpmFiles(header([NAME])), undefined);
  });
});
