// BH-C-025: the container does not share the host's user namespace (CIS 1.6.0 5.30, 1.8.0 5.31).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('default passes', container('web'), 'pass'),
  one('userns host fails', container('web', { UsernsMode: 'host' }), 'fail', ['HostConfig.UsernsMode=host']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-025',
    aliases: ['CIS-1.6.0:5.30', 'CIS-1.8.0:5.31'],
    severity: 'medium',
    title: "Container does not share the host's user namespace",
    rationale:
      "With --userns host a daemon running with userns-remap runs this container's root as real host root again.",
    remediation: "Drop --userns host so the daemon's user namespace remapping applies.",
    references: ['https://docs.docker.com/engine/reference/run/'],
    docsUrl: 'docs/rules/audit.md#bh-c-025',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const mode = c.HostConfig?.UsernsMode ?? '';
    if (mode === 'host')
      return fail("shares the host's user namespace", ev('HostConfig.UsernsMode', mode, 'not host'));
    return pass(
      mode === '' ? 'own user namespace' : `user namespace mode ${mode}`,
      ev('HostConfig.UsernsMode', mode === '' ? '(default)' : mode),
    );
  }),
  cases,
};
