// The audit config parser: the shipped example parses, and the accepted forms normalise as documented.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditConfigError, loadAuditConfig, parseAuditConfig } from '../../src/audit/config.js';
import { AUDIT_RULES } from '../../src/audit/rules/index.js';
import { globMatch } from '../../src/shared/glob.js';

describe('audit config', () => {
  it('parses examples/audit/bulkhead-audit.yaml', () => {
    const config = loadAuditConfig(
      join(import.meta.dirname, '../../examples/audit/bulkhead-audit.yaml'),
      AUDIT_RULES,
    );
    assert.deepEqual(config.trustedRegistries, ['docker.io', 'registry.example.com:5000']);
    assert.equal(config.waivers.length, 2);
    assert.equal(config.severity['BH-D-014'], 'info');
  });

  it('accepts an empty file and lower-case rule ids', () => {
    assert.deepEqual(parseAuditConfig('', 'c.yaml', AUDIT_RULES), {
      trustedRegistries: [],
      waivers: [],
      severity: {},
      allowedListeners: [],
    });
    const c = parseAuditConfig('waivers:\n  - rule: bh-c-004\n    reason: lab box\n', 'c.yaml', AUDIT_RULES);
    assert.equal(c.waivers[0]?.rule, 'BH-C-004');
  });

  it('rejects a top-level list with a position', () => {
    assert.throws(
      () => parseAuditConfig('- a\n- b\n', 'c.yaml', AUDIT_RULES),
      (e: unknown) => e instanceof AuditConfigError && e.code === 'CONFIG_INVALID' && e.position === '1:1',
    );
  });

  const globs: readonly [string, string, boolean][] = [
    ['web-*', 'web-1', true],
    ['web-*', 'api-1', false],
    ['web-?', 'web-12', false],
    ['registry.example.com/*', 'registry.example.com/app:1', true],
    ['a.b', 'axb', false],
  ];
  for (const [glob, name, want] of globs)
    it(`glob ${glob} ${want ? 'matches' : 'does not match'} ${name}`, () => {
      assert.equal(globMatch(glob, name), want);
    });
});
