// BH-F-009: daemon.json is root-owned and 0644 or stricter (CIS 1.6.0 3.17 and 3.18, 1.8.0 3.17 and 3.18), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on('0644 passes', files(file('/etc/docker/daemon.json', 'daemon.json', 0o644)), 'pass', [], 'daemon'),
  on(
    '0646 fails',
    files(file('/etc/docker/daemon.json', 'daemon.json', 0o646)),
    'fail',
    ['mode=0646'],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-009',
    aliases: ['CIS-1.6.0:3.17', 'CIS-1.6.0:3.18', 'CIS-1.8.0:3.17', 'CIS-1.8.0:3.18'],
    severity: 'medium',
    title: 'daemon.json is root-owned and 0644 or stricter',
    rationale:
      'daemon.json sets every daemon option (authorization plugins, userns-remap, seccomp); write access changes them all.',
    remediation: 'chown root:root and chmod 644 /etc/docker/daemon.json.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-009',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['daemon.json'],
      maxMode: 0o644,
      absent: 'daemon.json was not examined',
      alwaysCollected: true,
    }),
  ),
  cases,
};
