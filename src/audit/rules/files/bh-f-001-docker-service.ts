// BH-F-001: docker.service unit file is root-owned and 0644 or stricter (CIS 1.6.0 3.1 and 3.2, 1.8.0 3.1 and 3.2), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  id: 'BH-F-001',
  area: 'files',
  cis: { v160: ['3.1', '3.2'], v180: ['3.1', '3.2'] },
  severity: 'medium',
  title: 'docker.service unit file is root-owned and 0644 or stricter',
  rationale:
    "The unit file holds dockerd's command line; whoever can edit it decides how the daemon runs at next start.",
  remediation: 'chown root:root and chmod 644 the docker.service unit file.',
  references: ['https://docs.docker.com/engine/security/protect-access/'],
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker.service unit file'],
      maxMode: 0o644,
      absent: 'no docker.service unit file (not a systemd host)',
      alwaysCollected: true,
    }),
  ),
};
