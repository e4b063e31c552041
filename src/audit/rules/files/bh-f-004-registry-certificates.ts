// BH-F-004: Registry certificates are root-owned and 0444 (keys 0400) or stricter (CIS 1.6.0 3.7 and 3.8, 1.8.0 3.7 and 3.8), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('none is not applicable', hostFacts(), 'not-applicable', [], 'daemon'),
  on(
    '0444 ca passes',
    files(file('/etc/docker/certs.d/r:5000/ca.crt', 'registry certificate', 0o444)),
    'pass',
    [],
    'daemon',
  ),
  on(
    '0444 client key fails (keys need 0400)',
    files(file('/etc/docker/certs.d/r:5000/client.key', 'registry certificate', 0o444)),
    'fail',
    ['client.key mode=0444'],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-004',
    aliases: ['CIS-1.6.0:3.7', 'CIS-1.6.0:3.8', 'CIS-1.8.0:3.7', 'CIS-1.8.0:3.8'],
    severity: 'medium',
    title: 'Registry certificates are root-owned and 0444 (keys 0400) or stricter',
    rationale:
      'Registry CA and client certificates decide which registries the daemon trusts; client keys must not be readable by others (CIS allows 0444 for every file, bulkhead asks 0400 for .key files).',
    remediation: 'chown root:root and chmod 444 the files under /etc/docker/certs.d (400 for *.key).',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-004',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['registry certificate'],
      maxMode: (path: string) => (path.endsWith('.key') ? 0o400 : 0o444),
      absent: 'no registry certificates under /etc/docker/certs.d',
    }),
  ),
  cases,
};
