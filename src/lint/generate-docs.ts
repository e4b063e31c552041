// Writes docs/rules/lint.md, the rules reference, from the rule registry:
// `node --import tsx src/lint/generate-docs.ts` (a test fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { LintRule } from './rule.js';
import { LINT_RULES } from './rules/index.js';

function codeBlock(code: string): string {
  return ['```dockerfile', code, '```'].join('\n');
}

export function renderRulesReference(rules: readonly LintRule[]): string {
  const out: string[] = [
    '# Dockerfile lint rules',
    '',
    'Generated from `src/lint/rules/` by `node --import tsx src/lint/generate-docs.ts`; do not edit by hand.',
    '',
    'Aliases are the equivalent hadolint (DLxxxx) and Trivy (DS-00xx) ids: `# hadolint ignore=DL3008` and',
    '`# bulkhead ignore=DS-0029` comments, and `ignore:` entries in the config, accept them.',
    '',
    '| id | severity | title | aliases |',
    '|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.meta.id}](#${r.meta.id.toLowerCase()}) | ${r.meta.severity} | ${r.meta.title} | ${r.meta.aliases.join(', ')} |`,
    ),
    '',
  ];
  for (const rule of rules) {
    const { meta } = rule;
    out.push(
      `## ${meta.id}`,
      '',
      `**${meta.title}** — severity \`${meta.severity}\`${meta.aliases.length > 0 ? `, aliases ${meta.aliases.map((a) => `\`${a}\``).join(', ')}` : ''}`,
      '',
    );
    out.push(meta.rationale, '', `**Fix:** ${meta.remediation}`, '');
    const invalid = rule.cases.invalid[0];
    const valid = rule.cases.valid[0];
    if (invalid !== undefined) out.push('Reported:', '', codeBlock(invalid.code), '');
    if (valid !== undefined)
      out.push('Not reported:', '', codeBlock(typeof valid === 'string' ? valid : valid.code), '');
    out.push(`References: ${meta.references.map((r) => `<${r}>`).join(', ')}`, '');
  }
  return out.join('\n');
}

export const RULES_REFERENCE_PATH = join(import.meta.dirname, '..', '..', 'docs', 'rules', 'lint.md');

/** The reference as committed: rendered, then formatted with the repository's prettier settings. */
export async function formatRulesReference(rules: readonly LintRule[]): Promise<string> {
  const options = (await resolveConfig(RULES_REFERENCE_PATH)) ?? {};
  return format(renderRulesReference(rules), { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = RULES_REFERENCE_PATH;
  writeFileSync(target, await formatRulesReference(LINT_RULES));
  process.stdout.write(`wrote ${target} (${LINT_RULES.length} rules)\n`);
}
