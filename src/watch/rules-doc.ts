// The runtime rules reference (docs/rules/watch.md) as data for report/rules-doc.ts: aliases (Falco, NeuVector
// names) as a column and each rule's case table (which cases fire).
import type { RulesDocument } from '../shared/rule.js';
import type { WatchRule } from './rule.js';

export function watchRulesDocument(rules: readonly WatchRule[]): RulesDocument {
  return {
    title: 'Runtime (watch) rules',
    source: 'src/watch/rules/',
    intro: ['Aliases are the Falco and NeuVector names of the same detection.'],
    columns: ['aliases'],
    groups: [
      {
        entries: rules.map(({ meta, cases }) => ({
          meta,
          cells: [meta.aliases.join(', ')],
          blocks: [{ kind: 'cases', cases: cases.map((c) => ({ name: c.name ?? '', fires: c.expect })) }],
        })),
      },
    ],
  };
}
