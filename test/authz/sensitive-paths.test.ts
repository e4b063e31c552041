// Sensitive host paths (issue 9 item 6): the new defaults (/run/systemd, /run/dbus, /var/spool/cron and their
// /var/run forms...) as replayed plugin requests, `sensitivePaths` extend/replace semantics, the example policy
// denying everything the defaults deny, and the engine's own paths learned from a real private dockerd started
// with a custom --data-root (and from a /proc tree), with the static defaults kept when /info cannot be read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  containerdSockets,
  dockerdProcesses,
  learnEnginePaths,
  engineFlagsOf,
} from '../../src/authz/engine-paths.js';
import { evaluate } from '../../src/authz/evaluate.js';
import { DEFAULT_SENSITIVE_PATHS } from '../../src/authz/host-paths.js';
import { loadPolicy, parsePolicy } from '../../src/authz/policy.js';
import type { AuthzRequest } from '../../src/authz/protocol.js';
import { decodeRequest } from '../../src/authz/request.js';
import { EngineResolver, StaticResolver } from '../../src/authz/resolver.js';
import { AuthzEngine } from '../../src/authz/server.js';
import { startEngine, type Engine } from '../harness/engine.js';
import { engineSuite } from '../harness/shared-engine.js';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/authz/policy.yaml');
const dir = mkdtempSync(join(tmpdir(), 'bh-authz-sens-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every user may create and start containers under the default constraints (and one profile per test). */
function policyText(profile = ''): string {
  return [
    'version: 1',
    'users: { bob: { roles: [runner] } }',
    'roles:',
    '  runner:',
    `    - allow: [container_create, container_start, volume_create]${profile === '' ? '' : '\n      constraints: p'}`,
    ...(profile === '' ? [] : ['constraints:', '  p:', profile]),
    '',
  ].join('\n');
}

function createReq(body: unknown, user = 'bob'): AuthzRequest {
  const text = JSON.stringify(body);
  return {
    User: user,
    UserAuthNMethod: 'TLS',
    RequestMethod: 'POST',
    RequestUri: '/v1.41/containers/create',
    RequestBody: Buffer.from(text).toString('base64'),
    RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': String(text.length) },
  };
}

const bind = (source: string): AuthzRequest =>
  createReq({ Image: 'busybox', HostConfig: { Binds: [`${source}:/x`] } });
const mount = (source: string): AuthzRequest =>
  createReq({ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: source, Target: '/x' }] } });

const resolver = new StaticResolver([]);

function engineFor(
  policy: string,
  extra: Partial<ConstructorParameters<typeof AuthzEngine>[0]> = {},
): {
  engine: AuthzEngine;
  lines: string[];
} {
  const file = join(mkdtempSync(join(dir, 'p-')), 'policy.yaml');
  writeFileSync(file, policy);
  const lines: string[] = [];
  const engine = new AuthzEngine({
    policyFile: file,
    resolver,
    deadlineMs: 5000,
    log: (l) => lines.push(l),
    ...extra,
  });
  return { engine, lines };
}

async function replay(engine: AuthzEngine, req: AuthzRequest): Promise<{ Allow: boolean; Msg: string }> {
  const answer = await engine.handle('/AuthZPlugin.AuthZReq', JSON.stringify(req));
  return answer.body as { Allow: boolean; Msg: string };
}

