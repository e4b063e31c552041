// The network rules reference (docs/rules/net.md) as data for report/rules-doc.ts: aliases as a column and each
// rule's case table (which cases alert).
import type { RulesDocument } from '../shared/rule.js';
import type { NetRule } from './rules/context.js';

export function netRulesDocument(rules: readonly NetRule[]): RulesDocument {
  return {
    title: 'Network (watch net) rules',
    source: 'src/net/rules/',
    intro: ['How flows are observed, learned and enforced: [docs/net.md](../net.md).'],
    columns: ['aliases'],
    groups: [
      {
        entries: rules.map(({ meta, cases }) => ({
          meta,
          cells: [meta.aliases.join(', ')],
          blocks: [{ kind: 'cases', cases: cases.map((c) => ({ name: c.name, fires: c.expect !== null })) }],
        })),
      },
    ],
  };
}
