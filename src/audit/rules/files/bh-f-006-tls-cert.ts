// BH-F-006: TLS server certificate is root-owned and 0444 or stricter (CIS 1.6.0 3.11 and 3.12, 1.8.0 3.11 and 3.12), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on('0444 passes', files(file('/etc/docker/cert.pem', 'tlscert', 0o444)), 'pass', [], 'daemon'),
  on('0666 fails', files(file('/etc/docker/cert.pem', 'tlscert', 0o666)), 'fail', [], 'daemon'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-006',
    aliases: ['CIS-1.6.0:3.11', 'CIS-1.6.0:3.12', 'CIS-1.8.0:3.11', 'CIS-1.8.0:3.12'],
    severity: 'medium',
    title: 'TLS server certificate is root-owned and 0444 or stricter',
    rationale: "A writable server certificate lets the daemon's TLS identity be swapped.",
    remediation: 'chown root:root and chmod 444 the file named by --tlscert.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-006',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['tlscert'],
      maxMode: 0o444,
      absent: 'no --tlscert configured',
    }),
  ),
  cases,
};
