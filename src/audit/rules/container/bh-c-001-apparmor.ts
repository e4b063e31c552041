// BH-C-001: containers run under an AppArmor profile where the host has AppArmor (CIS 1.6.0 5.1, 1.8.0 5.2).
import { checkContainers, ev, fail, notApplicable, pass } from '../../check.js';
import { isPrivileged, securityOptsOf } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged, noAppArmor } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('docker-default profile passes', container('web'), 'pass', ['AppArmorProfile=docker-default']),
  one(
    'unconfined profile fails',
    container('web', { SecurityOpt: ['apparmor=unconfined'] }, { AppArmorProfile: 'unconfined' }),
    'fail',
    ['AppArmorProfile=unconfined'],
  ),
  one('empty profile fails', container('web', {}, { AppArmorProfile: '' }), 'fail', [
    'AppArmorProfile=(empty)',
  ]),
  one('privileged fails even with a profile name', privileged, 'fail', ['HostConfig.Privileged=true']),
  one(
    'host without AppArmor is not applicable',
    container('web', {}, { AppArmorProfile: '' }),
    'not-applicable',
    ['/info SecurityOptions'],
    { engine: noAppArmor },
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-001',
    aliases: ['CIS-1.6.0:5.1', 'CIS-1.8.0:5.2'],
    severity: 'medium',
    title: 'Container runs under an AppArmor profile',
    rationale:
      'AppArmor confines what a process may touch even as root; an unconfined container loses the docker-default deny rules for /proc and /sys writes and mounts. --privileged and apparmor=unconfined both switch it off.',
    remediation:
      'Run without --security-opt apparmor=unconfined and without --privileged; use docker-default or a custom profile (--security-opt apparmor=PROFILE).',
    references: ['https://docs.docker.com/engine/security/apparmor/'],
    docsUrl: 'docs/rules/audit.md#bh-c-001',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, _ctx, engine) => {
    const names = engine.securityOptions.map((o) => o.name);
    if (!names.includes('apparmor'))
      return notApplicable(
        'AppArmor is not enabled on this host (the daemon reports no apparmor security option)',
        ev('/info SecurityOptions', names),
      );
    const profile = c.AppArmorProfile ?? '';
    const opts = securityOptsOf(c);
    if (isPrivileged(c))
      return fail(
        'privileged container: AppArmor confinement is off',
        ev('HostConfig.Privileged', true, 'false'),
        ev('AppArmorProfile', profile),
      );
    if (profile === '' || profile === 'unconfined' || opts.apparmor === 'unconfined')
      return fail(
        'container runs without an AppArmor profile',
        ev('AppArmorProfile', profile === '' ? '(empty)' : profile, 'docker-default or a custom profile'),
        ev('HostConfig.SecurityOpt', opts.raw),
      );
    return pass(`AppArmor profile ${profile}`, ev('AppArmorProfile', profile));
  }),
  cases,
};
