import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveEngineAddress } from '../../src/engine/client.js';
import { kernelReleaseOfPackage } from '../../src/host/kernel.js';
import { findMount } from '../../src/host/mounts.js';
import { readOsRelease } from '../../src/host/os-release.js';
import { RootFs } from '../../src/host/root-fs.js';

describe('readOsRelease', () => {
  it('reads quoted and unquoted values', () => {
    assert.deepEqual(readOsRelease('ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'), {
      id: 'alpine',
      versionId: '3.19.1',
      prettyName: 'Alpine Linux v3.19',
      idLike: [],
    });
    assert.deepEqual(
      readOsRelease(
        '# comment\nID=\'ubuntu\'\nID_LIKE=debian\nVERSION_CODENAME=noble\nPRETTY_NAME="A \\"q\\""',
      ),
      {
        id: 'ubuntu',
        versionCodename: 'noble',
        prettyName: 'A "q"',
        idLike: ['debian'],
      },
    );
  });
  it('has no answer without an ID', () => {
    assert.equal(readOsRelease('NAME=x\n'), undefined);
  });
});

describe('kernelReleaseOfPackage', () => {
  const cases: readonly [string, string | undefined][] = [
    ['linux-image-6.1.0-18-amd64', '6.1.0-18-amd64'],
    ['linux-image-6.1.0-18-amd64-unsigned', '6.1.0-18-amd64'],
    ['linux-image-6.8.0-45-generic', '6.8.0-45-generic'],
    ['linux-image-amd64', undefined],
    ['linux-image-generic', undefined],
  ];
  for (const [name, release] of cases)
    it(name, () => {
      assert.equal(kernelReleaseOfPackage(name), release);
    });
});

describe('findMount', () => {
  it('picks the longest mount point holding the path and unescapes octal', () => {
    const root = mkdtempSync(join(tmpdir(), 'bh-mnt-'));
    try {
      mkdirSync(join(root, 'proc/self'), { recursive: true });
      writeFileSync(
        join(root, 'proc/self/mountinfo'),
        [
          '22 1 254:1 / / rw - ext4 /dev/vda1 rw',
          '40 22 254:17 / /var/lib rw - xfs /dev/vdb rw',
          '41 22 254:18 / /var/lib\\040docker rw - xfs /dev/vdc rw',
        ].join('\n'),
      );
      const fs = new RootFs(root);
      assert.deepEqual(findMount(fs, '/var/lib/docker'), {
        state: 'known',
        value: { dataRoot: '/var/lib/docker', mountPoint: '/var/lib', fsType: 'xfs', device: '254:17' },
        source: '/proc/self/mountinfo',
      });
      assert.equal(
        findMount(fs, '/var/lib docker/x').state === 'known' && findMount(fs, '/var/lib docker/x').state,
        'known',
      );
      const spaced = findMount(fs, '/var/lib docker/x');
      assert.equal(spaced.state === 'known' && spaced.value.device, '254:18');
      const rootOnly = findMount(fs, '/srv/docker');
      assert.equal(rootOnly.state === 'known' && rootOnly.value.mountPoint, '/');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('RootFs', () => {
  it('never climbs above the root', () => {
    const fs = new RootFs('/srv/fixture');
    assert.equal(fs.resolve('/../../etc/shadow'), '/srv/fixture/etc/shadow');
    assert.equal(fs.resolve('etc/../../x'), '/srv/fixture/x');
  });
});

describe('resolveEngineAddress', () => {
  const cases: readonly { host?: string; env: Record<string, string>; expected: Record<string, unknown> }[] =
    [
      { env: {}, expected: { kind: 'unix', socketPath: '/var/run/docker.sock' } },
      {
        env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
        expected: { kind: 'unix', socketPath: '/run/user/1000/docker.sock' },
      },
      {
        host: 'unix:///a.sock',
        env: { DOCKER_HOST: 'unix:///b.sock' },
        expected: { kind: 'unix', socketPath: '/a.sock' },
      },
      {
        env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
        expected: { kind: 'tcp', host: '127.0.0.1', port: 2375, tls: false },
      },
      {
        env: { DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' },
        expected: { kind: 'tcp', port: 2376, tls: true, verify: true, certPath: '/c' },
      },
      {
        env: { DOCKER_HOST: 'tcp://[::1]:2376', DOCKER_TLS: '1' },
        expected: { kind: 'tcp', host: '::1', port: 2376, tls: true, verify: false },
      },
      {
        env: { DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '0' },
        expected: { kind: 'tcp', port: 2376, tls: false, verify: false },
      },
    ];
  for (const c of cases) {
    it(c.host ?? c.env['DOCKER_HOST'] ?? '(default)', () => {
      const address = resolveEngineAddress({ host: c.host, env: c.env });
      for (const [key, value] of Object.entries(c.expected))
        assert.deepEqual((address as unknown as Record<string, unknown>)[key], value, key);
    });
  }
  it('rejects ssh:// and garbage', () => {
    assert.throws(
      () => resolveEngineAddress({ env: { DOCKER_HOST: 'ssh://x' } }),
      /unsupported Docker host address/,
    );
    assert.throws(() => resolveEngineAddress({ env: { DOCKER_HOST: 'unix://' } }), /empty unix socket path/);
  });
});
