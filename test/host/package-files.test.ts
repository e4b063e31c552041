// The package databases' change detection for watch --host (src/host/package-files.ts): packageDatabaseStamp
// changes when dpkg renames a package's new info files into place, rewrites status or journals in updates/, and
// when rpm writes rpmdb.sqlite; it stays when nothing was written. diffPackageFileIndexes counts what a re-read of a
// real fixture database changed, and a re-read given the previous index reads again only the packages that changed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  diffPackageFileIndexes,
  loadPackageFileIndex,
  packageDatabaseStamp,
  rereadPaths,
} from '../../src/host/package-files.js';

const MD5_A = 'a'.repeat(32);
const MD5_B = 'b'.repeat(32);

describe('package database stamp and re-read diff', () => {
  let root: string;
  const info = (): string => join(root, 'var/lib/dpkg/info');
  /** dpkg's way: write beside the target, then rename over it (a new directory entry). */
  const install = (file: string, text: string): void => {
    writeFileSync(`${file}-new`, text);
    renameSync(`${file}-new`, file);
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'bh-pkgstamp-'));
    mkdirSync(info(), { recursive: true });
    mkdirSync(join(root, 'var/lib/dpkg/updates'));
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), 'Package: tool\nStatus: install ok installed\n');
    install(join(info(), 'tool.list'), '/usr\n/usr/bin\n/usr/bin/tool\n/usr/bin/helper\n');
    install(join(info(), 'tool.md5sums'), `${MD5_A}  usr/bin/tool\n${MD5_A}  usr/bin/helper\n`);
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('is stable while nothing is written', () => {
    assert.equal(packageDatabaseStamp(root), packageDatabaseStamp(root));
  });

  const changes: { what: string; write: () => void }[] = [
    {
      what: 'an upgrade renames new md5sums into info/',
      write: () => {
        install(join(info(), 'tool.md5sums'), `${MD5_B}  usr/bin/tool\n${MD5_A}  usr/bin/helper\n`);
      },
    },
    {
      what: 'an install adds a package list',
      write: () => {
        install(join(info(), 'extra.list'), '/usr/bin/extra\n');
      },
    },
    {
      what: 'a state change is journalled in updates/',
      write: () => {
        writeFileSync(
          join(root, 'var/lib/dpkg/updates/0000'),
          'Package: tool\nStatus: install ok unpacked\n',
        );
      },
    },
    {
      what: 'status is rewritten',
      write: () => {
        install(join(root, 'var/lib/dpkg/status'), 'Package: tool\nStatus: install ok installed\n\n');
      },
    },
    {
      what: 'rpm writes rpmdb.sqlite',
      write: () => {
        mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
        writeFileSync(join(root, 'var/lib/rpm/rpmdb.sqlite'), 'x');
      },
    },
  ];
  for (const c of changes)
    it(`changes when ${c.what}`, () => {
      const before = packageDatabaseStamp(root);
      c.write();
      assert.notEqual(packageDatabaseStamp(root), before);
    });

  it('diffPackageFileIndexes counts added, removed and re-digested files of a re-read', () => {
    rmSync(join(info(), 'extra.list'));
    install(join(info(), 'tool.list'), '/usr/bin/tool\n/usr/bin/helper\n');
    install(join(info(), 'tool.md5sums'), `${MD5_A}  usr/bin/tool\n${MD5_A}  usr/bin/helper\n`);
    const first = loadPackageFileIndex(root);
    assert.equal(first.byPath.get('/usr/bin/tool')?.digest, MD5_A);
    // tool upgraded (new digest), helper dropped, extra installed
    install(join(info(), 'tool.list'), '/usr/bin/tool\n');
    install(join(info(), 'tool.md5sums'), `${MD5_B}  usr/bin/tool\n`);
    install(join(info(), 'extra.list'), '/usr/bin/extra\n');
    const second = loadPackageFileIndex(root);
    assert.equal(second.byPath.get('/usr/bin/tool')?.digest, MD5_B);
    assert.deepEqual(diffPackageFileIndexes(first, second), { added: 1, removed: 1, changed: 1 });
    assert.deepEqual(diffPackageFileIndexes(second, second), { added: 0, removed: 0, changed: 0 });
  });

  it('a re-read given the previous index reads again only the packages whose info files changed', () => {
    install(join(info(), 'other.list'), '/usr/bin/other\n');
    const first = loadPackageFileIndex(root);
    install(join(info(), 'tool.md5sums'), `${MD5_A}  usr/bin/tool\n`);
    const second = loadPackageFileIndex(root, first);
    assert.equal(second.parts.get('dpkg:other'), first.parts.get('dpkg:other'), 'other: reused');
    assert.notEqual(second.parts.get('dpkg:tool'), first.parts.get('dpkg:tool'), 'tool: read again');
    assert.equal(second.byPath.get('/usr/bin/tool')?.digest, MD5_A);
    assert.deepEqual([...rereadPaths(first, second)], ['/usr/bin/tool']);
    // the same result as a read from scratch
    assert.deepEqual([...second.byPath], [...loadPackageFileIndex(root).byPath]);
    rmSync(join(info(), 'extra.list'));
    const third = loadPackageFileIndex(root, second);
    assert.deepEqual([...rereadPaths(second, third)], ['/usr/bin/extra'], 'a removed package');
  });
});
