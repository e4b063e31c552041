// BH-H-040: kernel.yama.ptrace_scope is set to the safe value (1) (no CIS item; Documentation/admin-guide/LSM/Yama.rst).
import { checkHost } from '../../check.js';
import { judgeSysctl, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('1 passes', {}, 'pass'),
  on('0 fails', { sysctls: sysctls({ 'kernel.yama.ptrace_scope': '0' }) }, 'fail', ['ptrace_scope=0']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-040',
    aliases: [],
    severity: 'low',
    title: 'ptrace is limited to descendants (kernel.yama.ptrace_scope)',
    rationale:
      'With ptrace_scope=0 any process can attach to any other of the same uid, so one compromised host process reads the secrets (registry credentials, TLS keys) of its siblings.',
    remediation: 'sysctl -w kernel.yama.ptrace_scope=1 and persist it in /etc/sysctl.d/90-bulkhead.conf.',
    references: ['https://docs.kernel.org/admin-guide/LSM/Yama.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-040',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) =>
      judgeSysctl(
        sysctls,
        'kernel.yama.ptrace_scope',
        (v) => Number(v) >= 1,
        '1',
        (v) => `kernel.yama.ptrace_scope = ${v}: any process may ptrace others of the same user`,
      ),
    ),
  ),
  cases,
};
