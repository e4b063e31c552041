// The scan rules reference (docs/rules/scan.md) as data for report/rules-doc.ts: the image-configuration rules
// with their aliases (vulnerabilities come from the database, not from rules).
import type { RulesDocument } from '../shared/rule.js';
import type { ImageRule } from './rule.js';

export function scanRulesDocument(rules: readonly ImageRule[]): RulesDocument {
  return {
    title: 'Scan rules reference',
    source: 'src/scan/rules/',
    intro: [
      'Image-configuration rules run by `bulkhead scan` (vulnerabilities come from the database, see ' +
        '[../scan.md](../scan.md)). Ids are stable and never reused; former ids are aliases, so ignore files that ' +
        'name them keep working.',
    ],
    columns: ['aliases'],
    groups: [{ entries: rules.map(({ meta }) => ({ meta, cells: [meta.aliases.join(', ')], blocks: [] })) }],
  };
}
