// BH-H-033: the host keeps its clock synchronised (no CIS Docker item; CIS distribution benchmarks 2.1 "time
// synchronization"). Certificates, tokens and every log's timeline depend on it.
import { checkHost, ev, fail, notApplicable, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('timesyncd passes', {}, 'pass'),
  on('nothing fails', { timeSync: known({ active: [] }, 'systemd units and /proc') }, 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-033',
    aliases: [],
    severity: 'low',
    title: 'Time synchronisation is active',
    rationale:
      "TLS to the daemon and registries, the authz plugin's certificates and audit trails across hosts all rely on a correct clock; a drifting host accepts expired certificates or produces logs no one can correlate.",
    remediation: 'Enable systemd-timesyncd or chrony (systemctl enable --now chrony).',
    references: ['https://www.freedesktop.org/software/systemd/man/latest/systemd-timesyncd.service.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-033',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('timeSync', (time, source, hardening) => {
      if (hardening.os.state === 'known' && hardening.os.value.containerOptimized === 'talos')
        return notApplicable('Talos synchronises time in machined (no separate daemon)');
      return time.active.length > 0
        ? pass(`time synchronised by ${time.active.join(', ')}`, ...time.active.map((a) => ev(source, a)))
        : fail(
            'no time synchronisation service is enabled or running',
            ev(source, 'none of systemd-timesyncd, chrony, ntpd'),
          );
    }),
  ),
  cases,
};
