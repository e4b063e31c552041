// Image-configuration rules: the registry equals the rules directory, and every rule has failing and passing cases.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ImageFacts, SecretCandidate } from '../../src/image/types.js';
import type { ImageRule } from '../../src/scan/rule.js';
import { IMAGE_RULES } from '../../src/scan/rules/index.js';
import { assignmentsIn } from '../../src/scan/rules/bh-img-003-secret-history.js';
import { findPrivateKey, findToken, isSecretName, redactSecrets } from '../../src/image/secrets.js';

const RULES_DIR = join(import.meta.dirname, '..', '..', 'src', 'scan', 'rules');
const LAYER0 = { index: 0, digest: `sha256:${'a'.repeat(64)}`, createdBy: 'ADD rootfs.tar /' };
const LAYER1 = {
  index: 1,
  digest: `sha256:${'b'.repeat(64)}`,
  createdBy: '|1 NPM_TOKEN=npm_abcdefgh /bin/sh -c npm ci',
};

function facts(overrides: Partial<ImageFacts> & { user?: string; env?: string[] } = {}): ImageFacts {
  const { user = '1000', env = ['PATH=/usr/bin'], ...rest } = overrides;
  return {
    source: 'docker-archive',
    ref: 'test:latest',
    id: `sha256:${'c'.repeat(64)}`,
    os: { family: 'debian', id: 'debian', versionId: '12', evidence: 'etc/os-release' },
    config: { user, env, cmd: [], entrypoint: [], workingDir: '', labels: {}, exposedPorts: [] },
    history: [{ createdBy: LAYER0.createdBy, emptyLayer: false }],
    layers: [{ ...LAYER0, compression: 'none', uncompressedBytes: 0, entries: 0 }],
    packages: [],
    specialFiles: [],
    secretCandidates: [],
    passwd: 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\ntoor:x:0:0::/:/bin/sh\n',
    diagnostics: [],
    ...rest,
  };
}

const RSA_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
const candidate = (path: string, content: string, removedLater = false): SecretCandidate => ({
  path,
  content,
  layer: LAYER0,
  removedLater,
});

interface Case {
  readonly rule: string;
  readonly name: string;
  readonly facts: ImageFacts;
  /** Expected failing messages (substring match), in order; [] means the rule passes or does not apply. */
  readonly fails: readonly string[];
  readonly outcome?: 'pass' | 'skip' | 'not-applicable';
}

const { config: _config, id: _id, ...withoutImage } = facts();
const rootfs: ImageFacts = { ...withoutImage, source: 'rootfs', history: [], layers: [] };

