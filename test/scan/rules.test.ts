// Image-configuration rules: the registry equals the rules directory, and every rule has failing and passing cases.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ImageRule } from '../../src/scan/rule.js';
import { RSA_KEY } from '../../src/scan/cases.js';
import { IMAGE_RULES } from '../../src/scan/rules/index.js';
import { assignmentsIn } from '../../src/scan/rules/bh-img-003-secret-history.js';
import { findPrivateKey, findToken, isSecretName, redactSecrets } from '../../src/image/secrets.js';

const RULES_DIR = join(import.meta.dirname, '..', '..', 'src', 'scan', 'rules');

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
    for (const { meta, cases } of IMAGE_RULES) {
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
  for (const rule of IMAGE_RULES) {
    for (const c of rule.cases)
      it(`${rule.meta.id}: ${c.name}`, () => {
        const findings = rule.check(c.facts);
        const failing = findings.filter((f) => f.outcome.kind === 'fail');
        assert.equal(failing.length, c.fails.length, JSON.stringify(failing.map((f) => f.message)));
        c.fails.forEach((expected, i) => {
          assert.ok(
            failing[i]?.message.includes(expected),
            `${failing[i]?.message ?? '(none)'} includes ${expected}`,
          );
        });
        for (const f of findings) {
          assert.equal(f.ruleId, rule.meta.id);
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
    const rule = IMAGE_RULES.find((r) => r.meta.id === 'BH-IMG-003');
    const c = rule?.cases.find((x) => x.name === 'build arg and ENV later unset');
    assert.ok(rule !== undefined && c !== undefined);
    const layers = rule
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
