// BH-D-006: the aufs storage driver is not used (CIS 1.6.0 2.6, 1.8.0 2.6).
import { checkDaemon } from '../../check.js';
import { storageDriverVerdict } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase, engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('overlay2 passes', engineFacts(), 'pass', ['/info Driver=overlay2']),
  engineCase('aufs fails', info({ Driver: 'aufs' }), 'fail', ['/info Driver=aufs']),
  hostCase('--storage-driver aufs fails', { 'storage-driver': ['aufs'] }, undefined, 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-006',
    aliases: ['CIS-1.6.0:2.6', 'CIS-1.8.0:2.6'],
    severity: 'medium',
    title: 'The aufs storage driver is not used',
    rationale:
      'aufs is unmaintained, out of the mainline kernel and known for kernel crashes; Docker removed it in 24.0.',
    remediation: 'Switch to overlay2 ("storage-driver": "overlay2").',
    references: ['https://docs.docker.com/storage/storagedriver/select-storage-driver/'],
    docsUrl: 'docs/rules/audit.md#bh-d-006',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => storageDriverVerdict(ctx.facts, 'aufs')),
  cases,
};
