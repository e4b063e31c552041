// The running values of the kernel knobs that blunt container-escape and lateral-movement classes, read from
// /proc/sys (sysctl(8) names map "a.b.c" to /proc/sys/a/b/c).
import type { Sysctl } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

export const HARDENING_SYSCTLS = [
  'kernel.unprivileged_userns_clone',
  'kernel.apparmor_restrict_unprivileged_userns',
  'user.max_user_namespaces',
  'kernel.kptr_restrict',
  'kernel.dmesg_restrict',
  'kernel.unprivileged_bpf_disabled',
  'net.ipv4.conf.all.route_localnet',
  'fs.protected_hardlinks',
  'fs.protected_symlinks',
  'fs.protected_fifos',
  'fs.protected_regular',
  'kernel.yama.ptrace_scope',
] as const;

export function readSysctls(fs: RootFs): Sysctl[] | undefined {
  if (fs.list('/proc/sys') === undefined) return undefined;
  return HARDENING_SYSCTLS.map((name) => {
    const source = `/proc/sys/${name.replace(/\./g, '/')}`;
    const value = fs.readIfExists(source)?.trim();
    return { name, source, ...(value === undefined ? {} : { value }) };
  });
}
