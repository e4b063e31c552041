// BH-F-002: docker.socket unit file is root-owned and 0644 or stricter (CIS 1.6.0 3.3 and 3.4, 1.8.0 3.3 and 3.4), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on(
    '0644 passes',
    files(file('/lib/systemd/system/docker.socket', 'docker.socket unit file', 0o644)),
    'pass',
    [],
    'daemon',
  ),
  on(
    'owned by a user fails',
    files(
      file('/lib/systemd/system/docker.socket', 'docker.socket unit file', 0o644, 'alice', 'alice', 1000),
    ),
    'fail',
    ['owner=alice:alice'],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-002',
    aliases: ['CIS-1.6.0:3.3', 'CIS-1.6.0:3.4', 'CIS-1.8.0:3.3', 'CIS-1.8.0:3.4'],
    severity: 'medium',
    title: 'docker.socket unit file is root-owned and 0644 or stricter',
    rationale: "The socket unit sets the API socket's owner and mode; editing it opens the API to others.",
    remediation: 'chown root:root and chmod 644 the docker.socket unit file.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-002',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['docker.socket unit file'],
      maxMode: 0o644,
      absent: 'no docker.socket unit file',
      alwaysCollected: true,
    }),
  ),
  cases,
};
