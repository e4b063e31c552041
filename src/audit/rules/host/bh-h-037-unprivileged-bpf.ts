// BH-H-037: kernel.unprivileged_bpf_disabled is set to the safe value (1) (no CIS item; admin-guide/sysctl/kernel.rst unprivileged_bpf_disabled).
import { checkHost } from '../../check.js';
import { judgeSysctl, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('2 passes', {}, 'pass'),
  on('0 fails', { sysctls: sysctls({ 'kernel.unprivileged_bpf_disabled': '0' }) }, 'fail', [
    'unprivileged_bpf_disabled=0',
  ]),
  on('absent knob skips', { sysctls: sysctls({ 'kernel.unprivileged_bpf_disabled': undefined }) }, 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-037',
    aliases: [],
    severity: 'medium',
    title: 'Unprivileged eBPF is disabled (kernel.unprivileged_bpf_disabled)',
    rationale:
      'The eBPF verifier has had many privilege-escalation bugs reachable by any user (CVE-2021-3490, CVE-2021-31440, CVE-2022-23222); container processes share that kernel.',
    remediation:
      'sysctl -w kernel.unprivileged_bpf_disabled=1 and persist it in /etc/sysctl.d/90-bulkhead.conf.',
    references: ['https://docs.kernel.org/admin-guide/sysctl/kernel.html#unprivileged-bpf-disabled'],
    docsUrl: 'docs/rules/audit.md#bh-h-037',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) =>
      judgeSysctl(
        sysctls,
        'kernel.unprivileged_bpf_disabled',
        (v) => v === '1' || v === '2',
        '1',
        (v) => `kernel.unprivileged_bpf_disabled = ${v}: any user can load eBPF programs`,
      ),
    ),
  ),
  cases,
};
