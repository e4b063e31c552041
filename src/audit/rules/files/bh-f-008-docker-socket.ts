// BH-F-008: Docker socket is root:docker and 0660 or stricter (CIS 1.6.0 3.15 and 3.16, 1.8.0 3.15 and 3.16), modes compared by bit mask.
import { checkDaemon } from '../../check.js';
import { fileVerdict } from '../../file-rule.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { dockerSocketGroups } from '../../daemon-facts.js';
import { on, file, files, SOCK } from '../../cases/host.js';
import { buildFacts, daemonHost, hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on(
    '0660 root:docker passes',
    files(file('/run/docker.sock', SOCK, 0o660, 'root', 'docker', 998)),
    'pass',
    ['owner=root:docker'],
    'daemon',
  ),
  on(
    '0666 fails (world-accessible)',
    files(file('/run/docker.sock', SOCK, 0o666, 'root', 'docker', 998)),
    'fail',
    ['/run/docker.sock mode=0666'],
    'daemon',
  ),
  on(
    '0606 fails (world-accessible; 606 < 660 as decimals)',
    files(file('/run/docker.sock', SOCK, 0o606, 'root', 'docker', 998)),
    'fail',
    ['mode=0606'],
    'daemon',
  ),
  on('0600 passes', files(file('/run/docker.sock', SOCK, 0o600)), 'pass', [], 'daemon'),
  on(
    'group staff fails',
    files(file('/run/docker.sock', SOCK, 0o660, 'root', 'staff', 50)),
    'fail',
    ['owner=root:staff'],
    'daemon',
  ),
  {
    name: 'configured --group passes',
    facts: buildFacts({
      engine: null,
      host: {
        ...daemonHost({ group: ['ops'] }),
        files: [file('/run/docker.sock', SOCK, 0o660, 'root', 'ops', 60)],
      },
    }),
    expect: [{ target: 'daemon', outcome: 'pass' }],
  },
  on(
    'unreadable skips',
    files({ path: '/run/docker.sock', role: SOCK, exists: false, error: 'EACCES' }),
    'skip',
    [],
    'daemon',
  ),
  on('not collected at all skips (host facts incomplete)', hostFacts(), 'skip', [], 'daemon'),
];

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
  cases,
};
