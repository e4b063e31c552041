// Linux security modules: the active list (/sys/kernel/security/lsm), AppArmor state
// (/sys/module/apparmor/parameters/enabled, securityfs profiles) and SELinux mode (/sys/fs/selinux/enforce).
import { known, unknown } from '../facts/known.js';
import type { HostFacts } from '../facts/host.js';
import type { RootFs } from './root-fs.js';

export function readLsmFacts(fs: RootFs): HostFacts['lsm'] {
  const lsmFile = fs.read('/sys/kernel/security/lsm');
  const active = lsmFile.ok
    ? known(lsmFile.text.trim().split(',').filter(Boolean), '/sys/kernel/security/lsm')
    : unknown<string[]>(`${lsmFile.reason} (securityfs not mounted?)`);

  const apparmorFlag = fs.readIfExists('/sys/module/apparmor/parameters/enabled');
  let apparmor: HostFacts['lsm']['apparmor'];
  if (apparmorFlag !== undefined) {
    const enabled = apparmorFlag.trim() === 'Y';
    const profiles = fs.readIfExists('/sys/kernel/security/apparmor/profiles');
    apparmor = known(
      {
        enabled,
        ...(profiles === undefined ? {} : { profiles: profiles.split('\n').filter(Boolean).length }),
      },
      '/sys/module/apparmor/parameters/enabled',
    );
  } else if (active.state === 'known') {
    apparmor = known({ enabled: active.value.includes('apparmor') }, '/sys/kernel/security/lsm');
  } else if (fs.exists('/sys/module')) {
    apparmor = known({ enabled: false }, '/sys/module/apparmor (absent: AppArmor not built in)');
  } else {
    apparmor = unknown('/sys is not available under the root');
  }

  const enforce = fs.readIfExists('/sys/fs/selinux/enforce');
  let selinux: HostFacts['lsm']['selinux'];
  if (enforce !== undefined) {
    selinux = known({ mode: enforce.trim() === '1' ? 'enforcing' : 'permissive' }, '/sys/fs/selinux/enforce');
  } else if (active.state === 'known') {
    selinux = known(
      { mode: 'disabled' },
      active.value.includes('selinux') ? '/sys/fs/selinux (not mounted)' : '/sys/kernel/security/lsm',
    );
  } else if (fs.exists('/sys/fs')) {
    selinux = known({ mode: 'disabled' }, '/sys/fs/selinux (absent)');
  } else {
    selinux = unknown('/sys is not available under the root');
  }
  return { active, apparmor, selinux };
}
