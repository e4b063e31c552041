// BH-D-022: the Docker Engine, containerd and runc versions the Engine API reports are not affected by known
// container-escape CVEs (CIS 1.6.0 1.2.2, 1.8.0 1.2.2 "version of Docker is up to date").
import { checkEngine, ev, fail, pass, skip } from '../../check.js';
import { matchEscapeCves } from '../../runtime-cves.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase(
    'Docker 28.5.2 with an authorization plugin fails (CVE-2026-34040)',
    { ...info({ Plugins: { Authorization: ['bulkhead'] } }) },
    'fail',
  ),
  engineCase('current versions pass', engineFacts(), 'pass'),
  engineCase(
    'runc 1.1.11 fails with CVE-2024-21626',
    {
      ...engineFacts(),
      version: { Version: '24.0.7', ApiVersion: '1.43', Components: [{ Name: 'runc', Version: '1.1.11' }] },
    },
    'fail',
  ),
  engineCase(
    'runc 1.0.0-rc6 fails',
    {
      ...engineFacts(),
      version: {
        Version: '18.09.1',
        ApiVersion: '1.39',
        Components: [{ Name: 'runc', Version: '1.0.0-rc6' }],
      },
    },
    'fail',
  ),
  engineCase(
    'Debian build 1.1.5+ds1 is undecided (skip)',
    {
      ...engineFacts(),
      version: {
        Version: '20.10.24+dfsg1',
        ApiVersion: '1.41',
        Components: [{ Name: 'runc', Version: '1.1.5+ds1' }],
      },
    },
    'skip',
  ),
  engineCase(
    'runc 1.3.3 passes',
    {
      ...engineFacts(),
      version: {
        Version: '28.5.2',
        ApiVersion: '1.51',
        Components: [
          { Name: 'runc', Version: '1.3.3' },
          { Name: 'containerd', Version: '1.7.29' },
        ],
      },
    },
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-022',
    aliases: ['CIS-1.6.0:1.2.2', 'CIS-1.8.0:1.2.2'],
    severity: 'critical',
    title: 'Engine, containerd and runc are not affected by container-escape CVEs',
    rationale:
      'runc and containerd bugs (CVE-2019-5736, CVE-2024-21626 "Leaky Vessels", CVE-2025-31133/52565/52881) let a container process take over the host regardless of every other setting.',
    remediation:
      'Update runc, containerd and Docker to a fixed release (runc >= 1.2.8 / 1.3.3, containerd and Docker per their advisories) and restart the containers.',
    references: [
      'https://github.com/opencontainers/runc/security/advisories',
      'https://github.com/containerd/containerd/security/advisories',
    ],
    docsUrl: 'docs/rules/audit.md#bh-d-022',
  },
  area: 'daemon',
  needs: 'engine',
  check: checkEngine((engine) => {
    const components = engine.version.Components ?? [{ Name: 'Engine', Version: engine.version.Version }];
    const authz = (engine.info.Plugins?.Authorization ?? []).length > 0;
    const matches = components.flatMap((c) => matchEscapeCves(c.Name, c.Version, undefined, { authz }));
    const evidence = components.map((c) => ev(`/version Components[${c.Name}].Version`, c.Version));
    const vulnerable = matches.filter((m) => m.status === 'vulnerable');
    if (vulnerable.length > 0)
      return fail(
        vulnerable.map((m) => `${m.name} ${m.version}: ${m.cve.id} (${m.basis})`).join('; '),
        ...evidence,
      );
    if (matches.length > 0)
      return skip(
        `distribution builds older than upstream fixes: ${matches.map((m) => `${m.name} ${m.version} (${m.cve.id})`).join(', ')}; backports are invisible in the API version -- BH-H-005 checks the host packages`,
        ...evidence,
      );
    return pass(components.map((c) => `${c.Name} ${c.Version}`).join(', '), ...evidence);
  }),
  cases,
};
