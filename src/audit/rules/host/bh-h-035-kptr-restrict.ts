// BH-H-035: kernel.kptr_restrict is set to the safe value (1) (no CIS item; admin-guide/sysctl/kernel.rst kptr_restrict).
import { checkHost } from '../../check.js';
import { judgeSysctl, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('1 passes', {}, 'pass'),
  on('0 fails', { sysctls: sysctls({ 'kernel.kptr_restrict': '0' }) }, 'fail', ['kptr_restrict=0']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-035',
    aliases: [],
    severity: 'low',
    title: 'Kernel pointers are hidden from unprivileged users (kernel.kptr_restrict)',
    rationale:
      'Kernel addresses in /proc/kallsyms and /proc/modules defeat KASLR, the first step of most kernel exploits used to escape containers.',
    remediation: 'sysctl -w kernel.kptr_restrict=1 and persist it in /etc/sysctl.d/90-bulkhead.conf.',
    references: ['https://docs.kernel.org/admin-guide/sysctl/kernel.html#kptr-restrict'],
    docsUrl: 'docs/rules/audit.md#bh-h-035',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) =>
      judgeSysctl(
        sysctls,
        'kernel.kptr_restrict',
        (v) => Number(v) >= 1,
        '1',
        (v) => `kernel.kptr_restrict = ${v}: kernel addresses are visible to every user`,
      ),
    ),
  ),
  cases,
};
