// BH-H-030: no account has an empty password (no CIS Docker item; shadow(5): an empty password field means no
// password is needed). Only the field's state is read; a hash is never shown.
import { checkHost, ev, fail, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known, unknown } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('locked and set passwords pass', {}, 'pass'),
  on(
    'an empty password fails without a hash',
    { accounts: known([{ user: 'guest', status: 'empty', line: 7, shell: '/bin/sh' }], '/etc/shadow') },
    'fail',
    ['/etc/shadow:7=guest: empty password field'],
  ),
  on(
    'unreadable shadow skips',
    { accounts: unknown('/etc/shadow: permission denied (run as root to read it)') },
    'skip',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-030',
    aliases: [],
    severity: 'high',
    title: 'No account on the host has an empty password',
    rationale:
      "An account with an empty password field logs in without one wherever the service allows it (console, su, PAM services with nullok), and a container host's accounts reach the Docker socket.",
    remediation: 'Lock the account (passwd -l USER) or set a password; remove accounts that are not needed.',
    references: ['https://man7.org/linux/man-pages/man5/shadow.5.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-030',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('accounts', (accounts, source) => {
      const empty = accounts.filter((a) => a.status === 'empty');
      const locked = accounts.filter((a) => a.status === 'locked').length;
      if (empty.length === 0)
        return pass(
          `no empty password among ${accounts.length} accounts (${locked} locked)`,
          ev(source, `${accounts.length} accounts, ${locked} locked`),
        );
      return fail(
        `accounts with an empty password: ${empty.map((a) => a.user).join(', ')}`,
        ...empty.map((a) =>
          ev(
            `${source}:${a.line}`,
            `${a.user}: empty password field${a.shell === undefined ? '' : `, shell ${a.shell}`}`,
            'locked or set',
          ),
        ),
      );
    }),
  ),
  cases,
};
