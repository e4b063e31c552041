// Policy semantics: identities (TLS users, groups, the anonymous identity), deny over allow, resource globs,
// constraint profiles (the safe default applies when none is named, `unrestricted` turns them off) and the
// validation errors users see, with line numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/authz/evaluate.js';
import { expandActions, parsePolicy } from '../../src/authz/policy.js';
import type { AuthzRequest } from '../../src/authz/protocol.js';
import { decodeRequest } from '../../src/authz/request.js';
import { StaticResolver } from '../../src/authz/resolver.js';

const resolver = new StaticResolver([
  { id: '1'.repeat(64), names: ['web-1'] },
  { id: '2'.repeat(64), names: ['db'] },
]);

const POLICY = `
version: 1
anonymous: { roles: [reader] }
users:
  alice: { roles: [web-ops] }
  bob: null
  carol: { roles: [admin] }
groups:
  devs: { members: [bob, alice], roles: [runner] }
roles:
  reader:
    - allow: ['@read-only']
  web-ops:
    - name: web
      allow: ['container_*']
      resources: ['web-*']
    - name: no-kill
      deny: [container_kill]
      message: ask the on-call
  runner:
    - allow: [container_create, volume_create]
  admin:
    - allow: ['@all']
      constraints: unrestricted
`;
const policy = parsePolicy(POLICY, 'semantics.yaml');

function req(method: string, uri: string, user?: string, body?: string): AuthzRequest {
  return {
    ...(user === undefined ? {} : { User: user, UserAuthNMethod: 'TLS' }),
    RequestMethod: method,
    RequestUri: uri,
    ...(body === undefined
      ? {}
      : {
          RequestBody: Buffer.from(body).toString('base64'),
          RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
        }),
  };
}

interface Case {
  readonly name: string;
  readonly req: AuthzRequest;
  readonly allow: boolean;
  readonly rule?: string;
  readonly msg?: RegExp;
}

const cases: readonly Case[] = [
  { name: 'anonymous reads', req: req('GET', '/v1.41/containers/json'), allow: true, rule: 'reader/#1' },
  {
    name: 'anonymous writes',
    req: req('POST', '/v1.41/containers/db/stop'),
    allow: false,
    rule: 'default-deny',
  },
  {
    name: 'alice stops web-1 (glob)',
    req: req('POST', '/containers/web-1/stop', 'alice'),
    allow: true,
    rule: 'web-ops/web',
  },
  { name: 'alice stops web-1 by id prefix', req: req('POST', '/containers/1111/stop', 'alice'), allow: true },
  { name: 'alice stops db', req: req('POST', '/containers/db/stop', 'alice'), allow: false },
  {
    name: 'deny wins over an earlier allow',
    req: req('POST', '/containers/web-1/kill', 'alice'),
    allow: false,
    rule: 'web-ops/no-kill',
    msg: /ask the on-call/,
  },
  {
    name: 'bob gets roles through his group only',
    req: req('POST', '/containers/create', 'bob', '{"Image":"busybox"}'),
    allow: true,
    rule: 'runner/#1',
  },
  {
    name: 'no constraints named: the safe default profile still applies',
    req: req('POST', '/containers/create', 'bob', '{"Image":"busybox","HostConfig":{"Privileged":true}}'),
    allow: false,
    rule: 'constraints:runner/#1',
  },
  {
    name: 'default profile: third-party volume drivers refused',
    req: req(
      'POST',
      '/volumes/create',
      'bob',
      '{"Name":"v","Driver":"local-persist","DriverOpts":{"mountpoint":"/etc"}}',
    ),
    allow: false,
    msg: /volume driver local-persist is not allowed/,
  },
  {
    name: 'default profile: a container naming a third-party driver is refused',
    req: req(
      'POST',
      '/containers/create',
      'bob',
      '{"Image":"busybox","HostConfig":{"VolumeDriver":"sshfs","Binds":["v:/v"]}}',
    ),
    allow: false,
    msg: /volume driver sshfs/,
  },
  {
    name: 'unrestricted: privileged allowed for the admin',
    req: req('POST', '/containers/create', 'carol', '{"Image":"busybox","HostConfig":{"Privileged":true}}'),
    allow: true,
    rule: 'admin/#1',
  },
  {
    name: 'a user in no role and no group',
    req: req('GET', '/_ping', 'dave'),
    allow: false,
    rule: 'identity',
  },
  { name: 'empty CN is not anonymous', req: req('GET', '/_ping', ''), allow: false, rule: 'identity' },
];

