// BH-D-007: the devicemapper storage driver is not used (CIS 1.8.0 2.7; not in 1.6.0).
import { checkDaemon } from '../../check.js';
import { storageDriverVerdict } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('overlay2 passes', engineFacts(), 'pass'),
  engineCase('devicemapper fails', info({ Driver: 'devicemapper' }), 'fail', ['/info Driver=devicemapper']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-007',
    aliases: ['CIS-1.8.0:2.7'],
    severity: 'low',
    title: 'The devicemapper storage driver is not used',
    rationale:
      'devicemapper is deprecated (removed in Docker 25) and its loop-lvm mode is slow and fragile under load.',
    remediation: 'Switch to overlay2 ("storage-driver": "overlay2").',
    references: ['https://docs.docker.com/storage/storagedriver/select-storage-driver/'],
    docsUrl: 'docs/rules/audit.md#bh-d-007',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => storageDriverVerdict(ctx.facts, 'devicemapper')),
  cases,
};
