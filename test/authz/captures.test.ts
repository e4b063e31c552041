// Table-driven tests over the real AuthZ traffic dockerd 20.10 sent (../shared/data/authz): every capture decodes
// to the right action, resource, identity and body facts, and the example policy decides each one as intended.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readContainerCreate, readExecCreate } from '../../src/authz/bodies.js';
import { evaluate } from '../../src/authz/evaluate.js';
import { loadPolicy } from '../../src/authz/policy.js';
import { authzRequestSchema, type AuthzRequest } from '../../src/authz/protocol.js';
import { decodeRequest } from '../../src/authz/request.js';
import { StaticResolver } from '../../src/authz/resolver.js';
import { AuthzEngine } from '../../src/authz/server.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/authz');
const EXAMPLE = resolve(import.meta.dirname, '../../examples/authz/policy.yaml');

interface Capture {
  readonly file: string;
  readonly url: string;
  readonly request: AuthzRequest | null;
}

function loadCaptures(): Capture[] {
  return readdirSync(DATA)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(DATA, file), 'utf8')) as {
        pluginHttp: { url: string };
        request: unknown;
      };
      return {
        file,
        url: raw.pluginHttp.url,
        request: raw.request === null ? null : authzRequestSchema.parse(raw.request),
      };
    });
}

const captures = loadCaptures();
const capture = (prefix: string): AuthzRequest => {
  const found = captures.find((c) => c.file.startsWith(prefix));
  if (found?.request === undefined || found.request === null) throw new Error(`no capture ${prefix}`);
  return found.request;
};

const WEB_ID = 'f88b01ae079d497d962e9320f9d020e77c02f011324427d3958a7a246ac7ed80';
const OTHER_ID = 'dc5000ca6517743ce23fece5427086fab60a678f793e8cc44c535fdbf48d9d80';
const C2_ID = '33263fef02be8a51881df1321d211f2272b1214a76ece6fff6cf278c3b6dcc9b';
const EXEC_ID = '613a7df498cee3d499c66d855843ed0ea8047a18326e5bffc41a452c2f85f638';
const resolver = new StaticResolver(
  [
    { id: WEB_ID, names: ['web'] },
    { id: OTHER_ID, names: ['follower'] },
    { id: C2_ID, names: ['c2'] },
  ],
  [{ id: EXEC_ID, containerId: WEB_ID, user: '', privileged: false }],
);

interface DecodeCase {
  readonly prefix: string;
  readonly action: string;
  readonly param?: string;
  readonly user: string;
  readonly body: 'empty' | 'json' | 'hidden';
  readonly version?: string;
}

const decodeCases: readonly DecodeCase[] = [
  { prefix: '02-', action: 'system_ping', user: '<anonymous>', body: 'empty' },
  { prefix: '03-', action: 'container_create', user: '<anonymous>', body: 'json', version: '1.41' },
  { prefix: '04-', action: 'container_create', user: '<anonymous>', body: 'json' },
  { prefix: '06-', action: 'container_logs', param: WEB_ID, user: '<anonymous>', body: 'empty' },
  { prefix: '08-', action: 'exec_create', param: 'web', user: '<anonymous>', body: 'json' },
  { prefix: '10-', action: 'exec_start', param: EXEC_ID, user: '<anonymous>', body: 'json' },
  { prefix: '20-', action: 'container_create', user: 'alice', body: 'json' },
  { prefix: '21-', action: 'container_create', user: 'bob', body: 'json' },
  { prefix: '26-', action: 'image_build', user: 'alice', body: 'hidden' },
  { prefix: '27-', action: 'container_archive_put', param: 'c2', user: 'alice', body: 'hidden' },
  { prefix: '28-', action: 'volume_create', user: 'alice', body: 'json' },
  { prefix: '29-', action: 'container_logs', param: OTHER_ID, user: 'alice', body: 'empty' },
  { prefix: '30-', action: 'container_attach', param: C2_ID, user: 'alice', body: 'empty' },
  { prefix: '31-', action: 'exec_create', param: 'web', user: '<anonymous>', body: 'json' },
  { prefix: '45-', action: 'container_create', user: '<anonymous>', body: 'json' },
  { prefix: '46-', action: 'container_create', user: '<anonymous>', body: 'json' },
];

