// End to end: a private dockerd started with --authorization-plugin and TLS on 127.0.0.1, the plugin served by
// `bulkhead authz serve` as its own process, and the shipped examples/authz/policy.yaml, checked through the real
// docker CLI and the Engine API: alice may only read web's logs, bob may run containers but not privileged ones
// nor mount /etc or the docker socket, the unix socket is read-only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAuthzPlugin, textOf, waitFor, type AuthzPlugin } from '../harness/authz-plugin.js';
import { importBusybox, startEngine, type Engine } from '../harness/engine.js';
import { BUSYBOX_IMAGE, engineSuite } from '../harness/shared-engine.js';
import { freePort } from '../harness/net.js';
import { createTestPki, type TestPki } from '../harness/tls.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples/authz/policy.yaml');
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const PLUGIN = `bulkhead-test-${process.pid}`;
const SPEC = `/etc/docker/plugins/${PLUGIN}.spec`;

/** Lets the suite set up the engine before the real policy is in force. */
const BOOTSTRAP = `version: 1
anonymous: { roles: [admin] }
roles:
  admin:
    - allow: ['@all']
      constraints: unrestricted
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      DOCKER,
      [...args],
      { env: { ...process.env, ...env }, timeout: 60000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('authz end to end (dockerd + TLS + docker CLI)', engineSuite, () => {
  let base = '';
  let pki: TestPki | undefined;
  let engine: Engine | undefined;
  let plugin: AuthzPlugin | undefined;
  let port = 0;
  let policyFile = '';
  let decisionLog = '';
  const cliEnv = (): Record<string, string> => ({ DOCKER_CONFIG: join(base, 'cli'), DOCKER_API_VERSION: '' });
  const as = (user: string, args: readonly string[]): Promise<Run> => {
    const client = pki?.clients.get(user);
    if (pki === undefined || client === undefined) throw new Error(`no certificate for ${user}`);
    return run(
      [
        '--host',
        `tcp://127.0.0.1:${port}`,
        '--tlsverify',
        '--tlscacert',
        pki.ca,
        '--tlscert',
        client.cert,
        '--tlskey',
        client.key,
        ...args,
      ],
      cliEnv(),
    );
  };
  const overUnix = (args: readonly string[]): Promise<Run> => {
    if (engine === undefined) throw new Error('no engine');
    return run(['--host', engine.host, ...args], cliEnv());
  };
  const api = (
    user: string,
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; text: string }> => {
    const client = pki?.clients.get(user);
    if (pki === undefined || client === undefined) throw new Error(`no certificate for ${user}`);
    const tls = { ca: readFileSync(pki.ca), cert: readFileSync(client.cert), key: readFileSync(client.key) };
    return new Promise((done, fail) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ...tls,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  };

  before(async () => {
    base = mkdtempSync('/tmp/bh-az-');
    pki = createTestPki(join(base, 'pki'), ['alice', 'bob', 'mallory']);
    port = await freePort();
    policyFile = join(base, 'policy.yaml');
    decisionLog = join(base, 'decisions.jsonl');
    writeFileSync(policyFile, BOOTSTRAP);
    const engineDir = join(base, 'e');
    const socket = join(base, 'plugin.sock');
    plugin = await startAuthzPlugin({
      policy: policyFile,
      socket,
      dockerHost: `unix://${join(engineDir, 'docker.sock')}`,
      decisionLog,
    });
    mkdirSync('/etc/docker/plugins', { recursive: true });
    writeFileSync(SPEC, `unix://${socket}\n`);
    engine = await startEngine({
      dir: engineDir,
      args: [
        `--authorization-plugin=${PLUGIN}`,
        `--host=tcp://127.0.0.1:${port}`,
        '--tlsverify',
        `--tlscacert=${pki.ca}`,
        `--tlscert=${pki.serverCert}`,
        `--tlskey=${pki.serverKey}`,
      ],
    });
    importBusybox(engine, BUSYBOX_IMAGE);
    const loop = 'i=0; while true; do echo line $i; i=$((i+1)); sleep 1; done';
    engine.docker(['run', '-d', '--name', 'web', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', loop]);
    engine.docker(['run', '-d', '--name', 'other', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', loop]);
    // an operator's container in the host's namespaces (it only sleeps: no traffic)
    engine.docker([
      'run',
      '-d',
      '--name',
      'hostns',
      '--pid',
      'host',
      '--ipc',
      'host',
      '--network',
      'host',
      BUSYBOX_IMAGE,
      'sleep',
      '3600',
    ]);
    // the shipped policy takes over: SIGHUP makes the plugin reload it
    copyFileSync(EXAMPLE, policyFile);
    plugin.kill('SIGHUP');
    await waitFor('the SIGHUP reload of the shipped policy', () =>
      textOf(decisionLog).includes('"event":"policy_reload","trigger":"SIGHUP","ok":true'),
    );
    // the tests read web's first lines: wait until it has printed them
    const logsOf = engine;
    await waitFor('web to print two lines', () => /^line 1$/m.test(logsOf.docker(['logs', 'web'])));
  });

  after(async () => {
    try {
      if (engine !== undefined) await engine.stop();
    } finally {
      rmSync(SPEC, { force: true });
      await plugin?.stop();
      if (base !== '') rmSync(base, { recursive: true, force: true });
    }
  });

  const denied = (r: Run, pattern: RegExp): void => {
    assert.notEqual(r.code, 0, `expected a denial, got success: ${r.stdout}`);
    assert.match(r.stderr, new RegExp(`authorization denied by plugin ${PLUGIN}: bulkhead: denied`));
    assert.match(r.stderr, pattern);
  };

  it('alice reads the logs of web (the CLI sends the full id; bulkhead resolves it)', async () => {
    const r = await as('alice', ['logs', 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^line 0$/m);
  });

  it('alice may not read the logs of another container', async () => {
    denied(await as('alice', ['logs', 'other']), /denied alice container_(inspect|logs) on other/);
  });

  it('alice may not list, run, exec, stop or delete', async () => {
    denied(await as('alice', ['ps']), /container_list: no rule allows it/);
    denied(
      await as('alice', ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'true']),
      /container_create/,
    );
    denied(await as('alice', ['exec', 'web', 'true']), /denied alice/);
    denied(await as('alice', ['stop', 'web']), /container_stop/);
    denied(await as('alice', ['rm', '-f', 'other']), /denied alice/);
  });

  it('bob runs a container', async () => {
    const r = await as('bob', ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'echo', 'hello from bob']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello from bob');
  });

  it('bob may not run a privileged container', async () => {
    denied(
      await as('bob', ['run', '--rm', '--privileged', '--network', 'none', BUSYBOX_IMAGE, 'true']),
      /privileged containers are not allowed/,
    );
  });

  it('bob may not mount /etc, with -v or --mount', async () => {
    denied(
      await as('bob', ['run', '--rm', '--network', 'none', '-v', '/etc:/host-etc:ro', BUSYBOX_IMAGE, 'true']),
      /Binds\[0\] mounts host path \/etc, which exposes sensitive path \/etc/,
    );
    denied(
      await as('bob', [
        'run',
        '--rm',
        '--network',
        'none',
        '--mount',
        'type=bind,source=/etc,target=/x',
        BUSYBOX_IMAGE,
        'true',
      ]),
      /Mounts\[0\] mounts host path \/etc/,
    );
  });

  it('bob may not mount the docker socket (nor a directory holding it)', async () => {
    denied(
      await as('bob', [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        '/var/run/docker.sock:/s',
        BUSYBOX_IMAGE,
        'true',
      ]),
      /docker.sock/,
    );
    denied(
      await as('bob', ['run', '--rm', '--network', 'none', '-v', '/run:/r', BUSYBOX_IMAGE, 'true']),
      /exposes sensitive path/,
    );
  });

  it('bob may not exec without --user, but may exec as a normal user', async () => {
    denied(await as('bob', ['exec', 'web', 'id']), /pass --user/);
    // runc reads the uid with strconv.Atoi: a sign or leading zeros are still root
    for (const user of ['+0', '-0', '+0:+0', '00']) {
      denied(await as('bob', ['exec', '--user', user, 'web', 'id', '-u']), /exec as root/);
    }
    const r = await as('bob', ['exec', '--user', '1000', 'web', 'id', '-u']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '1000');
  });

  it('a certificate whose CN is not in the policy gets nothing', async () => {
    denied(await as('mallory', ['ps']), /user "mallory" \(TLS client certificate CN\) is not in the policy/);
  });

  it('the unix socket is read-only', async () => {
    const ps = await overUnix(['ps', '--format', '{{.Names}}']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.deepEqual(ps.stdout.trim().split('\n').sort(), ['hostns', 'other', 'web']);
    const logs = await overUnix(['logs', 'web']);
    assert.equal(logs.code, 0, logs.stderr);
    denied(
      await overUnix(['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'true']),
      /<anonymous> container_create/,
    );
    denied(await overUnix(['rm', '-f', 'other']), /<anonymous>/);
    denied(await overUnix(['volume', 'create', 'v1']), /volume_create/);
  });

  it('Engine API: Go-decoding tricks are denied as dockerd would act on them', async () => {
    const create = (body: string): Promise<{ status: number; text: string }> =>
      api('bob', 'POST', '/v1.41/containers/create', body);
    const img = `"Image":"${BUSYBOX_IMAGE}","Cmd":["true"]`;
    const lower = await create(`{${img},"hostconfig":{"privileged":true,"NetworkMode":"none"}}`);
    assert.equal(lower.status, 403, lower.text);
    assert.match(lower.text, /privileged containers are not allowed/);
    const topLevel = await create(`{${img},"Privileged":true,"NetworkMode":"none"}`);
    assert.equal(topLevel.status, 403, topLevel.text);
    const ok = await create(`{${img},"HostConfig":{"NetworkMode":"none"}}`);
    assert.equal(ok.status, 201, ok.text);
    const id = (JSON.parse(ok.text) as { Id: string }).Id;
    const del = await api('bob', 'DELETE', `/v1.41/containers/${id.slice(0, 12)}`);
    assert.equal(del.status, 204, del.text);
    const logs = await api('alice', 'GET', '/v1.41/containers/w%65b/logs?stdout=1');
    assert.equal(logs.status, 200, logs.text);
    const escape = await api('alice', 'GET', '/v1.41/containers/web/../other/logs?stdout=1');
    assert.notEqual(escape.status, 200);
  });

  it('Engine API: a start body on API 1.23 is a ContainerConfigWrapper, applied by dockerd and judged so', async () => {
    const created = await api(
      'bob',
      'POST',
      '/v1.41/containers/create',
      `{"Image":"${BUSYBOX_IMAGE}","Cmd":["sleep","30"],"HostConfig":{"NetworkMode":"none"}}`,
    );
    assert.equal(created.status, 201, created.text);
    const id = (JSON.parse(created.text) as { Id: string }).Id;
    try {
      // dockerd 20.10 (minimum API 1.12) still applies a HostConfig sent to start on API < 1.24
      for (const body of [
        '{"HostConfig":{"Binds":["/etc:/host-etc"],"NetworkMode":"none"}}',
        '{"hostconfig":{"privileged":true}}',
        '{"HoſtConfig":{"PidMode":"host","CapAdd":["SYS_ADMIN"],"SecurityOpt":["seccomp=unconfined"]}}',
        '{"Binds":["/:/host"]}',
      ]) {
        const r = await api('bob', 'POST', `/v1.23/containers/${id}/start`, body);
        assert.equal(r.status, 403, `${body}: ${r.text}`);
        assert.match(r.text, /bulkhead: denied bob container_start/);
      }
      // a harmless setting in the same wrapper form is allowed, and dockerd really applies it at start
      const ok = await api(
        'bob',
        'POST',
        `/v1.23/containers/${id}/start`,
        '{"hostconfig":{"NetworkMode":"none","ReadonlyRootfs":true}}',
      );
      assert.equal(ok.status, 204, ok.text);
      const inspect = await api('bob', 'GET', `/v1.41/containers/${id}/json`);
      const host = (JSON.parse(inspect.text) as { HostConfig: { ReadonlyRootfs: boolean } }).HostConfig;
      assert.equal(host.ReadonlyRootfs, true, 'dockerd applied the lower-case nested HostConfig at start');
    } finally {
      await api('bob', 'POST', `/v1.41/containers/${id}/kill`);
      await api('bob', 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
  });

  it("bob may not join the namespaces of a container that runs in the host's (container:X)", async () => {
    for (const flag of ['--pid', '--ipc', '--network']) {
      const args = ['run', '--rm', flag, 'container:hostns'];
      if (flag !== '--network') args.push('--network', 'none');
      denied(await as('bob', [...args, BUSYBOX_IMAGE, 'true']), /joins hostns, which runs in the host's/);
    }
    denied(
      await as('bob', ['run', '--rm', '--pid', 'container:nope', '--network', 'none', BUSYBOX_IMAGE, 'true']),
      /cannot be resolved/,
    );
    // joining a container with private namespaces is fine, and dockerd really puts bob in web's pid namespace
    const r = await as('bob', [
      'run',
      '--rm',
      '--pid',
      'container:web',
      '--network',
      'none',
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      'cat /proc/1/cmdline | tr "\\0" " "',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sh -c i=0/);
  });

  it('bind sources another container can rewrite are refused; a source that became a symlink is re-checked at start', async () => {
    const share = join(base, 'share');
    mkdirSync(share, { recursive: true });
    const writer = await as('bob', [
      'create',
      '--name',
      'writer',
      '--network',
      'none',
      '-v',
      `${share}:/share`,
      BUSYBOX_IMAGE,
      'true',
    ]);
    assert.equal(writer.code, 0, writer.stderr);
    try {
      denied(
        await as('bob', ['create', '--network', 'none', '-v', `${share}/later:/x`, BUSYBOX_IMAGE, 'true']),
        /lies inside .*share, which container writer can write/,
      );
      // the source does not exist at create; it becomes a symlink to /etc before the start
      const victim = await as('bob', [
        'create',
        '--name',
        'victim',
        '--network',
        'none',
        '-v',
        `${base}/later/link:/x`,
        BUSYBOX_IMAGE,
        'cat',
        '/x/shadow',
      ]);
      assert.equal(victim.code, 0, victim.stderr);
      mkdirSync(join(base, 'later'), { recursive: true });
      symlinkSync('/etc', join(base, 'later/link'));
      denied(await as('bob', ['start', 'victim']), /-> \/etc, which exposes sensitive path \/etc/);
    } finally {
      await as('bob', ['rm', '-f', 'writer', 'victim']);
    }
  });

  it('every decision was logged as a JSON line without bodies or query strings', () => {
    const lines = readFileSync(decisionLog, 'utf8').trim().split('\n');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const denials = records.filter((r) => r['decision'] === 'deny');
    assert.ok(denials.length >= 10);
    assert.ok(
      records.some(
        (r) => r['user'] === 'alice' && r['action'] === 'container_logs' && r['decision'] === 'allow',
      ),
    );
    assert.doesNotMatch(lines.join('\n'), /stdout=1|hello from bob|"Cmd"/);
  });
});
