// Writes docs/rules/watch.md, the runtime rules reference, from the registry:
// `node --import tsx src/watch/generate-docs.ts` (a test fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { WatchRule } from './rule.js';
import { WATCH_RULES } from './rules/index.js';

export function renderWatchRules(rules: readonly WatchRule[]): string {
  const out: string[] = [
    '# Runtime (watch) rules',
    '',
    'Generated from `src/watch/rules/` by `node --import tsx src/watch/generate-docs.ts`; do not edit by hand.',
    '',
    'Aliases are the Falco and NeuVector names of the same detection.',
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
      ...cases.map((c) => `| ${c.name ?? ''} | ${c.expect ? 'yes' : 'no'} |`),
      '',
    );
    out.push(`References: ${meta.references.map((r) => `<${r}>`).join(', ')}`, '');
  }
  return out.join('\n');
}

export const WATCH_RULES_DOC = join(import.meta.dirname, '..', '..', 'docs', 'rules', 'watch.md');

export async function formatWatchRules(rules: readonly WatchRule[]): Promise<string> {
  const options = (await resolveConfig(WATCH_RULES_DOC)) ?? {};
  return format(renderWatchRules(rules), { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(WATCH_RULES_DOC, await formatWatchRules(WATCH_RULES));
}
