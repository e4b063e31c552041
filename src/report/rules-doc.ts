// The one renderer of the rules references (docs/rules/<family>.md): a family's RulesDocument (built from its
// rules' RuleMeta by src/<family>/rules-doc.ts) becomes Markdown, the same shape for every family;
// scripts/rule-docs.ts writes the files and test/rules/docs.test.ts fails when a committed one is stale.
import type { RulesDocument, RulesDocumentBlock, RulesDocumentEntry } from '../shared/rule.js';

/** A table cell: pipes escaped, on one line. */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function codes(items: readonly string[]): string {
  return items.map((a) => `\`${a}\``).join(', ');
}

function renderBlock(block: RulesDocumentBlock): string {
  switch (block.kind) {
    case 'example':
      // a fence longer than any backtick run in the code, so an example can never close it early
      return `${block.label}\n\n${fence(block.code)}${block.language}\n${block.code}\n${fence(block.code)}`;
    case 'cases':
      return [
        '| case | fires |',
        '|---|---|',
        ...block.cases.map((c) => `| ${markdownCell(c.name)} | ${c.fires ? 'yes' : 'no'} |`),
      ].join('\n');
    default:
      return block satisfies never;
  }
}

function fence(code: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

function ruleSection(entry: RulesDocumentEntry, level: string): string[] {
  const { meta } = entry;
  const out = [
    `${level} ${meta.id}`,
    '',
    `**${meta.title}** — severity \`${meta.severity}\`${entry.note === undefined ? '' : `; ${entry.note}`}`,
    '',
  ];
  if (meta.aliases.length > 0) out.push(`Aliases: ${codes(meta.aliases)}`, '');
  out.push(meta.rationale, '', `**Fix:** ${meta.remediation}`, '');
  for (const block of entry.blocks) out.push(renderBlock(block), '');
  if (meta.references.length > 0)
    out.push(`References: ${meta.references.map((r) => `<${r}>`).join(', ')}`, '');
  return out;
}

export function renderRulesDocument(doc: RulesDocument): string {
  const count = doc.groups.reduce((n, g) => n + g.entries.length, 0);
  const out: string[] = [
    `# ${doc.title}`,
    '',
    `<!-- Generated from ${doc.source} by scripts/rule-docs.ts; do not edit by hand. Regenerate with`,
    '     node --import tsx scripts/rule-docs.ts (test/rules/docs.test.ts fails when this file is stale). -->',
    '',
    `${count} rules.`,
    '',
  ];
  for (const paragraph of doc.intro) out.push(paragraph, '');
  const header = ['id', 'severity', 'title', ...doc.columns];
  for (const group of doc.groups) {
    if (group.heading !== undefined) out.push(`## ${group.heading}`, '');
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---|').join('')}`);
    for (const { meta, cells } of group.entries)
      out.push(
        `| ${[`[${meta.id}](#${meta.id.toLowerCase()})`, meta.severity, meta.title, ...cells].map(markdownCell).join(' | ')} |`,
      );
    out.push('');
    const level = group.heading === undefined ? '##' : '###';
    for (const entry of group.entries) out.push(...ruleSection(entry, level));
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
