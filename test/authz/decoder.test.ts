// Decides as dockerd will act: Go encoding/json quirks, deprecated top-level HostConfig, percent-encoded and
// unclean paths, query parsing, hidden bodies, container resolution by name/id/prefix. Each case is a known
// authorization-plugin bypass class; the plugin must reach the decision dockerd's own parsing implies.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readContainerCreate } from '../../src/authz/bodies.js';
import { evaluate, normalizeCapability } from '../../src/authz/evaluate.js';
import { isRootUser } from '../../src/shared/user.js';
import {
  goDecode,
  goSlice,
  goString,
  goStruct,
  parseFirstJsonValue,
  sliceItems,
} from '../../src/authz/go-json.js';
import { exposedSensitivePath } from '../../src/authz/host-paths.js';
import { splitLowerdir } from '../../src/authz/local-volume.js';
import { parseImageRef } from '../../src/shared/image-ref.js';
import { parsePolicy, type Policy } from '../../src/authz/policy.js';
import { decodeBase64, type AuthzRequest } from '../../src/authz/protocol.js';
import { cleanMuxPath, decodeRequest, parseGoQuery } from '../../src/authz/request.js';
import { lookupContainer, StaticResolver } from '../../src/authz/resolver.js';
import { ACTIONS, matchRoute, ROUTES } from '../../src/authz/routes.js';

const POLICY = `
version: 1
anonymous: { roles: [runner] }
users:
  bob: { roles: [runner] }
roles:
  runner:
    - allow: [container_create, container_start, exec_create, volume_create, image_pull]
      constraints: strict
    # a resource pattern makes the plugin resolve the container as dockerd will
    - allow: [container_logs]
      resources: ['*']
constraints:
  strict:
    registries: [docker.io/library]
`;
const policy = parsePolicy(POLICY, 'inline.yaml');
const resolver = new StaticResolver([
  { id: 'a'.repeat(64), names: ['web'] },
  { id: 'ab' + 'c'.repeat(62), names: ['db'] },
]);

function createReq(body: string, extra: Partial<AuthzRequest> = {}): AuthzRequest {
  return {
    RequestMethod: 'POST',
    RequestUri: '/v1.41/containers/create',
    RequestBody: Buffer.from(body).toString('base64'),
    RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
    ...extra,
  };
}

async function decide(req: AuthzRequest): Promise<{ allow: boolean; msg: string }> {
  return evaluate(policy, decodeRequest(req), resolver);
}

interface BodyCase {
  readonly name: string;
  readonly body: string;
  readonly allow: boolean;
  readonly msg?: RegExp;
}

