// Renders the audit rules reference (docs/rules/audit.md) from the registry, so the document cannot drift
// from the rules: a test fails when the committed file differs from this output.
import { AREAS, cisSections, type Area, type AuditRule } from './rule.js';

const AREA_TITLES: Readonly<Record<Area, string>> = {
  host: 'Host (BH-H)',
  daemon: 'Daemon (BH-D)',
  files: 'Daemon files, CIS section 3 (BH-F)',
  container: 'Containers (BH-C)',
  image: 'Images in use (BH-I)',
};

const NEEDS: Readonly<Record<AuditRule['needs'], string>> = {
  host: 'host (--root)',
  engine: 'Engine API',
  both: 'host and Engine API',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderRulesReference(rules: readonly AuditRule[]): string {
  const out: string[] = [
    '# Audit rules reference',
    '',
    '<!-- Generated from src/audit/rules by src/audit/rules-doc.ts; regenerate with',
    '     BULKHEAD_UPDATE_DOCS=1 node --import tsx --test test/rules/docs.test.ts -->',
    '',
    `${rules.length} rules. Ids are stable and never reused. CIS columns give the section numbers of the CIS Docker`,
    'Benchmark v1.6.0 and v1.8.0 (they differ: v1.8.0 inserted 2.7 "devicemapper" and 5.1 "swarm mode"); "-" means the',
    'benchmark has no such item. `--only` / `--skip` accept ids, id prefixes, areas and `CIS-1.6.0:5.4`-style sections.',
    '',
  ];
  for (const area of AREAS) {
    const inArea = rules.filter((r) => r.area === area);
    if (inArea.length === 0) continue;
    out.push(
      `## ${AREA_TITLES[area]}`,
      '',
      '| id | CIS 1.6.0 | CIS 1.8.0 | severity | needs | title |',
      '|---|---|---|---|---|---|',
    );
    for (const { meta: r, needs } of inArea)
      out.push(
        `| [${r.id}](#${r.id.toLowerCase()}) | ${cisSections(r, '1.6.0').join(', ') || '-'} | ${cisSections(r, '1.8.0').join(', ') || '-'} | ${r.severity} | ${NEEDS[needs]} | ${cell(r.title)} |`,
      );
    out.push('');
    for (const { meta: r, needs } of inArea) {
      out.push(`### ${r.id}`, '', `**${r.title}** (${r.severity}; needs ${NEEDS[needs]})`, '');
      const { aliases } = r;
      if (aliases.length > 0) out.push(`Aliases: ${aliases.map((a) => `\`${a}\``).join(', ')}`, '');
      out.push(`Why: ${r.rationale}`, '', `Fix: ${r.remediation}`, '');
      if (r.references.length > 0)
        out.push(`References: ${r.references.map((u) => `<${u}>`).join(', ')}`, '');
    }
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
