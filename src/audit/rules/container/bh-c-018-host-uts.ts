// BH-C-018: the container does not share the host's UTS namespace (CIS 1.6.0 5.20, 1.8.0 5.21).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('private passes', container('web'), 'pass'),
  one('uts host fails', container('web', { UTSMode: 'host' }), 'fail', ['HostConfig.UTSMode=host']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-018',
    aliases: ['CIS-1.6.0:5.20', 'CIS-1.8.0:5.21'],
    severity: 'medium',
    title: "Container does not share the host's UTS namespace",
    rationale: "With --uts host the container can change the host's hostname and domain name.",
    remediation: 'Drop --uts host.',
    references: ['https://docs.docker.com/engine/reference/run/'],
    docsUrl: 'docs/rules/audit.md#bh-c-018',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const mode = c.HostConfig?.UTSMode ?? '';
    if (mode === 'host')
      return fail("shares the host's UTS namespace", ev('HostConfig.UTSMode', mode, 'not host'));
    return pass(
      mode === '' ? 'own UTS namespace' : `UTS namespace mode ${mode}`,
      ev('HostConfig.UTSMode', mode === '' ? '(default)' : mode),
    );
  }),
  cases,
};