const IMG = '"Image":"busybox"';
const bodyCases: readonly BodyCase[] = [
  { name: 'plain', body: `{${IMG}}`, allow: true },
  { name: 'privileged', body: `{${IMG},"HostConfig":{"Privileged":true}}`, allow: false, msg: /privileged/ },
  {
    name: 'lower-case key',
    body: `{${IMG},"hostconfig":{"privileged":true}}`,
    allow: false,
    msg: /privileged/,
  },
  { name: 'mixed-case key', body: `{${IMG},"HOSTCONFIG":{"PrIvIlEgEd":true}}`, allow: false },
  { name: 'escaped key', body: `{${IMG},"HostConfig":{"\\u0050rivileged":true}}`, allow: false },
  {
    name: 'long s folds to s (Go equalFold)',
    body: `{${IMG},"Ho\u017FtConfig":{"Binds":["/etc:/x"]}}`,
    allow: false,
    msg: /\/etc/,
  },
  {
    name: 'Kelvin sign and long s fold to k and s (MaskedPaths)',
    body: `{${IMG},"HostConfig":{"Ma\u017F\u212AedPaths":[]}}`,
    allow: false,
    msg: /MaskedPaths/,
  },
  {
    name: 'duplicate key, last wins (true)',
    body: `{${IMG},"HostConfig":{"Privileged":false,"Privileged":true}}`,
    allow: false,
  },
  {
    name: 'duplicate key, last wins (false)',
    body: `{${IMG},"HostConfig":{"Privileged":true,"Privileged":false}}`,
    allow: true,
  },
  {
    name: 'null is a no-op on a bool',
    body: `{${IMG},"HostConfig":{"Privileged":true,"Privileged":null}}`,
    allow: false,
  },
  {
    name: 'second HostConfig object merges into the first',
    body: `{${IMG},"HostConfig":{"Privileged":true},"HostConfig":{"Memory":1}}`,
    allow: false,
  },
  {
    name: 'a second array decodes into the old elements (Mounts merge)',
    body: `{${IMG},"HostConfig":{"Mounts":[{"Type":"bind","Source":"/etc","Target":"/a"}],"Mounts":[{"Target":"/b"}]}}`,
    allow: false,
    msg: /\/etc/,
  },
  {
    name: 'null element keeps the old Binds string',
    body: `{${IMG},"HostConfig":{"Binds":["/etc:/x"],"Binds":[null]}}`,
    allow: false,
    msg: /\/etc/,
  },
  {
    name: 'deprecated top-level Privileged',
    body: `{${IMG},"Privileged":true}`,
    allow: false,
    msg: /privileged/,
  },
  {
    name: 'top-level Binds with HostConfig:null',
    body: `{${IMG},"Binds":["/:/host"],"HostConfig":null}`,
    allow: false,
    msg: /exposes sensitive path \//,
  },
  {
    name: 'top level and HostConfig together is ambiguous',
    body: `{${IMG},"PidMode":"host","HostConfig":{}}`,
    allow: false,
    msg: /both at the top level/,
  },
  {
    name: 'CapAdd as a bare string (strslice)',
    body: `{${IMG},"HostConfig":{"CapAdd":"sys_admin"}}`,
    allow: false,
  },
  { name: 'cap "ALL"', body: `{${IMG},"HostConfig":{"CapAdd":["all"]}}`, allow: false, msg: /ALL/ },
  {
    name: 'long s in a capability',
    body: `{${IMG},"HostConfig":{"CapAdd":["\u017Fys_admin"]}}`,
    allow: false,
    msg: /CAP_SYS_ADMIN/,
  },
  { name: 'pid host', body: `{${IMG},"HostConfig":{"PidMode":"host"}}`, allow: false, msg: /PidMode=host/ },
  { name: 'network host', body: `{${IMG},"HostConfig":{"NetworkMode":"host"}}`, allow: false },
  {
    name: 'userns host',
    body: `{${IMG},"HostConfig":{"UsernsMode":"host"}}`,
    allow: false,
    msg: /UsernsMode/,
  },
  {
    name: 'container: pid mode is not host',
    body: `{${IMG},"HostConfig":{"PidMode":"container:web"}}`,
    allow: true,
  },
  {
    name: 'docker socket bind',
    body: `{${IMG},"HostConfig":{"Binds":["/var/run/docker.sock:/s"]}}`,
    allow: false,
  },
  {
    name: 'bind of /var/run exposes the socket',
    body: `{${IMG},"HostConfig":{"Binds":["/var/run:/r"]}}`,
    allow: false,
  },
  { name: 'unclean bind path', body: `{${IMG},"HostConfig":{"Binds":["/tmp/../etc/:/x"]}}`, allow: false },
  { name: 'named volume bind', body: `{${IMG},"HostConfig":{"Binds":["data:/data"]}}`, allow: true },
  {
    name: 'local volume with device in Mounts',
    body: `{${IMG},"HostConfig":{"Mounts":[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"none","o":"bind","device":"/etc"}}}}]}}`,
    allow: false,
    msg: /device/,
  },
  { name: 'device', body: `{${IMG},"HostConfig":{"Devices":[{"PathOnHost":"/dev/sda"}]}}`, allow: false },
  {
    name: 'device cgroup rule',
    body: `{${IMG},"HostConfig":{"DeviceCgroupRules":["b *:* rwm"]}}`,
    allow: false,
  },
  {
    name: 'seccomp unconfined',
    body: `{${IMG},"HostConfig":{"SecurityOpt":["seccomp=unconfined"]}}`,
    allow: false,
  },
  {
    name: 'seccomp with ":" separator',
    body: `{${IMG},"HostConfig":{"SecurityOpt":["seccomp:unconfined"]}}`,
    allow: false,
  },
  {
    name: 'apparmor unconfined',
    body: `{${IMG},"HostConfig":{"SecurityOpt":["apparmor=unconfined"]}}`,
    allow: false,
  },
  { name: 'label disable', body: `{${IMG},"HostConfig":{"SecurityOpt":["label=disable"]}}`, allow: false },
  {
    name: 'no-new-privileges is fine',
    body: `{${IMG},"HostConfig":{"SecurityOpt":["no-new-privileges"]}}`,
    allow: true,
  },
  {
    name: 'MaskedPaths []',
    body: `{${IMG},"HostConfig":{"MaskedPaths":[]}}`,
    allow: false,
    msg: /MaskedPaths/,
  },
  { name: 'VolumesFrom', body: `{${IMG},"HostConfig":{"VolumesFrom":["web"]}}`, allow: false },
  {
    name: 'registry not allowed',
    body: `{"Image":"evil.example.com/x"}`,
    allow: false,
    msg: /allowed registry/,
  },
  { name: 'image by id', body: `{"Image":"${'f'.repeat(64)}"}`, allow: false, msg: /by id/ },
  {
    name: 'type error: dockerd rejects',
    body: `{${IMG},"HostConfig":{"Privileged":"true"}}`,
    allow: false,
    msg: /reject/,
  },
  { name: 'malformed JSON', body: `{${IMG},`, allow: false, msg: /malformed JSON/ },
  {
    name: 'trailing data',
    body: `{${IMG}} {"HostConfig":{"Privileged":true}}`,
    allow: false,
    msg: /trailing/,
  },
  { name: 'not an object', body: `[1,2]`, allow: false },
  { name: 'deep nesting', body: '['.repeat(5000) + ']'.repeat(5000), allow: false, msg: /nested/ },
];

describe('authz decoder: container create bodies as Go decodes them', () => {
  for (const tc of bodyCases) {
    it(`${tc.name} -> ${tc.allow ? 'allow' : 'deny'}`, async () => {
      const d = await decide(createReq(tc.body));
      assert.equal(d.allow, tc.allow, d.msg);
      if (tc.msg !== undefined) assert.match(d.msg, tc.msg);
    });
  }

  it('a symlink to /etc is resolved before comparing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-link-'));
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    symlinkSync('/etc', join(dir, 'innocent'));
    assert.equal(exposedSensitivePath(join(dir, 'innocent'), ['/etc']), '/etc');
    const d = await decide(createReq(`{${IMG},"HostConfig":{"Binds":["${dir}/innocent/ssl:/x"]}}`));
    assert.equal(d.allow, false);
    assert.match(d.msg, /-> \/etc\/ssl/);
  });
});

