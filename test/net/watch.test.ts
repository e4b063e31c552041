// Acceptance of issue 12 on the suite's private dockerd: an --internal network of the test's own (nothing leaves
// it), containers net-a (listens on 8080), net-b (connects to it), net-c, and net-a2 sharing net-a's namespace.
// Learning records net-b -> net-a:8080/tcp in the network section of watch's learned profile while watch's exec
// learner writes the same file from another process (both sections survive), old separate network profiles are
// migrated; `watch profile diff/promote` show and enforce it; deny mode lets b through and refuses c with a denied
// event; a container started later gets its table on its Engine start event; promoting a profile with c -> a
// rebuilds the tables at once; stopping leaves no bulkhead table; watch flows -f svg draws the graph; a gVisor
// container is reported unobservable.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { runCli } from '../../src/cli/main.js';
import { NetMonitor } from '../../src/net/monitor.js';
import { hasTable } from '../../src/net/nft.js';
import { NetStore, type NetEvent } from '../../src/net/store.js';
import { loadProfile, profileFile } from '../../src/watch/profile.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { startWatch } from '../harness/watch-run.js';

const execFileAsync = promisify(execFile);
const NET = 'bh-net-test';
const SUBNET = '10.213.7.0/24';
const A_IP = '10.213.7.2';

function capture(): { io: Parameters<typeof runCli>[1] & object; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t: string) => (out += t),
      stderr: (t: string) => (err += t),
      isTTY: false,
      env: {},
      cwd: process.cwd(),
    },
    out: () => out,
    err: () => err,
  };
}

