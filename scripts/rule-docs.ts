// Writes docs/rules/<family>.md for every rule family from its registry's RuleMeta, through the one renderer
// (src/report/rules-doc.ts), formatted as `prettier --write` leaves Markdown: `node --import tsx scripts/rule-docs.ts`.
// test/rules/docs.test.ts renders the same and fails when a committed file differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { auditRulesDocument } from '../src/audit/rules-doc.js';
import { AUDIT_RULES } from '../src/audit/rules/index.js';
import { lintRulesDocument } from '../src/lint/rules-doc.js';
import { LINT_RULES } from '../src/lint/rules/index.js';
import { netRulesDocument } from '../src/net/rules-doc.js';
import { NET_RULES } from '../src/net/rules/index.js';
import { renderRulesDocument } from '../src/report/rules-doc.js';
import { scanRulesDocument } from '../src/scan/rules-doc.js';
import { IMAGE_RULES } from '../src/scan/rules/index.js';
import type { RuleMeta, RulesDocument } from '../src/shared/rule.js';
import { watchRulesDocument } from '../src/watch/rules-doc.js';
import { WATCH_RULES } from '../src/watch/rules/index.js';

export const RULES_DOCS_DIR = join(import.meta.dirname, '..', 'docs', 'rules');

export interface RuleFamily {
  readonly name: 'audit' | 'lint' | 'scan' | 'watch' | 'net';
  readonly metas: readonly RuleMeta[];
  readonly document: () => RulesDocument;
}

export const RULE_FAMILIES: readonly RuleFamily[] = [
  { name: 'audit', metas: AUDIT_RULES.map((r) => r.meta), document: () => auditRulesDocument(AUDIT_RULES) },
  { name: 'lint', metas: LINT_RULES.map((r) => r.meta), document: () => lintRulesDocument(LINT_RULES) },
  { name: 'scan', metas: IMAGE_RULES.map((r) => r.meta), document: () => scanRulesDocument(IMAGE_RULES) },
  { name: 'watch', metas: WATCH_RULES.map((r) => r.meta), document: () => watchRulesDocument(WATCH_RULES) },
  { name: 'net', metas: NET_RULES.map((r) => r.meta), document: () => netRulesDocument(NET_RULES) },
];

export function ruleDocPath(family: RuleFamily): string {
  return join(RULES_DOCS_DIR, `${family.name}.md`);
}

/** The family's reference as it must be committed: rendered, then formatted with the repository's prettier settings. */
export async function renderRuleDoc(family: RuleFamily): Promise<string> {
  const path = ruleDocPath(family);
  const options = (await resolveConfig(path)) ?? {};
  return format(renderRulesDocument(family.document()), { ...options, filepath: path });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const family of RULE_FAMILIES) {
    writeFileSync(ruleDocPath(family), await renderRuleDoc(family));
    process.stdout.write(`wrote ${ruleDocPath(family)} (${family.metas.length} rules)\n`);
  }
}
