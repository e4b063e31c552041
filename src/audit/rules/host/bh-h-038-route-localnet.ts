// BH-H-038: net.ipv4.conf.all.route_localnet is set to the safe value (0) (no CIS item; CVE-2020-8558).
import { checkHost } from '../../check.js';
import { judgeSysctl, onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const cases: readonly AuditCase[] = [
  on('0 passes', {}, 'pass'),
  on('1 fails', { sysctls: sysctls({ 'net.ipv4.conf.all.route_localnet': '1' }) }, 'fail', [
    'route_localnet=1',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-038',
    aliases: [],
    severity: 'medium',
    title: 'Loopback addresses are not routed from other interfaces (net.ipv4.conf.all.route_localnet)',
    rationale:
      'With route_localnet=1, packets to 127.0.0.0/8 from containers or neighbours reach services the host binds to loopback only (CVE-2020-8558), breaking the loopback-only promise other rules rely on.',
    remediation:
      'sysctl -w net.ipv4.conf.all.route_localnet=0 and persist it in /etc/sysctl.d/90-bulkhead.conf.',
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2020-8558'],
    docsUrl: 'docs/rules/audit.md#bh-h-038',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) =>
      judgeSysctl(
        sysctls,
        'net.ipv4.conf.all.route_localnet',
        (v) => v === '0',
        '0',
        (v) =>
          `net.ipv4.conf.all.route_localnet = ${v}: services bound to 127.0.0.1 are reachable from other interfaces`,
      ),
    ),
  ),
  cases,
};
