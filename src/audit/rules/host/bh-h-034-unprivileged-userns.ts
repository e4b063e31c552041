// BH-H-034: unprivileged users cannot create user namespaces (no CIS item). Debian's
// kernel.unprivileged_userns_clone, Ubuntu's kernel.apparmor_restrict_unprivileged_userns, or
// user.max_user_namespaces=0 where neither exists. Blunts CVE-2022-0185, CVE-2023-32233, CVE-2024-1086.
import { checkHost, fail, pass, skip } from '../../check.js';
import { onHardening, sysctlEvidence, sysctlValue } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('unprivileged_userns_clone 0 passes', {}, 'pass'),
  on(
    'clone 1 and namespaces allowed fails',
    { sysctls: sysctls({ 'kernel.unprivileged_userns_clone': '1' }) },
    'fail',
    ['unprivileged_userns_clone=1'],
  ),
  on(
    'RHEL with max_user_namespaces only fails',
    { sysctls: sysctls({ 'kernel.unprivileged_userns_clone': undefined }) },
    'fail',
    ['max_user_namespaces=15000'],
  ),
  on(
    'max_user_namespaces 0 passes',
    {
      sysctls: sysctls({ 'kernel.unprivileged_userns_clone': undefined, 'user.max_user_namespaces': '0' }),
    },
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-034',
    aliases: [],
    severity: 'medium',
    title: 'Unprivileged user namespaces are restricted',
    rationale:
      'An unprivileged user namespace gives any local user (or a process in a container that can unshare) CAP_SYS_ADMIN over fresh namespaces, reaching kernel code such as nf_tables and fsconfig that most container escapes of the last years started from (CVE-2022-0185, CVE-2023-32233, CVE-2024-1086).',
    remediation:
      'Debian: sysctl kernel.unprivileged_userns_clone=0. Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns=1. Elsewhere, where no rootless Docker or userns-using tool needs it: user.max_user_namespaces=0 (userns-remap needs namespaces created by root only on Debian/Ubuntu kernels). Persist it in /etc/sysctl.d/.',
    references: ['https://www.kernel.org/doc/html/latest/admin-guide/sysctl/user.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-034',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) => {
      const clone = sysctlValue(sysctls, 'kernel.unprivileged_userns_clone');
      const apparmor = sysctlValue(sysctls, 'kernel.apparmor_restrict_unprivileged_userns');
      const max = sysctlValue(sysctls, 'user.max_user_namespaces');
      if (clone?.value === '0') return pass('unprivileged_userns_clone = 0', sysctlEvidence(clone, '0'));
      if (apparmor?.value === '1')
        return pass('AppArmor restricts unprivileged user namespaces', sysctlEvidence(apparmor, '1'));
      if (max?.value === '0')
        return pass('user namespaces are disabled (max_user_namespaces = 0)', sysctlEvidence(max, '0'));
      const evidence = [clone, apparmor, max].flatMap((s) =>
        s === undefined ? [] : [sysctlEvidence(s, 'restricted')],
      );
      if (evidence.length === 0) return skip('the kernel exposes none of the user namespace knobs');
      return fail('any local user can create user namespaces', ...evidence);
    }),
  ),
  cases,
};
