// BH-N-004 over unix sockets (src/net/unix.ts, src/native/unix_diag.c): the engine's sockets learned from the engine,
// the connection pairing on dumps, socket mounts by file identity, and on the suite's private dockerd a container
// with the daemon's socket bind-mounted that connects (one alert naming it, the socket and the process) next to one
// connecting to another socket that is also called docker.sock (none).
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { NetMonitor } from '../../src/net/monitor.js';
import { loadWatchAddon, unpackUnixSockets, type UnixSocketDump } from '../../src/native/index.js';
import type { NamespaceUnit } from '../../src/net/namespaces.js';
import type { ProcessScan } from '../../src/net/procfs.js';
import { A, B } from '../../src/net/rules/fixtures.js';
import type { NetEvent } from '../../src/net/store.js';
import {
  daemonConnections,
  fileKey,
  learnEngineSockets,
  socketMounts,
  type DaemonSocket,
} from '../../src/net/unix.js';
import { buildStaticFixture } from '../harness/static-binary.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'bh-unix-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A unix listener on `path` that accepts and holds every connection (never answers). */
async function listenUnix(path: string): Promise<{ server: Server; close: () => Promise<void> }> {
  const held: Socket[] = [];
  const server = createServer((s) => held.push(s));
  await new Promise<void>((done) => server.listen(path, done));
  return {
    server,
    close: () =>
      new Promise<void>((done) => {
        for (const s of held) s.destroy();
        server.close(() => {
          done();
        });
      }),
  };
}

function identity(path: string, daemon: DaemonSocket['daemon'] = 'dockerd'): DaemonSocket {
  const st = statSync(path, { bigint: true });
  return { path, daemon, dev: Number(st.dev), ino: Number(st.ino & 0xffffffffn) };
}