describe('authz sensitive paths: the new defaults, as replayed plugin requests', () => {
  const { engine } = engineFor(policyText());
  // [bind source, the sensitive entry the deny names]: /var/run is a symlink to /run here, so both forms of a path
  // resolve to one, and the first entry of the defaults that matches is named
  const denied: readonly [string, RegExp][] = [
    ['/run/systemd/private', /\/run\/systemd$/],
    ['/run/systemd/journal/socket', /\/run\/systemd$/],
    ['/var/run/systemd/notify', /\/run\/systemd$/],
    ['/run/dbus/system_bus_socket', /\/run\/dbus$/],
    ['/var/run/dbus/system_bus_socket', /\/run\/dbus$/],
    ['/var/spool/cron', /\/var\/spool\/cron$/],
    ['/var/spool/cron/crontabs/root', /\/var\/spool\/cron$/],
    ['/var/spool', /\/var\/spool\/cron$/],
    ['/run/user/1000/docker.sock', /\/run\/user$/],
    ['/lib64', /\/lib64$|\/usr$/],
    ['/var/run/containerd/containerd.sock', /\/run\/containerd$/],
  ];
  for (const [source, entry] of denied) {
    for (const [form, req] of [
      ['-v', bind(source)],
      ['--mount', mount(source)],
    ] as const) {
      it(`${form} ${source} is denied`, async () => {
        const answer = await replay(engine, req);
        assert.equal(answer.Allow, false, answer.Msg);
        const named = /exposes sensitive path (\S+) \(rule/.exec(answer.Msg)?.[1] ?? '';
        assert.match(named, entry, answer.Msg);
      });
    }
  }

  it('/run and /var/run themselves expose what lies below them', async () => {
    for (const source of ['/run', '/var/run']) {
      const answer = await replay(engine, bind(source));
      assert.equal(answer.Allow, false, source);
    }
  });

  it('a plain directory is still allowed', async () => {
    const answer = await replay(engine, bind('/srv/app-data'));
    assert.equal(answer.Allow, true, answer.Msg);
  });
});

describe('authz sensitive paths: extend and replace', () => {
  const decide = async (text: string, source: string): Promise<boolean> =>
    (await evaluate(parsePolicy(text, 'p.yaml'), decodeRequest(bind(source)), resolver)).allow;

  it('{extend: [...]} adds to the defaults without a warning', async () => {
    const text = policyText('    sensitivePaths: { extend: [/srv/secrets] }');
    assert.deepEqual(parsePolicy(text, 'p.yaml').warnings, []);
    assert.equal(await decide(text, '/srv/secrets/key'), false);
    assert.equal(await decide(text, '/run/dbus/system_bus_socket'), false);
    assert.equal(await decide(text, '/etc'), false);
  });

  it('an old-style plain list keeps working, now adds to the defaults, and says which defaults it lacked', async () => {
    const text = policyText('    sensitivePaths: [/etc, /srv/secrets]');
    const [warning, ...rest] = parsePolicy(text, 'p.yaml').warnings;
    assert.deepEqual(rest, []);
    assert.match(
      warning ?? '',
      /^p\.yaml:9:21: a plain sensitivePaths list adds to the defaults, so \/ \/root /,
    );
    assert.match(warning ?? '', /\/run\/systemd .*still apply/);
    assert.equal(await decide(text, '/srv/secrets'), false);
    assert.equal(await decide(text, '/var/spool/cron'), false);
    assert.equal(await decide(text, '/usr/lib'), false);
  });

  it('{replace: [...]} is the explicit way to drop defaults, and warns with what is no longer protected', async () => {
    const text = policyText('    sensitivePaths: { replace: [/etc] }');
    const warnings = parsePolicy(text, 'p.yaml').warnings;
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /^p\.yaml:9:21: sensitivePaths replaces the defaults: \/ \/root .* are NOT protected/,
    );
    assert.equal(await decide(text, '/etc/passwd'), false);
    assert.equal(await decide(text, '/run/systemd'), true);
  });

  it('a misspelt form is an error with its line and column', () => {
    assert.throws(
      () => parsePolicy(policyText('    sensitivePaths: { extnd: [/srv] }'), 'p.yaml'),
      /p\.yaml:9:21: constraints\.p\.sensitivePaths: .*Unrecognized key: "extnd"|p\.yaml:9:21: .*sensitivePaths/,
    );
    assert.throws(
      () => parsePolicy(policyText('    sensitivePaths: { extend: [srv] }'), 'p.yaml'),
      /constraints\.p\.sensitivePaths\.extend\.0: must be an absolute path/,
    );
  });

  it('the serving plugin reports policy warnings on stderr', () => {
    const warned: string[] = [];
    engineFor(policyText('    sensitivePaths: { replace: [/etc] }'), { warn: (t) => warned.push(t) });
    assert.match(
      warned.join(''),
      /^bulkhead authz: warning: .*policy\.yaml:9:21: sensitivePaths replaces the defaults/,
    );
  });
});

describe('authz sensitive paths: the example policy', () => {
  const policy = loadPolicy(EXAMPLE);

  it('loads without warnings (it extends the defaults)', () => {
    assert.deepEqual(policy.warnings, []);
  });

  for (const path of DEFAULT_SENSITIVE_PATHS) {
    it(`denies bob a bind of ${path}, as the defaults do`, async () => {
      const decision = await evaluate(policy, decodeRequest(bind(path)), resolver);
      assert.equal(decision.allow, false, `${path}: ${decision.msg}`);
      assert.match(decision.msg, /exposes sensitive path/);
    });
  }

  it('and allows a plain directory (the deny above is about the path)', async () => {
    const decision = await evaluate(policy, decodeRequest(bind('/srv/app-data')), resolver);
    assert.equal(decision.allow, true, decision.msg);
  });
});

