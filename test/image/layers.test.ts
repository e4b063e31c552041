// Layer walking and applying: compression, whiteouts, opaque directories, shadowing, per-layer package attribution,
// and hostile inputs (truncated tar, corrupt gzip, path traversal, absolute names, symlink loops, a 2 GB sparse
// entry, a broken dpkg stanza): each gives a clear error or a counted warning, never a crash or a write to disk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import tarStream from 'tar-stream';
import { readImageArchive } from '../../src/image/archive.js';
import { scanLayer } from '../../src/image/layer.js';
import { cleanEntryName } from '../../src/image/tar.js';
import { InputError } from '../../src/shared/errors.js';

interface Entry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly content?: string | Buffer;
  readonly mode?: number;
  readonly linkname?: string;
}

async function makeTar(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const e of entries) {
    const content = typeof e.content === 'string' ? Buffer.from(e.content) : e.content;
    pack.entry(
      {
        name: e.name,
        type: e.type ?? 'file',
        mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
        ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
      },
      content ?? Buffer.alloc(0),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A docker-archive (moby tarexport layout) holding the given layer blobs, in the entry order `docker save` uses. */
async function makeDockerArchive(
  layers: readonly Buffer[],
  options: { createdBy?: string[]; user?: string; diffIds?: string[] } = {},
): Promise<Buffer> {
  const diffIds =
    options.diffIds ??
    layers.map((l) => sha256(l[0] === 0x1f ? Buffer.from(execFileSync('gzip', ['-dc'], { input: l })) : l));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: options.user ?? '', Env: ['PATH=/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: options.createdBy?.[i] ?? `layer ${i}` })),
    }),
  );
  const configName = `${sha256(config).slice(7)}.json`;
  const layerNames = layers.map((_, i) => `${String(i).padStart(64, 'a')}/layer.tar`);
  const manifest = JSON.stringify([
    { Config: configName, RepoTags: ['test/image:latest'], Layers: layerNames },
  ]);
  return makeTar([
    ...layers.map((l, i) => ({ name: layerNames[i] ?? '', content: l })),
    { name: configName, content: config },
    { name: 'manifest.json', content: manifest },
  ]);
}

const read = (archive: Buffer) =>
  readImageArchive(Readable.from([archive]), { ref: 'test', source: 'docker-archive', subject: 'test.tar' });

const STATUS_AB =
  'Package: alpha\nStatus: install ok installed\nVersion: 1.0-1\n\nPackage: beta\nStatus: install ok installed\nVersion: 2.0-1\nSource: beta-src (2.0-0.1)\n';
const STATUS_AB2 =
  'Package: alpha\nStatus: install ok installed\nVersion: 1.0-1\n\nPackage: beta\nStatus: install ok installed\nVersion: 2.1-1\n\nPackage: gamma\nStatus: install ok installed\nVersion: 3\n';
const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

describe('entry names', () => {
  const cases: [string, ReturnType<typeof cleanEntryName>][] = [
    ['./etc/passwd', { path: 'etc/passwd' }],
    ['/etc/passwd', { path: 'etc/passwd' }],
    ['etc//ssl/./certs/', { path: 'etc/ssl/certs' }],
    ['usr/lib/../bin/x', { path: 'usr/bin/x' }],
    ['../etc/passwd', { problem: 'escapes-root' }],
    ['a/../../b', { problem: 'escapes-root' }],
    ['./', { problem: 'empty' }],
  ];
  for (const [raw, expected] of cases) {
    it(`cleans ${raw}`, () => {
      assert.deepEqual(cleanEntryName(raw), expected);
    });
  }
});

