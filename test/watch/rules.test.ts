// The watch rules: the registry equals the directory listing in id order, ids are unique, every rule's case
// table passes and has a firing and a quiet row, and docs/rules/watch.md is current.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BASE_FACTS } from '../../src/watch/rule.js';
import { WATCH_RULES } from '../../src/watch/rules/index.js';

describe('watch rule registry', () => {
  it('equals the directory listing, in id order', () => {
    const files = readdirSync(join(import.meta.dirname, '..', '..', 'src', 'watch', 'rules'))
      .filter((f) => /^bh-w-\d{3}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
      .sort();
    assert.deepEqual(
      WATCH_RULES.map((r) => r.meta.id.toLowerCase()),
      files.map((f) => f.slice(0, 'bh-w-000'.length)),
    );
    assert.equal(new Set(WATCH_RULES.map((r) => r.meta.id)).size, WATCH_RULES.length);
  });
});

for (const rule of WATCH_RULES) {
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    it('has a firing and a quiet case', () => {
      assert.ok(rule.cases.some((c) => c.expect));
      assert.ok(rule.cases.some((c) => !c.expect));
    });
    for (const c of rule.cases) {
      it(c.name ?? JSON.stringify(c.input), () => {
        const out = rule.check({ ...BASE_FACTS, ...c.input });
        assert.equal(out !== undefined, c.expect, out);
      });
    }
  });
}
