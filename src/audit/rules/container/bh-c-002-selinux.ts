// BH-C-002: containers keep their SELinux label where the host runs SELinux; label=disable and --privileged
// turn separation off (CIS 1.6.0 5.2, 1.8.0 5.3; docker-bench-security counts any SecurityOpt as a pass).
import { checkContainers, ev, fail, notApplicable, pass } from '../../check.js';
import { isPrivileged, securityOptsOf } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, selinuxEngine, selinuxHost } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no SELinux anywhere is not applicable', container('web'), 'not-applicable'),
  one(
    'label=disable fails',
    container('web', { SecurityOpt: ['label=disable'] }, { ProcessLabel: 'system_u:system_r:spc_t:s0' }),
    'fail',
    ['HostConfig.SecurityOpt=["label=disable"]'],
    { engine: selinuxEngine, host: selinuxHost },
  ),
  one(
    'label:disable (legacy form) fails',
    container('web', { SecurityOpt: ['label:disable'] }),
    'fail',
    ['label:disable'],
    { engine: selinuxEngine, host: selinuxHost },
  ),
  one(
    'labelled container passes',
    container('web', {}, { ProcessLabel: 'system_u:system_r:container_t:s0:c1,c2' }),
    'pass',
    ['ProcessLabel=system_u'],
    { engine: selinuxEngine, host: selinuxHost },
  ),
  one(
    'SELinux host, daemon without --selinux-enabled fails',
    container('web'),
    'fail',
    ['/info SecurityOptions'],
    { host: selinuxHost },
  ),
  one(
    'privileged fails',
    container('web', { Privileged: true }, { ProcessLabel: 'x' }),
    'fail',
    ['HostConfig.Privileged=true'],
    { engine: selinuxEngine, host: selinuxHost },
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-002',
    aliases: ['CIS-1.6.0:5.2', 'CIS-1.8.0:5.3'],
    severity: 'medium',
    title: 'Container keeps its SELinux label',
    rationale:
      'On SELinux hosts, container_t labels keep a process that escapes its namespaces away from host files. --security-opt label=disable (or label:disable) and --privileged run the container unconfined (spc_t).',
    remediation:
      'Start dockerd with --selinux-enabled and drop --security-opt label=disable / --privileged; use label=type:... or label=level:... to tailor the label instead.',
    references: ['https://docs.docker.com/engine/reference/run/#security-configuration'],
    docsUrl: 'docs/rules/audit.md#bh-c-002',
  },
  area: 'container',
  needs: 'both',
  check: checkContainers((c, ctx, engine) => {
    const daemonSelinux = engine.securityOptions.some((o) => o.name === 'selinux');
    const host = ctx.facts.host.lsm.selinux;
    const hostSelinux = host.state === 'known' && host.value.mode !== 'disabled';
    const opts = securityOptsOf(c);
    if (!daemonSelinux && !hostSelinux)
      return notApplicable(
        host.state === 'known'
          ? 'SELinux is not enabled on this host or daemon'
          : `SELinux is not enabled in the daemon; host state unknown (${host.reason})`,
        ev(
          '/info SecurityOptions',
          engine.securityOptions.map((o) => o.name),
        ),
      );
    if (opts.labels.includes('disable'))
      return fail('SELinux labeling disabled (label=disable)', ev('HostConfig.SecurityOpt', opts.raw));
    if (isPrivileged(c))
      return fail(
        'privileged container: SELinux separation is off',
        ev('HostConfig.Privileged', true, 'false'),
      );
    if (!daemonSelinux)
      return fail(
        'host runs SELinux but dockerd runs without --selinux-enabled: containers get no SELinux label',
        ev(
          '/info SecurityOptions',
          engine.securityOptions.map((o) => o.name),
          'name=selinux',
        ),
      );
    const label = c.ProcessLabel ?? '';
    if (label === '') return fail('container has no SELinux process label', ev('ProcessLabel', '(empty)'));
    return pass(`SELinux label ${label}`, ev('ProcessLabel', label));
  }),
  cases,
};
