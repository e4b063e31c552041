// runAudit: rule errors become skips with a diagnostic, waivers match container names by glob and expire,
// severity overrides apply to findings and rule descriptors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditRule } from '../../src/audit/rule.js';
import { rule as privileged } from '../../src/audit/rules/container/bh-c-004-privileged.js';
import { runAudit } from '../../src/audit/run.js';
import { buildFacts, container } from '../../src/audit/cases/facts.js';

const facts = buildFacts({
  containers: [
    container('web-1', { Privileged: true }),
    container('web-2', { Privileged: true }),
    container('db', { Privileged: true }),
  ],
});

describe('runAudit', () => {
  it('reports a rule that throws as skip with a diagnostic, never as pass', () => {
    const broken: AuditRule = {
      ...privileged,
      meta: { ...privileged.meta, id: 'BH-C-999' },
      check: () => {
        throw new Error('boom');
      },
    };
    const result = runAudit(facts, {
      rules: [broken],
      settings: { trustedRegistries: [], allowedListeners: [] },
    });
    assert.equal(result.findings.length, 1);
    assert.deepEqual(result.findings[0]?.outcome, { kind: 'skip', reason: 'rule failed to evaluate: boom' });
    assert.equal(result.diagnostics[0]?.subject, 'BH-C-999');
  });

  it('waives by container-name glob only until the expiry day, and overrides severity', () => {
    const now = new Date('2026-06-30T23:59:00Z');
    const result = runAudit(facts, {
      rules: [privileged],
      settings: { trustedRegistries: [], allowedListeners: [] },
      waivers: [{ rule: 'BH-C-004', target: 'web-*', reason: 'lab', expires: '2026-06-30' }],
      severity: { 'BH-C-004': 'low' },
      now,
    });
    const byName = Object.fromEntries(
      result.findings.map((f) => [f.target.kind === 'container' ? f.target.name : '', f.outcome.kind]),
    );
    assert.deepEqual(byName, { 'web-1': 'skip', 'web-2': 'skip', db: 'fail' });
    assert.ok(result.findings.every((f) => f.severity === 'low'));
    assert.equal(result.rules[0]?.severity, 'low');
    const later = runAudit(facts, {
      rules: [privileged],
      settings: { trustedRegistries: [], allowedListeners: [] },
      waivers: [{ rule: 'BH-C-004', target: 'web-*', reason: 'lab', expires: '2026-06-30' }],
      now: new Date('2026-07-01T00:00:01Z'),
    });
    assert.ok(later.findings.every((f) => f.outcome.kind === 'fail'));
    assert.match(later.diagnostics[0]?.message ?? '', /expired on 2026-06-30/);
  });
});
