// BH-W-007: a process in a container cgroup opened a container runtime binary (runc, containerd-shim,
// docker-init, runsc, dockerd, containerd): the CVE-2019-5736 class, overwriting the host's runc through
// /proc/<pid>/exe (Falco "Modify Container Entrypoint").
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-007',
    aliases: ['Modify Container Entrypoint', 'CVE-2019-5736'],
    severity: 'critical',
    title: 'Runtime binary opened from a container',
    rationale:
      "No container process has a reason to open the host's runtime binaries; opening runc through /proc/<pid>/exe is how CVE-2019-5736 replaced it and escaped to host root.",
    remediation:
      'Keep runc patched, run untrusted images under gVisor (runsc) or with user namespaces; investigate the container.',
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2019-5736'],
    docsUrl: docsUrl('BH-W-007'),
  },
  check: (f) =>
    f.kind === 'open' && f.guardHit ? `a container process opened runtime binary ${f.path}` : undefined,
  cases: [
    { name: 'an exec', input: {}, expect: false },
    { name: 'guarded open', input: { kind: 'open', path: '/usr/sbin/runc', guardHit: true }, expect: true },
    { name: 'host open', input: { kind: 'open', path: '/usr/sbin/runc', guardHit: false }, expect: false },
  ],
};