describe('authz captures: decoding', () => {
  it('every AuthZReq/AuthZRes capture validates against the protocol schema and maps to a route', () => {
    const plugin = captures.filter((c) => c.url.startsWith('/AuthZPlugin.'));
    assert.ok(plugin.length >= 20);
    for (const c of plugin) {
      assert.ok(c.request !== null, c.file);
      const decoded = decodeRequest(c.request);
      assert.deepEqual(decoded.problems, [], c.file);
      assert.ok(decoded.action !== undefined, c.file);
    }
  });

  for (const tc of decodeCases) {
    it(`${tc.prefix} decodes as ${tc.action}`, () => {
      const req = decodeRequest(capture(tc.prefix));
      assert.equal(req.action?.name, tc.action);
      assert.equal(req.identity.kind === 'anonymous' ? '<anonymous>' : req.identity.name, tc.user);
      assert.equal(req.body.state, tc.body);
      if (tc.param !== undefined) assert.equal(req.match?.param, tc.param);
      if (tc.version !== undefined) assert.equal(req.version, tc.version);
    });
  }

  it('45: an unversioned path is matched like a versioned one', () => {
    const req = decodeRequest(capture('45-'));
    assert.equal(req.version, undefined);
    assert.equal(req.path, '/containers/create');
  });

  it('TLS captures carry the CN as User and TLS as the method', () => {
    const req = decodeRequest(capture('20-'));
    assert.deepEqual(req.identity, { kind: 'user', name: 'alice', authn: 'TLS' });
  });

  const bodyFacts: readonly {
    prefix: string;
    check: (f: ReturnType<typeof readContainerCreate>) => void;
  }[] = [
    {
      prefix: '03-',
      check: (f) => {
        assert.equal(f.ok && f.facts.privileged, true);
      },
    },
    {
      prefix: '04-',
      check: (f) => {
        assert.equal(f.ok && f.facts.privileged, false);
      },
    },
    {
      prefix: '46-',
      check: (f) => {
        assert.equal(f.ok && f.facts.privileged, true);
      },
    },
    {
      prefix: '22-',
      check: (f) => {
        assert.deepEqual(f.ok && f.facts.mounts, [
          { origin: 'Binds[0]', kind: 'bind', source: '/etc', readOnly: true },
        ]);
      },
    },
    {
      prefix: '23-',
      check: (f) => {
        assert.deepEqual(f.ok && f.facts.mounts, [
          { origin: 'Mounts[0]', kind: 'bind', source: '/etc', readOnly: true },
        ]);
      },
    },
    {
      prefix: '24-',
      check: (f) => {
        assert.ok(f.ok);
        assert.deepEqual(f.facts.capAdd, ['CAP_SYS_ADMIN']);
        assert.deepEqual(f.facts.securityOpt, ['seccomp=unconfined']);
        assert.equal(f.facts.namespaces.find((n) => n.field === 'PidMode')?.value, 'host');
      },
    },
    {
      prefix: '25-',
      check: (f) => {
        assert.equal(f.ok && f.facts.user, '1000:1000');
      },
    },
  ];
  for (const tc of bodyFacts) {
    it(`${tc.prefix} container create body facts`, () => {
      const req = decodeRequest(capture(tc.prefix));
      assert.ok(req.body.state === 'json');
      tc.check(readContainerCreate(req.body.node));
    });
  }

  it('08 and 31: exec create bodies', () => {
    for (const prefix of ['08-', '31-']) {
      const req = decodeRequest(capture(prefix));
      assert.ok(req.body.state === 'json');
      const facts = readExecCreate(req.body.node);
      assert.deepEqual(facts.ok && { user: facts.facts.user, privileged: facts.facts.privileged }, {
        user: '',
        privileged: false,
      });
    }
  });
});

const withUser = (req: AuthzRequest, user: string | undefined): AuthzRequest =>
  user === undefined
    ? { ...req, User: undefined, UserAuthNMethod: undefined }
    : { ...req, User: user, UserAuthNMethod: 'TLS' };

interface DecisionCase {
  readonly name: string;
  readonly prefix: string;
  readonly user?: string | undefined;
  readonly allow: boolean;
  readonly msg?: RegExp;
}

