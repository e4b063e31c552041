// BH-D-017: the userland proxy is disabled (CIS 1.6.0 2.16, 1.8.0 2.17).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('default fails', {}, {}, 'fail'),
  hostCase('"userland-proxy": false passes', {}, { 'userland-proxy': false }, 'pass'),
  hostCase('--userland-proxy=false passes', { 'userland-proxy': ['false'] }, undefined, 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-017',
    aliases: ['CIS-1.6.0:2.16', 'CIS-1.8.0:2.17'],
    severity: 'low',
    title: 'The userland proxy is disabled',
    rationale:
      'docker-proxy runs one root process per published port and widens the attack surface where iptables hairpin NAT does the same job.',
    remediation: 'Set "userland-proxy": false in daemon.json.',
    references: ['https://docs.docker.com/network/packet-filtering-firewalls/#docker-on-a-router'],
    docsUrl: 'docs/rules/audit.md#bh-d-017',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'userland-proxy', 'false');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && asBoolean(s.setting.value) === false
      ? pass('userland proxy off', s.evidence)
      : fail('userland proxy on', s.evidence);
  }),
  cases,
};
