// BH-N-004: a container connects to the Docker API (2375/2376 on a host address, or the Engine socket's TCP forms)
// or another host management port (SSH, swarm, kubelet, the daemon's metrics): the first step of most escapes.
import { B, LEARNED, NETWORKS, addr, edge, ep, A } from './fixtures.js';
import { docsUrl, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

/** Ports whose owner can run code on the host (Docker API plain/TLS, swarm, kubelet, SSH) or reads its state. */
export const MANAGEMENT_PORTS: Readonly<Record<number, string>> = {
  22: 'SSH',
  2375: 'Docker API (plain TCP)',
  2376: 'Docker API (TLS)',
  2377: 'Docker swarm management',
  4243: 'Docker API (legacy port)',
  9323: 'dockerd metrics',
  10250: 'kubelet API',
};

const cases: readonly NetRuleCase[] = [
  {
    name: 'docker API on the gateway',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('172.17.0.1', 'bridge'), 2375),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'Docker API (plain TCP)',
  },
  {
    name: 'kubelet anywhere off-container',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('10.0.0.1'), 10250),
      section: undefined,
      networks: NETWORKS,
    },
    expect: 'kubelet API',
  },
  {
    name: 'ssh to another container is lateral movement, not this rule',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(A), 22),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'https out',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('192.0.2.9'), 443),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
];

export const rule: NetRule = {
  meta: {
    id: 'BH-N-004',
    aliases: ['Contact K8S API Server From Container'],
    severity: 'critical',
    title: 'Container connects to the Docker API or a host management port',
    rationale:
      'Whoever reaches the Docker API owns the host (docker run --privileged -v /:/host); SSH, swarm and kubelet ports are the same class.',
    remediation:
      'Never expose dockerd on TCP to containers; bind management services to interfaces containers cannot reach, and block them in deny mode.',
    references: [
      'https://docs.docker.com/engine/security/#docker-daemon-attack-surface',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    docsUrl: docsUrl('BH-N-004'),
  },
  check: (ctx: NetRuleContext) => {
    if (ctx.kind !== 'edge' || ctx.role !== 'outbound' || ctx.edge.server.kind !== 'address')
      return undefined;
    const what = MANAGEMENT_PORTS[ctx.edge.port];
    if (what === undefined) return undefined;
    return {
      message: `${ctx.container.name} connects to ${what} at ${ctx.edge.server.addr}:${ctx.edge.port}/${ctx.edge.proto}`,
    };
  },
  cases,
};
