// Writes docs/rules/net.md, the network rules reference, from the registry:
// `node --import tsx src/net/generate-docs.ts` (rules.test.ts fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { NetRule } from './rules/context.js';
import { NET_RULES } from './rules/index.js';

export function renderNetRules(rules: readonly NetRule[]): string {
  const out: string[] = [
    '# Network (watch net) rules',
    '',
    'Generated from `src/net/rules/` by `node --import tsx src/net/generate-docs.ts`; do not edit by hand.',
    'How flows are observed, learned and enforced: [docs/net.md](../net.md).',
    '',
    '| id | severity | title | aliases |',
    '|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.meta.id}](#${r.meta.id.toLowerCase()}) | ${r.meta.severity} | ${r.meta.title} | ${r.meta.aliases.join(', ')} |`,
    ),
    '',
  ];
  for (const { meta, cases } of rules) {
    out.push(`## ${meta.id}`, '', `**${meta.title}** — severity \`${meta.severity}\``, '');
    if (meta.aliases.length > 0) out.push(`Aliases: ${meta.aliases.map((a) => `\`${a}\``).join(', ')}`, '');
    out.push(meta.rationale, '', `**Fix:** ${meta.remediation}`, '');
    out.push(
      '| case | fires |',
      '|---|---|',
      ...cases.map((c) => `| ${c.name} | ${c.expect === null ? 'no' : 'yes'} |`),
      '',
    );
    out.push(`References: ${meta.references.map((r) => `<${r}>`).join(', ')}`, '');
  }
  return out.join('\n');
}

export const NET_RULES_DOC = join(import.meta.dirname, '..', '..', 'docs', 'rules', 'net.md');

export async function formatNetRules(rules: readonly NetRule[]): Promise<string> {
  const options = (await resolveConfig(NET_RULES_DOC)) ?? {};
  return format(renderNetRules(rules), { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(NET_RULES_DOC, await formatNetRules(NET_RULES));
}
