// Pairs flow observations from every namespace into edges `client -> server:port/proto`: a connection seen from
// both ends (two namespaces, or one for loopback) counts once; an end no polled socket names is resolved by
// address (container IPs from the Engine API, then Docker network subnets) — issue 12 item 1.
import { isLoopback, type Proto } from './proc-net.js';
import type { NamespacePoll } from './poll.js';
import type { NamespaceUnit } from './namespaces.js';
import { containerEndpoint } from './poll.js';
import { edgeKey, type Edge, type Endpoint, type FlowObservation, type NetContainer } from './types.js';

export interface DockerNetwork {
  readonly name: string;
  readonly subnets: readonly string[];
  readonly internal: boolean;
  /** com.docker.network.bridge.enable_icc; undefined when the driver has no such option. */
  readonly icc: boolean | undefined;
  readonly driver: string;
}

function ipv4ToInt(addr: string): number | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** IPv4 CIDR membership (IPv6 subnets are matched by prefix text only when the prefix is on a group boundary). */
export function inSubnet(addr: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const a = ipv4ToInt(addr);
  const b = ipv4ToInt(base);
  if (a !== undefined && b !== undefined && Number.isInteger(bits) && bits >= 0 && bits <= 32) {
    const size = 2 ** (32 - bits);
    return Math.floor(a / size) === Math.floor(b / size);
  }
  if (addr.includes(':') && base.includes(':') && bits % 16 === 0) {
    const groups = bits / 16;
    const expand = (s: string): string[] => {
      const [head = '', tail] = s.split('::');
      const h = head === '' ? [] : head.split(':');
      const t = tail === undefined || tail === '' ? [] : tail.split(':');
      return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) =>
        g.replace(/^0+(?=.)/, ''),
      );
    };
    return expand(addr).slice(0, groups).join(':') === expand(base).slice(0, groups).join(':');
  }
  return false;
}

/** What the graph needs to know about the host right now; rebuilt each cycle from the container list. */
export interface ResolveContext {
  readonly units: readonly NamespaceUnit[];
  readonly networks: readonly DockerNetwork[];
  /** The latest poll per namespace inode (listener ownership). */
  readonly polls: ReadonlyMap<number, NamespacePoll>;
}

export class Resolver {
  private readonly byAddr = new Map<string, NamespaceUnit>();
  private readonly byInode = new Map<number, NamespaceUnit>();
  private readonly networkOfAddr = new Map<string, string>();

  constructor(private readonly context: ResolveContext) {
    for (const unit of context.units) {
      this.byInode.set(unit.inode, unit);
      for (const container of unit.containers)
        for (const a of container.addresses) {
          this.byAddr.set(a.addr, unit);
          this.networkOfAddr.set(a.addr, a.network);
        }
    }
  }

  unitOf(inode: number): NamespaceUnit | undefined {
    return this.byInode.get(inode);
  }

  /** The namespace holding `addr`: the observer's own for loopback, else the one with that container IP. */
  private unitFor(addr: string, observer: number): NamespaceUnit | undefined {
    return isLoopback(addr) ? this.byInode.get(observer) : this.byAddr.get(addr);
  }

  /** The container serving addr:port: the listener's owner in that namespace, else the namespace's primary. */
  server(addr: string, port: number, proto: Proto, observer: number): Endpoint {
    const unit = this.unitFor(addr, observer);
    if (unit === undefined) return this.address(addr);
    const listener = this.context.polls
      .get(unit.inode)
      ?.listening.find((l) => l.port === port && l.proto === proto);
    const owner = unit.containers.find((c) => c.id === listener?.container) ?? unit.primary;
    return containerEndpoint(owner);
  }

  client(addr: string, observer: number): Endpoint {
    const unit = this.unitFor(addr, observer);
    return unit === undefined ? this.address(addr) : containerEndpoint(unit.primary);
  }

  address(addr: string): Endpoint {
    return { kind: 'address', addr, network: this.networkFor(addr) };
  }

  networkFor(addr: string): string | undefined {
    const known = this.networkOfAddr.get(addr);
    if (known !== undefined) return known;
    return this.context.networks.find((n) => n.subnets.some((s) => inSubnet(addr, s)))?.name;
  }

  containers(): NetContainer[] {
    return this.context.units.flatMap((u) => u.containers);
  }
}

/** The embedded DNS server of user-defined networks (docs.docker.com/engine/network/#dns-services). */
export const DOCKER_DNS = '127.0.0.11';

export interface NewEdge {
  readonly edge: Edge;
  readonly observation: FlowObservation;
}

/** Distinct connections are tracked by 5-tuple for this long after they were last seen (then forgotten). */
const TUPLE_TTL_MS = 10 * 60 * 1000;

export class FlowGraph {
  readonly edges = new Map<string, Edge>();
  private readonly tuples = new Map<string, number>();

  /**
   * Adds one batch of observations (a poll cycle, or NFLOG packets); observations of the same connection from
   * its two ends are merged first. Returns the edges that did not exist before.
   */
  add(observations: readonly FlowObservation[], resolver: Resolver, denied = false): NewEdge[] {
    const merged = new Map<string, FlowObservation>();
    for (const obs of observations) {
      // Docker's embedded DNS (127.0.0.11, DNAT'd to dockerd's socket in the namespace) is name lookup, not an edge
      if (obs.serverAddr === DOCKER_DNS) continue;
      const loop = isLoopback(obs.serverAddr) ? `@${obs.netns}` : '';
      const key = `${obs.proto}|${obs.clientAddr}:${obs.clientPort}>${obs.serverAddr}:${obs.serverPort}${loop}`;
      const prior = merged.get(key);
      merged.set(
        key,
        prior === undefined
          ? obs
          : { ...prior, client: prior.client ?? obs.client, server: prior.server ?? obs.server },
      );
    }
    const created: NewEdge[] = [];
    for (const [tuple, obs] of merged) {
      const client = obs.client ?? resolver.client(obs.clientAddr, obs.netns);
      const server = obs.server ?? resolver.server(obs.serverAddr, obs.serverPort, obs.proto, obs.netns);
      const key = edgeKey(client, server, obs.serverPort, obs.proto);
      let edge = this.edges.get(key);
      if (edge === undefined) {
        edge = {
          key,
          client,
          server,
          port: obs.serverPort,
          proto: obs.proto,
          network: isLoopback(obs.serverAddr) ? 'loopback' : resolver.networkFor(obs.serverAddr),
          count: 0,
          denied: 0,
          firstSeen: obs.time,
          lastSeen: obs.time,
        };
        this.edges.set(key, edge);
        created.push({ edge, observation: obs });
      }
      const tupleKey = `${denied ? 'd' : 'a'}|${tuple}`;
      if (!this.tuples.has(tupleKey)) {
        if (denied) edge.denied += 1;
        else edge.count += 1;
      }
      this.tuples.set(tupleKey, obs.time);
      edge.lastSeen = Math.max(edge.lastSeen, obs.time);
    }
    return created;
  }

  /** Forgets 5-tuples not seen for TUPLE_TTL_MS (edges stay). */
  prune(now: number): void {
    for (const [key, seen] of this.tuples) if (now - seen > TUPLE_TTL_MS) this.tuples.delete(key);
  }

  list(): Edge[] {
    return [...this.edges.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
}
