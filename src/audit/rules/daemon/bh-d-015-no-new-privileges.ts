// BH-D-015: no-new-privileges is the daemon default for containers (CIS 1.6.0 2.14, 1.8.0 2.15).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('default fails', {}, {}, 'fail'),
  hostCase('"no-new-privileges": true passes', {}, { 'no-new-privileges': true }, 'pass'),
  hostCase('--no-new-privileges passes', { 'no-new-privileges': ['true'] }, undefined, 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-015',
    aliases: ['CIS-1.6.0:2.14', 'CIS-1.8.0:2.15'],
    severity: 'medium',
    title: 'Containers are restricted from acquiring new privileges by default',
    rationale:
      'A daemon-wide no-new-privileges stops setuid and file-capability binaries from raising privileges in every container.',
    remediation: 'Set "no-new-privileges": true in daemon.json.',
    references: ['https://docs.docker.com/reference/cli/dockerd/'],
    docsUrl: 'docs/rules/audit.md#bh-d-015',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'no-new-privileges', 'true');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && asBoolean(s.setting.value) === true
      ? pass('no-new-privileges by default', s.evidence)
      : fail('no-new-privileges is not the default', s.evidence);
  }),
  cases,
};
