// BH-N-002: a container opens a connection to another container that its learned profile has no edge for
// (lateral movement between containers of one host, the traffic edge controls never see).
import { A, B, C, LEARNED, NETWORKS, addr, edge, ep } from './fixtures.js';
import { newEdgeAlert } from './match.js';
import { docsUrl, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

const cases: readonly NetRuleCase[] = [
  {
    name: 'learned b -> a:8080',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'new b -> c:22',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(C), 22),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'net-b -> net-c:22/tcp',
  },
  {
    name: 'new port to a known peer',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(A), 9090),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'net-a:9090/tcp',
  },
  {
    name: 'to an address, not a container: not this rule',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('192.0.2.1'), 443),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'inbound role: not this rule',
    input: {
      kind: 'edge',
      container: A,
      role: 'inbound',
      edge: edge(ep(C), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'no profile',
    input: {
      kind: 'edge',
      container: C,
      role: 'outbound',
      edge: edge(ep(C), ep(A), 8080),
      section: undefined,
      networks: NETWORKS,
    },
    expect: null,
  },
];

export const rule: NetRule = {
  meta: {
    id: 'BH-N-002',
    aliases: ['Unexpected outbound connection destination'],
    severity: 'high',
    title: 'Container connects to another container outside its profile',
    rationale:
      'Once an attacker has a foothold in one container he moves laterally to its neighbours; that traffic never crosses the edge firewall.',
    remediation:
      'Check which process made the connection; in deny mode the connection is refused. Promote the profile if the edge is legitimate.',
    references: ['https://attack.mitre.org/tactics/TA0008/'],
    docsUrl: docsUrl('BH-N-002'),
  },
  check: (ctx: NetRuleContext) => newEdgeAlert(ctx, 'outbound', { peerMustBeContainer: true }),
  cases,
};
