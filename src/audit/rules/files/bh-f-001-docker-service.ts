// BH-F-001: docker.service unit file is root-owned and 0644 or stricter (CIS 1.6.0 3.1 and 3.2, 1.8.0 3.1 and 3.2), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on(
    '0644 root passes',
    files(file('/lib/systemd/system/docker.service', 'docker.service unit file', 0o644)),
    'pass',
    [],
    'daemon',
  ),
  on(
    '0664 fails',
    files(file('/lib/systemd/system/docker.service', 'docker.service unit file', 0o664)),
    'fail',
    ['mode=0664'],
    'daemon',
  ),
  on(
    'absent is not applicable',
    files({ path: '/lib/systemd/system/docker.service', role: 'docker.service unit file', exists: false }),
    'not-applicable',
    [],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-001',
    aliases: ['CIS-1.6.0:3.1', 'CIS-1.6.0:3.2', 'CIS-1.8.0:3.1', 'CIS-1.8.0:3.2'],
    severity: 'medium',
    title: 'docker.service unit file is root-owned and 0644 or stricter',
    rationale:
      "The unit file holds dockerd's command line; whoever can edit it decides how the daemon runs at next start.",
    remediation: 'chown root:root and chmod 644 the docker.service unit file.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-001',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker.service unit file'],
      maxMode: 0o644,
      absent: 'no docker.service unit file (not a systemd host)',
      alwaysCollected: true,
    }),
  ),
  cases,
};