const CASES: readonly Case[] = [
  { rule: 'BH-IMG-001', name: 'no USER', facts: facts({ user: '' }), fails: ['no USER set'] },
  {
    rule: 'BH-IMG-001',
    name: 'USER root',
    facts: facts({ user: 'root' }),
    fails: ['USER root is root'],
  },
  { rule: 'BH-IMG-001', name: 'USER 0:0', facts: facts({ user: '0:0' }), fails: ['USER 0:0 is root'] },
  { rule: 'BH-IMG-001', name: 'USER -0 (Atoi)', facts: facts({ user: '-0' }), fails: ['USER -0 is root'] },
  { rule: 'BH-IMG-001', name: 'USER 000', facts: facts({ user: '000' }), fails: ['USER 000 is root'] },
  {
    rule: 'BH-IMG-001',
    name: 'name with uid 0',
    facts: facts({ user: 'toor' }),
    fails: ['USER toor is root'],
  },
  { rule: 'BH-IMG-001', name: 'USER app', facts: facts({ user: 'app' }), fails: [], outcome: 'pass' },
  {
    rule: 'BH-IMG-001',
    name: 'numeric uid',
    facts: facts({ user: '10001:10001' }),
    fails: [],
    outcome: 'pass',
  },
  {
    rule: 'BH-IMG-001',
    name: 'unknown name',
    facts: facts({ user: 'ghost' }),
    fails: [],
    outcome: 'skip',
  },
  { rule: 'BH-IMG-001', name: 'rootfs', facts: rootfs, fails: [], outcome: 'not-applicable' },
  {
    rule: 'BH-IMG-002',
    name: 'password and AWS key',
    facts: facts({ env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter22', 'AWS_ID=AKIAIOSFODNN7EXAMPLE'] }),
    fails: ['ENV DB_PASSWORD looks like a secret', 'ENV AWS_ID holds a AWS access key id'],
  },
  {
    rule: 'BH-IMG-002',
    name: 'placeholders, _FILE and GPG_KEY are not secrets',
    facts: facts({
      env: [
        'DB_PASSWORD_FILE=/run/secrets/db',
        'API_TOKEN=',
        'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
        'SECRET=${SECRET}',
      ],
    }),
    fails: [],
    outcome: 'pass',
  },
  {
    rule: 'BH-IMG-003',
    name: 'build arg and ENV later unset',
    facts: facts({
      history: [
        { createdBy: 'ADD rootfs.tar /', emptyLayer: false },
        {
          createdBy: '/bin/sh -c #(nop)  ENV GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          emptyLayer: true,
        },
        { createdBy: LAYER1.createdBy, emptyLayer: false },
        { createdBy: 'RUN curl -u admin:s3cretpw https://example.com/x', emptyLayer: true },
      ],
      layers: [
        { ...LAYER0, compression: 'none', uncompressedBytes: 0, entries: 0 },
        { ...LAYER1, compression: 'none', uncompressedBytes: 0, entries: 0 },
      ],
    }),
    fails: ['history entry 1 records GITHUB_TOKEN=', 'history entry 2 records NPM_TOKEN='],
  },
  {
    rule: 'BH-IMG-003',
    name: 'URL credentials in RUN',
    facts: facts({
      history: [{ createdBy: 'RUN git clone https://bot:Zx81ab9q@git.example.com/r.git', emptyLayer: false }],
    }),
    fails: ['history entry 0 contains a credentials in URL'],
  },
  { rule: 'BH-IMG-003', name: 'clean history', facts: facts(), fails: [], outcome: 'pass' },
  {
    rule: 'BH-IMG-004',
    name: 'setuid and setgid',
    facts: facts({
      specialFiles: [
        { path: 'usr/bin/su', mode: 0o4755, uid: 0, gid: 0, layer: LAYER0 },
        { path: 'usr/bin/wall', mode: 0o2755, uid: 0, gid: 5, layer: LAYER0 },
      ],
    }),
    fails: ['setuid root file /usr/bin/su', 'setgid file /usr/bin/wall'],
  },
  { rule: 'BH-IMG-004', name: 'none', facts: facts(), fails: [], outcome: 'pass' },
  {
    rule: 'BH-IMG-005',
    name: 'key deleted later is still reported',
    facts: facts({ secretCandidates: [candidate('root/.ssh/id_rsa', RSA_KEY, true)] }),
    fails: ['RSA PRIVATE KEY /root/.ssh/id_rsa in layer 0, deleted later but still in that layer'],
  },
  {
    rule: 'BH-IMG-005',
    name: 'certificates are not keys',
    facts: facts({
      secretCandidates: [candidate('etc/ssl/certs/ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n')],
    }),
    fails: [],
    outcome: 'pass',
  },
  {
    rule: 'BH-IMG-006',
    name: 'docker config, npmrc and aws credentials',
    facts: facts({
      secretCandidates: [
        candidate('root/.docker/config.json', '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}'),
        candidate('app/.npmrc', '//registry.npmjs.org/:_authToken=npm_0123456789abcdef\n'),
        candidate(
          'root/.aws/credentials',
          '[default]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI\n',
        ),
      ],
    }),
    fails: [
      'registry credentials in /root/.docker/config.json',
      'npm registry token in /app/.npmrc',
      'AWS credentials in /root/.aws/credentials',
    ],
  },
  {
    rule: 'BH-IMG-006',
    name: 'empty templates are not credentials',
    facts: facts({
      secretCandidates: [
        candidate('root/.docker/config.json', '{"auths":{}}'),
        candidate('app/.npmrc', 'save-exact=true\n'),
      ],
    }),
    fails: [],
    outcome: 'pass',
  },
];

function ruleById(id: string): ImageRule {
  const rule = IMAGE_RULES.find((r) => r.meta.id === id);
  assert.ok(rule !== undefined, `rule ${id} is registered`);
  return rule;
}

describe('image rule registry', () => {
  it('equals the rules directory, one file per rule', async () => {
    const files = readdirSync(RULES_DIR).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'),
    );
    assert.equal(files.length, IMAGE_RULES.length);
    for (const file of files) {
      const mod: unknown = await import(join(RULES_DIR, file));
      const id = /^(bh-img-\d{3})-[a-z0-9-]+\.ts$/.exec(file)?.[1];
      assert.ok(id !== undefined, `${file} is named bh-img-NNN-<slug>.ts`);
      assert.ok(typeof mod === 'object' && mod !== null && 'rule' in mod, `${file} exports rule`);
      assert.ok(IMAGE_RULES.includes(mod.rule as ImageRule), `${file} is in the registry`);
      assert.equal((mod.rule as ImageRule).meta.id.toLowerCase(), id, `${file} holds its id`);
    }
  });

  it('has unique, stable-looking ids and complete metadata', () => {
    const ids = IMAGE_RULES.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const { meta } of IMAGE_RULES) {
      assert.match(meta.id, /^BH-IMG-\d{3}$/);
      assert.equal(meta.docsUrl, `docs/rules/scan.md#${meta.id.toLowerCase()}`);
      assert.ok(meta.title !== '' && meta.remediation !== '' && meta.references.length > 0, meta.id);
    }
  });

  it('every rule has failing and non-failing cases', () => {
    for (const { meta } of IMAGE_RULES) {
      const cases = CASES.filter((c) => c.rule === meta.id);
      assert.ok(
        cases.some((c) => c.fails.length > 0),
        `${meta.id} has a failing case`,
      );
      assert.ok(
        cases.some((c) => c.fails.length === 0),
        `${meta.id} has a passing case`,
      );
    }
  });
});

