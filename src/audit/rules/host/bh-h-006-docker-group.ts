// BH-H-006: the docker group's members are listed for confirmation (CIS 1.6.0 1.1.2, 1.8.0 1.1.2).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/host.js';
import { known } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('no members passes', hostFacts(), 'pass'),
  on(
    'members fail',
    hostFacts({ dockerGroup: known({ gid: 998, members: ['alice', 'bob'] }, '/etc/group') }),
    'fail',
    ['["alice","bob"]'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-006',
    aliases: ['CIS-1.6.0:1.1.2', 'CIS-1.8.0:1.1.2'],
    severity: 'low',
    title: 'The docker group has no members beyond those confirmed',
    rationale: 'Members of the docker group can use the API socket, which is root on the host.',
    remediation:
      'Remove users who do not need root-equivalent access (gpasswd -d USER docker); waive the rule for confirmed members in the config file.',
    references: ['https://docs.docker.com/engine/security/#docker-daemon-attack-surface'],
    docsUrl: 'docs/rules/audit.md#bh-h-006',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const group = ctx.facts.host.dockerGroup;
    if (group.state === 'unknown') return skip(group.reason);
    if (group.value.gid === -1) return pass('no docker group', ev(group.source, 'no docker group'));
    return group.value.members.length > 0
      ? fail(
          `root-equivalent via the docker group: ${group.value.members.join(', ')}`,
          ev(`${group.source}: docker`, group.value.members, 'confirmed members only'),
        )
      : pass('docker group has no members', ev(`${group.source}: docker`, []));
  }),
  cases,
};