interface RequestCase {
  readonly name: string;
  readonly req: AuthzRequest;
  readonly allow: boolean;
  readonly msg?: RegExp;
}

const get = (uri: string, extra: Partial<AuthzRequest> = {}): AuthzRequest => ({
  RequestMethod: 'GET',
  RequestUri: uri,
  ...extra,
});

const requestCases: readonly RequestCase[] = [
  { name: 'logs by name', req: get('/v1.41/containers/web/logs'), allow: true },
  { name: 'logs by full id', req: get(`/v1.41/containers/${'a'.repeat(64)}/logs`), allow: true },
  { name: 'logs by unique id prefix', req: get('/v1.41/containers/aaaa/logs'), allow: true },
  {
    name: 'logs of a missing container',
    req: get('/v1.41/containers/nope/logs'),
    allow: false,
    msg: /no such container/,
  },
  { name: 'percent-encoded name', req: get('/v1.41/containers/w%65b/logs'), allow: true },
  { name: 'malformed escape', req: get('/v1.41/containers/w%zzb/logs'), allow: false, msg: /percent-escape/ },
  { name: 'dot-dot path', req: get('/v1.41/containers/x/../web/logs'), allow: false, msg: /not canonical/ },
  {
    name: 'encoded dot-dot path',
    req: get('/v1.41/containers/x%2F..%2Fweb/logs'),
    allow: false,
    msg: /not canonical/,
  },
  { name: 'double slash', req: get('//v1.41/containers/web/logs'), allow: false, msg: /not canonical/ },
  { name: 'absolute-form URI', req: get('http://docker/v1.41/containers/web/logs'), allow: true },
  {
    name: 'unknown route',
    req: get('/v1.41/containers/web/frobnicate'),
    allow: false,
    msg: /no Engine API route/,
  },
  { name: 'unknown method', req: get('/v1.41/containers/json', { RequestMethod: 'PATCH' }), allow: false },
  {
    name: 'semicolon in query',
    req: get('/v1.41/containers/web/logs?a=1;b=2'),
    allow: false,
    msg: /semicolon/,
  },
  {
    name: 'form body overriding fromImage',
    req: {
      RequestMethod: 'POST',
      RequestUri: '/v1.41/images/create?fromImage=busybox',
      RequestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '30' },
    },
    allow: false,
    msg: /form-encoded/,
  },
  {
    name: 'pull from an allowed registry',
    req: get('/v1.41/images/create?fromImage=busybox&tag=1', { RequestMethod: 'POST' }),
    allow: true,
  },
  {
    name: 'pull from another registry',
    req: get('/v1.41/images/create?fromImage=evil.example.com%2Fx', { RequestMethod: 'POST' }),
    allow: false,
    msg: /allowed registry/,
  },
  {
    name: 'create body over 1 MiB (not forwarded)',
    req: {
      RequestMethod: 'POST',
      RequestUri: '/v1.41/containers/create',
      RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': '2000000' },
    },
    allow: false,
    msg: /1 MiB/,
  },
  {
    name: 'create with a non-JSON content type (not forwarded)',
    req: {
      RequestMethod: 'POST',
      RequestUri: '/v1.41/containers/create',
      RequestHeaders: { 'Content-Type': 'text/plain', 'Content-Length': '50' },
    },
    allow: false,
    msg: /not application\/json/,
  },
  {
    name: 'create with a chunked body that was not forwarded',
    req: {
      RequestMethod: 'POST',
      RequestUri: '/v1.41/containers/create',
      RequestHeaders: { 'Content-Type': 'application/json' },
    },
    allow: false,
    msg: /chunked/,
  },
  {
    name: 'start with a HostConfig body on API 1.23 (still honoured by dockerd 20.10)',
    req: createReq('{"Privileged":true}', { RequestUri: '/v1.23/containers/web/start' }),
    allow: false,
    msg: /privileged/,
  },
  {
    name: 'start without a body',
    req: get('/v1.41/containers/web/start', { RequestMethod: 'POST' }),
    allow: true,
  },
  {
    name: 'volume with a bind device',
    req: createReq('{"Name":"v","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}', {
      RequestUri: '/v1.41/volumes/create',
    }),
    allow: false,
    msg: /device/,
  },
  {
    name: 'exec as root',
    req: createReq('{"User":"0","Cmd":["sh"]}', { RequestUri: '/v1.41/containers/web/exec' }),
    allow: false,
    msg: /root/,
  },
  {
    name: 'exec privileged',
    req: createReq('{"User":"1000","Privileged":true,"Cmd":["sh"]}', {
      RequestUri: '/v1.41/containers/web/exec',
    }),
    allow: false,
    msg: /privileged exec/,
  },
  {
    name: 'exec as a normal user',
    req: createReq('{"User":"1000:1000","Cmd":["sh"]}', { RequestUri: '/v1.41/containers/web/exec' }),
    allow: true,
  },
  {
    name: 'malformed base64 body',
    req: createReq('{}', { RequestBody: '!!!' }),
    allow: false,
    msg: /base64/,
  },
];

describe('authz decoder: paths, queries and hidden bodies', () => {
  for (const tc of requestCases) {
    it(`${tc.name} -> ${tc.allow ? 'allow' : 'deny'}`, async () => {
      const d = await decide(tc.req);
      assert.equal(d.allow, tc.allow, d.msg);
      if (tc.msg !== undefined) assert.match(d.msg, tc.msg);
    });
  }
});

