// BH-F-009: daemon.json is root-owned and 0644 or stricter (CIS 1.6.0 3.17 and 3.18, 1.8.0 3.17 and 3.18), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  id: 'BH-F-009',
  area: 'files',
  cis: { v160: ['3.17', '3.18'], v180: ['3.17', '3.18'] },
  severity: 'medium',
  title: 'daemon.json is root-owned and 0644 or stricter',
  rationale:
    'daemon.json sets every daemon option (authorization plugins, userns-remap, seccomp); write access changes them all.',
  remediation: 'chown root:root and chmod 644 /etc/docker/daemon.json.',
  references: ['https://docs.docker.com/engine/security/protect-access/'],
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['daemon.json'],
      maxMode: 0o644,
      absent: 'daemon.json was not examined',
      alwaysCollected: true,
    }),
  ),
};
