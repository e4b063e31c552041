// BH-H-008: the kernel supports seccomp filtering (no CIS item; /proc/sys/kernel/seccomp/actions_avail).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, kernel } from '../../cases/host.js';
import { known } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('available passes', hostFacts(), 'pass'),
  on(
    'absent fails',
    kernel({ seccomp: known({ available: false, actions: [] }, '/proc/sys/kernel/seccomp') }),
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-008',
    aliases: [],
    severity: 'high',
    title: 'The kernel supports seccomp filtering',
    rationale:
      "Without CONFIG_SECCOMP_FILTER Docker's default syscall filter silently does nothing for every container.",
    remediation:
      'Boot a kernel built with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER (every mainstream distribution kernel is).',
    references: ['https://docs.kernel.org/userspace-api/seccomp_filter.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-008',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const s = ctx.facts.host.kernel.seccomp;
    if (s.state === 'unknown') return skip(s.reason);
    return s.value.available
      ? pass('seccomp available', ev(s.source, s.value.actions.join(' ')))
      : fail('kernel without seccomp filtering', ev(s.source, 'absent', 'seccomp actions available'));
  }),
  cases,
};
