// rpm BerkeleyDB and sqlite readers against the shared fixtures: each file must list exactly what Debian's rpm
// listed for it (the .expected.tsv beside it: name, epoch, version, release, arch, source rpm, modularity label),
// and hostile BerkeleyDB files (truncated, wrong magic, an overflow chain that loops, pages past the end) give one
// clear warning naming the file, never a hang or a crash. Also the Red Hat content-manifest reader.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readContentSets } from '../../src/packages/content-sets.js';
import { readBdbBlobs, readRpmBdb, RpmDbError } from '../../src/packages/rpm-bdb.js';
import { readRpmSqlite } from '../../src/packages/rpm.js';
import type { InstalledPackage } from '../../src/packages/types.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/packages');

function row(p: InstalledPackage): string {
  const epoch = /^(\d+):/.exec(p.version)?.[1] ?? '0';
  const evr = p.version.replace(/^\d+:/, '');
  const dash = evr.lastIndexOf('-');
  return [
    p.name,
    epoch,
    evr.slice(0, dash),
    evr.slice(dash + 1),
    p.arch ?? '(none)',
    p.sourceRpm ?? '(none)',
    p.modularityLabel ?? '(none)',
  ].join('\t');
}

function expected(file: string): string[] {
  return readFileSync(`${file}.expected.tsv`, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

describe('rpm databases list exactly what rpm lists', () => {
  const bdb = readdirSync(join(DATA, 'rpm-bdb')).filter((f) => f.endsWith('-Packages'));
  assert.ok(bdb.length >= 3);
  for (const name of bdb) {
    it(`BerkeleyDB ${name}`, () => {
      const file = join(DATA, 'rpm-bdb', name);
      const result = readRpmBdb(readFileSync(file), 'var/lib/rpm/Packages');
      assert.deepEqual(result.warnings, []);
      assert.deepEqual(result.packages.map(row).sort(), expected(file));
    });
  }
  for (const name of readdirSync(join(DATA, 'rpm-sqlite')).filter((f) => f.endsWith('.sqlite'))) {
    it(`sqlite ${name}`, () => {
      const file = join(DATA, 'rpm-sqlite', name);
      const result = readRpmSqlite(readFileSync(file), 'var/lib/rpm/rpmdb.sqlite');
      assert.deepEqual(result.warnings, []);
      assert.deepEqual(result.packages.map(row).sort(), expected(file));
    });
  }
});

describe('hostile BerkeleyDB files', () => {
  const good = readFileSync(join(DATA, 'rpm-bdb', 'go-rpmdb-libuuid-Packages'));
  const pageSize = good.readUInt32LE(20);
  const pages = good.length / pageSize;
  /** The first page of each overflow chain (pages of type 7 nobody else points to). */
  const overflow = [...Array(pages).keys()].filter((p) => good[p * pageSize + 25] === 7);
  assert.ok(overflow.length > 1, 'the fixture has a multi-page overflow chain');
  const last = overflow.find((p) => good.readUInt32LE(p * pageSize + 16) === 0) ?? 0;
  const firstOf = overflow.find((p) => good.readUInt32LE(p * pageSize + 12) === 0) ?? 0;

  const cases: { name: string; bytes: () => Buffer; error: RegExp }[] = [
    { name: 'empty file', bytes: () => Buffer.alloc(0), error: /too short/ },
    { name: 'truncated to 3 pages', bytes: () => good.subarray(0, 3 * pageSize), error: /truncated/ },
    {
      name: 'wrong magic',
      bytes: () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(0x053162, 12); // a btree magic
        return b;
      },
      error: /wrong magic/,
    },
    {
      name: 'an sqlite file',
      bytes: () => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(1000)]),
      error: /sqlite/,
    },
    {
      name: 'overflow chain loops back to its first page',
      bytes: () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(firstOf, last * pageSize + 16);
        return b;
      },
      error: /loop/,
    },
    {
      name: 'overflow chain points past the last page',
      bytes: () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(0x7fffffff, firstOf * pageSize + 16);
        return b;
      },
      error: /past the last page/,
    },
    {
      name: 'absurd page size',
      bytes: () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(3000, 20);
        return b;
      },
      error: /page size/,
    },
    {
      name: 'hash page claims more items than fit',
      bytes: () => {
        const b = Buffer.from(good);
        for (let p = 1; p < pages; p++)
          if (b[p * pageSize + 25] === 13 || b[p * pageSize + 25] === 2)
            b.writeUInt16LE(0xffff, p * pageSize + 20);
        return b;
      },
      error: /items/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: one clear warning, no packages`, () => {
      const bytes = c.bytes();
      assert.throws(
        () => readBdbBlobs(bytes),
        (e: unknown) => e instanceof RpmDbError && c.error.test(e.message),
      );
      const result = readRpmBdb(bytes, 'var/lib/rpm/Packages');
      assert.equal(result.packages.length, 0);
      assert.equal(result.warnings.length, 1);
      assert.match(
        result.warnings[0] ?? '',
        /^var\/lib\/rpm\/Packages: not a readable rpm BerkeleyDB database/,
      );
    });
  }

  it('random damage to every page never throws anything but RpmDbError', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 8; k++) b[pageSize + rand(b.length - pageSize)] = rand(256);
      const result = readRpmBdb(b, 'var/lib/rpm/Packages');
      assert.ok(result.packages.length <= 1);
    }
  });
});

describe('Red Hat content sets', () => {
  it('reads the UBI 8 content manifest', () => {
    const dir = join(DATA, 'redhat', 'content_manifests');
    const files = readdirSync(dir).map((f) => ({
      path: `root/buildinfo/content_manifests/${f}`,
      content: readFileSync(join(dir, f)),
    }));
    assert.deepEqual(readContentSets(files), {
      contentSets: ['rhel-8-for-x86_64-appstream-rpms', 'rhel-8-for-x86_64-baseos-rpms'],
      warnings: [],
    });
  });
  it('reads content-sets.json and reports a broken manifest', () => {
    const result = readContentSets([
      {
        path: 'usr/share/buildinfo/content-sets.json',
        content: Buffer.from('["rhel-9-for-x86_64-baseos-rpms"]'),
      },
      { path: 'root/buildinfo/content_manifests/x.json', content: Buffer.from('{"content_sets": 3}') },
      { path: 'root/buildinfo/content_manifests/y.json', content: Buffer.from('{oops') },
    ]);
    assert.deepEqual(result.contentSets, ['rhel-9-for-x86_64-baseos-rpms']);
    assert.equal(result.warnings.length, 2);
  });
});