describe('authz policy semantics', () => {
  for (const tc of cases) {
    it(`${tc.name} -> ${tc.allow ? 'allow' : 'deny'}`, async () => {
      const d = await evaluate(policy, decodeRequest(tc.req), resolver);
      assert.equal(d.allow, tc.allow, d.msg);
      if (tc.rule !== undefined) assert.equal(d.rule, tc.rule);
      if (tc.msg !== undefined) assert.match(d.msg, tc.msg);
    });
  }

  it('action patterns expand to known actions', () => {
    assert.ok(expandActions('@read-only').every((a) => a.category === 'read'));
    assert.ok(expandActions('@read-only').some((a) => a.name === 'container_logs'));
    assert.ok(!expandActions('@read-only').some((a) => a.name === 'swarm_unlockkey'));
    assert.deepEqual(
      expandActions('volume_*').map((a) => a.name),
      ['volume_list', 'volume_inspect', 'volume_create', 'volume_delete', 'volume_prune'],
    );
    assert.deepEqual(expandActions('nope'), []);
  });
});

const invalid: readonly { readonly name: string; readonly text: string; readonly error: RegExp }[] = [
  {
    name: 'wrong version',
    text: 'version: 2\nroles: {}\n',
    error: /x\.yaml:1:10: version: Invalid input: expected 1/,
  },
  {
    name: 'rule with allow and deny',
    text: 'version: 1\nroles:\n  r:\n    - allow: [container_list]\n      deny: [container_list]\n',
    error: /x\.yaml:4:7: roles\.r\.0: a rule has exactly one of allow: or deny:/,
  },
  {
    name: 'unknown key (typo)',
    text: 'version: 1\nroles:\n  r:\n    - allow: [container_list]\n      resource: [web]\n',
    error: /x\.yaml:4:7: roles\.r\.0: Unrecognized key: "resource"/,
  },
  {
    name: 'unknown constraints profile',
    text: 'version: 1\nroles:\n  r:\n    - allow: [container_create]\n      constraints: strct\n',
    error: /x\.yaml:5:20: unknown constraints profile "strct"/,
  },
  {
    name: 'group member not a user',
    text: 'version: 1\ngroups:\n  g: { members: [eve] }\nroles: {}\n',
    error: /x\.yaml:3:18: member "eve" is not listed under users:/,
  },
  {
    name: 'relative sensitive path',
    text: 'version: 1\nroles: {}\nconstraints:\n  c:\n    sensitivePaths: [etc]\n',
    error: /x\.yaml:5:22: constraints\.c\.sensitivePaths\.0: must be an absolute path/,
  },
  {
    name: 'redefining unrestricted',
    text: 'version: 1\nroles: {}\nconstraints:\n  unrestricted: {}\n',
    error: /"unrestricted" is built in/,
  },
  {
    name: 'duplicate key',
    text: 'version: 1\nversion: 1\nroles: {}\n',
    error: /x\.yaml:2:1: invalid YAML: Map keys must be unique/,
  },
];

describe('authz policy validation', () => {
  for (const tc of invalid) {
    it(`rejects: ${tc.name}`, () => {
      assert.throws(
        () => parsePolicy(tc.text, 'x.yaml'),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, tc.error);
          return true;
        },
      );
    });
  }

  it('accepts a minimal policy', () => {
    assert.doesNotThrow(() => parsePolicy('version: 1\nroles: {}\n', 'min.yaml'));
  });
});

describe('authz policy: rule order', () => {
  it('a body the first rule cannot check does not stop a later unrestricted rule', async () => {
    const p = parsePolicy(
      'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_create]\n    - name: trusted\n      allow: [container_create]\n      constraints: unrestricted\n',
      'order.yaml',
    );
    const hidden: AuthzRequest = {
      RequestMethod: 'POST',
      RequestUri: '/v1.41/containers/create',
      RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': '2000000' },
    };
    const d = await evaluate(p, decodeRequest(hidden), resolver);
    assert.equal(d.allow, true);
    assert.equal(d.rule, 'r/trusted');
    const strict = parsePolicy(
      'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_create]\n',
      's.yaml',
    );
    const refused = await evaluate(strict, decodeRequest(hidden), resolver);
    assert.equal(refused.allow, false);
    assert.equal(refused.rule, 'request');
    assert.match(
      refused.msg,
      /the body cannot be checked: body of 2000000 bytes is over dockerd's 1 MiB authz limit/,
    );
  });
});

describe('authz policy: lookups only when needed', () => {
  it('rules without resource patterns decide without asking dockerd', async () => {
    const p = parsePolicy(
      'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_logs]\n',
      'lazy.yaml',
    );
    const down = {
      container: () => Promise.reject(new Error('dockerd is down')),
      exec: () => Promise.reject(new Error('dockerd is down')),
      mountsInUse: () => Promise.reject(new Error('dockerd is down')),
      volumeBinds: () => Promise.reject(new Error('dockerd is down')),
    };
    const logs = decodeRequest(req('GET', '/v1.41/containers/anything/logs'));
    assert.equal((await evaluate(p, logs, down)).allow, true);
    const withPattern = parsePolicy(
      "version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_logs]\n      resources: ['web*']\n",
      'eager.yaml',
    );
    const d = await evaluate(withPattern, logs, down);
    assert.equal(d.allow, false);
    assert.equal(d.rule, 'resolve');
    assert.match(
      d.msg,
      /denied <anonymous> container_logs on anything: cannot resolve the target: dockerd is down/,
    );
  });
});
