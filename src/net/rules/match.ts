// Profile lookups shared by the network rules and the enforcement planner: is this edge or port already learned?
import { inSubnet } from '../graph.js';
import type { EdgeEntry, NetworkSection, Peer } from '../profile.js';
import type { Edge, Endpoint } from '../types.js';

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
