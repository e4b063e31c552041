// docs/rules/audit.md must equal what the registry renders; BULKHEAD_UPDATE_DOCS=1 rewrites it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { renderRulesReference } from '../../src/audit/rules-doc.js';
import { AUDIT_RULES } from '../../src/audit/rules/index.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'rules', 'audit.md');

it('docs/rules/audit.md is up to date with the rule registry', async () => {
  // formatted as `prettier --write` would leave it, so formatting the repository never makes the doc stale
  const options = (await resolveConfig(DOC)) ?? {};
  const rendered = await format(renderRulesReference(AUDIT_RULES), { ...options, filepath: DOC });
  if (process.env['BULKHEAD_UPDATE_DOCS'] === '1') writeFileSync(DOC, rendered);
  let committed = '';
  try {
    committed = readFileSync(DOC, 'utf8');
  } catch {
    // missing: reported by the assertion below
  }
  assert.equal(
    committed,
    rendered,
    'docs/rules/audit.md is stale: run BULKHEAD_UPDATE_DOCS=1 node --import tsx --test test/audit/rules-doc.test.ts',
  );
});
