// BH-N-005: two containers talk over the default bridge while icc is on: the traffic that proves audit's BH-D-002
// finding (icc=true lets every container on docker0 reach every port of every other one).
import { D, E, A, B, NETWORKS, NETWORKS_ICC_OFF, edge, ep } from './fixtures.js';
import { docsUrl, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

const cases: readonly NetRuleCase[] = [
  {
    name: 'web -> db on docker0, icc on',
    input: {
      kind: 'edge',
      container: D,
      role: 'outbound',
      edge: edge(ep(D), ep(E), 5432, 'bridge'),
      section: undefined,
      networks: NETWORKS,
    },
    expect: 'BH-D-002',
  },
  {
    name: 'same with icc off (traffic then is via published ports only)',
    input: {
      kind: 'edge',
      container: D,
      role: 'outbound',
      edge: edge(ep(D), ep(E), 5432, 'bridge'),
      section: undefined,
      networks: NETWORKS_ICC_OFF,
    },
    expect: null,
  },
  {
    name: 'user-defined network',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(A), 8080),
      section: undefined,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'judged once, from the client side',
    input: {
      kind: 'edge',
      container: E,
      role: 'inbound',
      edge: edge(ep(D), ep(E), 5432, 'bridge'),
      section: undefined,
      networks: NETWORKS,
    },
    expect: null,
  },
];

export const rule: NetRule = {
  meta: {
    id: 'BH-N-005',
    aliases: ['CIS-Docker-2.2'],
    severity: 'medium',
    title: 'Containers talk over the default bridge while icc is on',
    rationale:
      'With icc on, any compromised container on docker0 reaches every port of its neighbours; this edge shows it happening.',
    remediation:
      'Set "icc": false in daemon.json (audit BH-D-002) and put containers that must talk on a user-defined network.',
    references: ['docs/rules/audit.md#bh-d-002', 'https://docs.docker.com/engine/network/drivers/bridge/'],
    docsUrl: docsUrl('BH-N-005'),
  },
  check: (ctx: NetRuleContext) => {
    if (ctx.kind !== 'edge' || ctx.role !== 'outbound') return undefined;
    const { edge: e } = ctx;
    if (e.client.kind !== 'container' || e.server.kind !== 'container' || e.network !== 'bridge')
      return undefined;
    const bridge = ctx.networks.find((n) => n.name === 'bridge');
    if (bridge?.icc !== true) return undefined;
    return {
      message: `${e.client.name} -> ${e.server.name}:${e.port}/${e.proto} over the default bridge with icc on (audit BH-D-002)`,
    };
  },
  cases,
};
