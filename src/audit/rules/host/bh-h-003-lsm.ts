// BH-H-003: a mandatory access control LSM (AppArmor, or SELinux enforcing) is active (no CIS item;
// Documentation/admin-guide/LSM).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/host.js';
import { known } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('AppArmor passes', hostFacts(), 'pass'),
  on(
    'SELinux permissive fails',
    hostFacts({
      lsm: {
        active: known(['selinux'], 'lsm'),
        apparmor: known({ enabled: false }, 'aa'),
        selinux: known({ mode: 'permissive' }, '/sys/fs/selinux/enforce'),
      },
    }),
    'fail',
    ['/sys/fs/selinux/enforce=permissive'],
  ),
  on(
    'none fails',
    hostFacts({
      lsm: {
        active: known(['capability', 'yama'], '/sys/kernel/security/lsm'),
        apparmor: known({ enabled: false }, 'aa'),
        selinux: known({ mode: 'disabled' }, 'se'),
      },
    }),
    'fail',
    ['capability,yama'],
  ),
];

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
  cases,
};
