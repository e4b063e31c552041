// The engine resolver against the suite's real dockerd: names, full ids and id prefixes resolve as dockerd
// resolves them, exec ids lead to their container and user, a missing container is reported (and not
// remembered, so it is found as soon as it exists), and an unreachable socket is an error, not a guess.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EngineResolver } from '../../src/authz/resolver.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

describe('authz engine resolver', engineSuite, () => {
  let engine: SharedEngine;
  let id = '';
  const name = `bh-authz-res-${process.pid}`;
  const late = `${name}-late`;

  before(() => {
    engine = sharedEngine();
    id = engine
      .docker(['run', '-d', '--name', name, '--network', 'none', BUSYBOX_IMAGE, 'sleep', '300'])
      .trim();
  });

  after(() => {
    engine.docker(['rm', '-f', name, late]);
  });

  it('resolves a name, a full id and an id prefix to the same container', async () => {
    const r = new EngineResolver({ socketPath: engine.socket, timeoutMs: 5000, cacheMs: 500 });
    for (const ref of [name, id, id.slice(0, 12)]) {
      const info = await r.container(ref);
      assert.deepEqual({ id: info?.id, names: info?.names }, { id, names: [name] }, ref);
    }
  });

  it('learns namespace modes and host mounts (binds, bind-type local volumes) from dockerd', async () => {
    const r = new EngineResolver({ socketPath: engine.socket, timeoutMs: 5000, cacheMs: 0 });
    const vol = `${name}-vol`;
    const withMounts = `${name}-mounts`;
    engine.docker(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', 'device=/tmp', vol]);
    engine.docker([
      'create',
      '--name',
      withMounts,
      '--network',
      'none',
      '--pid',
      `container:${name}`,
      '-v',
      '/tmp:/t:ro',
      '-v',
      `${vol}:/v`,
      BUSYBOX_IMAGE,
      'true',
    ]);
    try {
      const info = await r.container(withMounts);
      // dockerd stores the joined container by id at create
      assert.equal(info?.pidMode, `container:${id}`);
      assert.equal(info.networkMode, 'none');
      assert.deepEqual(
        [...(info.hostMounts ?? [])].sort((a, b) => Number(a.rw) - Number(b.rw)),
        [
          { source: '/tmp', rw: false },
          { source: '/tmp', rw: true },
        ],
      );
      const inUse = await r.mountsInUse();
      assert.ok(inUse.some((m) => m.container === withMounts && m.source === '/tmp' && m.rw));
      assert.equal((await r.volumeBinds()).get(vol), '/tmp');
    } finally {
      engine.docker(['rm', '-f', withMounts]);
      engine.docker(['volume', 'rm', vol]);
    }
  });

  it('reports a missing container, without remembering the miss', async () => {
    const r = new EngineResolver({ socketPath: engine.socket, timeoutMs: 5000, cacheMs: 60000 });
    assert.equal(await r.container(late), undefined);
    const lateId = engine
      .docker(['create', '--name', late, '--network', 'none', BUSYBOX_IMAGE, 'true'])
      .trim();
    assert.equal((await r.container(late))?.id, lateId);
  });

  it('resolves an exec id to its container, user and privileged flag', async () => {
    const r = new EngineResolver({ socketPath: engine.socket, timeoutMs: 5000, cacheMs: 0 });
    engine.docker(['exec', '-d', '--user', '1000', name, 'sleep', '60']);
    const execs = JSON.parse(engine.docker(['inspect', '--format', '{{json .ExecIDs}}', name])) as
      string[] | null;
    const execId = execs?.at(-1) ?? '';
    assert.notEqual(execId, '');
    assert.deepEqual(await r.exec(execId), { id: execId, containerId: id, user: '1000', privileged: false });
    assert.equal(await r.exec('0'.repeat(64)), undefined);
  });

  it('fails loudly when dockerd cannot be reached', async () => {
    const r = new EngineResolver({ socketPath: '/nonexistent/docker.sock', timeoutMs: 500, cacheMs: 0 });
    await assert.rejects(() => r.container('web'), /ENOENT/);
  });
});
