// BH-F-005: TLS CA certificate is root-owned and 0444 or stricter (CIS 1.6.0 3.9 and 3.10, 1.8.0 3.9 and 3.10), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-005',
    aliases: ['CIS-1.6.0:3.9', 'CIS-1.6.0:3.10', 'CIS-1.8.0:3.9', 'CIS-1.8.0:3.10'],
    severity: 'medium',
    title: 'TLS CA certificate is root-owned and 0444 or stricter',
    rationale:
      'The CA file decides which client certificates may drive the daemon; replacing it grants API access.',
    remediation: 'chown root:root and chmod 444 the file named by --tlscacert.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-005',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['tlscacert'],
      maxMode: 0o444,
      absent: 'no --tlscacert configured',
    }),
  ),
};
