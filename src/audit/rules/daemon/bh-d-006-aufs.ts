// BH-D-006: the aufs storage driver is not used (CIS 1.6.0 2.6, 1.8.0 2.6).
import { checkDaemon } from '../../check.js';
import { storageDriverVerdict } from '../../daemon-setting.js';
import type { AuditRule } from '../../rule.js';

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
};
