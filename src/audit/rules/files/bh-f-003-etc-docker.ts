// BH-F-003: /etc/docker is root-owned and 0755 or stricter (CIS 1.6.0 3.5 and 3.6, 1.8.0 3.5 and 3.6), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on('0755 passes', files(file('/etc/docker', 'docker config directory', 0o755)), 'pass', [], 'daemon'),
  on('0775 fails', files(file('/etc/docker', 'docker config directory', 0o775)), 'fail', [], 'daemon'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-003',
    aliases: ['CIS-1.6.0:3.5', 'CIS-1.6.0:3.6', 'CIS-1.8.0:3.5', 'CIS-1.8.0:3.6'],
    severity: 'medium',
    title: '/etc/docker is root-owned and 0755 or stricter',
    rationale:
      "/etc/docker holds daemon.json, TLS keys and registry certificates; write access there changes the daemon's trust.",
    remediation: 'chown root:root /etc/docker && chmod 755 /etc/docker.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-003',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker config directory'],
      maxMode: 0o755,
      absent: '/etc/docker was not examined',
      alwaysCollected: true,
    }),
  ),
  cases,
};
