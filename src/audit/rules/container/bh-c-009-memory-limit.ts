// BH-C-009: the container has a memory limit (CIS 1.6.0 5.10, 1.8.0 5.11).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no limit fails', container('web'), 'fail', ['HostConfig.Memory=0']),
  one('64 MiB passes', container('web', { Memory: 67108864 }), 'pass', ['HostConfig.Memory=67108864']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-009',
    aliases: ['CIS-1.6.0:5.10', 'CIS-1.8.0:5.11'],
    severity: 'medium',
    title: 'Container has a memory limit',
    rationale:
      'Without a limit one container can exhaust host memory and trigger the OOM killer against other workloads or the daemon.',
    remediation: 'Start the container with --memory (and --memory-swap).',
    references: ['https://docs.docker.com/config/containers/resource_constraints/#memory'],
    docsUrl: 'docs/rules/audit.md#bh-c-009',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const memory = c.HostConfig?.Memory ?? 0;
    if (memory > 0) return pass(`memory limited to ${memory} bytes`, ev('HostConfig.Memory', String(memory)));
    return fail('no memory limit', ev('HostConfig.Memory', String(memory), '> 0'));
  }),
  cases,
};
