// BH-C-008: the container does not share the host's network namespace (CIS 1.6.0 5.9, 1.8.0 5.10).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('none passes', container('web'), 'pass'),
  one('host fails', container('web', { NetworkMode: 'host' }), 'fail', ['HostConfig.NetworkMode=host']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-008',
    aliases: ['CIS-1.6.0:5.9', 'CIS-1.8.0:5.10'],
    severity: 'high',
    title: "Container does not share the host's network namespace",
    rationale:
      'With --network host the container sees and binds every host interface, reaches services on 127.0.0.1 and can sniff or spoof host traffic with NET_RAW.',
    remediation: 'Use a bridge or user-defined network (or --network none) instead of --network host.',
    references: ['https://docs.docker.com/engine/reference/run/'],
    docsUrl: 'docs/rules/audit.md#bh-c-008',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const mode = c.HostConfig?.NetworkMode ?? '';
    if (mode === 'host')
      return fail("shares the host's network namespace", ev('HostConfig.NetworkMode', mode, 'not host'));
    return pass(
      mode === '' ? 'own network namespace' : `network namespace mode ${mode}`,
      ev('HostConfig.NetworkMode', mode === '' ? '(default)' : mode),
    );
  }),
  cases,
};