describe('watch network stage on a private dockerd', engineSuite, () => {
  let engine: SharedEngine;
  let docker: Docker;
  let dir: string;
  let digest: string;
  const profiles = (): string => join(dir, 'profiles');
  const db = (): string => join(dir, 'watch.db');
  const pid = (name: string): number =>
    Number(engine.docker(['inspect', '-f', '{{.State.Pid}}', name]).trim());
  /** Exit status of a TCP connect from `from` to host:port (0 connected, else refused/timed out). */
  // asynchronous, so the monitor's poll timer and NFLOG readers run while the connection lives
  const connect = async (from: string, host: string, port: number, hold = 0): Promise<number> => {
    const script =
      hold > 0 ? `sleep ${hold} | nc -w 2 ${host} ${port}` : `nc -w 2 ${host} ${port} </dev/null`;
    try {
      await execFileAsync('/usr/bin/docker', ['--host', engine.host, 'exec', from, 'sh', '-c', script]);
      return 0;
    } catch {
      return 1;
    }
  };

  before(() => {
    engine = sharedEngine();
    docker = new Docker({ socketPath: engine.socket });
    dir = mkdtempSync(join(tmpdir(), 'bh-net-test-'));
    for (const name of ['net-a2', 'net-a', 'net-b', 'net-c', 'net-g']) {
      try {
        engine.docker(['rm', '-f', name]);
      } catch {
        // not there
      }
    }
    try {
      engine.docker(['network', 'rm', NET]);
    } catch {
      // not there
    }
    engine.docker(['network', 'create', '--internal', '--subnet', SUBNET, NET]);
    const run = (name: string, args: string[], cmd: string): void => {
      engine.docker(['run', '-d', '--name', name, ...args, BUSYBOX_IMAGE, 'sh', '-c', cmd]);
    };
    // -ll -e: persistent busybox server; each connection is held for a second
    run(
      'net-a',
      ['--network', NET, '--ip', A_IP],
      'nc -ll -p 9000 -e sleep 2 & exec nc -ll -p 8080 -e sleep 1',
    );
    run('net-b', ['--network', NET], 'exec sleep 3600');
    run('net-c', ['--network', NET], 'exec sleep 3600');
    run('net-a2', ['--network', 'container:net-a'], 'exec sleep 3600');
    digest = engine.docker(['inspect', '--format', '{{.Image}}', 'net-a']).trim();
  });

  const watched = ['net-a', 'net-b', 'net-c', 'net-a2'];
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const cap = capture();
    const code = await runCli(['node', 'bulkhead', ...args], cap.io);
    return { code, out: cap.out(), err: cap.err() };
  };
  const waitUntil = async (what: string, done: () => boolean | Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 300; i += 1) {
      if (await done()) return;
      await sleep(100);
    }
    assert.fail(`${what}: not within 30 s`);
  };

  after(() => {
    for (const name of ['net-a2', 'net-a', 'net-b', 'net-c', 'net-d', 'net-g']) {
      try {
        engine.docker(['rm', '-f', name]);
      } catch {
        // gone
      }
    }
    try {
      engine.docker(['network', 'rm', NET]);
    } catch {
      // gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns b -> a:8080/tcp into the learned profile beside the exec learner, attributes loopback flows in a shared namespace, migrates old files', async () => {
    // the old layout: one valid file (another image) and one that does not validate
    const old = join(profiles(), 'network');
    mkdirSync(old, { recursive: true });
    const otherDigest = `sha256:${'e'.repeat(64)}`;
    writeFileSync(
      join(old, `${'e'.repeat(64)}.yaml`),
      `image: "${otherDigest}"\nimageName: other:latest\nnetwork:\n  listening: []\n  outbound:\n    - { workload: x, peer: { kind: cidr, cidr: 10.1.2.3/32 }, proto: tcp, port: 443, count: 1, firstSeen: 2026-12-01T10:00:00.000Z, lastSeen: 2026-12-01T10:00:00.000Z }\n  inbound: []\n`,
    );
    writeFileSync(join(old, 'broken.yaml'), 'image: "sha256:1"\nnetwork: { listening: [] }\n');
    // watch's exec learner in its own process, writing the same learned file every 100 ms
    const execLearner = await startWatch([
      '--mode',
      'learn',
      '--profiles',
      profiles(),
      '--db',
      db(),
      '--guard',
      'none',
      '--learn-flush-ms',
      '100',
      '--docker-host',
      engine.host,
      '--container',
      ...watched,
    ]);
    const store = new NetStore(db());
    const events: NetEvent[] = [];
    const monitor = new NetMonitor({
      docker,
      mode: 'learn',
      profilesDir: profiles(),
      store,
      intervalMs: 300,
      containers: watched,
      onEvent: (e) => events.push(e),
    });
    await monitor.start();
    try {
      assert.equal(await connect('net-b', A_IP, 8080), 0);
      assert.equal(await connect('net-b', A_IP, 8080), 0);
      // net-a2 lives in net-a's namespace: its client socket is net-a2's, the server socket net-a's
      assert.equal(await connect('net-a2', '127.0.0.1', 9000, 2), 0);
      for (let i = 0; i < 100 && monitor.graph.edges.size < 2; i += 1) await sleep(100);
      // two more full poll cycles (the second connection's count, the listening sockets), counted, not guessed
      const seen = monitor.status().cycles;
      for (let i = 0; i < 300 && monitor.status().cycles < seen + 2; i += 1) await sleep(50);
    } finally {
      await monitor.stop();
      assert.equal(await execLearner.stop(), 0, execLearner.stderr());
    }
    const keys = monitor.graph.list().map((e) => `${e.key} ${e.network ?? ''}`);
    assert.ok(keys.includes(`c:net-b>c:net-a:8080/tcp ${NET}`), keys.join('\n'));
    assert.ok(keys.includes('c:net-a2>c:net-a:9000/tcp loopback'), keys.join('\n'));
    assert.ok(!keys.some((k) => k.startsWith('c:net-a>c:net-a:9000')), keys.join('\n'));
    // one learned profile for the image, holding both learners' sections
    const profile = loadProfile(profileFile(profiles(), digest, 'learned'));
    const paths = (profile.executables ?? []).map((e) => e.path);
    assert.ok(paths.includes('/bin/nc') && paths.includes('/bin/sh'), `exec section: ${paths.join(', ')}`);
    const network = profile.network;
    assert.ok(network !== undefined, 'network section');
    assert.ok(
      network.outbound.some(
        (e) =>
          e.workload === 'net-b' &&
          e.peer.kind === 'workload' &&
          e.peer.workload === 'net-a' &&
          e.port === 8080 &&
          e.proto === 'tcp' &&
          e.count >= 2,
      ),
    );
    assert.ok(
      network.inbound.some(
        (e) =>
          e.workload === 'net-a' &&
          e.peer.kind === 'workload' &&
          e.peer.workload === 'net-b' &&
          e.port === 8080,
      ),
    );
    assert.ok(network.listening.some((e) => e.workload === 'net-a' && e.port === 8080));
    assert.ok(!network.outbound.some((e) => e.workload === 'net-c'));
    assert.equal(
      existsSync(profileFile(profiles(), digest, 'enforced')),
      false,
      'nothing enforced before a promote',
    );
    assert.deepEqual(
      readdirSync(profiles()).filter((f) => f.endsWith('.lock') || f.includes('.tmp-')),
      [],
    );
    // migration: the valid old file is in the other image's profiles and kept as .migrated; the broken one stays
    assert.equal(
      loadProfile(profileFile(profiles(), otherDigest, 'enforced')).network?.outbound[0]?.port,
      443,
    );
    assert.deepEqual(readdirSync(old).sort(), ['broken.yaml', `${'e'.repeat(64)}.yaml.migrated`]);
    assert.ok(
      events.some((e) => e.kind === 'profile' && e.message.startsWith('migrated the old network profile')),
    );
    assert.ok(
      events.some(
        (e) =>
          e.kind === 'profile' &&
          e.verdict === 'alerted' &&
          e.message.startsWith(`${join(old, 'broken.yaml')}:1:`),
      ),
      JSON.stringify(events.filter((e) => e.kind === 'profile')),
    );
    store.close();
  });

  it('watch profile diff shows the learned ports and edges; promote puts them in force', async () => {
    const target = ['--profiles', profiles(), '--docker-host', 'none', BUSYBOX_IMAGE];
    const diff = await cli(['watch', 'profile', 'diff', ...target]);
    assert.equal(diff.code, 0, diff.err);
    for (const line of [
      '+ listening net-a 8080/tcp',
      '+ outbound net-b -> net-a:8080/tcp',
      '+ inbound net-b -> net-a:8080/tcp',
      '+ /bin/nc  exe /bin/busybox',
    ])
      assert.ok(diff.out.split('\n').includes(line), `${line} in\n${diff.out}`);
    const promote = await cli(['watch', 'profile', 'promote', ...target]);
    assert.equal(promote.code, 0, promote.err);
    assert.match(promote.out, /promoted to v1: /);
    assert.match(promote.out, /network section changed/);
    const show = await cli(['watch', 'profile', 'show', ...target]);
    assert.match(show.out, /enforced v1/);
    assert.match(show.out, /^network: \d+ listening ports?, \d+ outbound edges?, \d+ inbound edges?$/m);
    assert.match(show.out, /^ {2}outbound net-b -> net-a:8080\/tcp {2}seen \d+/m);
  });

  it('deny mode: b -> a connects, c -> a is refused with a denied event; stop removes every table', async () => {
    const store = new NetStore(db());
    const events: NetEvent[] = [];
    const monitor = new NetMonitor({
      docker,
      mode: 'deny',
      profilesDir: profiles(),
      store,
      intervalMs: 300,
      containers: watched,
      onEvent: (e) => events.push(e),
    });
    await monitor.start();
    try {
      assert.equal(await hasTable(pid('net-a')), true);
      assert.equal(await hasTable(pid('net-c')), true);
      assert.equal(await connect('net-b', A_IP, 8080), 0, 'the learned edge still connects');
      assert.equal(await connect('net-c', A_IP, 8080), 1, 'an edge never learned is refused');
      // the NFLOG line reaches us asynchronously; on a loaded machine give it time (bounded)
      for (let i = 0; i < 100 && !events.some((e) => e.kind === 'denied'); i += 1) await sleep(100);
    } finally {
      await monitor.stop();
    }
    const denied = events.filter((e) => e.kind === 'denied');
    assert.ok(
      denied.some(
        (e) => e.container === 'net-c' && e.peer === 'net-a' && e.port === 8080 && e.proto === 'tcp',
      ),
      JSON.stringify(denied),
    );
    assert.ok(!denied.some((e) => e.container === 'net-b' || e.peer === 'net-b'), JSON.stringify(denied));
    assert.equal(await hasTable(pid('net-a')), false);
    assert.equal(await hasTable(pid('net-c')), false);
    assert.equal(await hasTable(pid('net-b')), false);
    const stored = store.events().filter((e) => e.kind === 'denied' && e.container === 'net-c');
    assert.ok(stored.length >= 1, 'denials reach the event store');
    store.close();
    // and `watch events` lists them with watch's own events
    const listed = await cli(['watch', 'events', '--container', 'net-c', '--db', db()]);
    assert.equal(listed.code, 1, listed.err);
    assert.match(
      listed.out,
      /net-c\s+net-denied\s+denied\s+BH-N-00[23]\s+-\s+-\s+denied net-c -> net-a:8080\/tcp/,
    );
  });

  it('a started container gets its table on its start event; a promote rebuilds the tables at once', async () => {
    // learn c -> a (the enforced v1 does not have it)
    const learner = new NetMonitor({
      docker,
      mode: 'learn',
      profilesDir: profiles(),
      store: undefined,
      intervalMs: 300,
      containers: watched,
    });
    await learner.start();
    try {
      assert.equal(await connect('net-c', A_IP, 8080), 0);
      await waitUntil('c -> a learned', () =>
        learner.graph.list().some((e) => e.key === 'c:net-c>c:net-a:8080/tcp'),
      );
    } finally {
      await learner.stop();
    }
    const store = new NetStore(db());
    const events: NetEvent[] = [];
    // one poll at start, the next in 10 minutes: whatever happens later comes from the Engine's events or the
    // profile directory, not from a poll
    const monitor = new NetMonitor({
      docker,
      mode: 'deny',
      profilesDir: profiles(),
      store,
      intervalMs: 600_000,
      containers: [...watched, 'net-d'],
      onEvent: (e) => events.push(e),
    });
    await monitor.start();
    const starts = 7;
    try {
      assert.equal(await connect('net-c', A_IP, 8080), 1, 'v1 refuses c -> a');
      for (let i = 0; i < starts; i += 1) {
        // asynchronously: a synchronous docker run would hold this process's event loop, and the start event
        // with it, until the CLI exits
        await execFileAsync('/usr/bin/docker', [
          '--host',
          engine.host,
          'run',
          '-d',
          '--name',
          'net-d',
          '--network',
          NET,
          BUSYBOX_IMAGE,
          'sleep',
          '3600',
        ]);
        const d = pid('net-d');
        await waitUntil('net-d table', () => hasTable(d));
        await waitUntil('net-d enforcement event', () =>
          events.some(
            (e) =>
              e.kind === 'enforcement' && /net-d's start event, in place \d+ ms after it/.test(e.message),
          ),
        );
        events.splice(0);
        engine.docker(['rm', '-f', 'net-d']);
      }
      const promote = await cli([
        'watch',
        'profile',
        'promote',
        '--profiles',
        profiles(),
        '--docker-host',
        'none',
        BUSYBOX_IMAGE,
      ]);
      assert.match(promote.out, /^\+ outbound net-c -> net-a:8080\/tcp$/m);
      assert.match(promote.out, /^\+ inbound net-c -> net-a:8080\/tcp$/m);
      assert.match(promote.out, /promoted to v2/);
      // a's table (it now accepts c) and c's (it may now connect to a), one namespace after the other
      for (const name of ['net-a', 'net-c'])
        await waitUntil(`${name} rebuilt`, () =>
          events.some(
            (e) =>
              e.kind === 'enforcement' &&
              e.message.startsWith(`${name}: `) &&
              e.message.includes(' rebuilt for profile v2 of '),
          ),
        );
      assert.equal(await connect('net-c', A_IP, 8080), 0, 'v2 lets c -> a through, without a poll');
      assert.equal(monitor.status().cycles, 1, 'no poll ran meanwhile');
    } finally {
      await monitor.stop();
      store.close();
    }
    const timing = monitor.status().startToTableMs;
    assert.equal(timing.n, starts);
    process.stdout.write(
      `# start event -> table in place: median ${timing.p50} ms, max ${timing.max} ms over ${timing.n} starts\n`,
    );
    for (const name of ['net-a', 'net-b', 'net-c']) assert.equal(await hasTable(pid(name)), false, name);
  });

  it('watch flows -f svg draws nodes a, b, c, the edge b->a:8080 and the denied c->a edge', async () => {
    const cap = capture();
    const code = await runCli(['node', 'bulkhead', 'watch', 'flows', '-f', 'svg', '--db', db()], cap.io);
    assert.equal(code, 0, cap.err());
    const svg = cap.out();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const nodes = [...svg.matchAll(/<g class="node [a-z]+" data-name="([^"]+)">/g)].map((m) => m[1]);
    for (const name of ['net-a', 'net-b', 'net-c']) assert.ok(nodes.includes(name), nodes.join(','));
    const edges = [
      ...svg.matchAll(
        /<g class="edge( denied)?" data-from="([^"]+)" data-to="([^"]+)" data-port="(\d+)" data-proto="(\w+)" data-connections="(\d+)" data-denied="(\d+)">/g,
      ),
    ].map((m) => ({ denied: m[1] !== undefined, from: m[2], to: m[3], port: Number(m[4]), proto: m[5] }));
    assert.ok(
      edges.some((e) => e.from === 'net-b' && e.to === 'net-a' && e.port === 8080 && !e.denied),
      JSON.stringify(edges),
    );
    assert.ok(
      edges.some((e) => e.from === 'net-c' && e.to === 'net-a' && e.port === 8080 && e.denied),
      JSON.stringify(edges),
    );
    const table = capture();
    assert.equal(await runCli(['node', 'bulkhead', 'watch', 'flows', '--db', db()], table.io), 0);
    assert.match(table.out(), /net-b\s+net-a\s+8080\/tcp/);
  });

  it('a gVisor container and a container whose namespace is gone are reported with the reason', async () => {
    engine.docker([
      'run',
      '-d',
      '--name',
      'net-g',
      '--runtime',
      'runsc',
      '--network',
      'none',
      BUSYBOX_IMAGE,
      'sleep',
      '3600',
    ]);
    const monitor = new NetMonitor({
      docker,
      mode: 'learn',
      profilesDir: join(dir, 'profiles-g'),
      store: undefined,
      intervalMs: 300,
      containers: ['net-g'],
      tables: false,
    });
    await monitor.start();
    await monitor.stop();
    const g = monitor.status().unobservable.find((u) => u.name === 'net-g');
    assert.match(g?.reason ?? '', /not observable from the host \(gVisor\)/);
    // nothing seen is nothing learned: no (empty, allow-nothing) network section for its image
    assert.equal(existsSync(profileFile(join(dir, 'profiles-g'), digest, 'learned')), false);
  });
});
