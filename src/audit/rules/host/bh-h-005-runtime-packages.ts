// BH-H-005: host packages of runc, containerd and Docker are not at versions affected by container-escape CVEs,
// judged against distribution fixes where the distribution backports them (no CIS item beyond 1.2.2).
import { effectiveSetting } from '../../../shared/dockerd.js';
import { checkHost, ev, fail, notApplicable, pass, skip } from '../../check.js';
import { stringList } from '../../daemon-facts.js';
import { componentOf } from '../../escape-cves.js';
import { matchEscapeCves } from '../../runtime-cves.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, pkgs } from '../../cases/host.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('no packages is not applicable', hostFacts(), 'not-applicable'),
  on(
    'Debian 12 runc 1.1.5+ds1-1+deb12u1: CVE-2024-21626 fixed, 2025 CVEs undecided (skip)',
    pkgs([{ name: 'runc', version: '1.1.5+ds1-1+deb12u1' }]),
    'skip',
  ),
  on('Debian 12 runc before the fix fails', pkgs([{ name: 'runc', version: '1.1.5+ds1-1' }]), 'fail', [
    'runc=1.1.5+ds1-1',
  ]),
  on('containerd.io 1.6.20 passes', pkgs([{ name: 'containerd.io', version: '1.6.20-1' }]), 'pass'),
  on('upstream runc 1.1.11 fails', pkgs([{ name: 'runc', version: '1.1.11-1' }], 'trixie'), 'fail'),
  on('upstream runc 1.3.3 passes', pkgs([{ name: 'runc', version: '1.3.3-1' }], 'trixie'), 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-005',
    aliases: ['CIS-1.6.0:1.2.2', 'CIS-1.8.0:1.2.2'],
    severity: 'critical',
    title: 'runc, containerd and Docker packages are not affected by container-escape CVEs',
    rationale:
      'A vulnerable runc or containerd (CVE-2019-5736, CVE-2024-21626, CVE-2025-31133...) lets a container take over the host whatever else is configured.',
    remediation:
      'Upgrade the packages (apt-get install --only-upgrade runc containerd docker.io / docker-ce containerd.io) and restart containers.',
    references: [
      'https://github.com/opencontainers/runc/security/advisories',
      'https://security-tracker.debian.org/tracker/source-package/runc',
    ],
    docsUrl: 'docs/rules/audit.md#bh-h-005',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const host = ctx.facts.host;
    if (host.dockerPackages.state === 'unknown') return skip(host.dockerPackages.reason);
    const packages = host.dockerPackages.value.filter((p) => componentOf(p.name) !== undefined);
    if (packages.length === 0)
      return notApplicable(
        'no runc, containerd or Docker package in the package database',
        ev(host.dockerPackages.source, []),
      );
    const os = host.os.state === 'known' ? host.os.value : undefined;
    const distro = os?.versionCodename === undefined ? undefined : `${os.id}:${os.versionCodename}`;
    const authz = stringList(effectiveSetting(host, 'authorization-plugin')?.value).length > 0;
    const matches = packages.flatMap((p) =>
      matchEscapeCves(
        p.name,
        p.version,
        { scheme: p.source.includes('apk') ? 'apk' : 'deb', distro },
        { authz },
      ),
    );
    const evidence = packages.map((p) => ev(`${p.source}: ${p.name}`, p.version));
    const vulnerable = matches.filter((m) => m.status === 'vulnerable');
    if (vulnerable.length > 0)
      return fail(
        vulnerable.map((m) => `${m.name} ${m.version}: ${m.cve.id} (${m.basis})`).join('; '),
        ...evidence,
      );
    if (matches.length > 0)
      return skip(
        `no fix data for these distribution builds: ${matches.map((m) => `${m.name} ${m.version} (${m.cve.id})`).join(', ')}; check the distribution's security tracker`,
        ...evidence,
      );
    return pass(packages.map((p) => `${p.name} ${p.version}`).join(', '), ...evidence);
  }),
  cases,
};
