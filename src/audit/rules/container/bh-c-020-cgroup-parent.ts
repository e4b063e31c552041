// BH-C-020: the container uses the daemon's cgroup parent (CIS 1.6.0 5.24, 1.8.0 5.25).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('default passes', container('web'), 'pass'),
  one('custom parent fails', container('web', { CgroupParent: '/custom' }), 'fail', [
    'HostConfig.CgroupParent=/custom',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-020',
    aliases: ['CIS-1.6.0:5.24', 'CIS-1.8.0:5.25'],
    severity: 'low',
    title: 'Container uses the default cgroup parent',
    rationale:
      'A custom --cgroup-parent can place the container outside the limits and accounting the daemon applies to containers.',
    remediation: 'Drop --cgroup-parent unless the target cgroup is confirmed to carry the intended limits.',
    references: ['https://docs.docker.com/engine/reference/run/#specify-custom-cgroups'],
    docsUrl: 'docs/rules/audit.md#bh-c-020',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const parent = c.HostConfig?.CgroupParent ?? '';
    return parent === ''
      ? pass('default cgroup parent', ev('HostConfig.CgroupParent', '(empty)'))
      : fail(`custom cgroup parent ${parent}`, ev('HostConfig.CgroupParent', parent, '(empty)'));
  }),
  cases,
};
