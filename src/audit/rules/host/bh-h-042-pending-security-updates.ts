// BH-H-042: no security update is waiting to be installed on the host (no CIS item; CIS distribution benchmarks
// 1.9 "ensure updates are installed"). Reads the pendingUpdates fact: the host's package database matched against
// the vulnerability database, as `bulkhead scan host` does, before rules run. The kernel is BH-H-041's.
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { pending } from '../../cases/hardening.js';
import { known, unknown } from '../../../facts/index.js';

const MAX_LISTED = 10;

const cases: readonly AuditCase[] = [
  pending(
    known({ os: 'Debian GNU/Linux 12 (bookworm)', installed: 120, packages: [] }, 'dpkg + db'),
    'pass',
    'nothing pending passes',
  ),
  pending(
    known(
      {
        os: 'Debian GNU/Linux 12 (bookworm)',
        installed: 120,
        packages: [
          {
            name: 'curl',
            installed: '7.88.1-10+deb12u9',
            fixed: '7.88.1-10+deb12u15',
            severity: 'medium',
            cves: ['CVE-2024-11053'],
          },
        ],
      },
      'dpkg + db',
    ),
    'fail',
    'a fix not installed fails',
    ['curl 7.88.1-10+deb12u9=CVE-2024-11053 (medium)'],
  ),
  pending(unknown('no vulnerability database given'), 'skip', 'no database skips'),
  pending(undefined, 'skip', 'facts recorded without it skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-042',
    aliases: [],
    severity: 'medium',
    title: 'No security updates are pending on the host',
    rationale:
      'A fixed version that is published but not installed is a known hole with a public advisory: the host libraries and daemons behind every container (openssl, glibc, sudo, runc) are exactly what a container escape or a lateral move uses next.',
    remediation:
      'Install the updates (apt upgrade; dnf upgrade --security), restart what uses the old libraries (needrestart), and let BH-H-024 make it automatic.',
    references: ['https://www.debian.org/security/', 'https://access.redhat.com/security/updates/advisory'],
    docsUrl: 'docs/rules/audit.md#bh-h-042',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const fact = ctx.facts.pendingUpdates;
    if (fact === undefined) return skip('these facts were recorded without the pending-updates lookup');
    if (fact.state === 'unknown') return skip(fact.reason);
    const { os, installed, packages } = fact.value;
    if (packages.length === 0)
      return pass(
        `${installed} packages of ${os}: none lacks a published security fix`,
        ev(fact.source, `${installed} packages`),
      );
    const cves = packages.reduce((n, p) => n + p.cves.length, 0);
    const shown = packages.slice(0, MAX_LISTED);
    return fail(
      `${packages.length} package${packages.length === 1 ? '' : 's'} with security fixes not installed (${cves} CVEs): ${shown.map((p) => `${p.name} ${p.installed} -> ${p.fixed}`).join(', ')}${packages.length > MAX_LISTED ? ` and ${packages.length - MAX_LISTED} more` : ''}`,
      ...shown.map((p) =>
        ev(`${p.name} ${p.installed}`, `${p.cves.join(', ')} (${p.severity})`, `>= ${p.fixed}`),
      ),
    );
  }),
  cases,
};
