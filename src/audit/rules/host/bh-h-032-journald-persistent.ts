// BH-H-032: journald keeps the log across reboots (no CIS Docker item; journald.conf(5) Storage=: "auto" is
// persistent only when /var/log/journal exists).
import { checkHost, ev, fail, pass } from '../../check.js';
import { at, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('persistent passes', {}, 'pass'),
  on(
    'volatile fails',
    {
      journald: known(
        { storage: 'volatile', at: { file: '/etc/systemd/journald.conf', line: 2 }, persistentDir: false },
        '/etc/systemd/journald.conf',
      ),
    },
    'fail',
    ['journald.conf:2=Storage=volatile'],
  ),
  on(
    'auto without /var/log/journal fails',
    {
      journald: known(
        { storage: 'auto', at: { file: 'journald default' }, persistentDir: false },
        'journald default',
      ),
    },
    'fail',
  ),
  on(
    'auto with /var/log/journal passes',
    {
      journald: known(
        { storage: 'auto', at: { file: 'journald default' }, persistentDir: true },
        'journald default',
      ),
    },
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-032',
    aliases: [],
    severity: 'low',
    title: 'The system journal is persistent',
    rationale:
      'dockerd, containerd and kernel messages about a container escape are in the journal; a volatile journal loses them at the reboot that usually follows an incident.',
    remediation:
      'Set Storage=persistent in /etc/systemd/journald.conf (or create /var/log/journal) and restart systemd-journald; ship logs off the host too.',
    references: ['https://www.freedesktop.org/software/systemd/man/latest/journald.conf.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-032',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('journald', (j) => {
      const storage = j.storage.toLowerCase();
      const evidence = [
        ev(at(j.at), `Storage=${j.storage}`, 'persistent'),
        ev('/var/log/journal', j.persistentDir ? 'exists' : 'absent'),
      ];
      if (storage === 'persistent' || (storage === 'auto' && j.persistentDir))
        return pass(`journal is persistent (Storage=${j.storage})`, ...evidence);
      return fail(
        storage === 'auto'
          ? 'Storage=auto without /var/log/journal keeps the journal in memory only'
          : `Storage=${j.storage} does not keep the journal across reboots`,
        ...evidence,
      );
    }),
  ),
  cases,
};