describe('authz decoder: building blocks', () => {
  it('route table: every action is reachable and names a real route', () => {
    // image_import shares POST /images/create with image_pull (no fromImage= means import)
    const routed = new Set([...ROUTES.map((r) => r.action), 'image_import']);
    for (const a of ACTIONS) assert.ok(routed.has(a.name), a.name);
  });

  const routeCases: readonly [string, string, string | undefined, string | undefined][] = [
    ['GET', '/containers/json', 'container_list', undefined],
    ['GET', '/containers/a/b/json', 'container_inspect', 'a/b'],
    ['GET', '/containers/x/logs/json', 'container_inspect', 'x/logs'],
    ['GET', '/images/json', 'image_list', undefined],
    ['GET', '/images/docker.io/library/busybox:1/json', 'image_inspect', 'docker.io/library/busybox:1'],
    ['DELETE', '/containers/x/checkpoints/c', 'container_delete', 'x/checkpoints/c'],
    ['GET', '/networks/', 'network_list', undefined],
    ['GET', '/services/a/b', undefined, undefined],
    ['OPTIONS', '/anything/at/all', 'api_options', 'anything/at/all'],
    ['POST', '/exec/123/start', 'exec_start', '123'],
    ['GET', '/containers/a\nb/json', undefined, undefined],
  ];
  for (const [method, path, action, param] of routeCases) {
    it(`route ${method} ${JSON.stringify(path)} -> ${action ?? 'none'}`, () => {
      const m = matchRoute(method, path);
      assert.equal(m?.route.action, action);
      if (param !== undefined) assert.equal(m?.param, param);
    });
  }

  it('mux path cleaning keeps a trailing slash', () => {
    assert.equal(cleanMuxPath('/networks/'), '/networks/');
    assert.equal(cleanMuxPath('/a/./b/../c'), '/a/c');
    assert.equal(cleanMuxPath('//a'), '/a');
  });

  it('Go query parsing: first value wins, + is a space, ; is an error', () => {
    const q = parseGoQuery('a=1&a=2&b=x+y&c=%2F');
    assert.deepEqual(q.values.get('a'), ['1', '2']);
    assert.equal(q.values.get('b')?.[0], 'x y');
    assert.equal(q.values.get('c')?.[0], '/');
    assert.equal(parseGoQuery('a=1;b=2').errors.length, 1);
  });

  it('container lookup order: full id, then name, then unique prefix', () => {
    const list = [
      { id: 'abc' + '0'.repeat(61), names: ['x'] },
      { id: 'abd' + '0'.repeat(61), names: ['abc'] },
    ];
    assert.equal(lookupContainer(list, 'abc')?.names[0], 'abc');
    assert.equal(lookupContainer(list, 'ab'), undefined);
    assert.equal(lookupContainer(list, 'abd0')?.names[0], 'abc');
  });

  it('slices decode into their old elements like Go', () => {
    const type = goSlice(
      goStruct('T', [
        ['A', goString],
        ['B', goString],
      ]),
    );
    const first = parseFirstJsonValue('[{"A":"1","B":"2"},{"A":"3"}]').node;
    const second = parseFirstJsonValue('[{"A":"9"}]').node;
    const ctx = { errors: [] };
    const v1 = goDecode(type, first, null, ctx);
    const v2 = goDecode(type, second, v1, ctx);
    const items = sliceItems(v2);
    assert.equal(items.length, 1);
    const facts = readContainerCreate(parseFirstJsonValue('{"Binds":["/a:/b"],"Binds":[]}').node);
    assert.ok(facts.ok);
    assert.deepEqual(facts.facts.mounts, []);
  });

  it('capabilities and users normalise like dockerd', () => {
    assert.equal(normalizeCapability('sys_admin'), 'CAP_SYS_ADMIN');
    assert.equal(normalizeCapability('cap_net_raw'), 'CAP_NET_RAW');
    assert.equal(normalizeCapability('all'), 'ALL');
    const root = (u: string): boolean => isRootUser(u, { defaultIsRoot: true });
    assert.ok(root(''));
    assert.ok(root('root:staff'));
    assert.ok(root('000'));
    assert.ok(!root('1000:0'));
  });

  it('image references normalise like distribution/reference', () => {
    const cases: [string, string][] = [
      ['busybox', 'docker.io/library/busybox'],
      ['bulkhead-test/busybox:latest', 'docker.io/bulkhead-test/busybox'],
      ['127.0.0.1:5000/x/y:1', '127.0.0.1:5000/x/y'],
      ['localhost/a', 'localhost/a'],
      ['index.docker.io/library/alpine@sha256:' + 'a'.repeat(64), 'docker.io/library/alpine'],
    ];
    for (const [raw, repo] of cases) {
      const ref = parseImageRef(raw);
      assert.equal(ref.kind === 'named' ? ref.name : ref.kind, repo, raw);
    }
    assert.equal(parseImageRef('Busybox').kind, 'invalid');
  });
});

describe('authz decoder: image create', () => {
  it('POST /images/create without fromImage is an import, which the registry allow-list refuses', async () => {
    const req = get('/v1.41/images/create?fromSrc=-&repo=x', { RequestMethod: 'POST' });
    assert.equal(decodeRequest(req).action?.name, 'image_import');
    const d = await evaluate(
      parsePolicy(
        'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [image_import]\n      constraints: c\nconstraints:\n  c: {registries: [docker.io]}\n',
        'p.yaml',
      ),
      decodeRequest(req),
      resolver,
    );
    assert.equal(d.allow, false);
    assert.match(d.msg, /outside the registry allow-list/);
  });
});

