// docs/rules/<family>.md must equal what each family's registry renders from its RuleMeta (lint's reference is
// checked by test/lint/rules.test.ts); BULKHEAD_UPDATE_DOCS=1 rewrites them.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { renderRulesReference as renderAudit } from '../../src/audit/rules-doc.js';
import { AUDIT_RULES } from '../../src/audit/rules/index.js';
import { renderRulesReference as renderScan } from '../../src/scan/rules-doc.js';
import { IMAGE_RULES } from '../../src/scan/rules/index.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'rules');

const FAMILIES: readonly [string, () => string][] = [
  ['audit', () => renderAudit(AUDIT_RULES)],
  ['scan', () => renderScan(IMAGE_RULES)],
];

for (const [family, render] of FAMILIES)
  it(`docs/rules/${family}.md is up to date with the rule registry`, async () => {
    const doc = join(DOCS, `${family}.md`);
    // formatted as `prettier --write` would leave it, so formatting the repository never makes the doc stale
    const options = (await resolveConfig(doc)) ?? {};
    const rendered = await format(render(), { ...options, filepath: doc });
    if (process.env['BULKHEAD_UPDATE_DOCS'] === '1') writeFileSync(doc, rendered);
    let committed = '';
    try {
      committed = readFileSync(doc, 'utf8');
    } catch {
      // missing: reported by the assertion below
    }
    assert.equal(
      committed,
      rendered,
      `docs/rules/${family}.md is stale: run BULKHEAD_UPDATE_DOCS=1 node --import tsx --test test/rules/docs.test.ts`,
    );
  });

it('gives every rule a docsUrl that points at its section of its family document', () => {
  for (const [family, metas] of [
    ['audit', AUDIT_RULES.map((r) => r.meta)],
    ['scan', IMAGE_RULES.map((r) => r.meta)],
  ] as const)
    for (const meta of metas) {
      const [path = '', anchor] = meta.docsUrl.split('#');
      assert.equal(anchor, meta.id.toLowerCase(), meta.id);
      // BH-IMG-001 runs in both families and is documented with scan
      assert.match(path, new RegExp(`^docs/rules/(${family}|scan)\\.md$`), meta.id);
      assert.ok(readFileSync(join(DOCS, '..', '..', path), 'utf8').includes(`## ${meta.id}`), meta.id);
    }
});
