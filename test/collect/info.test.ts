// `bulkhead info` at the level a user sees it: fixture host trees via --root, the real test engine, an engine
// that is down, and a malformed daemon.json.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { factsSchema, type Facts } from '../../src/facts/index.js';
import { effectiveSetting } from '../../src/shared/dockerd.js';
import { runBulkhead } from '../harness/cli.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'info-hosts', 'userns-0666');

/** Copies a fixture tree to a temp dir and applies the modes git cannot keep. */
function materialize(modes: Readonly<Record<string, number>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bh-info-'));
  cpSync(FIXTURE, dir, { recursive: true, verbatimSymlinks: true });
  for (const [path, mode] of Object.entries(modes)) chmodSync(join(dir, path), mode);
  return dir;
}

function parseFacts(stdout: string): Facts {
  return factsSchema.parse(JSON.parse(stdout));
}

describe('bulkhead info --root (fixture host tree)', () => {
  let root: string;
  before(() => {
    root = materialize({ 'var/run/docker.sock': 0o666, 'etc/docker/daemon.json': 0o644 });
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the socket mode, the daemon.json with userns-remap, the kernel and the dockerd behind the socket', async () => {
    const result = await runBulkhead([
      'info',
      '--json',
      '--no-engine',
      '--root',
      root,
      '--host',
      'unix:///var/run/docker.sock',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const facts = parseFacts(result.stdout);
    const socket = facts.host.files.find((f) => f.role === 'docker socket in use');
    assert.equal(socket?.modeOctal, '0666');
    assert.equal((socket.mode ?? 0) & 0o006, 0o006, 'other read+write bits set');
    assert.equal(facts.host.daemonConfig.state, 'known');
    assert.equal(effectiveSetting(facts.host, 'userns-remap')?.value, 'default');
    assert.equal(effectiveSetting(facts.host, 'userland-proxy')?.value, false);
    assert.equal(effectiveSetting(facts.host, 'userland-proxy')?.source, 'flag');
    assert.equal(effectiveSetting(facts.host, 'icc')?.source, 'daemon.json');
    assert.deepEqual(facts.host.dockerd.state === 'known' && facts.host.dockerd.value.flags['host'], [
      'fd://',
    ]);
    assert.equal(facts.host.dockerd.state === 'known' && facts.host.dockerd.value.matchedBy, 'socket-inode');
    assert.deepEqual(facts.host.kernel.release, {
      state: 'known',
      value: '6.1.0-17-amd64',
      source: '/proc/sys/kernel/osrelease',
    });
    assert.deepEqual(
      facts.host.kernel.installed.state === 'known' &&
        facts.host.kernel.installed.value.map((k) => k.release),
      ['6.1.0-17-amd64', '6.1.0-18-amd64'],
    );
    assert.deepEqual(facts.host.dockerGroup, {
      state: 'known',
      value: { gid: 999, members: ['alice', 'bob', 'ci'] },
      source: '/etc/group',
    });
    assert.deepEqual(
      facts.host.dockerPackages.state === 'known' && facts.host.dockerPackages.value.map((p) => p.name),
      ['docker.io', 'runc'],
      'config-files-only packages are not installed',
    );
    assert.equal(facts.host.lsm.apparmor.state === 'known' && facts.host.lsm.apparmor.value.enabled, true);
    assert.equal(
      facts.host.kernel.cgroupVersion.state === 'known' && facts.host.kernel.cgroupVersion.value,
      2,
    );
    assert.equal(
      facts.host.dataRootMount.state === 'known' && facts.host.dataRootMount.value.mountPoint,
      '/',
    );
    assert.equal(facts.engine.state, 'unknown');
    assert.ok(
      facts.host.files.some((f) => f.role === 'containerd socket' && f.path === '/run/containerd/alt.sock'),
      'containerd [grpc] address',
    );
  });

  it('prints a readable summary', async () => {
    const result = await runBulkhead([
      'info',
      '--no-engine',
      '--root',
      root,
      '--host',
      'unix:///var/run/docker.sock',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /kernel\s+6\.1\.0-17-amd64/);
    assert.match(result.stdout, /0666\s+root:root\s+file\s+\/var\/run\/docker\.sock/);
    assert.match(
      result.stdout,
      /daemon\.json\s+\/etc\/docker\/daemon\.json: keys userns-remap, icc, live-restore, log-level/,
    );
  });

  it('reports a malformed daemon.json with file and line:column, exit 2, no stack trace', async () => {
    const broken = materialize({});
    try {
      writeFileSync(
        join(broken, 'etc/docker/daemon.json'),
        '{\n  "icc": false,\n  "userns-remap" "default"\n}\n',
      );
      const result = await runBulkhead([
        'info',
        '--no-engine',
        '--root',
        broken,
        '--host',
        'unix:///var/run/docker.sock',
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /\/etc\/docker\/daemon\.json:3:18: invalid JSON/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.match(result.stdout, /daemon\.json\s+unknown/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('bulkhead info with an unreachable engine', () => {
  it('still prints host facts, names the address, exits 2', async () => {
    const result = await runBulkhead(['info'], {
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^Host \(\/\)/);
    assert.match(result.stdout, /kernel\s+\S+/);
    assert.match(result.stderr, /Docker engine unreachable at unix:\/\/\/nonexistent\.sock/);
    assert.match(result.stderr, /fix: no socket at \/nonexistent\.sock/);
  });

  it('rejects an unsupported address form with a usage error', async () => {
    const result = await runBulkhead(['info', '--host', 'ssh://user@example']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unsupported Docker host address ssh:\/\/user@example/);
  });
});

describe('bulkhead info against the test engine', engineSuite, () => {
  let engine: SharedEngine;
  const name = `bh-info-${process.pid}`;
  before(() => {
    engine = sharedEngine();
    engine.docker([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'none',
      '--cap-add',
      'SYS_ADMIN',
      '--pid',
      'host',
      '--user',
      '1000',
      '--read-only',
      '--pids-limit',
      '50',
      BUSYBOX_IMAGE,
      'sleep',
      '600',
    ]);
  });
  after(() => {
    engine.docker(['rm', '-f', name]);
  });

  it('reports runtimes, security options, no bridge, and the container settings exactly', async () => {
    const result = await runBulkhead(['info', '--json', '--host', engine.host]);
    assert.equal(result.code, 0, result.stderr);
    const facts = parseFacts(result.stdout);
    assert.ok(facts.engine.state === 'known', 'engine reachable');
    const { info, securityOptions, containers, networks } = facts.engine.value;
    assert.equal(info.Runtimes?.['runsc']?.path, '/usr/bin/runsc');
    assert.deepEqual(info.Runtimes['runsc'].runtimeArgs, ['--network=none']);
    assert.ok(
      securityOptions.some((o) => o.name === 'seccomp' && o.options['profile'] === 'default'),
      JSON.stringify(securityOptions),
    );
    assert.ok(!networks.some((n) => n.Name === 'bridge'), 'no bridge network');
    assert.equal(effectiveSetting(facts.host, 'bridge')?.value, 'none');
    assert.equal(facts.host.dockerd.state === 'known' && facts.host.dockerd.value.matchedBy, 'socket-inode');
    const container = containers.find((c) => c.Name === `/${name}`);
    assert.ok(container, 'container inspected');
    assert.deepEqual(container.HostConfig?.CapAdd, ['SYS_ADMIN']);
    assert.equal(container.HostConfig.PidMode, 'host');
    assert.equal(container.Config?.User, '1000');
    assert.equal(container.HostConfig.ReadonlyRootfs, true);
    assert.equal(container.HostConfig.PidsLimit, 50);
    assert.equal(container.HostConfig.Privileged, false);
    assert.ok(facts.engine.value.apiCalls <= 5 + containers.length + facts.engine.value.images.length);
  });

  it('matches the daemon behind the socket and stats it', async () => {
    const result = await runBulkhead(['info', '--json', '--host', engine.host]);
    const facts = parseFacts(result.stdout);
    const socket = facts.host.files.find((f) => f.role === 'docker socket in use');
    assert.equal(socket?.path, engine.socket);
    assert.equal(socket.type, 'socket');
    assert.equal(facts.host.daemonConfig.state === 'known' && facts.host.daemonConfig.value.fromFlag, true);
  });
});
