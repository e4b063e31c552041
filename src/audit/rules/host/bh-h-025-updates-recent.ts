// BH-H-025: automatic updates really ran, and the package lists are fresh (no CIS item; unattended-upgrades
// stamp /var/lib/apt/periodic/*-stamp, systemd timer stamps /var/lib/systemd/timers/stamp-*).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known } from '../../../facts/index.js';

/** Older than this, an update run or a package list no longer reflects the last week's advisories. */
export const MAX_AGE_DAYS = 7;

const cases: readonly AuditCase[] = [
  on('ran yesterday passes', {}, 'pass'),
  on(
    'ran 40 days ago fails',
    {
      autoUpdates: known(
        {
          mechanism: 'dnf-automatic',
          applies: true,
          evidence: [],
          lastRun: '2025-11-22T00:00:00.000Z',
          lastRunSource: '/var/lib/systemd/timers/stamp-dnf-automatic-install.timer',
        },
        'update configuration',
      ),
    },
    'fail',
    ['stamp-dnf-automatic-install.timer=2025-11-22'],
  ),
  on(
    'never ran fails',
    {
      autoUpdates: known(
        { mechanism: 'unattended-upgrades', applies: true, evidence: [] },
        'update configuration',
      ),
    },
    'fail',
  ),
  on(
    'no mechanism skips',
    { autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration') },
    'skip',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-025',
    aliases: [],
    severity: 'medium',
    title: 'Automatic updates ran within the last week',
    rationale:
      'A configured updater that stopped running (a broken apt source, a full disk, a disabled timer) looks fine in the config and patches nothing.',
    remediation:
      'Check the updater log (/var/log/unattended-upgrades/, journalctl -u dnf-automatic), fix what stops it, and run it once by hand (unattended-upgrade -v; dnf-automatic).',
    references: ['https://wiki.debian.org/UnattendedUpgrades'],
    docsUrl: 'docs/rules/audit.md#bh-h-025',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('autoUpdates', (updates, _source, _h, ctx) => {
      if (updates.mechanism === 'none') return skip('no automatic update mechanism (see BH-H-024)');
      if (updates.lastRun === undefined)
        return updates.mechanism === 'flatcar-update-engine'
          ? skip('update_engine keeps no stamp readable under the root')
          : fail(
              `${updates.mechanism} has never run (no stamp or log entry)`,
              ev(updates.mechanism, 'no last run'),
            );
      const now = Date.parse(ctx.facts.collectedAt);
      const days = (iso: string): number => Math.floor((now - Date.parse(iso)) / 86_400_000);
      const runAge = days(updates.lastRun);
      const evidence = [
        ev(updates.lastRunSource ?? updates.mechanism, updates.lastRun, `within ${MAX_AGE_DAYS} days`),
      ];
      const listsAge = updates.listsUpdated === undefined ? undefined : days(updates.listsUpdated);
      if (updates.listsUpdated !== undefined)
        evidence.push(
          ev(updates.listsSource ?? 'package lists', updates.listsUpdated, `within ${MAX_AGE_DAYS} days`),
        );
      if (runAge > MAX_AGE_DAYS) return fail(`${updates.mechanism} last ran ${runAge} days ago`, ...evidence);
      if (listsAge !== undefined && listsAge > MAX_AGE_DAYS)
        return fail(`package lists were last refreshed ${listsAge} days ago`, ...evidence);
      return pass(`${updates.mechanism} ran ${runAge} day(s) ago`, ...evidence);
    }),
  ),
  cases,
};
