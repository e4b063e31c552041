// BH-C-028: a container with weakened isolation (privileged, dangerous capabilities, host namespaces, API
// socket) runs under a sandbox runtime (gVisor runsc, Kata) rather than runc, where the host kernel is the
// only wall left (no CIS item; gvisor.dev/docs/architecture_guide/security/).
import { checkContainers, ev, fail, pass } from '../../check.js';
import {
  bindMounts,
  DANGEROUS_CAPABILITIES,
  isPrivileged,
  isSameOrAncestor,
  normalizeCapability,
} from '../../container-facts.js';
import { apiSocketPaths } from '../../daemon-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

export const SANDBOX_RUNTIME = /(runsc|gvisor|kata)/i;

const cases: readonly AuditCase[] = [
  one('plain container passes', container('web'), 'pass'),
  one('privileged under runsc passes', privileged, 'pass', ['HostConfig.Runtime=runsc']),
  one('SYS_ADMIN under runc fails', container('web', { CapAdd: ['SYS_ADMIN'] }), 'fail', [
    'HostConfig.Runtime=runc',
  ]),
  one(
    'socket mounted under runsc still fails',
    container(
      'web',
      { Runtime: 'runsc' },
      { Mounts: [{ Type: 'bind', Source: '/run/docker.sock', Destination: '/d.sock', RW: true }] },
    ),
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-028',
    aliases: [],
    severity: 'high',
    title: 'Container with weakened isolation runs under a sandbox runtime',
    rationale:
      'Under runc a container shares the host kernel; once privileges, capabilities or host namespaces are added, one kernel or runtime bug is enough. gVisor (runsc) and Kata put a second kernel between the workload and the host.',
    remediation:
      'Remove the weakening options, or run the container with --runtime runsc (gVisor) or a Kata runtime.',
    references: ['https://gvisor.dev/docs/', 'https://katacontainers.io/'],
    docsUrl: 'docs/rules/audit.md#bh-c-028',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, ctx, engine) => {
    const h = c.HostConfig ?? {};
    const sockets = apiSocketPaths(ctx.facts);
    const weak: string[] = [];
    if (isPrivileged(c)) weak.push('privileged');
    const caps = (h.CapAdd ?? []).map(normalizeCapability).filter((cap) => DANGEROUS_CAPABILITIES.has(cap));
    if (caps.length > 0) weak.push(`cap-add ${caps.join(',')}`);
    for (const [mode, label] of [
      [h.PidMode, 'pid'],
      [h.NetworkMode, 'network'],
      [h.IpcMode, 'ipc'],
    ] as const)
      if (mode === 'host') weak.push(`${label}=host`);
    if (bindMounts(c).some((m) => sockets.some((s) => isSameOrAncestor(m.source, s))))
      weak.push('API socket mounted');
    const runtime = h.Runtime ?? engine.info.DefaultRuntime ?? 'runc';
    const evidence = ev('HostConfig.Runtime', runtime);
    if (weak.length === 0) return pass('isolation not weakened', evidence);
    // a sandbox does not help against the Docker API: whoever holds the socket starts containers outside it
    if (SANDBOX_RUNTIME.test(runtime) && !weak.includes('API socket mounted'))
      return pass(`weakened (${weak.join(', ')}) but sandboxed by ${runtime}`, evidence);
    return fail(
      `weakened isolation (${weak.join(', ')}) under ${runtime}: the host kernel is the only wall`,
      ev('HostConfig.Runtime', runtime, 'runsc or kata'),
    );
  }),
  cases,
};
