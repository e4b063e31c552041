// Holds `bulkhead lint` to hadolint's own DL rule cases (test/lint/hadolint-cases.ts): at least 97% agreement, and
// every disagreement listed as deliberate, with its reason, in docs/lint.md ("Deliberate differences").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatParity, measureParity, parityCases } from './hadolint-parity.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'lint.md');

/** Case ids named in the deliberate-differences table; `DL3042-29 … DL3042-40` names a range. */
function documentedDifferences(): Set<string> {
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf('### Deliberate differences');
  assert.ok(start !== -1, 'docs/lint.md has no "Deliberate differences" section');
  const end = text.indexOf('\n## ', start);
  const ids = new Set<string>();
  for (const line of text.slice(start, end === -1 ? undefined : end).split('\n')) {
    const first = line.split('|')[1] ?? '';
    for (const range of first.matchAll(/(DL\d{4})-(\d+) … \1-(\d+)/g))
      for (let n = Number(range[2]); n <= Number(range[3]); n += 1) ids.add(`${range[1] ?? ''}-${String(n)}`);
    for (const one of first.matchAll(/DL\d{4}-\d+/g)) ids.add(one[0]);
  }
  return ids;
}

describe("agreement with hadolint's rule specs", () => {
  const result = measureParity();

  it('agrees on at least 97% of the default-configuration DL cases', () => {
    assert.equal(result.total, parityCases().length);
    assert.ok(result.total > 900, `only ${String(result.total)} cases in the table`);
    assert.ok(result.agreed / result.total >= 0.97, formatParity(result));
  });

  it('lists every disagreement as a deliberate difference in docs/lint.md', () => {
    const documented = documentedDifferences();
    const undocumented = result.disagreements.filter((d) => !documented.has(d.case.id));
    assert.deepEqual(
      undocumented.map((d) => d.case.id),
      [],
      formatParity({ ...result, disagreements: undocumented }),
    );
  });

  it('lists no deliberate difference that is no longer one', () => {
    const disagreeing = new Set(result.disagreements.map((d) => d.case.id));
    const stale = [...documentedDifferences()].filter((id) => !disagreeing.has(id));
    assert.deepEqual(stale, [], 'docs/lint.md lists cases bulkhead now agrees on: remove them');
  });
});
