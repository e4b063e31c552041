// The audit rules reference (docs/rules/audit.md) as data for report/rules-doc.ts: one group per area, the CIS
// sections of both benchmark versions and what each rule needs (a host root, the Engine API) as columns.
import type { RulesDocument } from '../shared/rule.js';
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

export function auditRulesDocument(rules: readonly AuditRule[]): RulesDocument {
  return {
    title: 'Audit rules reference',
    source: 'src/audit/rules/',
    intro: [
      'Ids are stable and never reused. CIS columns give the section numbers of the CIS Docker Benchmark v1.6.0 and ' +
        'v1.8.0 (they differ: v1.8.0 inserted 2.7 "devicemapper" and 5.1 "swarm mode"); "-" means the benchmark has ' +
        'no such item. `--only` / `--skip` accept ids, id prefixes, areas and `CIS-1.6.0:5.4`-style sections.',
    ],
    columns: ['CIS 1.6.0', 'CIS 1.8.0', 'needs'],
    groups: AREAS.map((area) => ({
      heading: AREA_TITLES[area],
      entries: rules
        .filter((r) => r.area === area)
        .map(({ meta, needs }) => ({
          meta,
          cells: [
            cisSections(meta, '1.6.0').join(', ') || '-',
            cisSections(meta, '1.8.0').join(', ') || '-',
            NEEDS[needs],
          ],
          note: `needs ${NEEDS[needs]}`,
          blocks: [],
        })),
    })).filter((g) => g.entries.length > 0),
  };
}
