// Acceptance for image inputs: a real Debian 12 image (debootstrap minbase + curl, openssl, libxml2, perl, sudo,
// python3-minimal) read as a docker-archive, an OCI layout, an engine image, a two-layer variant and a root
// filesystem gives exactly the packages `dpkg-query -W` lists inside the rootfs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readImage, type ImageFacts } from '../../src/image/index.js';
import {
  debianRootfs,
  makeDebianImages,
  type DebianImages,
  type DebianRootfs,
} from '../harness/debian-image.js';
import { engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

function packageLines(facts: ImageFacts): string {
  return `${facts.packages
    .map((p) => `${p.name} ${p.version} ${p.sourceName} ${p.sourceVersion}`)
    .sort()
    .join('\n')}\n`;
}

describe('Debian 12 image', engineSuite, () => {
  let engine: SharedEngine;
  let rootfs: DebianRootfs;
  let images: DebianImages;
  const env = (): Record<string, string | undefined> => ({ ...process.env, DOCKER_HOST: engine.host });

  before(() => {
    engine = sharedEngine();
    rootfs = debianRootfs();
    images = makeDebianImages(engine, rootfs);
  });
  after(() => {
    images.cleanup();
  });

  it('docker-archive gives the packages dpkg-query lists, with binNMU source versions', async () => {
    const facts = await readImage(images.dockerArchive, { env: env() });
    assert.equal(facts.source, 'docker-archive');
    assert.equal(packageLines(facts), rootfs.dpkgQuery);
    assert.deepEqual(
      {
        family: facts.os.family,
        id: facts.os.id,
        versionId: facts.os.versionId,
        codename: facts.os.codename,
      },
      { family: 'debian', id: 'debian', versionId: '12', codename: 'bookworm' },
    );
    // etc/os-release is a symlink to ../usr/lib/os-release in Debian 12
    assert.equal(facts.os.evidence, 'etc/os-release');
    const bash = facts.packages.find((p) => p.name === 'bash');
    assert.ok(bash !== undefined && /\+b\d+$/.test(bash.version), 'bash is a binNMU in bookworm');
    assert.notEqual(bash.sourceVersion, bash.version);
    assert.equal(facts.layers.length, 1);
    for (const p of facts.packages) assert.equal(p.layer?.index, 0);
    assert.ok(facts.id?.startsWith('sha256:'));
    assert.ok(facts.specialFiles.some((f) => f.path === 'usr/bin/sudo' && (f.mode & 0o4000) !== 0));
    assert.deepEqual(facts.diagnostics, []);
  });

  it('the OCI layout (directory and tar) and the engine export give the same facts', async () => {
    const archive = await readImage(images.dockerArchive, { env: env() });
    const oci = await readImage(`oci:${images.ociLayout}`, { env: env() });
    assert.equal(oci.source, 'oci-layout');
    assert.equal(packageLines(oci), rootfs.dpkgQuery);
    assert.deepEqual(oci.os, archive.os);
    assert.deepEqual(
      oci.packages.map((p) => p.layer?.digest),
      archive.packages.map((p) => p.layer?.digest),
    );
    const tarDir = mkdtempSync(join(tmpdir(), 'bh-ocitar-'));
    try {
      const ociTar = join(tarDir, 'oci.tar');
      execFileSync('tar', ['-C', images.ociLayout, '-cf', ociTar, '.']);
      const fromTar = await readImage(`oci:${ociTar}`, { env: env() });
      assert.equal(packageLines(fromTar), rootfs.dpkgQuery);
    } finally {
      rmSync(tarDir, { recursive: true, force: true });
    }
    const fromEngine = await readImage(images.oneLayer, { env: env() });
    assert.equal(fromEngine.source, 'engine');
    assert.equal(packageLines(fromEngine), rootfs.dpkgQuery);
    assert.equal(fromEngine.id, archive.id);
  });

  it('the two-layer variant attributes sudo to the layer that installed it', async () => {
    const facts = await readImage(`docker-archive:${images.twoLayerArchive}`, { env: env() });
    assert.equal(packageLines(facts), rootfs.dpkgQuery);
    assert.equal(facts.layers.length, 2);
    const sudo = facts.packages.find((p) => p.name === 'sudo');
    assert.equal(sudo?.layer?.index, 1);
    assert.match(sudo.layer.createdBy ?? '', /dpkg -i/);
    const others = facts.packages.filter((p) => p.name !== 'sudo');
    assert.ok(others.every((p) => p.layer?.index === 0));
    // the setuid sudo binary now comes from layer 1
    assert.equal(facts.specialFiles.find((f) => f.path === 'usr/bin/sudo')?.layer?.index, 1);
  });

  it('a root filesystem directory gives the same packages, without layers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-rootfs-'));
    try {
      execFileSync('tar', ['-C', dir, '-xf', rootfs.tar, './var/lib/dpkg', './etc', './usr/lib/os-release']);
      const facts = await readImage(dir, { env: env() });
      assert.equal(facts.source, 'rootfs');
      assert.equal(packageLines(facts), rootfs.dpkgQuery);
      assert.equal(facts.os.versionId, '12');
      assert.ok(facts.packages.every((p) => p.layer === undefined));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