describe('authz decoder: image push', () => {
  it('the registry allow-list also applies to pushes', async () => {
    const p = parsePolicy(
      'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [image_push]\n      constraints: c\nconstraints:\n  c: {registries: [registry.example.com]}\n',
      'p.yaml',
    );
    const push = (name: string): AuthzRequest =>
      get(`/v1.41/images/${name}/push?tag=1`, { RequestMethod: 'POST' });
    assert.equal(
      (await evaluate(p, decodeRequest(push('registry.example.com/team/app')), resolver)).allow,
      true,
    );
    const d = await evaluate(p, decodeRequest(push('evil.example.org/app')), resolver);
    assert.equal(d.allow, false);
    assert.match(d.msg, /not from an allowed registry/);
  });
});

describe('authz decoder: CVE-2024-41110 shape', () => {
  it('a create announced with Content-Length: 0 and no forwarded body is denied', async () => {
    const d = await decide({
      RequestMethod: 'POST',
      RequestUri: '/v1.41/containers/create',
      RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': '0' },
    });
    assert.equal(d.allow, false);
    assert.match(d.msg, /no body to check/);
  });
});

describe('authz decoder: strict base64 like Go StdEncoding', () => {
  const cases: readonly [string, string | undefined][] = [
    ['', ''],
    ['e30=', '{}'],
    ['eyJhIjoxfQ==', '{"a":1}'],
    ['e30', undefined],
    ['e3!=', undefined],
    ['e 0=', undefined],
    ['e3-_', undefined],
    ['e=30', undefined],
    ['e30===', undefined],
  ];
  for (const [text, decoded] of cases) {
    it(`${JSON.stringify(text)} -> ${decoded === undefined ? 'rejected' : JSON.stringify(decoded)}`, () => {
      assert.equal(decodeBase64(text)?.toString('utf8'), decoded);
    });
  }
});

// Issue 9 item 1: dockerd 20.10 decodes a start body on API < 1.24 as a whole ContainerConfigWrapper
// (runconfig decodeHostConfig -> getHostConfig), so the HostConfig it applies sits under "HostConfig" in any
// letter case, or at the top level (deprecated form). Every such form of a dangerous setting is denied.
describe('authz decoder: start bodies on API < 1.24 (ContainerConfigWrapper)', () => {
  const start = (body: string, version = '1.23'): AuthzRequest =>
    createReq(body, { RequestUri: `/v${version}/containers/web/start` });
  const dangerous: readonly (readonly [string, string, RegExp])[] = [
    ['nested HostConfig', '{"HostConfig":{"Privileged":true}}', /privileged/],
    ['lower-case hostconfig', '{"hostconfig":{"privileged":true}}', /privileged/],
    ['upper-case HOSTCONFIG', '{"HOSTCONFIG":{"BINDS":["/etc:/x"]}}', /sensitive path \/etc/],
    ['long s folds to s (Go EqualFold)', '{"Ho\u017ftConfig":{"Binds":["/:/host"]}}', /sensitive path/],
    ['escaped key', '{"\\u0048ostConfig":{"PidMode":"host"}}', /PidMode=host/],
    ['top-level deprecated form', '{"Privileged":true}', /privileged/],
    [
      'Config fields beside it',
      '{"Image":"busybox","Cmd":["sh"],"HostConfig":{"CapAdd":["SYS_ADMIN"]}}',
      /SYS_ADMIN/,
    ],
    [
      'duplicate HostConfig keys merge into one struct',
      '{"HostConfig":{"SecurityOpt":["seccomp=unconfined"]},"HostConfig":{"NetworkMode":"none"}}',
      /seccomp=unconfined/,
    ],
    ['API 1.12 (the oldest 20.10 accepts)', '{"HostConfig":{"Privileged":true}}', /privileged/],
  ];
  for (const [name, body, msg] of dangerous) {
    it(`${name} -> deny`, async () => {
      const d = await decide(start(body, name.startsWith('API 1.12') ? '1.12' : '1.23'));
      assert.equal(d.allow, false, d.msg);
      assert.match(d.msg, msg);
    });
  }
  it('the whole issue reproduction (/ and /etc, host pid, SYS_ADMIN, no seccomp) is denied', async () => {
    const body = JSON.stringify({
      HostConfig: {
        Binds: ['/:/host', '/etc:/host-etc'],
        PidMode: 'host',
        CapAdd: ['SYS_ADMIN'],
        SecurityOpt: ['seccomp=unconfined'],
      },
    });
    const d = await decide(start(body));
    assert.equal(d.allow, false);
    for (const re of [/Binds\[0\]/, /PidMode=host/, /CAP_SYS_ADMIN/, /seccomp/]) assert.match(d.msg, re);
  });
  it('harmless start bodies are allowed ({}, null, a HostConfig within the constraints)', async () => {
    for (const body of ['{}', 'null', '{"HostConfig":{"NetworkMode":"none"}}']) {
      const d = await decide(start(body));
      assert.equal(d.allow, true, `${body}: ${d.msg}`);
    }
  });
  it('a start body dockerd would reject is denied (type errors, trailing data)', async () => {
    for (const body of [
      '{"HostConfig":[]}',
      '{"HostConfig":{"Privileged":"yes"}}',
      '{} {"Privileged":true}',
    ]) {
      const d = await decide(start(body));
      assert.equal(d.allow, false, body);
    }
  });
});

