// BH-F-007: TLS server key is root-owned and 0400 (CIS 1.6.0 3.13 and 3.14, 1.8.0 3.13 and 3.14), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on('0400 passes', files(file('/etc/docker/key.pem', 'tlskey', 0o400)), 'pass', [], 'daemon'),
  on(
    '0440 fails',
    files(file('/etc/docker/key.pem', 'tlskey', 0o440)),
    'fail',
    ['key.pem mode=0440'],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-007',
    aliases: ['CIS-1.6.0:3.13', 'CIS-1.6.0:3.14', 'CIS-1.8.0:3.13', 'CIS-1.8.0:3.14'],
    severity: 'high',
    title: 'TLS server key is root-owned and 0400',
    rationale: 'Anyone who reads the server key can impersonate the daemon to its clients.',
    remediation: 'chown root:root and chmod 400 the file named by --tlskey.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-007',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['tlskey'],
      maxMode: 0o400,
      absent: 'no --tlskey configured',
    }),
  ),
  cases,
};
