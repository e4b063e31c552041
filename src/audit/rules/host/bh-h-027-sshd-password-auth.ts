// BH-H-027: sshd accepts keys, not passwords (no CIS Docker item; sshd_config(5) PasswordAuthentication and
// KbdInteractiveAuthentication, both "yes" by default).
import { checkHost } from '../../check.js';
import { judgeSshd, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sshdSetting, on, sshd } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('PasswordAuthentication no passes', {}, 'pass'),
  on('the default yes fails', sshd({ passwordauthentication: sshdSetting('yes') }), 'fail', [
    'sshd default=PasswordAuthentication yes',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-027',
    aliases: [],
    severity: 'medium',
    title: 'sshd does not accept password authentication',
    rationale:
      'Passwords can be guessed, sprayed and phished; a container host needs only key (or certificate) logins for its few administrators.',
    remediation:
      "Set PasswordAuthentication no in /etc/ssh/sshd_config (and in Match blocks); install administrators' keys first.",
    references: ['https://man.openbsd.org/sshd_config#PasswordAuthentication'],
    docsUrl: 'docs/rules/audit.md#bh-h-027',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sshd', (config) =>
      judgeSshd(
        config,
        'passwordauthentication',
        (v) => v.toLowerCase() === 'yes',
        () => 'password authentication is on',
        'no',
      ),
    ),
  ),
  cases,
};
