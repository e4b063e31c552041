// BH-C-018: the container does not share the host's UTS namespace (CIS 1.6.0 5.20, 1.8.0 5.21).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  id: 'BH-C-018',
  area: 'container',
  cis: { v160: ['5.20'], v180: ['5.21'] },
  severity: 'medium',
  title: "Container does not share the host's UTS namespace",
  rationale: "With --uts host the container can change the host's hostname and domain name.",
  remediation: 'Drop --uts host.',
  references: ['https://docs.docker.com/engine/reference/run/'],
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
};