describe('image rules', () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name}`, () => {
      const findings = ruleById(c.rule).check(c.facts);
      const failing = findings.filter((f) => f.outcome.kind === 'fail');
      assert.equal(failing.length, c.fails.length, JSON.stringify(failing.map((f) => f.message)));
      c.fails.forEach((expected, i) => {
        assert.ok(
          failing[i]?.message.includes(expected),
          `${failing[i]?.message ?? '(none)'} includes ${expected}`,
        );
      });
      for (const f of findings) {
        assert.equal(f.ruleId, c.rule);
        assert.equal(f.target.kind, 'image');
        // secrets never appear in full
        assert.ok(!JSON.stringify(f).includes('hunter22') && !JSON.stringify(f).includes('s3cretpw'));
      }
      if (c.outcome !== undefined)
        assert.deepEqual(
          findings.map((f) => f.outcome.kind),
          [c.outcome],
        );
    });
  }

  it('attributes history findings to the layer of their entry', () => {
    const c = CASES.find((x) => x.name === 'build arg and ENV later unset');
    assert.ok(c !== undefined);
    const layers = ruleById('BH-IMG-003')
      .check(c.facts)
      .map((f) => (f.target.kind === 'image' ? f.target.layer?.index : undefined));
    assert.deepEqual(layers, [undefined, 1]);
  });
});

describe('secret recognisers', () => {
  const names: [string, boolean][] = [
    ['DB_PASSWORD', true],
    ['GITHUB_TOKEN', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['API_KEY', true],
    ['DB_PASSWORD_FILE', false],
    ['GPG_KEY', false],
    ['PWD', false],
    ['PASSENGER_VERSION', false],
  ];
  for (const [name, secret] of names) {
    it(`${name} ${secret ? 'is' : 'is not'} a secret name`, () => {
      assert.equal(isSecretName(name), secret);
    });
  }
  it('finds token formats', () => {
    assert.equal(findToken('key AKIAIOSFODNN7EXAMPLE here')?.kind, 'AWS access key id');
    assert.equal(findToken('https://user:${PASS}@host/'), undefined);
    assert.equal(findToken('plain text'), undefined);
  });
  it('recognises private keys and encryption', () => {
    assert.deepEqual(findPrivateKey(RSA_KEY), { type: 'RSA PRIVATE KEY', encrypted: false });
    assert.equal(findPrivateKey('-----BEGIN ENCRYPTED PRIVATE KEY-----\n')?.encrypted, true);
    assert.equal(findPrivateKey('-----BEGIN PUBLIC KEY-----\n'), undefined);
  });
  it('redacts secrets in history text and leaves the rest', () => {
    assert.equal(
      redactSecrets('|2 NPM_TOKEN=npm_s3cr3tvalue VERSION=1.2 /bin/sh -c npm ci'),
      '|2 NPM_TOKEN=npm**** VERSION=1.2 /bin/sh -c npm ci',
    );
    assert.equal(
      redactSecrets('/bin/sh -c git clone https://bot:Zx81ab9q@git.example.com/r.git'),
      '/bin/sh -c git clone https://bot:Zx****@git.example.com/r.git',
    );
    assert.equal(redactSecrets('/bin/sh -c apt-get update'), '/bin/sh -c apt-get update');
  });
  it('parses history assignments', () => {
    assert.deepEqual(assignmentsIn('|2 A=1 B=two /bin/sh -c make'), [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
    assert.deepEqual(assignmentsIn('/bin/sh -c #(nop)  ENV X="a b" Y=2'), [
      { name: 'X', value: 'a b' },
      { name: 'Y', value: '2' },
    ]);
    assert.deepEqual(assignmentsIn('ARG TOKEN=abc'), [{ name: 'TOKEN', value: 'abc' }]);
  });
});
