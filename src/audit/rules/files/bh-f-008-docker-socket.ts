// BH-F-008: Docker socket is root:docker and 0660 or stricter (CIS 1.6.0 3.15 and 3.16, 1.8.0 3.15 and 3.16), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditRule } from '../../rule.js';
import { dockerSocketGroups } from '../../daemon-facts.js';

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-008',
    aliases: ['CIS-1.6.0:3.15', 'CIS-1.6.0:3.16', 'CIS-1.8.0:3.15', 'CIS-1.8.0:3.16'],
    severity: 'critical',
    title: 'Docker socket is root:docker and 0660 or stricter',
    rationale:
      'The API socket is root on the host: any user or group with write access (0666, 0606) can run privileged containers.',
    remediation:
      'chown root:docker and chmod 660 the socket (set "group" in daemon.json or SocketGroup in docker.socket).',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-008',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker socket in use', 'docker socket'],
      maxMode: 0o660,
      groups: dockerSocketGroups,
      absent: 'no Docker socket was examined',
      alwaysCollected: true,
    }),
  ),
};
