// BH-C-024: the container is not on the default bridge network docker0 (CIS 1.6.0 5.29, 1.8.0 5.30).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('none passes', container('web'), 'pass'),
  one(
    'bridge fails',
    container(
      'web',
      { NetworkMode: 'default' },
      { NetworkSettings: { Networks: { bridge: { NetworkID: '2d5f0c1e9a7b' } } } },
    ),
    'fail',
    ['NetworkSettings.Networks=["bridge"]'],
  ),
  one(
    'bridge with an empty NetworkID (a daemon with "bridge": "none") passes',
    container(
      'web',
      { NetworkMode: 'default' },
      { NetworkSettings: { Networks: { bridge: { NetworkID: '' } } } },
    ),
    'pass',
    ['NetworkSettings.Networks.bridge.NetworkID='],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-024',
    aliases: ['CIS-1.6.0:5.29', 'CIS-1.8.0:5.30'],
    severity: 'low',
    title: 'Container is not on the default bridge',
    rationale:
      'Every container on docker0 can reach every other one (unless icc is off) and is open to ARP spoofing between them.',
    remediation:
      'Attach containers to user-defined networks (docker network create) instead of the default bridge.',
    references: [
      'https://docs.docker.com/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge',
    ],
    docsUrl: 'docs/rules/audit.md#bh-c-024',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const all = c.NetworkSettings?.Networks ?? {};
    const networks = Object.keys(all);
    // A daemon started with "bridge": "none" has no docker0, yet inspect still lists Networks.bridge for a
    // container in the default network mode, with an empty NetworkID: that container is attached to nothing.
    const bridge: unknown = all['bridge'];
    const networkId =
      typeof bridge === 'object' && bridge !== null && 'NetworkID' in bridge ? bridge.NetworkID : undefined;
    if (networks.includes('bridge') && (typeof networkId !== 'string' || networkId === ''))
      return pass(
        'not on the default bridge (the daemon has none: Networks.bridge has no NetworkID)',
        ev('NetworkSettings.Networks.bridge.NetworkID', typeof networkId === 'string' ? networkId : null),
      );
    return networks.includes('bridge')
      ? fail('attached to the default bridge', ev('NetworkSettings.Networks', networks, 'no "bridge"'))
      : pass('not on the default bridge', ev('NetworkSettings.Networks', networks));
  }),
  cases,
};
