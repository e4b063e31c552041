// BH-H-007: Docker's data root is on its own filesystem, judged by the mount that holds it (CIS 1.6.0 1.1.1,
// 1.8.0 1.1.1).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/host.js';
import { known } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('own filesystem passes', hostFacts(), 'pass'),
  on(
    'root filesystem fails',
    hostFacts({
      dataRootMount: known(
        { dataRoot: '/var/lib/docker', mountPoint: '/', fsType: 'ext4', device: '8:1' },
        '/proc/self/mountinfo',
      ),
    }),
    'fail',
    ['/ (ext4, device 8:1)'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-007',
    aliases: ['CIS-1.6.0:1.1.1', 'CIS-1.8.0:1.1.1'],
    severity: 'low',
    title: 'Docker data root is on its own filesystem',
    rationale:
      'Containers and images that fill the data root should not fill the root filesystem and take the host down with it.',
    remediation:
      'Mount a dedicated filesystem (LVM volume, disk) on /var/lib/docker or point "data-root" at one.',
    references: ['https://docs.docker.com/config/daemon/#daemon-data-directory'],
    docsUrl: 'docs/rules/audit.md#bh-h-007',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const m = ctx.facts.host.dataRootMount;
    if (m.state === 'unknown') return skip(m.reason);
    const evidence = [
      ev(
        `${m.source}: mount of ${m.value.dataRoot}`,
        `${m.value.mountPoint} (${m.value.fsType}, device ${m.value.device})`,
        'not /',
      ),
    ];
    return m.value.mountPoint === '/'
      ? fail(`${m.value.dataRoot} is on the root filesystem`, ...evidence)
      : pass(`${m.value.dataRoot} is on ${m.value.mountPoint}`, ...evidence);
  }),
  cases,
};
