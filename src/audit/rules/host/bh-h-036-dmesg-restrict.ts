// BH-H-036: kernel.dmesg_restrict is set to the safe value (1) (no CIS item; admin-guide/sysctl/kernel.rst dmesg_restrict).
import { checkHost } from '../../check.js';
import { judgeSysctl, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('1 passes', {}, 'pass'),
  on('0 fails', { sysctls: sysctls({ 'kernel.dmesg_restrict': '0' }) }, 'fail', ['dmesg_restrict=0']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-036',
    aliases: [],
    severity: 'low',
    title: 'The kernel log is readable only with CAP_SYSLOG (kernel.dmesg_restrict)',
    rationale:
      'The kernel ring buffer leaks addresses and state an exploit uses; containers share the host kernel log.',
    remediation: 'sysctl -w kernel.dmesg_restrict=1 and persist it in /etc/sysctl.d/90-bulkhead.conf.',
    references: ['https://docs.kernel.org/admin-guide/sysctl/kernel.html#dmesg-restrict'],
    docsUrl: 'docs/rules/audit.md#bh-h-036',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) =>
      judgeSysctl(
        sysctls,
        'kernel.dmesg_restrict',
        (v) => v === '1',
        '1',
        (v) => `kernel.dmesg_restrict = ${v}: any user can read the kernel log`,
      ),
    ),
  ),
  cases,
};
