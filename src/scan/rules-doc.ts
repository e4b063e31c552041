// Renders the scan rules reference (docs/rules/scan.md) from the image-rule registry's RuleMeta, so the document
// cannot drift from the rules: test/rules/docs.test.ts fails when the committed file differs from this output.
import type { ImageRule } from './rule.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderRulesReference(rules: readonly ImageRule[]): string {
  const out: string[] = [
    '# Scan rules reference',
    '',
    '<!-- Generated from src/scan/rules by src/scan/rules-doc.ts; regenerate with',
    '     BULKHEAD_UPDATE_DOCS=1 node --import tsx --test test/rules/docs.test.ts -->',
    '',
    `${rules.length} image-configuration rules run by \`bulkhead scan\` (vulnerabilities come from the database, see`,
    '[../scan.md](../scan.md)). Ids are stable and never reused; former ids are aliases, so ignore files that name',
    'them keep working.',
    '',
    '| id | severity | title | aliases |',
    '|---|---|---|---|',
    ...rules.map(
      ({ meta: r }) =>
        `| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${cell(r.title)} | ${r.aliases.join(', ')} |`,
    ),
    '',
  ];
  for (const { meta: r } of rules) {
    out.push(`## ${r.id}`, '', `**${r.title}** (${r.severity})`, '');
    if (r.aliases.length > 0) out.push(`Aliases: ${r.aliases.map((a) => `\`${a}\``).join(', ')}`, '');
    out.push(`Why: ${r.rationale}`, '', `Fix: ${r.remediation}`, '');
    if (r.references.length > 0) out.push(`References: ${r.references.map((u) => `<${u}>`).join(', ')}`, '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
