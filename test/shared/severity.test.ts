import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareSeverityDesc,
  isAtLeast,
  parseSeverity,
  SEVERITIES,
  type Severity,
} from '../../src/shared/severity.js';

describe('severity', () => {
  const cases: readonly { severity: Severity; threshold: Severity; expected: boolean }[] = [
    { severity: 'critical', threshold: 'high', expected: true },
    { severity: 'high', threshold: 'high', expected: true },
    { severity: 'medium', threshold: 'high', expected: false },
    { severity: 'info', threshold: 'low', expected: false },
    { severity: 'low', threshold: 'info', expected: true },
  ];
  for (const c of cases) {
    it(`${c.severity} at least ${c.threshold} is ${c.expected}`, () => {
      assert.equal(isAtLeast(c.severity, c.threshold), c.expected);
    });
  }
  it('parses case-insensitively and rejects unknown names', () => {
    assert.equal(parseSeverity(' HIGH '), 'high');
    assert.equal(parseSeverity('severe'), undefined);
  });
  it('sorts most severe first', () => {
    assert.deepEqual([...SEVERITIES].reverse().sort(compareSeverityDesc), [...SEVERITIES]);
  });
});
