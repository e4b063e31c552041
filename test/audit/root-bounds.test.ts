// `--root` stays inside the root (issue 9 items 14 and 18): symlinks resolve as under chroot(2), only regular files
// are read and at most a cap, a missing root is a usage error, and daemon rules are judged only against the daemon
// behind the socket in use. Hostile trees are made in the test: FIFOs (mkfifo), absolute and climbing symlinks,
// sparse files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveEngineAddress } from '../../src/engine/client.js';
import { collectHostFacts } from '../../src/host/collect.js';
import { RootFs } from '../../src/host/root-fs.js';
import type { Finding } from '../../src/shared/finding.js';
import { FIXTURE_HOST, FIXTURE_SOCKET, materializeHost, type MaterializedHost } from './fixture-hosts.js';
import { runBulkhead } from '../harness/cli.js';

describe('RootFs resolves inside the root and reads only regular files', () => {
  let base: string;
  let root: string;
  let outside: string;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'bh-rootfs-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    mkdirSync(join(root, 'etc', 'docker'), { recursive: true });
    mkdirSync(join(root, 'run'), { recursive: true });
    mkdirSync(join(root, 'var'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret'), 'OUTSIDE-SECRET\n');
    writeFileSync(join(root, 'etc', 'inside.json'), '{"inside":true}\n');
    // absolute link to a file outside: under chroot it names <root>/<base>/outside/secret, which does not exist
    symlinkSync(join(outside, 'secret'), join(root, 'etc', 'abs-out'));
    // absolute link to a file inside: re-rooted
    symlinkSync('/etc/inside.json', join(root, 'etc', 'docker', 'daemon.json'));
    // relative link climbing far above the root stops at the root
    symlinkSync('../../../../../../../../etc/inside.json', join(root, 'etc', 'docker', 'climb.json'));
    symlinkSync('/run', join(root, 'var', 'run'));
    writeFileSync(join(root, 'run', 'docker.pid'), '4242\n');
    symlinkSync('loop-b', join(root, 'etc', 'loop-a'));
    symlinkSync('loop-a', join(root, 'etc', 'loop-b'));
    execFileSync('mkfifo', [join(root, 'etc', 'fifo')]);
    symlinkSync('/dev/zero', join(root, 'etc', 'zero-link'));
    writeFileSync(join(root, 'etc', 'huge'), '');
    truncateSync(join(root, 'etc', 'huge'), 6 * 1024 * 1024 * 1024); // sparse: 6 GiB, no blocks
  });
  after(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('re-roots absolute symlinks and never reads outside the root', () => {
    const fs = new RootFs(root);
    assert.deepEqual(fs.read('/etc/docker/daemon.json'), { ok: true, text: '{"inside":true}\n' });
    assert.deepEqual(fs.read('/etc/docker/climb.json'), { ok: true, text: '{"inside":true}\n' });
    const out = fs.read('/etc/abs-out');
    assert.equal(out.ok, false);
    assert.doesNotMatch(JSON.stringify(out), /OUTSIDE-SECRET/);
    assert.equal(fs.exists('/etc/abs-out'), true, 'the link itself exists');
    assert.equal(fs.stat('/etc/abs-out').ok, false, 'but it resolves to nothing inside the root');
    assert.equal(fs.readIfExists('/var/run/docker.pid'), '4242\n');
    assert.deepEqual(fs.list('/var/run'), ['docker.pid']);
  });

  it('refuses FIFOs, devices, loops and files over the cap without blocking or growing', () => {
    const fs = new RootFs(root);
    assert.deepEqual(fs.read('/etc/fifo'), { ok: false, reason: '/etc/fifo is a FIFO, not a regular file' });
    // /dev/zero re-rooted: <root>/dev/zero does not exist
    assert.deepEqual(fs.read('/etc/zero-link'), { ok: false, reason: '/etc/zero-link: not found' });
    assert.match(JSON.stringify(fs.read('/etc/loop-a')), /too many levels of symbolic links/);
    assert.deepEqual(fs.read('/etc/huge'), { ok: false, reason: '/etc/huge is larger than 16777216 bytes' });
    // "/" itself: the real /dev/zero is a character device, refused before any read
    assert.deepEqual(new RootFs('/').read('/dev/zero'), {
      ok: false,
      reason: '/dev/zero is a character device, not a regular file',
    });
  });

  it('a --root that does not exist is a usage error (exit 2)', async () => {
    const r = await runBulkhead(['audit', '--root', join(base, 'nope'), '--host', FIXTURE_HOST], {
      env: { PATH: process.env['PATH'] },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^bulkhead: --root .*nope does not exist/m);
    assert.equal(r.stdout, '');
    const info = await runBulkhead(['info', '--root', join(root, 'etc', 'inside.json')], {
      env: { PATH: process.env['PATH'] },
    });
    assert.equal(info.code, 2);
    assert.match(info.stderr, /is not a directory/);
  });
});

describe('audit --root: a daemon.json linked out of the root is not the auditor’s own', () => {
  let host: MaterializedHost;
  let outside: string;
  before(() => {
    host = materializeHost('weak', {});
    outside = mkdtempSync(join(tmpdir(), 'bh-auditor-'));
    // the auditor's own, hardened daemon.json: would turn the weak host's failures into passes
    writeFileSync(
      join(outside, 'daemon.json'),
      JSON.stringify({
        icc: false,
        'live-restore': true,
        'userns-remap': 'default',
        'no-new-privileges': true,
      }),
    );
    rmSync(join(host.root, 'etc', 'docker', 'daemon.json'));
    symlinkSync(join(outside, 'daemon.json'), join(host.root, 'etc', 'docker', 'daemon.json'));
  });
  after(() => {
    host.remove();
    rmSync(outside, { recursive: true, force: true });
  });

  it('reads the link inside the root (where it names nothing) and says so', () => {
    const facts = collectHostFacts({
      root: host.root,
      address: resolveEngineAddress({ host: FIXTURE_HOST, env: {} }),
    });
    const config = facts.facts.daemonConfig;
    assert.ok(config.state === 'known', JSON.stringify(config));
    assert.equal(config.value.exists, false);
  });
});

describe('daemon attribution: only the daemon behind the socket in use', () => {
  let host: MaterializedHost;
  before(() => {
    host = materializeHost('weak', {});
  });
  after(() => {
    host.remove();
  });

  it('with nothing listening at the chosen socket, the one dockerd is not judged in its place', async () => {
    const other = 'unix:///run/elsewhere/docker.sock';
    const facts = collectHostFacts({
      root: host.root,
      address: resolveEngineAddress({ host: other, env: {} }),
    });
    const dockerd = facts.facts.dockerd;
    assert.ok(dockerd.state === 'unknown', JSON.stringify(dockerd));
    assert.match(
      dockerd.reason,
      /no engine listens at unix:\/\/\/run\/elsewhere\/docker\.sock on this host.*pid 4242/,
    );
    const r = await runBulkhead(['audit', '--root', host.root, '--host', other, '--format', 'json'], {
      env: { PATH: process.env['PATH'] },
    });
    const doc = JSON.parse(r.stdout) as { findings: Finding[] };
    // a daemon-flag rule the weak fixture's dockerd fails when judged: skipped here, with the reason
    const icc = doc.findings.find((f) => f.ruleId === 'BH-D-002');
    assert.ok(icc);
    assert.equal(icc.outcome.kind, 'skip', JSON.stringify(icc));
    assert.equal(
      doc.findings.some((f) => f.outcome.kind === 'fail' && f.ruleId.startsWith('BH-D-')),
      false,
      'no daemon rule fails against a daemon that is not behind the socket',
    );
    // the socket in use still finds the fixture's daemon
    const same = collectHostFacts({
      root: host.root,
      address: resolveEngineAddress({ host: `unix://${FIXTURE_SOCKET}`, env: {} }),
    });
    assert.equal(same.facts.dockerd.state, 'known');
  });
});
