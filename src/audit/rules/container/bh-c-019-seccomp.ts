// BH-C-019: the container is filtered by seccomp: not seccomp=unconfined, not --privileged (which implies
// unconfined), and the daemon itself has seccomp (CIS 1.6.0 5.21, 1.8.0 5.22).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { isPrivileged, securityOptsOf } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged } from '../../cases/container.js';
import { container, engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('default profile passes', container('web'), 'pass'),
  one('seccomp=unconfined fails', container('web', { SecurityOpt: ['seccomp=unconfined'] }), 'fail', [
    'seccomp=unconfined',
  ]),
  one('seccomp:unconfined (legacy) fails', container('web', { SecurityOpt: ['seccomp:unconfined'] }), 'fail'),
  one('privileged implies unconfined', privileged, 'fail', ['HostConfig.Privileged=true']),
  one('daemon without seccomp fails', container('web'), 'fail', ['/info SecurityOptions'], {
    engine: engineFacts({ security: ['name=apparmor'] }),
  }),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-019',
    aliases: ['CIS-1.6.0:5.21', 'CIS-1.8.0:5.22'],
    severity: 'high',
    title: 'Container is filtered by a seccomp profile',
    rationale:
      'The default seccomp profile blocks about 44 system calls (keyctl, unshare, mount, bpf, ptrace on old kernels...) behind many kernel escapes. --privileged and seccomp=unconfined remove it.',
    remediation:
      'Drop --security-opt seccomp=unconfined and --privileged; if a syscall is needed, use a custom profile that allows just it.',
    references: ['https://docs.docker.com/engine/security/seccomp/'],
    docsUrl: 'docs/rules/audit.md#bh-c-019',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, _ctx, engine) => {
    const opts = securityOptsOf(c);
    const daemon = engine.securityOptions.find((o) => o.name === 'seccomp');
    if (isPrivileged(c))
      return fail(
        'privileged container: seccomp filtering is off',
        ev('HostConfig.Privileged', true, 'false'),
      );
    if (opts.seccomp === 'unconfined')
      return fail('seccomp=unconfined', ev('HostConfig.SecurityOpt', opts.raw, 'no seccomp=unconfined'));
    if (daemon === undefined)
      return fail(
        'the daemon reports no seccomp support: no container is filtered',
        ev(
          '/info SecurityOptions',
          engine.securityOptions.map((o) => o.name),
          'name=seccomp',
        ),
      );
    if (opts.seccomp === undefined && daemon.options['profile'] === 'unconfined')
      return fail(
        'the daemon default seccomp profile is unconfined',
        ev('/info SecurityOptions', `name=seccomp,profile=unconfined`),
      );
    return pass(
      opts.seccomp === undefined
        ? `daemon default profile (${daemon.options['profile'] ?? 'default'})`
        : 'custom seccomp profile',
      ev('HostConfig.SecurityOpt', opts.raw),
    );
  }),
  cases,
};