describe('authz engine paths: dockerd flags and a /proc tree', () => {
  it('reads dockerd flags as pflag does (both spellings, shorthand, last value wins, -H accumulates)', () => {
    assert.deepEqual(
      engineFlagsOf([
        '--data-root',
        '/a',
        '--data-root=/srv/docker',
        '--exec-root=/srv/exec',
        '-H',
        'unix:///x.sock',
        '-Hunix:///y.sock',
        '-H=tcp://0.0.0.0:2376',
        '--host=fd://',
        '--config-file',
        '/srv/daemon.json',
        '--containerd=/srv/ctr.sock',
        '--debug',
      ]),
      {
        hosts: ['unix:///x.sock', 'unix:///y.sock', 'tcp://0.0.0.0:2376', 'fd://'],
        dataRoot: '/srv/docker',
        execRoot: '/srv/exec',
        configFile: '/srv/daemon.json',
        containerd: '/srv/ctr.sock',
      },
    );
    assert.deepEqual(engineFlagsOf(['-g', '/old-graph']), { hosts: [], dataRoot: '/old-graph' });
    // a value flag the plugin does not use still takes its value; nothing after -- is a flag
    assert.deepEqual(engineFlagsOf(['--log-level', '--data-root=/x', '--', '--data-root=/y']), { hosts: [] });
  });

  it('finds dockerd processes and their effective roots (flags, then daemon.json, then defaults)', () => {
    const proc = join(dir, 'proc');
    const daemon = (pid: number, comm: string, argv: readonly string[]): void => {
      mkdirSync(join(proc, String(pid)), { recursive: true });
      writeFileSync(join(proc, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
      symlinkSync('/srv', join(proc, String(pid), 'cwd'));
    };
    const config = join(dir, 'daemon.json');
    writeFileSync(
      config,
      JSON.stringify({ 'data-root': '/data/from-json', hosts: ['unix:///run/json.sock'] }),
    );
    daemon(10, 'dockerd', ['/usr/bin/dockerd', '--config-file', config, '--exec-root', 'rel/exec']);
    daemon(11, 'containerd', ['/usr/bin/containerd']);
    daemon(12, 'dockerd', ['/usr/bin/dockerd', '--config-file', join(dir, 'none.json')]);
    const found = dockerdProcesses(proc).sort((a, b) => a.pid - b.pid);
    assert.deepEqual(
      found.map((d) => [d.pid, d.dataRoot, d.execRoot, d.sockets, d.configFile, d.configProblem]),
      [
        [10, '/data/from-json', '/srv/rel/exec', ['/run/json.sock'], config, undefined],
        [
          12,
          '/var/lib/docker',
          '/var/run/docker',
          ['/var/run/docker.sock'],
          join(dir, 'none.json'),
          undefined,
        ],
      ],
    );
  });

  it("finds a dockerd's containerd sockets: its --containerd, else what its managed containerd child listens on", () => {
    const proc = join(dir, 'proc-containerd');
    const task = (
      pid: number,
      ppid: number,
      comm: string,
      argv: readonly string[],
      socket?: number,
    ): void => {
      const at = join(proc, String(pid));
      mkdirSync(join(at, 'fd'), { recursive: true });
      writeFileSync(join(at, 'comm'), `${comm}\n`);
      writeFileSync(join(at, 'cmdline'), `${argv.join('\0')}\0`);
      // a comm with a space and a parenthesis: ppid is read after the last ")"
      writeFileSync(
        join(at, 'stat'),
        `${pid} (${comm === 'containerd' ? 'container) d' : comm}) S ${ppid} 1 1\n`,
      );
      symlinkSync('/', join(at, 'cwd'));
      if (socket !== undefined) symlinkSync(`socket:[${socket}]`, join(at, 'fd', '3'));
    };
    mkdirSync(proc, { recursive: true });
    for (const pid of [10, 20, 21, 30]) mkdirSync(join(proc, String(pid), 'net'), { recursive: true });
    const table = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '0000000000000000: 00000002 00000000 00010000 0001 01 555 /run/docker/containerd/containerd.sock',
      '0000000000000000: 00000002 00000000 00010000 0001 01 556 /run/docker/containerd/containerd.sock.ttrpc',
      '0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/containerd/containerd.sock',
      '',
    ].join('\n');
    for (const pid of [10, 20, 21, 30]) writeFileSync(join(proc, String(pid), 'net', 'unix'), table);
    task(10, 1, 'dockerd', ['/usr/bin/dockerd']);
    task(20, 10, 'containerd', ['containerd', '--config', '/run/docker/containerd/containerd.toml'], 555);
    symlinkSync('socket:[556]', join(proc, '20', 'fd', '4'));
    task(21, 1, 'containerd', ['/usr/bin/containerd'], 777);
    task(30, 1, 'dockerd', [
      '/usr/bin/dockerd',
      '--containerd=/run/other/containerd.sock',
      '-H',
      'unix:///b.sock',
    ]);
    const [managed, flagged] = dockerdProcesses(proc).sort((a, b) => a.pid - b.pid);
    assert.ok(managed !== undefined && flagged !== undefined);
    assert.deepEqual(containerdSockets(managed, proc).sort(), [
      '/run/docker/containerd/containerd.sock',
      '/run/docker/containerd/containerd.sock.ttrpc',
    ]);
    assert.deepEqual(containerdSockets(flagged, proc), ['/run/other/containerd.sock']);
  });
});

describe(
  'authz engine paths: learned from a real private dockerd with a custom --data-root',
  engineSuite,
  () => {
    let engine: Engine | undefined;
    const dataRoot = join(dir, 'srv-docker');

    before(async () => {
      // the harness already passes its own --data-root; pflag keeps the last one, as the learner must
      engine = await startEngine({ args: ['--data-root', dataRoot] });
    });
    after(async () => {
      await engine?.stop();
    });

    it('protects the data root, exec root, socket and daemon.json without the policy naming them', async () => {
      if (engine === undefined) throw new Error('no engine');
      const e = engine;
      const info = JSON.parse(e.docker(['info', '--format', '{{json .DockerRootDir}}'])) as string;
      assert.equal(info, dataRoot);
      const resolverOnEngine = new EngineResolver({ socketPath: e.socket, timeoutMs: 5000, cacheMs: 0 });
      const warned: string[] = [];
      const { engine: plugin, lines } = engineFor(policyText(), {
        resolver: resolverOnEngine,
        learnPaths: () =>
          learnEnginePaths({ socketPath: e.socket, info: () => resolverOnEngine.info(), ownFiles: [] }),
        warn: (t) => warned.push(t),
      });
      // before learning, only the static defaults apply: the custom data root is not among them
      assert.equal(
        (await evaluate(plugin.policy, decodeRequest(bind(`${dataRoot}/volumes`)), resolverOnEngine)).allow,
        true,
      );
      await plugin.learn('start');
      assert.match(
        warned.join(''),
        new RegExp(
          `engine paths \\(dockerd ${e.pid}\\) protected in every profile: ${dataRoot} \\[data root`,
        ),
      );
      const expected: readonly [string, string][] = [
        [`${dataRoot}/volumes/x/_data`, dataRoot],
        [dataRoot, dataRoot],
        [join(e.dir, 'exec'), join(e.dir, 'exec')],
        [e.socket, e.socket],
        [e.configFile, e.configFile],
        // the harness's directory holds all of them: a bind of it exposes them
        [e.dir, dataRoot],
      ];
      for (const [source, entry] of expected) {
        const answer = await replay(plugin, bind(source));
        assert.equal(answer.Allow, false, `${source}: ${answer.Msg}`);
        assert.ok(answer.Msg.includes(`exposes sensitive path ${entry}`) || source === e.dir, answer.Msg);
      }
      const event = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((r) => r['event'] === 'engine_paths');
      assert.ok(event !== undefined, lines.join('\n'));
      assert.equal(event['ok'], true);
      assert.equal(event['dockerd_pid'], e.pid);
      // the static defaults still apply on top
      assert.equal((await replay(plugin, bind('/run/dbus/system_bus_socket'))).Allow, false);
      // a reload keeps what was learned
      assert.equal(plugin.reload('SIGHUP'), true);
      assert.equal((await replay(plugin, bind(`${dataRoot}/image`))).Allow, false);
    });

    it('when /info cannot be read: says so on stderr, keeps the static defaults, learns at the next create', async () => {
      if (engine === undefined) throw new Error('no engine');
      const e = engine;
      const warned: string[] = [];
      let socket = join(dir, 'no-such-docker.sock');
      const { engine: plugin } = engineFor(policyText(), {
        learnPaths: () => {
          const r = new EngineResolver({ socketPath: socket, timeoutMs: 5000, cacheMs: 0 });
          return learnEnginePaths({ socketPath: socket, info: () => r.info(), ownFiles: [] });
        },
        warn: (t) => warned.push(t),
        relearnAfterMs: 0,
      });
      await plugin.learn('start');
      plugin.stopLearning();
      assert.match(
        warned.join(''),
        /cannot read the engine's \/info \(connect ENOENT .*\): sensitive paths are the static defaults/,
      );
      assert.equal((await replay(plugin, bind('/etc'))).Allow, false);
      assert.equal((await replay(plugin, bind('/var/spool/cron'))).Allow, false);
      // dockerd comes up (here: the plugin is pointed at a live one); the next create learns before deciding
      socket = e.socket;
      const answer = await replay(plugin, bind(`${dataRoot}/containers`));
      assert.equal(answer.Allow, false, answer.Msg);
      assert.match(answer.Msg, new RegExp(`exposes sensitive path ${dataRoot}`));
    });
  },
);
