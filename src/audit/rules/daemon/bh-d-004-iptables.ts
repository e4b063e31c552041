// BH-D-004: Docker may manage iptables (CIS 1.6.0 2.4, 1.8.0 2.4).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('default passes', {}, {}, 'pass'),
  hostCase('"iptables": false fails', {}, { iptables: false }, 'fail', ['"iptables": false']),
  hostCase('--iptables=false fails', { iptables: ['false'] }, undefined, 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-004',
    aliases: ['CIS-1.6.0:2.4', 'CIS-1.8.0:2.4'],
    severity: 'low',
    title: 'Docker is allowed to make changes to iptables',
    rationale:
      'With iptables off, Docker does not install the isolation and NAT rules containers rely on; hand-written rules drift from the networks Docker creates.',
    remediation: 'Remove --iptables=false / "iptables": false.',
    references: ['https://docs.docker.com/network/packet-filtering-firewalls/'],
    docsUrl: 'docs/rules/audit.md#bh-d-004',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'iptables', 'true');
    if (s.state === 'unknown') return skip(s.reason);
    if (s.state === 'set' && asBoolean(s.setting.value) === false)
      return fail('iptables management is off', s.evidence);
    return pass('iptables management is on', s.evidence);
  }),
  cases,
};
