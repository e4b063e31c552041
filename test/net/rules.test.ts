// Network rules: the registry equals the directory listing, ids are unique, and every rule's case table holds.
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NET_RULES } from '../../src/net/rules/index.js';

describe('network rule registry', () => {
  it('lists exactly the bh-n-* files of the directory, in order, with ids matching file names', () => {
    const files = readdirSync(new URL('../../src/net/rules/', import.meta.url))
      .filter((f) => /^bh-n-\d{3}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
      .sort();
    assert.deepEqual(
      NET_RULES.map((r) => r.meta.id.toLowerCase()),
      files.map((f) => f.slice(0, 'bh-n-000'.length)),
    );
    assert.equal(new Set(NET_RULES.map((r) => r.meta.id)).size, NET_RULES.length);
  });
});

for (const rule of NET_RULES) {
  describe(rule.meta.id, () => {
    it('has an alerting and a quiet case', () => {
      assert.ok(rule.cases.some((c) => c.expect !== null));
      assert.ok(rule.cases.some((c) => c.expect === null));
    });
    for (const c of rule.cases) {
      it(c.name, () => {
        const out = rule.check(c.input);
        if (c.expect === null) assert.equal(out, undefined);
        else assert.ok(out?.message.includes(c.expect), `message: ${out?.message ?? '(none)'}`);
      });
    }
  });
}
