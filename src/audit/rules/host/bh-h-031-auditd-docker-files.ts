// BH-H-031: auditd watches Docker's daemon, runtime binaries, sockets and configuration (CIS Docker Benchmark
// v1.6.0 1.1.3-1.1.18). The rules are parsed as auditctl reads them, so a commented-out line does not count.
import { type AuditWatch, DOCKER_AUDIT_PATHS, known } from '../../../facts/index.js';
import { checkHost, ev, fail, notApplicable, pass } from '../../check.js';
import { at, onHardening, watchCovers } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';

function coveredBy(watches: readonly AuditWatch[], path: string): AuditWatch | undefined {
  return watches.find((w) => watchCovers(w, path));
}

const cases: readonly AuditCase[] = [
  on('watched dockerd and /etc/docker (covering daemon.json) pass', {}, 'pass'),
  on(
    'a missing watch fails',
    {
      auditd: known(
        { installed: true, watches: [], present: ['/usr/bin/runc'], files: ['/etc/audit/audit.rules'] },
        '/etc/audit/audit.rules',
      ),
    },
    'fail',
    ['/usr/bin/runc (CIS 1.1.18) not watched'],
  ),
  on(
    'no auditd fails',
    {
      auditd: known(
        { installed: false, watches: [], present: ['/usr/bin/dockerd'], files: [] },
        '/etc/audit (no rules files)',
      ),
    },
    'fail',
  ),
  on(
    'no Docker files is n/a',
    {
      auditd: known({ installed: false, watches: [], present: [], files: [] }, '/etc/audit (no rules files)'),
    },
    'not-applicable',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-031',
    aliases: DOCKER_AUDIT_PATHS.map((a) => `CIS-1.6.0:${a.cis}`),
    severity: 'low',
    title: "auditd watches Docker's binaries, sockets and configuration",
    rationale:
      'Changes to dockerd, runc, containerd, their sockets and configuration are how an intruder persists or weakens every container; an audit trail of them is where an investigation starts.',
    remediation:
      'Install auditd and add a watch per listed path to /etc/audit/rules.d/docker.rules (e.g. `-w /usr/bin/dockerd -p rwxa -k docker`), then run `augenrules --load`.',
    references: [
      'https://man7.org/linux/man-pages/man8/auditctl.8.html',
      'https://www.cisecurity.org/benchmark/docker',
    ],
    docsUrl: 'docs/rules/audit.md#bh-h-031',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('auditd', (auditd, source, hardening) => {
      const osKind = hardening.os.state === 'known' ? hardening.os.value.containerOptimized : undefined;
      if (osKind === 'bottlerocket' || osKind === 'talos')
        return notApplicable(
          `${osKind} has no auditd; its binaries live on a read-only, dm-verity-checked image that cannot change without a new image`,
        );
      const present = DOCKER_AUDIT_PATHS.flatMap((item) => {
        const path = item.paths.find((p) => auditd.present.includes(p));
        return path === undefined ? [] : [{ cis: item.cis, path }];
      });
      if (present.length === 0)
        return notApplicable('none of the Docker files CIS 1.1.3-1.1.18 names exist on the host');
      if (!auditd.installed)
        return fail('auditd is not installed', ev('/sbin/auditd', 'absent', 'installed, with watches'));
      const missing = present.filter((p) => coveredBy(auditd.watches, p.path) === undefined);
      if (missing.length === 0)
        return pass(
          `all ${present.length} Docker paths present on the host are watched`,
          ...present.map((p) => {
            const w = coveredBy(auditd.watches, p.path);
            return ev(w === undefined ? source : at(w.at), `${p.path} (CIS ${p.cis})`);
          }),
        );
      return fail(
        `${missing.length} of ${present.length} Docker paths are not watched: ${missing.map((m) => m.path).join(', ')}`,
        ...missing.map((m) =>
          ev(source, `${m.path} (CIS ${m.cis}) not watched`, `-w ${m.path} -p rwxa -k docker`),
        ),
      );
    }),
  ),
  cases,
};
