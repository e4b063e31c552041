// docs/rules/<family>.md, for every rule family, is what scripts/rule-docs.ts renders from the family's RuleMeta
// through the one renderer (src/report/rules-doc.ts), and every rule's docsUrl points at its own section.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderRulesDocument } from '../../src/report/rules-doc.js';
import type { RuleMeta } from '../../src/shared/rule.js';
import { renderRuleDoc, RULE_FAMILIES, ruleDocPath, RULES_DOCS_DIR } from '../../scripts/rule-docs.js';

const ROOT = join(RULES_DOCS_DIR, '..', '..');

for (const family of RULE_FAMILIES)
  describe(`docs/rules/${family.name}.md`, () => {
    it('is up to date with the rule registry', async () => {
      let committed = '';
      try {
        committed = readFileSync(ruleDocPath(family), 'utf8');
      } catch {
        // missing: reported by the assertion below
      }
      assert.equal(
        committed,
        await renderRuleDoc(family),
        `docs/rules/${family.name}.md is stale: run node --import tsx scripts/rule-docs.ts`,
      );
    });

    it('has a section for every rule, which its docsUrl names', () => {
      const doc = readFileSync(ruleDocPath(family), 'utf8');
      for (const meta of family.metas) {
        assert.match(doc, new RegExp(`^#{2,3} ${meta.id}$`, 'm'), meta.id);
        const [path = '', anchor] = meta.docsUrl.split('#');
        assert.equal(anchor, meta.id.toLowerCase(), meta.id);
        // BH-IMG-001 runs in audit and scan and is documented with scan
        const home = meta.id === 'BH-IMG-001' ? 'scan' : family.name;
        assert.equal(path, `docs/rules/${home}.md`, meta.id);
        assert.ok(readFileSync(join(ROOT, path), 'utf8').includes(` ${meta.id}\n`), meta.id);
      }
    });
  });

describe('the rules-document renderer', () => {
  const meta: RuleMeta = {
    id: 'BH-X-001',
    aliases: ['A|B'],
    severity: 'high',
    title: 'A | title',
    rationale: 'Why.',
    remediation: 'Fix.',
    references: ['https://example.com/x'],
    docsUrl: 'docs/rules/x.md#bh-x-001',
  };

  it('escapes table cells and fences examples longer than any backtick run in them', () => {
    const text = renderRulesDocument({
      title: 'X',
      source: 'src/x/',
      intro: [],
      columns: ['aliases'],
      groups: [
        {
          entries: [
            {
              meta,
              cells: ['A|B'],
              blocks: [
                { kind: 'example', label: 'Reported:', language: 'dockerfile', code: 'RUN echo ```' },
                { kind: 'cases', cases: [{ name: 'a | b', fires: true }] },
              ],
            },
          ],
        },
      ],
    });
    assert.ok(text.includes('| [BH-X-001](#bh-x-001) | high | A \\| title | A\\|B |'), text);
    assert.ok(text.includes('````dockerfile\nRUN echo ```\n````'), text);
    assert.ok(text.includes('| a \\| b | yes |'), text);
    assert.ok(text.startsWith('# X\n\n<!-- Generated from src/x/ by scripts/rule-docs.ts'), text);
  });
});
