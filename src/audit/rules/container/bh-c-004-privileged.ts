// BH-C-004: containers are not privileged (CIS 1.6.0 5.4, 1.8.0 5.5).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { isPrivileged } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged } from '../../cases/container.js';
import { buildFacts, container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('unprivileged passes', container('web'), 'pass', ['HostConfig.Privileged=false']),
  one('privileged under runsc still fails', privileged, 'fail', [
    'HostConfig.Privileged=true',
    'HostConfig.Runtime=runsc',
  ]),
  {
    name: 'engine down skips',
    facts: buildFacts({ engine: null }),
    expect: [{ target: 'daemon', outcome: 'skip', message: 'engine not reached' }],
  },
  {
    name: 'no containers is not applicable',
    facts: buildFacts({ containers: [] }),
    expect: [{ target: 'daemon', outcome: 'not-applicable' }],
  },
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-004',
    aliases: ['CIS-1.6.0:5.4', 'CIS-1.8.0:5.5'],
    severity: 'critical',
    title: 'Container is not privileged',
    rationale:
      '--privileged grants every capability, all host devices, and turns off seccomp, AppArmor and SELinux confinement: under runc, root in the container is root on the host.',
    remediation: 'Run without --privileged; add only the capabilities and devices the workload needs.',
    references: ['https://docs.docker.com/engine/reference/run/#runtime-privilege-and-linux-capabilities'],
    docsUrl: 'docs/rules/audit.md#bh-c-004',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, _ctx, engine) => {
    const runtime = c.HostConfig?.Runtime ?? engine.info.DefaultRuntime ?? 'runc';
    if (isPrivileged(c))
      return fail(
        `privileged container (runtime ${runtime})`,
        ev('HostConfig.Privileged', true, 'false'),
        ev('HostConfig.Runtime', runtime),
      );
    return pass('not privileged', ev('HostConfig.Privileged', false));
  }),
  cases,
};
