// The network stage's own data model: containers as the stage sees them, endpoints, flows and edges
// (issue 12 "client container -> server container:port/proto"; other peers as addresses plus the Docker network).
import type { Proto } from './proc-net.js';

export interface ContainerAddress {
  /** Docker network name (bridge, an --internal network, ...). */
  readonly network: string;
  readonly addr: string;
}

/** A bind mount of a container (inspect's Mounts with Type "bind"): host source, path inside the container. */
export interface ContainerMount {
  readonly source: string;
  readonly destination: string;
}

/** A running container as the network stage needs it, from one Engine API inspect. */
export interface NetContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** Image id (sha256:...), the key of watch's profiles. */
  readonly imageId: string;
  /** What the profile learns per: the compose project/service when labelled, else the container name. */
  readonly workload: string;
  readonly pid: number;
  readonly runtime: string;
  readonly addresses: readonly ContainerAddress[];
  /** Id of the container whose namespace this one joined (--network container:X), if any. */
  readonly netnsOf: string | undefined;
  /** "host" or "none" network mode, which changes what the namespace means. */
  readonly networkMode: string;
  /** Bind mounts (an engine socket mounted in is BH-N-004's business). */
  readonly mounts: readonly ContainerMount[];
}

export type Endpoint =
  | { readonly kind: 'container'; readonly id: string; readonly name: string; readonly workload: string }
  | { readonly kind: 'address'; readonly addr: string; readonly network: string | undefined };

/** One connection (or UDP association) seen from one namespace: by /proc polling or by an NFLOG "new" packet. */
export interface FlowObservation {
  readonly netns: number;
  readonly proto: Proto;
  readonly clientAddr: string;
  readonly clientPort: number;
  readonly serverAddr: string;
  readonly serverPort: number;
  /** Owner of the client socket when this namespace holds it. */
  readonly client: Endpoint | undefined;
  /** Owner of the server socket when this namespace holds it. */
  readonly server: Endpoint | undefined;
  readonly source: 'proc' | 'nflog';
  readonly time: number;
}

export interface ListeningPort {
  readonly container: string;
  readonly containerName: string;
  readonly proto: Proto;
  readonly addr: string;
  readonly port: number;
}

export type EdgeVerdict = 'allowed' | 'denied';

/** Connections aggregated: client -> server:port/proto. */
export interface Edge {
  readonly key: string;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly port: number;
  readonly proto: Proto;
  /** Docker network the flow came through (from the addresses), when known. */
  readonly network: string | undefined;
  count: number;
  denied: number;
  firstSeen: number;
  lastSeen: number;
}

export function endpointLabel(endpoint: Endpoint): string {
  return endpoint.kind === 'container' ? endpoint.name : endpoint.addr;
}

export function edgeKey(client: Endpoint, server: Endpoint, port: number, proto: Proto): string {
  const id = (e: Endpoint): string => (e.kind === 'container' ? `c:${e.name}` : `a:${e.addr}`);
  return `${id(client)}>${id(server)}:${port}/${proto}`;
}
