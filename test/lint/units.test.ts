// Table tests for the small parsers lint rules rely on: image references, chmod modes, secret names, globs, label
// values, trusted-registry matching and config parsing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLintConfig } from '../../src/lint/config.js';
import { globMatcher } from '../../src/lint/files.js';
import { labelValueProblem } from '../../src/lint/labels.js';
import { isTrusted } from '../../src/lint/rules/bh-df-003-untrusted-registry.js';
import { isSecretName, secretValueKind } from '../../src/lint/rules/bh-df-008-secret-in-arg-env-label.js';
import { credentialKind } from '../../src/lint/rules/bh-df-009-credential-file-copied.js';
import { isWorldWritable } from '../../src/lint/rules/bh-df-010-world-writable-permissions.js';
import { InputError } from '../../src/shared/errors.js';

describe('isTrusted', () => {
  const cases: [string, string[], boolean][] = [
    ['alpine', ['docker.io'], true],
    ['alpine', ['docker.io/library'], true],
    ['someone/alpine', ['docker.io/library'], false],
    ['registry.example.com/a/b', ['registry.example.com'], true],
    ['registry.example.com.evil.net/a', ['registry.example.com'], false],
    // hub.docker.com is Docker Hub's web site, not a registry (test/shared/image-ref.test.ts)
    ['alpine', ['hub.docker.com'], false],
    ['Busybox', ['registry.example.com'], true],
  ];
  for (const [image, trusted, expected] of cases)
    it(`${image} in ${trusted.join(',')}`, () => {
      assert.equal(isTrusted(image, trusted), expected);
    });
});

describe('isWorldWritable', () => {
  const cases: [string, boolean][] = [
    ['777', true],
    ['0666', true],
    ['1777', false],
    ['755', false],
    ['o+w', true],
    ['a+rwx', true],
    ['g+w', false],
    ['o-w', false],
    ['u=rwx,o=rwx', true],
    ['+t', false],
  ];
  for (const [mode, expected] of cases)
    it(mode, () => {
      assert.equal(isWorldWritable(mode), expected);
    });
});

describe('secret names and values', () => {
  const names: [string, boolean][] = [
    ['DB_PASSWORD', true],
    ['apiKey', true],
    ['GITHUB_TOKEN', true],
    ['POSTGRES_PASSWORD_FILE', false],
    ['GPG_KEY', false],
    ['PWD', false],
    ['TOKEN_URL', false],
    ['PASSENGER_VERSION', false],
    ['AWS_SECRET_ACCESS_KEY', true],
  ];
  for (const [name, expected] of names)
    it(name, () => {
      assert.equal(isSecretName(name), expected);
    });
  it('recognises credential-shaped values', () => {
    assert.equal(secretValueKind('AKIAABCDEFGHIJKLMNOP'), 'an AWS access key id');
    assert.equal(secretValueKind('https://u:p4ss@example.com/x'), 'a password in a URL');
    assert.equal(secretValueKind('https://u:${TOKEN}@example.com/x'), undefined);
    assert.equal(secretValueKind('https://example.com'), undefined);
  });
  it('recognises credential files', () => {
    assert.equal(credentialKind('/root/.ssh/id_ed25519'), 'an SSH private key');
    assert.equal(credentialKind('id_rsa.pub'), undefined);
    assert.equal(credentialKind('.docker/config.json'), 'registry credentials');
  });
});

describe('globMatcher', () => {
  const cases: [string, string, boolean][] = [
    ['*.Dockerfile', 'a.Dockerfile', true],
    ['*.Dockerfile', 'dir/a.Dockerfile', false],
    ['**/*.Dockerfile', 'dir/sub/a.Dockerfile', true],
    ['**/*.Dockerfile', 'a.Dockerfile', true],
    ['Dockerfile.?', 'Dockerfile.x', true],
    ['[ab].txt', 'c.txt', false],
    ['[!a].txt', 'b.txt', true],
    ['*.Dockerfile', '.hidden.Dockerfile', true],
    ['{a,b}/Dockerfile', 'b/Dockerfile', true],
  ];
  for (const [glob, path, expected] of cases)
    it(`${glob} ~ ${path}`, () => {
      assert.equal(globMatcher(glob)(path), expected);
    });
});

describe('label values', () => {
  it('checks each kind', () => {
    assert.equal(labelValueProblem('url', 'https://example.com'), undefined);
    assert.equal(labelValueProblem('url', 'example.com'), 'is not a URL');
    assert.equal(labelValueProblem('semver', '1.2.3-rc.1'), undefined);
    assert.equal(labelValueProblem('rfc3339', '2024-02-29T23:59:59+02:00'), undefined);
    assert.equal(labelValueProblem('email', 'Jane <jane@example.com>'), undefined);
    assert.equal(labelValueProblem('hash', 'zzz'), 'is not a git commit hash');
  });
});

describe('parseLintConfig', () => {
  it('merges hadolint keys', () => {
    const config = parseLintConfig(
      'ignored: [DL3008]\noverride:\n  warning: [DL3015]\nfailure-threshold: error\n',
      'c.yaml',
    );
    assert.deepEqual(config.ignore, ['DL3008']);
    assert.deepEqual(config.severity, { DL3015: 'medium' });
    assert.equal(config.failOn, 'high');
  });
  it('names line and column of a bad value', () => {
    assert.throws(
      () => parseLintConfig('trustedRegistries:\n  - ok\n  - 42\n', 'c.yaml'),
      (error: unknown) =>
        error instanceof InputError && error.message.startsWith('c.yaml:3:5: trustedRegistries.1'),
    );
  });
  it('accepts an empty file', () => {
    assert.deepEqual(parseLintConfig('', 'c.yaml').ignore, []);
  });
});
