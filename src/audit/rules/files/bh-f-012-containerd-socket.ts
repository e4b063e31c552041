// BH-F-012: containerd socket is root-owned and 0660 or stricter (CIS 1.6.0 3.23 and 3.24, 1.8.0 3.23 and 3.24), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, file, files } from '../../cases/host.js';

const cases: readonly AuditCase[] = [
  on(
    '0660 root passes',
    files(file('/run/containerd/containerd.sock', 'containerd socket', 0o660)),
    'pass',
    [],
    'daemon',
  ),
  on(
    '0666 fails',
    files(file('/run/containerd/containerd.sock', 'containerd socket', 0o666)),
    'fail',
    [],
    'daemon',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-F-012',
    aliases: ['CIS-1.6.0:3.23', 'CIS-1.6.0:3.24', 'CIS-1.8.0:3.23', 'CIS-1.8.0:3.24'],
    severity: 'high',
    title: 'containerd socket is root-owned and 0660 or stricter',
    rationale:
      "containerd's API can start containers below Docker's view (and below any authorization plugin).",
    remediation: 'chown root:root and chmod 660 /run/containerd/containerd.sock.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-f-012',
  },
  area: 'files',
  needs: 'host',
  check: checkDaemon((ctx) =>
    fileVerdict(ctx, {
      roles: ['containerd socket'],
      maxMode: 0o660,
      absent: 'no containerd socket was examined',
      alwaysCollected: true,
    }),
  ),
  cases,
};