describe('unix socket dumps and pairing', () => {
  it('unpacks the addon answer and rejects one whose numbers and paths do not fit', () => {
    const dump = unpackUnixSockets([new Float64Array([5, 1, 1, 6, 64768, 99]), ['/run/docker.sock'], 3]);
    assert.deepEqual(dump, {
      sockets: [
        { inode: 5, type: 1, state: 1, peer: 6, fileDev: 64768, fileIno: 99, path: '/run/docker.sock' },
      ],
      total: 3,
    });
    assert.throws(() => unpackUnixSockets([new Float64Array([5, 1, 1]), ['/x'], 1]), /does not fit/);
    assert.throws(() => unpackUnixSockets([[5], [], 1]));
  });

  const docker: DaemonSocket = { path: '/run/docker.sock', daemon: 'dockerd', dev: 64768, ino: 1234 };
  const sockets = new Map([[fileKey(docker.dev, docker.ino), docker]]);
  const shared: NamespaceUnit = { inode: 4026532000, pid: 100, containers: [A, B], primary: A };
  const scan: ProcessScan = {
    owners: new Map([
      [501, { pid: 321, containerId: B.id }],
      [601, { pid: 1, containerId: undefined }],
    ]),
    pidsByNetns: new Map(),
    processes: 3,
  };
  const sock = (inode: number, peer: number, over: Partial<UnixSocketDump['sockets'][number]> = {}) => ({
    inode,
    type: 1,
    state: 1,
    peer,
    fileDev: docker.dev,
    fileIno: docker.ino,
    path: docker.path,
    ...over,
  });

  it('pairs the daemon end (by file identity) with the container process holding the client end', () => {
    const dump: UnixSocketDump = {
      total: 9,
      sockets: [
        sock(500, 501), // b's client, accepted by dockerd
        sock(502, 0), // the client is gone: the namespace's owner, no process
        sock(503, 601), // the client end is held by a host process (no container): the namespace's owner
        sock(504, 501, { fileIno: 4321 }), // another file of the same name (docker-in-docker): not the engine
        sock(505, 501, { state: 10 }), // a listener: not a connection
      ],
    };
    assert.deepEqual(
      daemonConnections(shared, dump, sockets, scan).map((c) => [c.inode, c.container.name, c.pid]),
      [
        [500, B.name, 321],
        [502, A.name, undefined],
        [503, A.name, undefined],
      ],
    );
  });

  it('finds mounts of an engine socket by identity (any alias) and mounts of a directory above it', async () => {
    mkdirSync(join(dir, 'run'));
    const path = join(dir, 'run', 'docker.sock');
    const other = join(dir, 'run', 'other.sock');
    const a = await listenUnix(path);
    const b = await listenUnix(other);
    try {
      symlinkSync(join(dir, 'run'), join(dir, 'var-run'));
      const engine = [identity(path)];
      const found = socketMounts(
        [
          { source: join(dir, 'var-run', 'docker.sock'), destination: '/var/run/docker.sock' },
          { source: dir, destination: '/host' },
          { source: other, destination: '/var/run/docker.sock' },
          { source: join(dir, 'absent'), destination: '/gone' },
        ],
        engine,
      );
      assert.deepEqual(
        found.map((m) => [m.destination, m.inside]),
        [
          ['/var/run/docker.sock', '/var/run/docker.sock'],
          ['/host', '/host/run/docker.sock'],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('BH-N-004 over a bind-mounted docker.sock on a private dockerd', engineSuite, () => {
  let engine: SharedEngine;
  let docker: Docker;
  let client: string;
  let fake: Awaited<ReturnType<typeof listenUnix>>;
  const fakePath = join(dir, 'fake', 'docker.sock');
  const names = ['net-sock', 'net-other'];
  const rm = (): void => {
    for (const name of names)
      try {
        engine.docker(['rm', '-f', name]);
      } catch {
        // not there
      }
  };

  before(async () => {
    engine = sharedEngine();
    docker = new Docker({ socketPath: engine.socket });
    client = buildStaticFixture('test/fixtures/net/unix-connect.c');
    mkdirSync(join(dir, 'fake'));
    fake = await listenUnix(fakePath);
    rm();
    const run = (name: string, socket: string): void => {
      engine.docker([
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        '-v',
        `${socket}:/var/run/docker.sock`,
        '-v',
        `${client}:/unix-connect:ro`,
        BUSYBOX_IMAGE,
        'sleep',
        '3600',
      ]);
    };
    run('net-sock', engine.socket);
    run('net-other', fakePath);
  });

  after(async () => {
    rm();
    await fake.close();
  });

  it('learns the engine sockets from the engine: its -H socket and its managed containerd', async () => {
    const learned = await learnEngineSockets({ info: () => docker.info(), socketPath: engine.socket });
    assert.equal(learned.problem, undefined);
    assert.equal(learned.pid, Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8').trim()));
    const own = identity(engine.socket);
    assert.ok(
      learned.sockets.some((s) => s.daemon === 'dockerd' && s.dev === own.dev && s.ino === own.ino),
      JSON.stringify(learned.sockets),
    );
    assert.ok(
      learned.sockets.some(
        (s) =>
          s.daemon === 'containerd' && s.path === join(engine.dir, 'exec', 'containerd', 'containerd.sock'),
      ),
      JSON.stringify(learned.sockets),
    );
  });

  it('one alert naming the container, the socket and the process; none for another docker.sock', async () => {
    const load = loadWatchAddon();
    if (!load.ok) throw new Error(load.reason);
    const { addon } = load;
    const events: NetEvent[] = [];
    const monitor = new NetMonitor({
      docker,
      mode: 'alert',
      profilesDir: join(dir, 'profiles'),
      store: undefined,
      intervalMs: 200,
      containers: names,
      tables: false,
      onEvent: (e) => events.push(e),
    });
    const clients: ChildProcessWithoutNullStreams[] = [];
    /** Starts the fixture client in `name` and resolves once it printed "connected" (it holds until stdin ends). */
    const connect = (name: string, ping: boolean): Promise<ChildProcessWithoutNullStreams> =>
      new Promise((resolve, reject) => {
        const child = spawn('/usr/bin/docker', [
          '--host',
          engine.host,
          'exec',
          '-i',
          name,
          '/unix-connect',
          '/var/run/docker.sock',
          ...(ping ? ['--ping'] : []),
        ]);
        clients.push(child);
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(ping ? 'HTTP/1.1 200 OK' : 'connected')) resolve(child);
        });
        child.on('exit', (code) => {
          reject(new Error(`unix-connect in ${name} exited ${String(code)}: ${out}`));
        });
      });
    const pidOf = (name: string): number =>
      Number(engine.docker(['inspect', '-f', '{{.State.Pid}}', name]).trim());
    await monitor.start();
    try {
      await connect('net-sock', true);
      await connect('net-other', false);
      // the decoy's connection is live in its namespace (the file the test serves, not dockerd's) ...
      const dump = addon.unixSockets(`/proc/${pidOf('net-other')}/ns/net`);
      assert.ok(
        dump.sockets.some((s) => s.path === fakePath && s.state === 1),
        JSON.stringify(dump),
      );
      for (let i = 0; i < 150 && !events.some((e) => e.message.includes('is connected to')); i += 1)
        await sleep(100);
      // ... and stays so for two more full cycles, each of which dumped both namespaces
      const seen = monitor.status().cycles;
      while (monitor.status().cycles < seen + 2) await sleep(50);
      // a second connection of the same executable is the same finding
      await connect('net-sock', false);
      const again = monitor.status().cycles;
      while (monitor.status().cycles < again + 2) await sleep(50);
    } finally {
      for (const c of clients) c.stdin.end();
      await monitor.stop();
    }
    const bhn004 = events.filter((e) => e.ruleId === 'BH-N-004');
    const connected = bhn004.filter((e) => e.message.includes('is connected to'));
    assert.equal(connected.length, 1, JSON.stringify(bhn004, null, 1));
    const hit = connected[0];
    if (hit === undefined) throw new Error('no connection event');
    assert.equal(hit.container, 'net-sock');
    assert.equal(hit.peer, engine.socket);
    assert.equal(hit.proto, 'unix');
    assert.match(
      hit.message,
      new RegExp(
        `^net-sock: pid \\d+ \\(/unix-connect\\) is connected to dockerd's API socket ${engine.socket} \\(bind-mounted at /var/run/docker.sock\\)$`,
      ),
    );
    const mounted = bhn004.filter((e) => e.message.includes('BH-C-026'));
    assert.deepEqual(
      mounted.map((e) => e.container),
      ['net-sock'],
      'the mount is named once, before any connection, and only for the engine socket',
    );
    assert.ok(!bhn004.some((e) => e.container === 'net-other'), JSON.stringify(bhn004, null, 1));
    assert.ok(
      events.findIndex((e) => e === mounted[0]) < events.findIndex((e) => e === hit),
      'the mount event comes first',
    );
    assert.equal(monitor.engineSockets.lastNamespaces, 2, 'each cycle dumps both namespaces');
  });
});