// Issue 9 item 2: the local volume driver hands type/o/device to mount(2); every path they name is a host path.
describe('authz decoder: local volume driver options (volume create and Mounts[].VolumeOptions)', () => {
  const volPolicy = parsePolicy(
    `
version: 1
anonymous: { roles: [r] }
roles:
  r:
    - allow: [volume_create, container_create]
      constraints: vols
constraints:
  vols:
    localVolumeTypes: [none, tmpfs, overlay, nfs]
`,
    'vols.yaml',
  );
  const strict = parsePolicy(
    'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [volume_create, container_create]\n',
    's.yaml',
  );
  const volume = (opts: Record<string, string>, driver = ''): AuthzRequest =>
    createReq(JSON.stringify({ Name: 'v', Driver: driver, DriverOpts: opts }), {
      RequestUri: '/v1.41/volumes/create',
    });
  const mount = (opts: Record<string, string>, name = ''): AuthzRequest =>
    createReq(
      JSON.stringify({
        Image: 'busybox',
        HostConfig: {
          Mounts: [
            {
              Type: 'volume',
              Source: 'v',
              Target: '/v',
              VolumeOptions: { DriverConfig: { Name: name, Options: opts } },
            },
          ],
        },
      }),
    );
  const cases: readonly (readonly [string, AuthzRequest, boolean, RegExp | undefined, boolean?])[] = [
    ['plain named volume', volume({}), true, undefined],
    [
      'tmpfs with a size',
      volume({ type: 'tmpfs', device: 'tmpfs', o: 'size=64m,uid=1000' }),
      true,
      undefined,
    ],
    [
      'bind of a harmless directory',
      volume({ type: 'none', o: 'bind', device: '/srv/data' }),
      true,
      undefined,
    ],
    [
      'bind of /etc',
      volume({ type: 'none', o: 'bind', device: '/etc' }),
      false,
      /device mounts host path \/etc/,
    ],
    [
      'tmpfs type with o=bind (MS_BIND ignores the type)',
      volume({ type: 'tmpfs', o: 'bind', device: '/etc' }),
      false,
      /sensitive path \/etc/,
    ],
    [
      'relative bind device (resolved against dockerd\u2019s cwd)',
      volume({ type: 'none', o: 'bind', device: 'etc' }),
      false,
      /relative path/,
    ],
    [
      'relative device climbing up',
      volume({ type: 'none', o: 'rbind', device: '../../etc' }),
      false,
      /relative path/,
    ],
    [
      'overlay lowerdir=/etc',
      volume({ type: 'overlay', device: 'overlay', o: 'lowerdir=/etc,upperdir=/tmp/u,workdir=/tmp/w' }),
      false,
      /lowerdir= mounts host path \/etc/,
    ],
    [
      'overlay with /etc second in the lowerdir list',
      volume({ type: 'overlay', device: 'x', o: 'lowerdir=/srv/a:/etc,upperdir=/srv/u,workdir=/srv/w' }),
      false,
      /\/etc/,
    ],
    [
      'overlay upperdir under /root',
      volume({ type: 'overlay', device: 'x', o: 'lowerdir=/srv/a,upperdir=/root/u,workdir=/srv/w' }),
      false,
      /upperdir= mounts host path \/root\/u/,
    ],
    [
      'overlay with a relative workdir',
      volume({ type: 'overlay', device: 'x', o: 'lowerdir=/srv/a,upperdir=/srv/u,workdir=w' }),
      false,
      /relative/,
    ],
    [
      'harmless overlay (type allowed by the policy)',
      volume({ type: 'overlay', device: 'x', o: 'lowerdir=/srv/a,upperdir=/srv/u,workdir=/srv/w' }),
      true,
      undefined,
    ],
    [
      'overlay is not in the default allow-list',
      volume({ type: 'overlay', device: 'x', o: 'lowerdir=/srv/a,upperdir=/srv/u,workdir=/srv/w' }),
      false,
      /type "overlay" is not allowed/,
      true,
    ],
    [
      'ext4 on a host disk',
      volume({ type: 'ext4', device: '/dev/sda1' }),
      false,
      /type "ext4" is not allowed/,
    ],
    ['ext4 device is a host path', volume({ type: 'ext4', device: '/dev/sda1' }), false, /\/dev\/sda1/],
    [
      'unknown flag-like key for tmpfs',
      volume({ type: 'tmpfs', device: 'x', o: 'lowerdir=/etc' }),
      false,
      /lowerdir/,
    ],
    ['remount flag', volume({ type: 'tmpfs', device: 'x', o: 'remount' }), false, /remount/],
    ['shared propagation', volume({ type: 'none', o: 'bind,rshared', device: '/srv/x' }), false, /rshared/],
    ['option key the driver does not know', volume({ Device: '/etc', type: 'none' }), false, /"Device"/],
    [
      'nfs with a server device (not a host path)',
      volume({ type: 'nfs', device: ':/export', o: 'addr=10.0.0.1,vers=4' }),
      true,
      undefined,
    ],
    [
      'nfs option value that is a host path',
      volume({ type: 'nfs', device: ':/x', o: 'x=/etc' }),
      false,
      /\/etc/,
    ],
    [
      'Mounts[] overlay, no driver name',
      mount({ type: 'overlay', device: 'o', o: 'lowerdir=/etc' }),
      false,
      /\/etc/,
    ],
    ['Mounts[] bind via local', mount({ type: 'none', o: 'bind', device: '/etc' }, 'local'), false, /\/etc/],
    ['Mounts[] relative device', mount({ type: 'none', o: 'bind', device: 'x' }), false, /relative/],
    ['Mounts[] tmpfs', mount({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }), true, undefined],
  ];
  for (const [name, req, allow, msg, useStrict] of cases) {
    it(`${name} -> ${allow ? 'allow' : 'deny'}`, async () => {
      const d = await evaluate(useStrict === true ? strict : volPolicy, decodeRequest(req), resolver);
      assert.equal(d.allow, allow, d.msg);
      if (msg !== undefined) assert.match(d.msg, msg);
    });
  }
  it('overlay lowerdir lists split on unescaped colons', () => {
    assert.deepEqual(splitLowerdir('/a:/b\\:c::/d'), ['/a', '/b:c', '/d']);
  });
});

