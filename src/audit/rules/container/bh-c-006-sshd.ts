// BH-C-006: the container does not run sshd as its command (CIS 1.6.0 5.6, 1.8.0 5.7). bulkhead does not
// `docker exec` into containers, so it judges the command the container was started with.
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('sleep passes', container('web'), 'pass'),
  one('/usr/sbin/sshd -D fails', container('web', {}, { Path: '/usr/sbin/sshd', Args: ['-D'] }), 'fail', [
    'Path + Args=["/usr/sbin/sshd","-D"]',
  ]),
  one('sh -c "sshd -D" fails', container('web', {}, { Path: '/bin/sh', Args: ['-c', 'sshd -D'] }), 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-006',
    aliases: ['CIS-1.6.0:5.6', 'CIS-1.8.0:5.7'],
    severity: 'low',
    title: 'Container does not run sshd',
    rationale:
      'An SSH server in a container is another service to patch and another way in that bypasses docker exec auditing.',
    remediation: 'Remove sshd from the image; use docker exec for administration.',
    references: ['https://docs.docker.com/engine/reference/commandline/exec/'],
    docsUrl: 'docs/rules/audit.md#bh-c-006',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const command = [c.Path ?? '', ...(c.Args ?? [])];
    const words = command.flatMap((part) => part.split(/\s+/));
    const sshd = words.find((w) => /(^|\/)sshd$/.test(w) || /(^|\/)dropbear$/.test(w));
    if (sshd !== undefined) return fail(`container command starts ${sshd}`, ev('Path + Args', command));
    return pass(
      'command is not an SSH server (processes started later are not inspected: no docker exec)',
      ev('Path + Args', command),
    );
  }),
  cases,
};
