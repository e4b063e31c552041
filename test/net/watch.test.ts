// Acceptance of issue 12 on the suite's private dockerd: an --internal network of the test's own (nothing leaves
// it), containers net-a (listens on 8080), net-b (connects to it), net-c, and net-a2 sharing net-a's namespace.
// Learning records net-b -> net-a:8080/tcp; deny mode lets b through and refuses c with a denied event; stopping
// leaves no bulkhead table; watch flows -f svg draws the graph; a gVisor container is reported unobservable.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { runCli } from '../../src/cli/main.js';
import { NetMonitor } from '../../src/net/monitor.js';
import { hasTable } from '../../src/net/nft.js';
import { parseNetworkProfile } from '../../src/net/profile.js';
import { NetStore, type NetEvent } from '../../src/net/store.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

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
  });

  after(() => {
    for (const name of ['net-a2', 'net-a', 'net-b', 'net-c', 'net-g']) {
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

  it('learns b -> a:8080/tcp and attributes loopback flows in a shared namespace to each container', async () => {
    const store = new NetStore(join(dir, 'watch.db'));
    const monitor = new NetMonitor({
      docker,
      mode: 'learn',
      profilesDir: join(dir, 'profiles'),
      store,
      intervalMs: 300,
      containers: ['net-a', 'net-b', 'net-c', 'net-a2'],
    });
    await monitor.start();
    try {
      assert.equal(await connect('net-b', A_IP, 8080), 0);
      assert.equal(await connect('net-b', A_IP, 8080), 0);
      // net-a2 lives in net-a's namespace: its client socket is net-a2's, the server socket net-a's
      assert.equal(await connect('net-a2', '127.0.0.1', 9000, 2), 0);
      for (let i = 0; i < 100 && monitor.graph.edges.size < 2; i += 1) await sleep(100);
      await sleep(600);
    } finally {
      await monitor.stop();
    }
    const keys = monitor.graph.list().map((e) => `${e.key} ${e.network ?? ''}`);
    assert.ok(keys.includes(`c:net-b>c:net-a:8080/tcp ${NET}`), keys.join('\n'));
    assert.ok(keys.includes('c:net-a2>c:net-a:9000/tcp loopback'), keys.join('\n'));
    assert.ok(!keys.some((k) => k.startsWith('c:net-a>c:net-a:9000')), keys.join('\n'));
    const files = readdirSync(join(dir, 'profiles', 'network'));
    assert.equal(files.length, 1, 'one image, one network profile');
    const path = join(dir, 'profiles', 'network', files[0] ?? '');
    const profile = parseNetworkProfile(readFileSync(path, 'utf8'), path);
    assert.ok(
      profile.network.outbound.some(
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
      profile.network.inbound.some(
        (e) =>
          e.workload === 'net-a' &&
          e.peer.kind === 'workload' &&
          e.peer.workload === 'net-b' &&
          e.port === 8080,
      ),
    );
    assert.ok(profile.network.listening.some((e) => e.workload === 'net-a' && e.port === 8080));
    assert.ok(!profile.network.outbound.some((e) => e.workload === 'net-c'));
    store.close();
  });

  it('deny mode: b -> a connects, c -> a is refused with a denied event; stop removes every table', async () => {
    const store = new NetStore(join(dir, 'watch.db'));
    const events: NetEvent[] = [];
    const monitor = new NetMonitor({
      docker,
      mode: 'deny',
      profilesDir: join(dir, 'profiles'),
      store,
      intervalMs: 300,
      containers: ['net-a', 'net-b', 'net-c', 'net-a2'],
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
  });

  it('watch flows -f svg draws nodes a, b, c, the edge b->a:8080 and the denied c->a edge', async () => {
    const cap = capture();
    const code = await runCli(
      ['node', 'bulkhead', 'watch', 'flows', '-f', 'svg', '--db', join(dir, 'watch.db')],
      cap.io,
    );
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
    assert.equal(
      await runCli(['node', 'bulkhead', 'watch', 'flows', '--db', join(dir, 'watch.db')], table.io),
      0,
    );
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
  });
});