// Issue 9 items 3 and 4: checks that need the engine's view — joined namespaces resolved through it, bind sources
// re-checked (resolved) at start, and host trees another container can write.
describe('authz decoder: joined namespaces and bind sources that change after create', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bh-authz-start-'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const link = join(tmp, 'link');
  symlinkSync('/etc', link);
  const id = (c: string): string => c.repeat(64);
  const engineView = new StaticResolver(
    [
      { id: id('1'), names: ['hostns'], pidMode: 'host', ipcMode: 'host', networkMode: 'host' },
      { id: id('2'), names: ['joiner'], pidMode: 'container:hostns', networkMode: 'container:hostns' },
      { id: id('3'), names: ['web'], pidMode: '', ipcMode: 'shareable', networkMode: 'none' },
      { id: id('4'), names: ['writer'], hostMounts: [{ source: '/srv/bob', rw: true }] },
      { id: id('5'), names: ['reader'], hostMounts: [{ source: '/srv/ro', rw: false }] },
      { id: id('6'), names: ['linked'], networkMode: 'none', hostMounts: [{ source: link, rw: true }] },
      { id: id('7'), names: ['plain'], networkMode: 'none', hostMounts: [{ source: '/srv/data', rw: true }] },
      { id: id('8'), names: ['to-joiner'], pidMode: 'container:joiner' },
    ],
    [],
    new Map([['bobvol', '/srv/bob/vol']]),
  );
  const run = async (req: AuthzRequest): Promise<{ allow: boolean; msg: string }> =>
    evaluate(policy, decodeRequest(req), engineView);
  const create = (host: Record<string, unknown>): AuthzRequest =>
    createReq(JSON.stringify({ Image: 'busybox', HostConfig: host }));
  const cases: readonly (readonly [string, AuthzRequest, boolean, RegExp?])[] = [
    [
      '--pid container:X where X has --pid host',
      create({ PidMode: 'container:hostns' }),
      false,
      /host's pid/,
    ],
    [
      '--ipc container:X where X has --ipc host',
      create({ IpcMode: 'container:hostns' }),
      false,
      /host's ipc/,
    ],
    [
      '--network container:X (by id prefix)',
      create({ NetworkMode: `container:${id('1').slice(0, 12)}` }),
      false,
      /network/,
    ],
    [
      'a chain: container:joiner -> hostns',
      create({ PidMode: 'container:joiner' }),
      false,
      /joiner -> hostns/,
    ],
    [
      'a longer chain through to-joiner',
      create({ PidMode: 'container:to-joiner' }),
      false,
      /to-joiner -> joiner -> hostns/,
    ],
    ['X cannot be resolved', create({ NetworkMode: 'container:nope' }), false, /cannot be resolved/],
    [
      '--pid container:web (private namespaces)',
      create({ PidMode: 'container:web', IpcMode: 'container:web' }),
      true,
    ],
    [
      'a bind inside a tree writer can write',
      create({ Binds: ['/srv/bob/x:/x:ro'] }),
      false,
      /container writer can write/,
    ],
    [
      'a writable bind containing writer\u2019s source',
      create({ Binds: ['/srv:/srv'] }),
      false,
      /contains \/srv\/bob/,
    ],
    ['a read-only bind containing writer\u2019s source', create({ Binds: ['/srv:/srv:ro'] }), true],
    ['the same tree as writer', create({ Binds: ['/srv/bob:/b'] }), true],
    ['inside a read-only tree of reader', create({ Binds: ['/srv/ro/x:/x'] }), true],
    [
      'a --mount of a named volume that binds inside a writable tree',
      create({ Mounts: [{ Type: 'volume', Source: 'bobvol', Target: '/v' }] }),
      false,
      /\/srv\/bob\/vol lies inside \/srv\/bob/,
    ],
    [
      'start: a bind source that became a symlink to /etc after create',
      createReq('', { RequestUri: '/v1.41/containers/linked/start', RequestBody: '', RequestHeaders: {} }),
      false,
      /-> \/etc, which exposes sensitive path \/etc/,
    ],
    [
      'start: a container joining hostns',
      createReq('', { RequestUri: '/v1.41/containers/joiner/start', RequestBody: '', RequestHeaders: {} }),
      false,
      /host's pid/,
    ],
    [
      'start: a plain container',
      createReq('', { RequestUri: '/v1.41/containers/plain/start', RequestBody: '', RequestHeaders: {} }),
      true,
    ],
    [
      'start: writer itself (its own source is not "another container")',
      createReq('', { RequestUri: '/v1.41/containers/writer/start', RequestBody: '', RequestHeaders: {} }),
      true,
    ],
    [
      'start: no such container',
      createReq('', { RequestUri: '/v1.41/containers/ghost/start', RequestBody: '', RequestHeaders: {} }),
      false,
      /no such container/,
    ],
  ];
  for (const [name, req, allow, msg] of cases) {
    it(`${name} -> ${allow ? 'allow' : 'deny'}`, async () => {
      const d = await run(req);
      assert.equal(d.allow, allow, d.msg);
      if (msg !== undefined) assert.match(d.msg, msg);
    });
  }
});