describe('layers', () => {
  it('gzip, zstd and plain layers give the same diff_id and files', async () => {
    const plain = await makeTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'var/lib/dpkg/status', content: STATUS_AB },
    ]);
    const zst = execFileSync('zstd', ['-q', '-c'], { input: plain });
    const results = await Promise.all(
      [plain, gzipSync(plain), zst].map((b) => scanLayer(Readable.from([b]))),
    );
    assert.deepEqual(
      results.map((r) => r.compression),
      ['none', 'gzip', 'zstd'],
    );
    for (const r of results) {
      assert.equal(r.diffId, sha256(plain));
      assert.deepEqual([...r.files.keys()], ['etc/os-release', 'var/lib/dpkg/status']);
    }
  });

  it('applies whiteouts, opaque dirs and shadowing; attributes packages to the layer that introduced them', async () => {
    const base = await makeTar([
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'var/lib/dpkg/status', content: STATUS_AB },
      { name: 'usr/bin/su', content: 'x', mode: 0o4755 },
      { name: 'usr/bin/newgrp', content: 'x', mode: 0o4755 },
      { name: 'usr/bin/wall', content: 'x', mode: 0o2755 },
      {
        name: 'root/.ssh/id_rsa',
        content: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n',
      },
      { name: 'srv/keys/server.key', content: '-----BEGIN PRIVATE KEY-----\nabc\n' },
    ]);
    const upgrade = await makeTar([
      { name: 'usr/bin/.wh.su', content: '' },
      { name: 'usr/bin/newgrp', content: 'replaced', mode: 0o755 },
      { name: 'root/.ssh/.wh.id_rsa', content: '' },
      { name: 'srv/keys/.wh..wh..opq', content: '' },
      { name: 'var/lib/dpkg/status', content: STATUS_AB2 },
    ]);
    const unrelated = await makeTar([{ name: 'app/main.py', content: 'print(1)' }]);
    const facts = await read(
      await makeDockerArchive([gzipSync(base), upgrade, unrelated], {
        createdBy: ['ADD rootfs', 'RUN apt-get upgrade', 'COPY app'],
      }),
    );
    assert.deepEqual(
      facts.packages.map((p) => [
        p.name,
        p.version,
        p.sourceName,
        p.sourceVersion,
        p.layer?.index,
        p.layer?.createdBy,
      ]),
      [
        ['alpha', '1.0-1', 'alpha', '1.0-1', 0, 'ADD rootfs'],
        ['beta', '2.1-1', 'beta', '2.1-1', 1, 'RUN apt-get upgrade'],
        ['gamma', '3', 'gamma', '3', 1, 'RUN apt-get upgrade'],
      ],
    );
    assert.deepEqual(
      facts.specialFiles.map((f) => f.path),
      ['usr/bin/wall'],
    );
    // Deleted secrets are still in layer 0's blob: reported as removed later, not forgotten.
    assert.deepEqual(
      facts.secretCandidates.map((s) => [s.path, s.layer?.index, s.removedLater]),
      [
        ['root/.ssh/id_rsa', 0, true],
        ['srv/keys/server.key', 0, true],
      ],
    );
    assert.equal(facts.os.codename, 'bookworm');
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.layers.length, 3);
    assert.equal(facts.layers[0]?.compression, 'gzip');
  });

  it('reads an rpm sqlite database made by rpm itself from a layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-rpmimg-'));
    try {
      const spec = join(dir, 'tool.spec');
      writeFileSync(
        spec,
        'Name: tool\nVersion: 4.5\nRelease: 1.el9\nSummary: t\nLicense: MIT\nBuildArch: noarch\n%description\nt\n%files\n',
      );
      execFileSync('rpmbuild', ['--define', `_topdir ${join(dir, 'top')}`, '-bb', spec], { stdio: 'ignore' });
      const dbpath = join(dir, 'db');
      mkdirSync(dbpath);
      execFileSync('rpm', ['--initdb', '--dbpath', dbpath], { stdio: 'ignore' });
      execFileSync(
        'rpm',
        [
          '-i',
          '--nodeps',
          '--justdb',
          '--dbpath',
          dbpath,
          join(dir, 'top/RPMS/noarch/tool-4.5-1.el9.noarch.rpm'),
        ],
        { stdio: 'ignore' },
      );
      const layer = await makeTar([
        { name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3"\n' },
        { name: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: readFileSync(join(dbpath, 'rpmdb.sqlite')) },
      ]);
      const facts = await read(await makeDockerArchive([gzipSync(layer)]));
      assert.equal(facts.os.family, 'rocky');
      assert.deepEqual(
        facts.packages.map((p) => [p.format, p.name, p.version, p.sourceName, p.layer?.index]),
        [['rpm', 'tool', '4.5-1.el9', 'tool', 0]],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns when a layer does not match its diff_id', async () => {
    const layer = await makeTar([{ name: 'etc/os-release', content: OS_RELEASE }]);
    const facts = await read(await makeDockerArchive([layer], { diffIds: [`sha256:${'0'.repeat(64)}`] }));
    assert.equal(facts.diagnostics.length, 1);
    assert.match(facts.diagnostics[0]?.message ?? '', /differs from the config's diff_id/);
  });
});

