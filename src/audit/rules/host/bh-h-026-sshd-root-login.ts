// BH-H-026: sshd refuses root logins with a password (no CIS Docker item; CIS distribution benchmarks 5.2.x
// "PermitRootLogin"; sshd_config(5)).
import { checkHost } from '../../check.js';
import { judgeSshd, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sshdSetting, on, sshd } from '../../cases/hardening.js';
import { unknown } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('PermitRootLogin no passes', {}, 'pass'),
  on('PermitRootLogin yes fails with its line', sshd({ permitrootlogin: sshdSetting('yes', 12) }), 'fail', [
    '/etc/ssh/sshd_config:12=PermitRootLogin yes',
  ]),
  on(
    'a Match block allowing root fails',
    sshd({}, [
      {
        criteria: 'Address 10.0.0.0/8',
        at: { file: '/etc/ssh/sshd_config', line: 30 },
        settings: { permitrootlogin: sshdSetting('yes', 31) },
      },
    ]),
    'fail',
    ['sshd_config:31=PermitRootLogin yes'],
  ),
  on(
    'the default prohibit-password passes',
    sshd({ permitrootlogin: sshdSetting('prohibit-password') }),
    'pass',
  ),
  on('no sshd skips', { sshd: unknown('sshd is not installed') }, 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-026',
    aliases: [],
    severity: 'high',
    title: 'sshd does not allow root to log in with a password',
    rationale:
      'Root on a container host is root over every container, the daemon socket and the images. A password root login can be guessed from the network; keys (prohibit-password) or no root login at all cannot.',
    remediation:
      'Set PermitRootLogin no (or prohibit-password) in /etc/ssh/sshd_config, before any Include that could set it first, and in every Match block; reload sshd.',
    references: ['https://man.openbsd.org/sshd_config#PermitRootLogin'],
    docsUrl: 'docs/rules/audit.md#bh-h-026',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sshd', (config) =>
      judgeSshd(
        config,
        'permitrootlogin',
        (v) => v.toLowerCase() === 'yes',
        () => 'root may log in with a password',
        'no or prohibit-password',
      ),
    ),
  ),
  cases,
};