const decisionCases: readonly DecisionCase[] = [
  { name: 'anonymous ping', prefix: '02-', allow: true },
  { name: 'anonymous create (read-only)', prefix: '04-', allow: false, msg: /default deny/ },
  { name: 'anonymous logs of web (read-only allows logs)', prefix: '06-', allow: true },
  { name: 'anonymous exec create', prefix: '08-', allow: false },
  { name: 'alice logs of web by full id', prefix: '06-', user: 'alice', allow: true },
  { name: 'alice logs -f of another container', prefix: '29-', allow: false, msg: /default deny/ },
  { name: 'alice privileged create', prefix: '20-', allow: false },
  { name: 'alice attach', prefix: '30-', allow: false },
  { name: 'alice build', prefix: '26-', allow: false },
  { name: 'alice cp into container', prefix: '27-', allow: false },
  { name: 'alice ping', prefix: '02-', user: 'alice', allow: true },
  { name: 'bob plain create', prefix: '21-', allow: true },
  {
    name: 'bob privileged create',
    prefix: '20-',
    user: 'bob',
    allow: false,
    msg: /privileged containers are not allowed/,
  },
  { name: 'bob -v /etc', prefix: '22-', user: 'bob', allow: false, msg: /Binds\[0\] mounts host path \/etc/ },
  {
    name: 'bob --mount /etc',
    prefix: '23-',
    user: 'bob',
    allow: false,
    msg: /Mounts\[0\] mounts host path \/etc/,
  },
  {
    name: 'bob cap-add/pid host/seccomp',
    prefix: '24-',
    user: 'bob',
    allow: false,
    msg: /CAP_SYS_ADMIN may not be added; PidMode=host .*seccomp=unconfined/,
  },
  { name: 'bob --user 1000 --read-only', prefix: '25-', user: 'bob', allow: true },
  { name: 'bob chunked privileged create', prefix: '46-', user: 'bob', allow: false, msg: /privileged/ },
  { name: 'bob unversioned create', prefix: '45-', user: 'bob', allow: true },
  { name: 'bob exec without --user', prefix: '08-', user: 'bob', allow: false, msg: /pass --user/ },
  { name: 'bob exec start of a root exec', prefix: '10-', user: 'bob', allow: false, msg: /pass --user/ },
  { name: 'carol (not in the policy)', prefix: '02-', user: 'carol', allow: false, msg: /not in the policy/ },
];

describe('authz captures: the example policy decides', () => {
  const policy = loadPolicy(EXAMPLE);
  for (const tc of decisionCases) {
    it(`${tc.name} -> ${tc.allow ? 'allow' : 'deny'}`, async () => {
      const base = capture(tc.prefix);
      const req = 'user' in tc ? withUser(base, tc.user) : base;
      const decision = await evaluate(policy, decodeRequest(req), resolver);
      assert.equal(decision.allow, tc.allow, decision.msg);
      if (tc.msg !== undefined) assert.match(decision.msg, tc.msg);
      if (!tc.allow) assert.match(decision.msg, /^bulkhead: denied /);
    });
  }
});

describe('authz captures: the protocol handler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-authz-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, readFileSync(EXAMPLE));
  const lines: string[] = [];
  const engine = new AuthzEngine({ policyFile, resolver, deadlineMs: 1000, log: (l) => lines.push(l) });

  it('answers /Plugin.Activate with the authz capability', async () => {
    assert.deepEqual((await engine.handle('/Plugin.Activate', '')).body, { Implements: ['authz'] });
  });

  it('replays every capture: requests decided, responses let through, every decision logged', async () => {
    for (const c of captures) {
      if (c.request === null) continue;
      const answer = await engine.handle(c.url, JSON.stringify(c.request));
      assert.equal(answer.status, 200);
      const body = answer.body as { Allow: boolean; Msg: string; Err: string };
      assert.equal(typeof body.Allow, 'boolean');
      if (c.url === '/AuthZPlugin.AuthZRes') assert.equal(body.Allow, true, c.file);
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(
      records.length,
      captures.filter((c) => c.url === '/AuthZPlugin.AuthZReq' && c.request !== null).length,
    );
    for (const r of records) {
      for (const key of ['time', 'user', 'action', 'resource', 'decision', 'rule', 'latency_ms'])
        assert.ok(key in r, key);
    }
  });

  it('never logs bodies, query strings or certificates', () => {
    const all = lines.join('\n');
    assert.doesNotMatch(all, /RequestBody|LS0tLS1CRUdJTi|stderr=1|tail=all|Hostname/);
    rmSync(dir, { recursive: true, force: true });
  });
});
