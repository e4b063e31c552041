// BH-C-003: no dangerous capabilities beyond Docker's default set, counting the full set --privileged grants
// (CIS 1.6.0 5.3, 1.8.0 5.4; docker-bench-security ignores what --privileged implies).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { DANGEROUS_CAPABILITIES, isPrivileged, normalizeCapability } from '../../container-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one, privileged } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('default capabilities pass', container('web'), 'pass'),
  one('cap-drop ALL passes', container('web', { CapDrop: ['ALL'] }), 'pass', ['HostConfig.CapDrop=["ALL"]']),
  one('NET_BIND_SERVICE passes', container('web', { CapAdd: ['NET_BIND_SERVICE'] }), 'pass'),
  one('SYS_ADMIN fails', container('web', { CapAdd: ['SYS_ADMIN'] }), 'fail', [
    'HostConfig.CapAdd=["SYS_ADMIN"]',
  ]),
  one(
    'cap_sys_module (lower case, prefixed) fails',
    container('web', { CapAdd: ['cap_sys_module'] }),
    'fail',
    ['cap_sys_module'],
  ),
  one('ALL fails', container('web', { CapAdd: ['ALL'] }), 'fail'),
  one('privileged implies every capability', privileged, 'fail', ['HostConfig.Privileged=true']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-003',
    aliases: ['CIS-1.6.0:5.3', 'CIS-1.8.0:5.4'],
    severity: 'high',
    title: 'Container has no dangerous added capabilities',
    rationale:
      'Capabilities such as SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH or NET_ADMIN each give a known way out of the container or into the host kernel; --privileged grants them all.',
    remediation:
      'Drop --cap-add for these capabilities (and --privileged); prefer --cap-drop ALL plus the few capabilities the process needs.',
    references: [
      'https://docs.docker.com/engine/reference/run/#runtime-privilege-and-linux-capabilities',
      'https://man7.org/linux/man-pages/man7/capabilities.7.html',
    ],
    docsUrl: 'docs/rules/audit.md#bh-c-003',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const capAdd = c.HostConfig?.CapAdd ?? [];
    const capDrop = c.HostConfig?.CapDrop ?? [];
    if (isPrivileged(c))
      return fail(
        'privileged container: every capability is granted (CapAdd/CapDrop are ignored)',
        ev('HostConfig.Privileged', true, 'false'),
        ev('HostConfig.CapAdd', capAdd),
      );
    const dangerous = capAdd.map(normalizeCapability).filter((cap) => DANGEROUS_CAPABILITIES.has(cap));
    if (dangerous.length > 0)
      return fail(
        `dangerous capabilities added: ${dangerous.join(', ')}`,
        ev('HostConfig.CapAdd', capAdd, 'none of ' + dangerous.join(', ')),
      );
    const allDropped = capDrop.map(normalizeCapability).includes('ALL');
    return pass(
      allDropped
        ? 'all capabilities dropped'
        : capAdd.length === 0
          ? 'no capabilities added'
          : 'only low-risk capabilities added',
      ev('HostConfig.CapAdd', capAdd),
      ev('HostConfig.CapDrop', capDrop),
    );
  }),
  cases,
};
