// The network stage of `bulkhead watch` (issue 12): one poller and one NFLOG reader per network namespace, flows
// paired into edges, the network rules, learning into the profiles' `network` section and, in deny mode, bulkhead's
// own nftables table in each watched namespace built from the learned profile. Start reconciles leftovers of a
// crashed run (add + flush replaces them); stop removes every table it owns.
import type Docker from 'dockerode';
import { z } from 'zod';
import { loadWatchAddon } from '../native/index.js';
import { ContainerSource } from './containers.js';
import { FlowGraph, Resolver, type DockerNetwork } from './graph.js';
import { groupByNamespace, type NamespaceUnit } from './namespaces.js';
import {
  applyTable,
  removeTable,
  NFLOG_DENY_GROUP,
  NFLOG_NEW_GROUP,
  type AllowRule,
  type TablePlan,
} from './nft.js';
import { startNflogReader, type NflogPacket, type NflogReader } from './nflog.js';
import { pollNamespace, type NamespacePoll } from './poll.js';
import { isLoopback } from './proc-net.js';
import { scanProcesses } from './procfs.js';
import { EngineSocketWatch, learnEngineSockets } from './unix.js';
import {
  emptySection,
  learnInto,
  loadNetworkProfiles,
  saveNetworkProfile,
  type NetworkProfile,
  type NetworkSection,
} from './profile.js';
import { alertSubject, type NetRuleContext } from './rules/context.js';
import { NET_RULES } from './rules/index.js';
import type { NetEvent, NetStore } from './store.js';
import { endpointLabel, type Edge, type FlowObservation, type NetContainer } from './types.js';

export type NetMode = 'learn' | 'alert' | 'deny';

/** An idle namespace with an NFLOG reader is re-read every this many cycles. */
export const FULL_POLL_EVERY = 5;

export interface NetMonitorOptions {
  readonly docker: Docker;
  readonly mode: NetMode;
  readonly profilesDir: string;
  readonly store: NetStore | undefined;
  readonly containers?: readonly string[];
  readonly intervalMs?: number;
  readonly procRoot?: string;
  /** Install bulkhead's table (NFLOG for short connections; required for deny). Default true. */
  readonly tables?: boolean;
  readonly onEvent?: (event: NetEvent) => void;
}

interface UnitState {
  unit: NamespaceUnit;
  reader: NflogReader | undefined;
  /** JSON of the applied plan, to re-apply only on change. */
  applied: string | undefined;
}

export interface NetStatus {
  readonly namespaces: number;
  readonly containers: number;
  readonly unobservable: { name: string; reason: string }[];
  readonly edges: number;
  readonly cycles: number;
  readonly lastCycleUs: number;
  readonly nflogPackets: number;
  readonly readerFailures: number;
}

export class NetMonitor {
  readonly graph = new FlowGraph();
  private readonly source: ContainerSource;
  private readonly states = new Map<number, UnitState>();
  private readonly polls = new Map<number, NamespacePoll>();
  /** proto/port keys ever seen listening per namespace (servers that close their listener on accept). */
  private readonly services = new Map<number, Set<string>>();
  private networks: DockerNetwork[] = [];
  private resolver = new Resolver({ units: [], networks: [], polls: new Map() });
  private containers: NetContainer[] = [];
  private profiles = new Map<string, NetworkProfile>();
  private readonly seenListen = new Set<string>();
  private readonly reportedUnobservable = new Map<string, string>();
  private unobservable: { name: string; reason: string }[] = [];
  private readonly pendingEvents: NetEvent[] = [];
  /** Namespaces with NFLOG packets since their last poll, and the cycle each was last polled in. */
  private readonly activity = new Set<number>();
  private readonly lastPolled = new Map<number, number>();
  /** NFLOG connections in namespaces shared by several containers, attributed with the next poll's sockets. */
  private deferred: FlowObservation[] = [];
  private readonly dirtyEdges = new Set<Edge>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private cycles = 0;
  private lastCycleUs = 0;
  private nflogPackets = 0;
  private readerFailures = 0;
  private profilesDirty = false;
  /** BH-N-004 over unix sockets: connections to the engine's own API sockets, and mounts exposing them. */
  readonly engineSockets: EngineSocketWatch;

