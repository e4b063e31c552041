// BH-C-014: the container does not share the host's process namespace (CIS 1.6.0 5.15, 1.8.0 5.16).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('private passes', container('web'), 'pass'),
  one('pid host fails', container('web', { PidMode: 'host' }), 'fail', ['HostConfig.PidMode=host']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-014',
    aliases: ['CIS-1.6.0:5.15', 'CIS-1.8.0:5.16'],
    severity: 'high',
    title: "Container does not share the host's process namespace",
    rationale:
      'With --pid host the container sees every host process, their environment and /proc/PID/root; with SYS_PTRACE it can inject into them.',
    remediation: 'Drop --pid host.',
    references: ['https://docs.docker.com/engine/reference/run/'],
    docsUrl: 'docs/rules/audit.md#bh-c-014',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const mode = c.HostConfig?.PidMode ?? '';
    if (mode === 'host')
      return fail("shares the host's process namespace", ev('HostConfig.PidMode', mode, 'not host'));
    return pass(
      mode === '' ? 'own process namespace' : `process namespace mode ${mode}`,
      ev('HostConfig.PidMode', mode === '' ? '(default)' : mode),
    );
  }),
  cases,
};
