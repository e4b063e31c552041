// BH-H-029: sshd forwards neither X11 nor the agent (no CIS Docker item; sshd_config(5) X11Forwarding,
// AllowAgentForwarding — the latter "yes" by default).
import { checkHost, fail, pass } from '../../check.js';
import { judgeSshd, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sshdSetting, on, sshd } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('both off passes', {}, 'pass'),
  on('default agent forwarding fails', sshd({ allowagentforwarding: sshdSetting('yes') }), 'fail', [
    'AllowAgentForwarding yes',
  ]),
  on('X11Forwarding yes fails', sshd({ x11forwarding: sshdSetting('yes', 20) }), 'fail', [
    'sshd_config:20=X11Forwarding yes',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-029',
    aliases: [],
    severity: 'low',
    title: 'sshd forwards neither X11 nor the SSH agent',
    rationale:
      "A forwarded agent socket on the host lets anyone who becomes root there (a container escape) use the administrator's keys on other hosts; X11 forwarding exposes the administrator's display.",
    remediation:
      'Set X11Forwarding no and AllowAgentForwarding no in /etc/ssh/sshd_config; use ProxyJump instead of agent forwarding.',
    references: ['https://man.openbsd.org/sshd_config#AllowAgentForwarding'],
    docsUrl: 'docs/rules/audit.md#bh-h-029',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sshd', (config) => {
      const x11 = judgeSshd(
        config,
        'x11forwarding',
        (v) => v.toLowerCase() === 'yes',
        () => 'X11 forwarding is on',
        'no',
      );
      const agent = judgeSshd(
        config,
        'allowagentforwarding',
        (v) => v.toLowerCase() !== 'no',
        () => 'agent forwarding is allowed',
        'no',
      );
      const failed = [x11, agent].filter((v) => v.kind === 'fail');
      if (failed.length === 0)
        return pass('X11 and agent forwarding are off', ...x11.evidence, ...agent.evidence);
      return fail(failed.map((v) => v.message).join('; '), ...failed.flatMap((v) => v.evidence));
    }),
  ),
  cases,
};
