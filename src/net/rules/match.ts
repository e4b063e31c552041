// Profile lookups shared by the network rules and the enforcement planner (is this edge or port already learned?),
// and the new-edge check BH-N-002 and BH-N-003 share.
import { inSubnet } from '../graph.js';
import type { EdgeEntry, NetworkSection, Peer } from '../profile.js';
import { endpointLabel, type Edge, type Endpoint } from '../types.js';
import type { NetAlert, NetRuleContext } from './context.js';

export function peerMatches(peer: Peer, endpoint: Endpoint): boolean {
  if (peer.kind === 'workload') return endpoint.kind === 'container' && endpoint.workload === peer.workload;
  const addr = endpoint.kind === 'address' ? endpoint.addr : undefined;
  return addr !== undefined && inSubnet(addr, peer.cidr);
}

export function learnedEdge(
  section: NetworkSection,
  role: 'outbound' | 'inbound',
  workload: string,
  edge: Edge,
): EdgeEntry | undefined {
  const peer = role === 'outbound' ? edge.server : edge.client;
  return section[role].find(
    (e) =>
      e.workload === workload && e.proto === edge.proto && e.port === edge.port && peerMatches(e.peer, peer),
  );
}

/**
 * The one body of BH-N-002 (new outbound edge) and BH-N-003 (new inbound edge): an edge judged for the container on
 * `role`'s side that its learned section has no entry for. `peerMustBeContainer` keeps BH-N-002 to lateral movement
 * (an outbound edge to an address is BH-N-004's or nobody's); BH-N-003 also names address peers.
 */
export function newEdgeAlert(
  ctx: NetRuleContext,
  role: 'outbound' | 'inbound',
  options: { readonly peerMustBeContainer: boolean },
): NetAlert | undefined {
  if (ctx.kind !== 'edge' || ctx.role !== role || ctx.section === undefined) return undefined;
  const { edge } = ctx;
  const peer = role === 'outbound' ? edge.server : edge.client;
  if (options.peerMustBeContainer && peer.kind !== 'container') return undefined;
  if (learnedEdge(ctx.section, role, ctx.container.workload, edge) !== undefined) return undefined;
  const client = role === 'outbound' ? ctx.container.name : endpointLabel(edge.client);
  const server = role === 'inbound' ? ctx.container.name : endpointLabel(edge.server);
  return {
    message: `new ${role} edge ${client} -> ${server}:${edge.port}/${edge.proto}, not in its profile`,
  };
}