  constructor(private readonly options: NetMonitorOptions) {
    this.source = new ContainerSource(options.docker);
    const client = z.object({ socketPath: z.string().optional() }).safeParse(options.docker.modem);
    this.engineSockets = new EngineSocketWatch({
      addon: loadWatchAddon,
      learn: () =>
        learnEngineSockets({
          info: () => options.docker.info(),
          socketPath: client.success ? client.data.socketPath : undefined,
          procRoot: options.procRoot,
        }),
      procRoot: options.procRoot,
    });
  }

  private get useTables(): boolean {
    return this.options.tables ?? true;
  }

  /** First cycle (tables applied, readers listening) before it resolves; then polls every intervalMs. */
  async start(): Promise<void> {
    this.profiles = loadNetworkProfiles(this.options.profilesDir).profiles;
    await this.cycle();
    const interval = this.options.intervalMs ?? 1000;
    const tick = (): void => {
      this.running = this.cycle()
        .catch((error: unknown) => {
          this.emit({
            kind: 'enforcement',
            verdict: 'info',
            message: `network cycle failed: ${error instanceof Error ? error.message : String(error)}`,
          });
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, interval);
        });
    };
    this.timer = setTimeout(tick, interval);
  }

  /** Stops polling, saves what was learned, removes bulkhead's table from every namespace and stops the readers. */
  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer !== undefined) clearTimeout(timer);
    await this.running;
    if (this.options.mode === 'learn') this.learn(true);
    for (const state of this.states.values()) await this.release(state);
    this.states.clear();
    this.flush();
  }

  status(): NetStatus {
    return {
      namespaces: this.states.size,
      containers: this.containers.length,
      unobservable: this.unobservable,
      edges: this.graph.edges.size,
      cycles: this.cycles,
      lastCycleUs: this.lastCycleUs,
      nflogPackets: this.nflogPackets,
      readerFailures: this.readerFailures,
    };
  }

  private emit(partial: Partial<NetEvent> & Pick<NetEvent, 'kind' | 'verdict' | 'message'>): void {
    const event: NetEvent = {
      time: Date.now(),
      ruleId: undefined,
      severity: undefined,
      containerId: undefined,
      container: undefined,
      peer: undefined,
      port: undefined,
      proto: undefined,
      ...partial,
    };
    this.pendingEvents.push(event);
    this.options.onEvent?.(event);
  }

  private flush(): void {
    const edges = [...this.dirtyEdges];
    this.dirtyEdges.clear();
    const events = this.pendingEvents.splice(0);
    this.options.store?.write(edges, events);
  }

  /** One poll cycle over every namespace; public for benchmarks and tests that drive cycles themselves. */
  async cycle(): Promise<void> {
    this.containers = await this.source.list(this.options.containers ?? []);
    this.networks = await this.source.networks();
    const grouping = groupByNamespace(this.containers, this.options.procRoot);
    this.unobservable = grouping.unobservable.map((u) => ({ name: u.container.name, reason: u.reason }));
    for (const u of grouping.unobservable) {
      if (this.reportedUnobservable.get(u.container.id) === u.reason) continue;
      this.reportedUnobservable.set(u.container.id, u.reason);
      this.emit({
        kind: 'unobservable',
        verdict: 'info',
        containerId: u.container.id,
        container: u.container.name,
        message: `${u.container.name}: ${u.reason}`,
      });
    }
    const live = new Set(grouping.units.map((u) => u.inode));
    for (const [inode, state] of this.states)
      if (!live.has(inode)) {
        // the namespace ended with its containers (and took the table with it), or left the watched set
        await this.release(state);
        this.states.delete(inode);
        this.polls.delete(inode);
        this.services.delete(inode);
        this.lastPolled.delete(inode);
        this.activity.delete(inode);
      }
    await this.engineSockets.refresh();
    const scanStart = process.hrtime.bigint();
    const scan = scanProcesses(live, this.options.procRoot);
    const now = Date.now();
    const observations: FlowObservation[] = [];
    for (const unit of grouping.units) {
      // Reading /proc/<pid>/net/tcp walks the kernel's whole TCP hash (1.8 ms CPU per read here, for any namespace):
      // with an NFLOG reader announcing new connections, an idle namespace is re-read only every FULL_POLL_EVERY
      // cycles (listeners and connections older than watch are still found); without one, every cycle.
      const last = this.lastPolled.get(unit.inode);
      const hasReader = this.states.get(unit.inode)?.reader !== undefined;
      const due =
        last === undefined ||
        !hasReader ||
        this.activity.has(unit.inode) ||
        this.cycles - last >= FULL_POLL_EVERY;
      if (!due) continue;
      this.activity.delete(unit.inode);
      this.lastPolled.set(unit.inode, this.cycles);
      try {
        let known = this.services.get(unit.inode);
        if (known === undefined) this.services.set(unit.inode, (known = new Set()));
        const poll = pollNamespace(unit, scan, now, this.options.procRoot, known);
        for (const key of poll.listenKeys) known.add(key);
        this.polls.set(unit.inode, poll);
        observations.push(...poll.observations);
      } catch (error) {
        this.emit({
          kind: 'unobservable',
          verdict: 'info',
          containerId: unit.primary.id,
          container: unit.primary.name,
          message: `${unit.primary.name}: namespace gone while polling (${error instanceof Error ? error.message : String(error)})`,
        });
      }
    }
    // unix sockets have no NFLOG to announce them: every namespace, every cycle (one sock_diag dump each)
    const unixConnections = this.engineSockets.poll(grouping.units, scan);
    const pollUs = Number(process.hrtime.bigint() - scanStart) / 1000;
    for (const { container, mount } of this.engineSockets.mounts(this.containers))
      this.judge({ kind: 'socket-mount', container, mount });
    for (const { container, connection } of unixConnections)
      this.judge({ kind: 'unix-connect', container, connection });
    for (const message of this.engineSockets.takeNotes())
      this.emit({ kind: 'enforcement', verdict: 'info', message });
    this.resolver = new Resolver({ units: grouping.units, networks: this.networks, polls: this.polls });
    // proc observations first: in a merge of one connection their socket owners win over NFLOG's guesses
    const deferred = this.deferred;
    this.deferred = [];
    this.record([...observations, ...deferred], false);
    for (const poll of this.polls.values())
      for (const l of poll.listening) {
        const key = `${l.container}|${l.proto}|${l.port}`;
        if (this.seenListen.has(key)) continue;
        this.seenListen.add(key);
        const container = this.containers.find((c) => c.id === l.container);
        if (container === undefined) continue;
        this.judge({
          kind: 'listen',
          container,
          listen: l,
          section: this.sectionOf(container),
          networks: this.networks,
        });
      }
    for (const unit of grouping.units) await this.ensureUnit(unit);
    if (this.options.mode === 'learn') this.learn(false);
    else this.reloadProfiles();
    this.graph.prune(now);
    this.flush();
    this.cycles += 1;
    this.lastCycleUs = pollUs;
  }

  /** Poll cost of the last cycle: the /proc scan and every namespace's tables, in µs. */
  get lastPollUs(): number {
    return this.lastCycleUs;
  }

  private sectionOf(container: NetContainer): NetworkSection | undefined {
    if (this.options.mode === 'learn') return undefined;
    return this.profiles.get(container.imageId)?.network;
  }

  private judge(ctx: NetRuleContext): void {
    for (const rule of NET_RULES) {
      const alert = rule.check(ctx);
      if (alert === undefined) continue;
      this.emit({
        kind: 'alert',
        verdict: 'alerted',
        ruleId: rule.meta.id,
        severity: rule.meta.severity,
        containerId: ctx.container.id,
        container: ctx.container.name,
        ...alertSubject(ctx),
        message: alert.message,
      });
    }
  }

  private record(observations: readonly FlowObservation[], denied: boolean): void {
    const before = new Map([...this.graph.edges.values()].map((e) => [e.key, e.count + e.denied]));
    const created = this.graph.add(observations, this.resolver, denied);
    for (const edge of this.graph.edges.values())
      if (before.get(edge.key) !== edge.count + edge.denied) this.dirtyEdges.add(edge);
    for (const { edge } of created) {
      if (!denied)
        this.emit({
          kind: 'flow',
          verdict: 'allowed',
          containerId: edge.client.kind === 'container' ? edge.client.id : undefined,
          container: endpointLabel(edge.client),
          peer: endpointLabel(edge.server),
          port: edge.port,
          proto: edge.proto,
          message: `new edge ${endpointLabel(edge.client)} -> ${endpointLabel(edge.server)}:${edge.port}/${edge.proto}${edge.network === undefined ? '' : ` via ${edge.network}`}`,
        });
      if (denied) continue;
      for (const [role, end] of [
        ['outbound', edge.client],
        ['inbound', edge.server],
      ] as const) {
        if (end.kind !== 'container') continue;
        const container = this.containers.find((c) => c.id === end.id);
        if (container === undefined) continue;
        this.judge({
          kind: 'edge',
          container,
          role,
          edge,
          section: this.sectionOf(container),
          networks: this.networks,
        });
      }
    }
  }

  private onPacket(unit: NamespaceUnit, packet: NflogPacket): void {
    this.nflogPackets += 1;
    this.activity.add(unit.inode);
    const obs: FlowObservation = {
      netns: unit.inode,
      proto: packet.proto,
      clientAddr: packet.src,
      clientPort: packet.sport,
      serverAddr: packet.dst,
      serverPort: packet.dport,
      client: undefined,
      server: undefined,
      source: 'nflog',
      time: packet.time,
    };
    if (packet.group !== NFLOG_DENY_GROUP) {
      // a loopback connection in a shared namespace could be any member's: wait for the poll to name the socket
      if (unit.containers.length > 1 && isLoopback(packet.src)) this.deferred.push(obs);
      else this.record([obs], false);
      return;
    }
    const ownSide = isLoopback(packet.src) || unit.primary.addresses.some((a) => a.addr === packet.src);
    const client = this.resolver.client(packet.src, unit.inode);
    const server = this.resolver.server(packet.dst, packet.dport, packet.proto, unit.inode);
    const subject = ownSide ? client : server;
    const peer = ownSide ? server : client;
    this.record([obs], true);
    this.emit({
      kind: 'denied',
      verdict: 'denied',
      ruleId: ownSide ? 'BH-N-002' : 'BH-N-003',
      severity: 'high',
      containerId: subject.kind === 'container' ? subject.id : undefined,
      container: endpointLabel(subject),
      peer: endpointLabel(peer),
      port: packet.dport,
      proto: packet.proto,
      message: `denied ${endpointLabel(client)} -> ${endpointLabel(server)}:${packet.dport}/${packet.proto} (${ownSide ? 'outbound from' : 'inbound to'} ${endpointLabel(subject)}, not in its profile)`,
    });
  }

  /** Allowed edges of every container in the namespace, resolved to the peers' current addresses. */
  planFor(unit: NamespaceUnit): TablePlan {
    if (this.options.mode !== 'deny') return { mode: 'observe' };
    const allow: AllowRule[] = [];
    const addressesOf = (workload: string): string[] =>
      this.resolver
        .containers()
        .filter((c) => c.workload === workload)
        .flatMap((c) => {
          const home = this.containers.find((o) => o.id === c.netnsOf) ?? c;
          return home.addresses.map((a) => a.addr);
        });
    for (const member of unit.containers) {
      const section = this.profiles.get(member.imageId)?.network ?? emptySection();
      for (const direction of ['in', 'out'] as const) {
        const entries = direction === 'in' ? section.inbound : section.outbound;
        for (const entry of entries) {
          if (entry.workload !== member.workload) continue;
          if (entry.peer.kind === 'workload') {
            const addrs = [...new Set(addressesOf(entry.peer.workload))].sort();
            if (addrs.length > 0)
              allow.push({
                direction,
                proto: entry.proto,
                port: entry.port,
                peer: { kind: 'addresses', addrs },
              });
          } else {
            const [addr = '', len = ''] = entry.peer.cidr.split('/');
            allow.push({
              direction,
              proto: entry.proto,
              port: entry.port,
              peer: { kind: 'cidr', addr, len: Number(len) },
            });
          }
        }
      }
    }
    return { mode: 'deny', allow };
  }

  private async ensureUnit(unit: NamespaceUnit): Promise<void> {
    let state = this.states.get(unit.inode);
    if (state === undefined) {
      state = { unit, reader: undefined, applied: undefined };
      this.states.set(unit.inode, state);
    }
    state.unit = unit;
    if (!this.useTables) return;
    const plan = this.planFor(unit);
    const json = JSON.stringify(plan);
    if (state.reader === undefined) {
      const reader = startNflogReader({
        pid: unit.pid,
        groups: [NFLOG_NEW_GROUP, NFLOG_DENY_GROUP],
        onPacket: (packet) => {
          this.onPacket(unit, packet);
        },
        onExit: (reason) => {
          this.readerFailures += 1;
          const current = this.states.get(unit.inode);
          if (current !== undefined) current.reader = undefined;
          this.emit({
            kind: 'enforcement',
            verdict: 'info',
            container: unit.primary.name,
            message: `${unit.primary.name}: NFLOG reader stopped: ${reason}`,
          });
        },
      });
      state.reader = reader;
      try {
        await reader.ready;
      } catch (error) {
        state.reader = undefined;
        this.emit({
          kind: 'enforcement',
          verdict: 'info',
          container: unit.primary.name,
          message: `${unit.primary.name}: short connections and denials not seen: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    if (state.applied === json) return;
    try {
      await applyTable(unit.pid, plan);
      state.applied = json;
      this.emit({
        kind: 'enforcement',
        verdict: 'info',
        containerId: unit.primary.id,
        container: unit.primary.name,
        message: `${unit.primary.name}: bulkhead table ${plan.mode === 'deny' ? `enforcing ${plan.allow.length} allowed edge rule(s)` : 'observing new connections'} in namespace ${unit.inode} (${unit.containers.map((c) => c.name).join(', ')})`,
      });
    } catch (error) {
      this.emit({
        kind: 'enforcement',
        verdict: 'info',
        container: unit.primary.name,
        message: `${unit.primary.name}: ${plan.mode === 'deny' ? 'NOT ENFORCED' : 'table not applied'}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  private async release(state: UnitState): Promise<void> {
    state.reader?.stop();
    state.reader = undefined;
    if (state.applied === undefined) return;
    state.applied = undefined;
    try {
      await removeTable(state.unit.pid);
    } catch {
      // the namespace is gone, and the table with it
    }
  }

  private learn(force: boolean): void {
    const edges = this.graph.list();
    const byImage = new Map<string, NetContainer[]>();
    for (const c of this.containers) {
      const list = byImage.get(c.imageId);
      if (list === undefined) byImage.set(c.imageId, [c]);
      else list.push(c);
    }
    const listening = [...this.polls.values()].flatMap((p) => p.listening);
    const imageOf = (id: string): string | undefined => this.containers.find((c) => c.id === id)?.image;
    for (const [imageId, members] of byImage) {
      const profile = this.profiles.get(imageId) ?? {
        image: imageId,
        imageName: members[0]?.image,
        network: emptySection(),
      };
      if (learnInto(profile.network, members, listening, edges, imageOf) > 0) this.profilesDirty = true;
      this.profiles.set(imageId, profile);
    }
    if (!this.profilesDirty && !force) return;
    for (const profile of this.profiles.values()) saveNetworkProfile(this.options.profilesDir, profile);
    this.profilesDirty = false;
  }

  /** Picks up promoted or edited profiles; a file that no longer validates keeps its last good version. */
  private reloadProfiles(): void {
    const loaded = loadNetworkProfiles(this.options.profilesDir);
    for (const [image, profile] of loaded.profiles) this.profiles.set(image, profile);
    for (const e of loaded.errors) {
      const key = `profile|${e.message}`;
      if (this.reportedUnobservable.has(key)) continue;
      this.reportedUnobservable.set(key, e.message);
      this.emit({
        kind: 'enforcement',
        verdict: 'info',
        message: `${e.message} (keeping the last good profile)`,
      });
    }
  }
}
