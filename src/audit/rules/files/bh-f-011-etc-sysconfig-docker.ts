// BH-F-011: /etc/sysconfig/docker is root-owned and 0644 or stricter (CIS 1.6.0 3.21 and 3.22, 1.8.0 3.21 and 3.22), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on(
    'absent is not applicable',
    files({ path: '/etc/sysconfig/docker', role: 'docker environment file', exists: false }),
    'not-applicable',
    [],
    'daemon',
  ),
  on(
    '0660 fails',
    files(file('/etc/sysconfig/docker', 'docker environment file', 0o660)),
    'fail',
    [],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-011',
    aliases: ['CIS-1.6.0:3.21', 'CIS-1.6.0:3.22', 'CIS-1.8.0:3.21', 'CIS-1.8.0:3.22'],
    severity: 'medium',
    title: '/etc/sysconfig/docker is root-owned and 0644 or stricter',
    rationale: 'The environment file feeds OPTIONS to the daemon on Red Hat-style systems.',
    remediation: 'chown root:root and chmod 644 /etc/sysconfig/docker.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-011',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker environment file'],
      maxMode: 0o644,
      pathFilter: (p) => p === '/etc/sysconfig/docker',
      absent: '/etc/sysconfig/docker was not examined',
      alwaysCollected: true,
    }),
  ),
  cases,
};
