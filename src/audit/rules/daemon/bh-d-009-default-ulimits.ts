// BH-D-009: the daemon sets default ulimits for containers (CIS 1.6.0 2.8, 1.8.0 2.9).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('none fails', {}, {}, 'fail'),
  hostCase(
    'daemon.json default-ulimits passes',
    {},
    { 'default-ulimits': { nofile: { Name: 'nofile', Hard: 64000, Soft: 64000 } } },
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-009',
    aliases: ['CIS-1.6.0:2.8', 'CIS-1.8.0:2.9'],
    severity: 'low',
    title: 'Default ulimits are configured',
    rationale:
      'Default ulimits (nofile, nproc) bound what any container can take from the host without per-container flags.',
    remediation: 'Set "default-ulimits" in daemon.json (or --default-ulimit nofile=1024:4096).',
    references: ['https://docs.docker.com/reference/cli/dockerd/#default-ulimit-settings'],
    docsUrl: 'docs/rules/audit.md#bh-d-009',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'default-ulimit', 'set');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set'
      ? pass('default ulimits set', s.evidence)
      : fail('no default ulimits', s.evidence);
  }),
  cases,
};
