// BH-D-020: swarm mode is off unless used (CIS 1.6.0 7.1, 1.8.0 5.1).
import { checkEngine, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('inactive passes', engineFacts(), 'pass'),
  engineCase('active fails', info({ Swarm: { LocalNodeState: 'active' } }), 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-020',
    aliases: ['CIS-1.6.0:7.1', 'CIS-1.8.0:5.1'],
    severity: 'low',
    title: 'Swarm mode is not enabled unless needed',
    rationale: 'Swarm mode opens cluster management ports (2377, 7946, 4789) and gossip traffic on the host.',
    remediation: 'If the host is not part of a swarm, run docker swarm leave.',
    references: ['https://docs.docker.com/engine/swarm/'],
    docsUrl: 'docs/rules/audit.md#bh-d-020',
  },
  area: 'daemon',
  needs: 'engine',
  check: checkEngine((engine) => {
    const state = engine.info.Swarm?.LocalNodeState ?? 'inactive';
    const evidence = ev('/info Swarm.LocalNodeState', state, 'inactive');
    return state === 'active'
      ? fail('swarm mode is active: confirm it is needed', evidence)
      : pass('swarm mode inactive', evidence);
  }),
  cases,
};