describe('hostile inputs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-hostile-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function rejects(archive: Buffer, pattern: RegExp): Promise<void> {
    await assert.rejects(read(archive), (error: unknown) => {
      assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(error.hint !== undefined);
      return true;
    });
  }

  it('a truncated archive is a clear error', async () => {
    const archive = await makeDockerArchive([
      await makeTar([{ name: 'etc/os-release', content: OS_RELEASE }]),
    ]);
    await rejects(archive.subarray(0, 1500), /truncated tar archive/);
  });

  it('a truncated layer inside a complete archive is a clear error', async () => {
    const layer = await makeTar([{ name: 'var/lib/dpkg/status', content: STATUS_AB.repeat(50) }]);
    await rejects(await makeDockerArchive([layer.subarray(0, 1000)]), /layer .*truncated tar archive/);
  });

  it('a corrupt gzip layer is a clear error', async () => {
    const gz = gzipSync(await makeTar([{ name: 'etc/os-release', content: OS_RELEASE }]));
    gz.fill(0x55, 12, 40);
    await rejects(
      await makeDockerArchive([gz], { diffIds: [`sha256:${'1'.repeat(64)}`] }),
      /corrupt gzip data/,
    );
  });

  it('not an archive at all is a clear error', async () => {
    await rejects(
      Buffer.from('this is not a tar file at all, not even close'.repeat(20)),
      /not a tar archive/,
    );
  });

  it('an archive without a manifest says what it expected', async () => {
    await rejects(await makeTar([{ name: 'hello.txt', content: 'hi' }]), /no manifest.json or index.json/);
  });

  it('path traversal and absolute names are skipped or normalised with counted warnings, nothing is written', async () => {
    const escape = join(dir, 'escaped');
    const depth = '../'.repeat(12);
    const layer = await makeTar([
      { name: `${depth}${escape.slice(1)}`, content: 'pwned' },
      {
        name: '../var/lib/dpkg/status',
        content: 'Package: evil\nStatus: install ok installed\nVersion: 6.6.6\n',
      },
      { name: '/etc/os-release', content: OS_RELEASE },
      { name: 'var/lib/dpkg/status', content: STATUS_AB },
    ]);
    const facts = await read(await makeDockerArchive([layer]));
    assert.equal(existsSync(escape), false);
    assert.deepEqual(
      facts.packages.map((p) => p.name),
      ['alpha', 'beta'],
    );
    assert.equal(facts.os.id, 'debian');
    const messages = facts.diagnostics.map((d) => d.message);
    assert.equal(messages.filter((m) => m.includes('path traversal')).length, 2);
    assert.equal(messages.filter((m) => m.includes('absolute entry name')).length, 1);
  });

  it('a symlink loop is a counted warning, not a hang', async () => {
    const layer = await makeTar([
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'usr/lib/os-release', type: 'symlink', linkname: '/etc/os-release' },
      { name: 'etc/debian_version', content: '12.5\n' },
    ]);
    const facts = await read(await makeDockerArchive([layer]));
    assert.ok(facts.diagnostics.some((d) => d.message.includes('symlink loop')));
    assert.equal(facts.os.evidence, 'etc/debian_version');
    assert.equal(facts.os.versionId, '12');
  });

  it('a 2 GB sparse entry (GNU and PAX sparse formats) is skipped with a warning', async () => {
    const src = join(dir, 'sparse');
    mkdirSync(join(src, 'var/lib/dpkg'), { recursive: true });
    execFileSync('truncate', ['-s', '2G', join(src, 'var/lib/dpkg/status')]);
    for (const format of ['gnu', 'pax']) {
      const tarFile = join(dir, `sparse-${format}.tar`);
      execFileSync('tar', ['--sparse', `--format=${format}`, '-C', src, '-cf', tarFile, 'var']);
      const layer = readFileSync(tarFile);
      assert.ok(layer.length < 1024 * 1024, 'the archive itself is small');
      const facts = await read(await makeDockerArchive([layer]));
      assert.equal(facts.packages.length, 0);
      assert.ok(
        facts.diagnostics.some((d) => d.message.includes('var/lib/dpkg/status: unsupported tar entry type')),
        format,
      );
    }
  });

  it('an entry declaring 2 GB with no data behind it is a truncation error, not an allocation', async () => {
    // A real header for 4 KiB of data, then its size field rewritten to 2 GiB and the checksum fixed up.
    const small = await makeTar([{ name: 'var/lib/dpkg/status', content: Buffer.alloc(4096, 0x41) }]);
    const partial = Buffer.from(small.subarray(0, 512 + 4096));
    partial.write('20000000000\0', 124, 'latin1');
    partial.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i += 1) sum += partial[i] ?? 0;
    partial.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await rejects(
      await makeDockerArchive([partial], { diffIds: [sha256(partial)] }),
      /truncated tar archive/,
    );
  });

  it('a package database over the size limit is skipped with a warning', async () => {
    const big = Buffer.alloc(65 * 1024 * 1024, 0x20);
    const facts = await read(
      await makeDockerArchive([await makeTar([{ name: 'var/lib/dpkg/status', content: big }])]),
    );
    assert.equal(facts.packages.length, 0);
    assert.ok(facts.diagnostics.some((d) => /exceeds the .*limit/.test(d.message)));
  });

  it('a status file with a broken stanza keeps the good ones and counts the bad one', async () => {
    const status = `${STATUS_AB}\nPackage: broken\nStatus: install ok installed\nVersion: not-a-version!\n\n continuation without field\n`;
    const facts = await read(
      await makeDockerArchive([await makeTar([{ name: 'var/lib/dpkg/status', content: status }])]),
    );
    assert.deepEqual(
      facts.packages.map((p) => p.name),
      ['alpha', 'beta'],
    );
    assert.equal(facts.diagnostics.length, 2);
  });
});
