// BH-C-012: published ports are bound to a specific host interface, not 0.0.0.0/:: (CIS 1.6.0 5.13, 1.8.0 5.14).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { publishedPorts } from '../../ports.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no ports passes', container('web'), 'pass'),
  one(
    '0.0.0.0 fails',
    container('web', { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } }),
    'fail',
    ['HostIp=0.0.0.0'],
  ),
  one(
    'empty host ip fails',
    container('web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }),
    'fail',
    ['all interfaces'],
  ),
  one(
    '127.0.0.1 passes',
    container('web', { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } }),
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-012',
    aliases: ['CIS-1.6.0:5.13', 'CIS-1.8.0:5.14'],
    severity: 'medium',
    title: 'Published ports are bound to a specific interface',
    rationale:
      "A port published without a host IP listens on every interface, including public ones, and Docker's iptables rules bypass host firewalls such as ufw.",
    remediation: 'Publish with an address: -p 127.0.0.1:8080:80 or -p 10.0.0.5:443:443.',
    references: ['https://docs.docker.com/network/#published-ports'],
    docsUrl: 'docs/rules/audit.md#bh-c-012',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const ports = publishedPorts(c);
    const wild = ports.filter((p) => p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::');
    if (wild.length > 0)
      return fail(
        `ports published on all interfaces: ${wild.map((p) => `${p.hostIp === '' ? '0.0.0.0' : p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ')}`,
        ...wild.map((p) =>
          ev(
            `HostConfig.PortBindings["${p.containerPort}"].HostIp`,
            p.hostIp === '' ? '(empty: all interfaces)' : p.hostIp,
            'a specific address',
          ),
        ),
      );
    return pass(
      ports.length === 0 ? 'no published ports' : 'every published port is bound to an address',
      ev('HostConfig.PortBindings', c.HostConfig?.PortBindings ?? {}),
    );
  }),
  cases,
};
