// Runs every lint rule's own valid/invalid table, and checks the registry against the rules directory and the docs.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LINT_RULES } from '../../src/lint/rules/index.js';
import { formatFailures, runRuleTests } from '../../src/lint/tester.js';

const RULES_DIR = join(import.meta.dirname, '..', '..', 'src', 'lint', 'rules');

describe('lint rule registry', () => {
  it('lists exactly the rule files in src/lint/rules', () => {
    const files = readdirSync(RULES_DIR)
      .filter((f) => /^bh-df-\d{3}-[a-z0-9-]+\.ts$/.test(f))
      .map((f) => f.slice(0, 'bh-df-000'.length).toUpperCase())
      .sort();
    assert.deepEqual(LINT_RULES.map((r) => r.meta.id).sort(), files);
  });

  it('has unique ids and unique aliases', () => {
    const ids = LINT_RULES.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    const aliases = LINT_RULES.flatMap((r) => r.meta.aliases);
    assert.equal(
      new Set(aliases).size,
      aliases.length,
      `duplicate aliases: ${aliases.filter((a, i) => aliases.indexOf(a) !== i).join(', ')}`,
    );
    for (const id of ids) assert.match(id, /^BH-DF-\d{3}$/);
    for (const alias of aliases) assert.match(alias, /^(DL\d{4}|DS-\d{4}|CKV2?_DOCKER_\d+)$/);
  });

  it('gives every rule valid and invalid cases, a description, a remediation and a reference', () => {
    for (const rule of LINT_RULES) {
      assert.ok(rule.cases.valid.length > 0, `${rule.meta.id} has no valid cases`);
      assert.ok(rule.cases.invalid.length > 0, `${rule.meta.id} has no invalid cases`);
      assert.ok(rule.meta.rationale.length > 20, `${rule.meta.id} description`);
      assert.ok(rule.meta.remediation.length > 10, `${rule.meta.id} remediation`);
      assert.ok(rule.meta.references.length > 0, `${rule.meta.id} references`);
    }
  });
});

describe('lint rules: valid/invalid tables', () => {
  for (const rule of LINT_RULES) {
    it(`${rule.meta.id} ${rule.meta.title}`, () => {
      const failures = runRuleTests(rule);
      assert.equal(failures.length, 0, formatFailures(rule, failures));
    });
  }
});
