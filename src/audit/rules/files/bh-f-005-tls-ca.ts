// BH-F-005: TLS CA certificate is root-owned and 0444 or stricter (CIS 1.6.0 3.9 and 3.10, 1.8.0 3.9 and 3.10), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('not configured is not applicable', hostFacts(), 'not-applicable', [], 'daemon'),
  on('0644 fails', files(file('/etc/docker/ca.pem', 'tlscacert', 0o644)), 'fail', [], 'daemon'),
  on('0444 passes', files(file('/etc/docker/ca.pem', 'tlscacert', 0o444)), 'pass', [], 'daemon'),
];

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
  cases,
};
