// BH-D-011: the daemon uses the default cgroup parent (CIS 1.6.0 2.10, 1.8.0 2.11).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('default passes', {}, {}, 'pass'),
  hostCase('custom fails', { 'cgroup-parent': ['/foo'] }, undefined, 'fail', ['--cgroup-parent=/foo']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-011',
    aliases: ['CIS-1.6.0:2.10', 'CIS-1.8.0:2.11'],
    severity: 'low',
    title: 'Daemon uses the default cgroup parent',
    rationale:
      'A custom --cgroup-parent moves every container under another cgroup whose limits must be confirmed.',
    remediation:
      'Remove --cgroup-parent / "cgroup-parent" unless the target cgroup is deliberate and limited.',
    references: ['https://docs.docker.com/reference/cli/dockerd/#default-cgroup-parent'],
    docsUrl: 'docs/rules/audit.md#bh-d-011',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'cgroup-parent', '(unset)');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set'
      ? fail(`custom cgroup parent ${String(s.setting.value)}: confirm its limits`, s.evidence)
      : pass('default cgroup parent', s.evidence);
  }),
  cases,
};
