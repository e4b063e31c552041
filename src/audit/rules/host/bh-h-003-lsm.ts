// BH-H-003: a mandatory access control LSM (AppArmor, or SELinux enforcing) is active (no CIS item;
// Documentation/admin-guide/LSM).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-003',
    aliases: [],
    severity: 'medium',
    title: 'AppArmor or SELinux (enforcing) is active',
    rationale:
      'Without a MAC LSM, Docker cannot apply docker-default AppArmor or container_t SELinux confinement: one wall fewer for every container.',
    remediation:
      'Enable AppArmor (Debian/Ubuntu/SUSE) or SELinux in enforcing mode (RHEL/Fedora) and restart dockerd.',
    references: ['https://docs.kernel.org/admin-guide/LSM/index.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-003',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const { apparmor, selinux, active } = ctx.facts.host.lsm;
    const evidence = active.state === 'known' ? [ev(active.source, active.value.join(','))] : [];
    if (apparmor.state === 'known' && apparmor.value.enabled)
      return pass('AppArmor enabled', ev(apparmor.source, 'Y'), ...evidence);
    if (selinux.state === 'known' && selinux.value.mode === 'enforcing')
      return pass('SELinux enforcing', ev(selinux.source, 'enforcing'), ...evidence);
    if (selinux.state === 'known' && selinux.value.mode === 'permissive')
      return fail(
        'SELinux is permissive: denials are logged, not enforced',
        ev(selinux.source, 'permissive', 'enforcing'),
        ...evidence,
      );
    if (apparmor.state === 'unknown' && selinux.state === 'unknown')
      return skip(`LSM state unknown: ${apparmor.reason}`);
    return fail(
      'neither AppArmor nor SELinux is active',
      ...evidence,
      ...(apparmor.state === 'known' ? [ev(apparmor.source, apparmor.value.enabled ? 'Y' : 'N', 'Y')] : []),
    );
  }),
};
