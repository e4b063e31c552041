// BH-N-003: a container accepts a connection from a peer its learned profile has no inbound edge for.
import { A, B, C, LEARNED, NETWORKS, addr, edge, ep } from './fixtures.js';
import { newEdgeAlert } from './match.js';
import { docsUrl, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

const cases: readonly NetRuleCase[] = [
  {
    name: 'learned b -> a',
    input: {
      kind: 'edge',
      container: A,
      role: 'inbound',
      edge: edge(ep(B), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'new c -> a',
    input: {
      kind: 'edge',
      container: A,
      role: 'inbound',
      edge: edge(ep(C), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'net-c -> net-a:8080/tcp',
  },
  {
    name: 'address inside a learned range',
    input: {
      kind: 'edge',
      container: A,
      role: 'inbound',
      edge: edge(addr('192.168.50.7'), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'address outside it',
    input: {
      kind: 'edge',
      container: A,
      role: 'inbound',
      edge: edge(addr('192.168.51.7'), ep(A), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: '192.168.51.7 -> net-a',
  },
  {
    name: 'outbound role: not this rule',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(C), 8080),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
];

export const rule: NetRule = {
  meta: {
    id: 'BH-N-003',
    aliases: ['Unexpected inbound connection source'],
    severity: 'medium',
    title: 'Container accepts a connection from a peer outside its profile',
    rationale:
      'A service reached by a client it never served before is often a compromised neighbour scanning or exploiting it.',
    remediation:
      'Identify the peer (watch flows); in deny mode such connections are refused. Promote the profile if the client is legitimate.',
    references: ['https://attack.mitre.org/techniques/T1210/'],
    docsUrl: docsUrl('BH-N-003'),
  },
  check: (ctx: NetRuleContext) => newEdgeAlert(ctx, 'inbound', { peerMustBeContainer: false }),
  cases,
};
