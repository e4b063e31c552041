// BH-C-016: no host device is exposed, counting the all-devices access --privileged implies (CIS 1.6.0 5.17, 1.8.0 5.18).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { isPrivileged } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no devices pass', container('web'), 'pass'),
  one(
    '/dev/sda fails',
    container('web', {
      Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }],
    }),
    'fail',
    ['HostConfig.Devices=["/dev/sda:/dev/sda:rwm"]'],
  ),
  one('privileged implies all devices', privileged, 'fail', ['HostConfig.Privileged=true']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-016',
    aliases: ['CIS-1.6.0:5.17', 'CIS-1.8.0:5.18'],
    severity: 'high',
    title: 'No host device is exposed to the container',
    rationale:
      'A host block or character device (disks, /dev/mem, GPUs) in a container bypasses the filesystem and namespaces: raw disk access reads or rewrites the host.',
    remediation:
      'Drop --device and --device-cgroup-rule unless required; never use --privileged to reach devices.',
    references: ['https://docs.docker.com/engine/reference/run/#runtime-privilege-and-linux-capabilities'],
    docsUrl: 'docs/rules/audit.md#bh-c-016',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    if (isPrivileged(c))
      return fail(
        'privileged container: every host device is accessible',
        ev('HostConfig.Privileged', true, 'false'),
      );
    const devices = c.HostConfig?.Devices ?? [];
    const rules = c.HostConfig?.DeviceCgroupRules ?? [];
    if (devices.length > 0 || rules.length > 0)
      return fail(
        `host devices exposed: ${[...devices.map((d) => d.PathOnHost ?? '?'), ...rules].join(', ')}`,
        ev(
          'HostConfig.Devices',
          devices.map((d) => `${d.PathOnHost ?? ''}:${d.PathInContainer ?? ''}:${d.CgroupPermissions ?? ''}`),
          '[]',
        ),
        ev('HostConfig.DeviceCgroupRules', rules),
      );
    return pass('no host devices', ev('HostConfig.Devices', []));
  }),
  cases,
};
