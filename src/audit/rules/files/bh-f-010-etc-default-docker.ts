// BH-F-010: /etc/default/docker is root-owned and 0644 or stricter (CIS 1.6.0 3.19 and 3.20, 1.8.0 3.19 and 3.20), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on(
    '0644 passes',
    files(file('/etc/default/docker', 'docker environment file', 0o644)),
    'pass',
    [],
    'daemon',
  ),
  on(
    '0666 fails',
    files(file('/etc/default/docker', 'docker environment file', 0o666)),
    'fail',
    [],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-010',
    aliases: ['CIS-1.6.0:3.19', 'CIS-1.6.0:3.20', 'CIS-1.8.0:3.19', 'CIS-1.8.0:3.20'],
    severity: 'medium',
    title: '/etc/default/docker is root-owned and 0644 or stricter',
    rationale: 'The environment file feeds DOCKER_OPTS to the daemon on Debian-style init scripts.',
    remediation: 'chown root:root and chmod 644 /etc/default/docker.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-010',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker environment file'],
      maxMode: 0o644,
      pathFilter: (p) => p === '/etc/default/docker',
      absent: '/etc/default/docker was not examined',
      alwaysCollected: true,
    }),
  ),
  cases,
};
