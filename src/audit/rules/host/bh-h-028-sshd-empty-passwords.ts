// BH-H-028: sshd refuses accounts with empty passwords (no CIS Docker item; sshd_config(5) PermitEmptyPasswords).
import { checkHost } from '../../check.js';
import { judgeSshd, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sshdSetting, on, sshd } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('PermitEmptyPasswords no passes', {}, 'pass'),
  on('PermitEmptyPasswords yes fails', sshd({ permitemptypasswords: sshdSetting('yes', 9) }), 'fail', [
    'sshd_config:9',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-028',
    aliases: [],
    severity: 'high',
    title: 'sshd does not permit empty passwords',
    rationale:
      'With PermitEmptyPasswords yes, any account without a password (see BH-H-030) is a login for anyone.',
    remediation: 'Set PermitEmptyPasswords no (the default) and remove the line that enables it.',
    references: ['https://man.openbsd.org/sshd_config#PermitEmptyPasswords'],
    docsUrl: 'docs/rules/audit.md#bh-h-028',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sshd', (config) =>
      judgeSshd(
        config,
        'permitemptypasswords',
        (v) => v.toLowerCase() === 'yes',
        () => 'empty passwords are accepted',
        'no',
      ),
    ),
  ),
  cases,
};