// Issue 9 item 5: runc parses the exec user with strconv.Atoi, so a sign or leading zeros are still uid 0; the
// shared predicate (src/shared/user.ts) is applied at exec create and again at exec start.
describe('authz decoder: exec users as runc parses them', () => {
  const execView = new StaticResolver(
    [{ id: 'a'.repeat(64), names: ['web'] }],
    ['+0', '-0', '+0:+0', '00', '1000'].map((user, i) => ({
      id: `exec${i}`,
      containerId: 'a'.repeat(64),
      user,
      privileged: false,
    })),
  );
  for (const user of ['+0', '-0', '+0:+0', '00', '0:0', 'root', '000:1000']) {
    it(`exec create as ${JSON.stringify(user)} -> deny`, async () => {
      const req = createReq(JSON.stringify({ User: user, Cmd: ['sh'] }), {
        RequestUri: '/v1.41/containers/web/exec',
      });
      const d = await evaluate(policy, decodeRequest(req), execView);
      assert.equal(d.allow, false, d.msg);
      assert.match(d.msg, /exec as root/);
    });
  }
  for (const [i, user] of ['+0', '-0', '+0:+0', '00'].entries()) {
    it(`exec start of an exec created as ${JSON.stringify(user)} -> deny`, async () => {
      const req = createReq('{}', { RequestUri: `/v1.41/exec/exec${i}/start` });
      const d = await evaluate(
        parsePolicy(
          'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [exec_start]\n',
          'e.yaml',
        ),
        decodeRequest(req),
        execView,
      );
      assert.equal(d.allow, false, d.msg);
      assert.match(d.msg, /exec as root/);
    });
  }
  it('exec as uid 1000 (also signed) is allowed', async () => {
    for (const user of ['1000', '+1000:1000']) {
      const req = createReq(JSON.stringify({ User: user, Cmd: ['sh'] }), {
        RequestUri: '/v1.41/containers/web/exec',
      });
      assert.equal((await evaluate(policy, decodeRequest(req), execView)).allow, true, user);
    }
  });
});

// Issue 9 item 8: a TLS certificate without a CN, CgroupParent and OomScoreAdj.
describe('authz decoder: low-severity gaps', () => {
  const open = parsePolicy(
    `
version: 1
anonymous: { roles: [r] }
users:
  bob: { roles: [r] }
roles:
  r:
    - allow: ['@read-only', container_create]
constraints:
  default: {}
`,
    'open.yaml',
  );
  const tuned = parsePolicy(
    `
version: 1
anonymous: { roles: [r] }
roles:
  r:
    - allow: [container_create]
      constraints: tuned
constraints:
  tuned:
    cgroupParents: ['/bulkhead/*']
    oomScoreAdjMin: -500
`,
    'tuned.yaml',
  );
  it('a TLS client certificate without a CN is denied, not treated as anonymous', async () => {
    const d = await evaluate(
      open,
      decodeRequest({ RequestMethod: 'GET', RequestUri: '/v1.41/info', UserAuthNMethod: 'TLS' }),
      resolver,
    );
    assert.equal(d.allow, false);
    assert.match(d.msg, /TLS client certificate has no CN/);
    const anon = await evaluate(
      open,
      decodeRequest({ RequestMethod: 'GET', RequestUri: '/v1.41/info' }),
      resolver,
    );
    assert.equal(anon.allow, true, 'the unix socket (no AuthN method) is still anonymous');
  });
  const host = (h: Record<string, unknown>): AuthzRequest =>
    createReq(JSON.stringify({ Image: 'busybox', HostConfig: h }));
  const cases: readonly (readonly [string, Policy, AuthzRequest, boolean, RegExp?])[] = [
    ['CgroupParent "/" (the root cgroup)', open, host({ CgroupParent: '/' }), false, /root cgroup/],
    ['CgroupParent "system.slice"', open, host({ CgroupParent: 'system.slice' }), false, /CgroupParent/],
    ['CgroupParent allowed by the policy', tuned, host({ CgroupParent: '/bulkhead/a' }), true],
    ['CgroupParent outside the allowed ones', tuned, host({ CgroupParent: '/' }), false, /CgroupParent/],
    ['OomScoreAdj -1000', open, host({ OomScoreAdj: -1000 }), false, /never picks it/],
    ['OomScoreAdj -1 (below the default 0)', open, host({ OomScoreAdj: -1 }), false, /below 0/],
    ['OomScoreAdj 500', open, host({ OomScoreAdj: 500 }), true],
    ['OomScoreAdj -500 with oomScoreAdjMin -500', tuned, host({ OomScoreAdj: -500 }), true],
    ['OomScoreAdj as a string (dockerd refuses it)', open, host({ OomScoreAdj: '-1000' }), false],
    [
      'deprecated top-level OomScoreAdj',
      open,
      createReq('{"Image":"busybox","oomscoreadj":-1000}'),
      false,
      /OomScoreAdj/,
    ],
  ];
  for (const [name, p, req, allow, msg] of cases) {
    it(`${name} -> ${allow ? 'allow' : 'deny'}`, async () => {
      const d = await evaluate(p, decodeRequest(req), resolver);
      assert.equal(d.allow, allow, d.msg);
      if (msg !== undefined) assert.match(d.msg, msg);
    });
  }
});
