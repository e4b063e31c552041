// BH-C-007: no container port is published on a privileged host port below 1024 (CIS 1.6.0 5.7, 1.8.0 5.8).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { publishedPorts } from '../../ports.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no ports passes', container('web'), 'pass'),
  one(
    '8080 passes',
    container('web', { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } }),
    'pass',
  ),
  one(
    'host port 80 fails',
    container('web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }] } }),
    'fail',
    ['HostPort=80'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-007',
    aliases: ['CIS-1.6.0:5.7', 'CIS-1.8.0:5.8'],
    severity: 'low',
    title: 'No privileged host port is published',
    rationale:
      'Ports below 1024 are reserved for privileged services; publishing one lets a container pose as one.',
    remediation:
      'Publish on a host port of 1024 or above (-p 8080:80) and put a proxy in front if port 80/443 is needed.',
    references: ['https://docs.docker.com/network/#published-ports'],
    docsUrl: 'docs/rules/audit.md#bh-c-007',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const ports = publishedPorts(c);
    const low = ports.filter((p) => p.hostPort > 0 && p.hostPort < 1024);
    if (low.length > 0)
      return fail(
        `privileged host ports published: ${low.map((p) => `${p.hostPort}->${p.containerPort}`).join(', ')}`,
        ...low.map((p) =>
          ev(`HostConfig.PortBindings["${p.containerPort}"].HostPort`, String(p.hostPort), '>= 1024'),
        ),
      );
    return pass(
      ports.length === 0 ? 'no published ports' : 'published host ports are >= 1024',
      ev('HostConfig.PortBindings', c.HostConfig?.PortBindings ?? {}),
    );
  }),
  cases,
};
