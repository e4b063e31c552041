// BH-D-018: the daemon applies a seccomp profile by default (CIS 1.6.0 2.17, 1.8.0 2.18).
import { checkEngine, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('default profile passes', engineFacts(), 'pass'),
  engineCase('unconfined fails', engineFacts({ security: ['name=seccomp,profile=unconfined'] }), 'fail'),
  engineCase('no seccomp fails', engineFacts({ security: ['name=apparmor'] }), 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-018',
    aliases: ['CIS-1.6.0:2.17', 'CIS-1.8.0:2.18'],
    severity: 'high',
    title: 'A daemon-wide seccomp profile is applied',
    rationale:
      'The default (or a custom) seccomp profile filters the system calls behind many kernel escapes for every container that does not opt out.',
    remediation:
      'Remove "seccomp-profile": "unconfined"; use the built-in default or a custom profile via --seccomp-profile.',
    references: ['https://docs.docker.com/engine/security/seccomp/'],
    docsUrl: 'docs/rules/audit.md#bh-d-018',
  },
  area: 'daemon',
  needs: 'engine',
  check: checkEngine((engine) => {
    const seccomp = engine.securityOptions.find((o) => o.name === 'seccomp');
    if (seccomp === undefined)
      return fail(
        'daemon reports no seccomp support',
        ev(
          '/info SecurityOptions',
          engine.securityOptions.map((o) => o.name),
          'name=seccomp',
        ),
      );
    const profile = seccomp.options['profile'] ?? 'default';
    const evidence = ev('/info SecurityOptions seccomp profile', profile, 'default or a custom profile');
    return profile === 'unconfined'
      ? fail('daemon default seccomp profile is unconfined', evidence)
      : pass(`seccomp profile ${profile}`, evidence);
  }),
  cases,
};
