// BH-C-010: the container's CPU use is bounded by shares, a quota, --cpus or a cpuset (CIS 1.6.0 5.11, 1.8.0 5.12).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no limit fails', container('web'), 'fail'),
  one('default shares 1024 fail', container('web', { CpuShares: 1024 }), 'fail'),
  one('--cpus passes', container('web', { NanoCpus: 500000000 }), 'pass', ['HostConfig.NanoCpus=500000000']),
  one('cpuset passes', container('web', { CpusetCpus: '0' }), 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-010',
    aliases: ['CIS-1.6.0:5.11', 'CIS-1.8.0:5.12'],
    severity: 'low',
    title: 'Container CPU use is bounded',
    rationale:
      'Without CPU shares, a quota or a cpuset every container competes equally and one can starve the others.',
    remediation: 'Start the container with --cpus, --cpu-shares, --cpu-quota or --cpuset-cpus.',
    references: ['https://docs.docker.com/config/containers/resource_constraints/#cpu'],
    docsUrl: 'docs/rules/audit.md#bh-c-010',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const h = c.HostConfig ?? {};
    const evidence = [
      ev('HostConfig.NanoCpus', String(h.NanoCpus ?? 0)),
      ev('HostConfig.CpuShares', String(h.CpuShares ?? 0)),
      ev('HostConfig.CpuQuota', String(h.CpuQuota ?? 0)),
      ev('HostConfig.CpusetCpus', h.CpusetCpus ?? ''),
    ];
    const shares = h.CpuShares ?? 0;
    const bounded =
      (h.NanoCpus ?? 0) > 0 ||
      (h.CpuQuota ?? 0) > 0 ||
      (shares !== 0 && shares !== 1024) ||
      (h.CpusetCpus ?? '') !== '';
    return bounded
      ? pass('CPU use is bounded', ...evidence)
      : fail('no CPU limit, quota, cpuset or non-default shares', ...evidence);
  }),
  cases,
};
