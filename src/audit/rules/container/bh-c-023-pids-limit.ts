// BH-C-023: the container has a PIDs limit (CIS 1.6.0 5.28, 1.8.0 5.29).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('unset fails', container('web'), 'fail', ['HostConfig.PidsLimit=(unset)']),
  one('-1 fails', container('web', { PidsLimit: -1 }), 'fail'),
  one('64 passes', container('web', { PidsLimit: 64 }), 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-023',
    aliases: ['CIS-1.6.0:5.28', 'CIS-1.8.0:5.29'],
    severity: 'medium',
    title: 'Container has a PIDs limit',
    rationale: 'Without --pids-limit a fork bomb in one container exhausts the host PID space.',
    remediation: 'Start with --pids-limit (e.g. 256).',
    references: ['https://docs.docker.com/engine/reference/commandline/run/#options'],
    docsUrl: 'docs/rules/audit.md#bh-c-023',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const limit = c.HostConfig?.PidsLimit ?? 0;
    return limit > 0
      ? pass(`PIDs limited to ${limit}`, ev('HostConfig.PidsLimit', String(limit)))
      : fail(
          'no PIDs limit',
          ev(
            'HostConfig.PidsLimit',
            c.HostConfig?.PidsLimit === undefined || c.HostConfig.PidsLimit === null
              ? '(unset)'
              : String(limit),
            '> 0',
          ),
        );
  }),
  cases,
};
