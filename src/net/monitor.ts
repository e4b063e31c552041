// The network stage of `bulkhead watch` (issue 12): one poller and one NFLOG reader per network namespace, flows
// paired into edges, the network rules, learning into the `network` section of watch's learned profiles and, in deny
// mode, bulkhead's own nftables table in each watched namespace built from the enforced (promoted) profile. Tables
// follow the Engine's /events stream (a container's table is in place right after its start event) and the profile
// directory (a promote rebuilds the tables of that image's containers at once), besides the poll. Start migrates
// the old separate network profiles and reconciles leftovers of a crashed run (add + flush replaces them); stop
// removes every table it owns.
import type Docker from 'dockerode';
import { mkdirSync, watch as watchDirectory, type FSWatcher } from 'node:fs';
import { z } from 'zod';
import { loadWatchAddon } from '../native/index.js';
import { describeError } from '../shared/errors.js';
import { followContainerEvents } from '../watch/containers.js';
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
import { migrateLegacyNetworkProfiles } from './migrate.js';
import { emptySection, learnInto, type NetworkSection } from './profile.js';
import { NetworkProfiles } from './profiles.js';
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
  /**
   * Follow the Engine's /events stream: apply a new container's table on its start event, drop a dead one's state
   * on its die event. Default true; without it containers are found by the poll only.
   */
  readonly engineEvents?: boolean;
  /** Folders of the old layout (`<digest>.yaml` network profiles) migrated on start; default `<profilesDir>/network`. */
  readonly legacyProfileDirs?: readonly string[];
  readonly onEvent?: (event: NetEvent) => void;
}

/** Start event -> bulkhead's table applied in the new container's namespace, ms. */
export interface StartToTable {
  readonly n: number;
  readonly p50: number;
  readonly max: number;
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
  readonly startToTableMs: StartToTable;
}

/** How long a burst of profile-directory events is gathered before the profiles are re-read. */
const PROFILE_SETTLE_MS = 20;

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
  /** The namespaces of the last container refresh (cycle or Engine event). */
  private units: NamespaceUnit[] = [];
  readonly profiles: NetworkProfiles;
  /** Images whose enforced network section changed and whose namespaces have not been re-planned yet. */
  private readonly profileChanges = new Set<string>();
  /** Images whose learned section has news not yet written, and the image names each was seen under. */
  private readonly dirtyImages = new Set<string>();
  private readonly imageNames = new Map<string, Set<string>>();
  /** Profile problems already reported (each once while it lasts). */
  private readonly reportedProfileErrors = new Set<string>();
  /** Container id -> the daemon's time of its start event, until its namespace has bulkhead's table. */
  private readonly pendingStarts = new Map<string, number>();
  private readonly startToTable: number[] = [];
  /** Cycles, Engine events, profile changes and stop run one at a time (no two nft transactions for a namespace). */
  private serial: Promise<void> = Promise.resolve();
  private stopEvents: (() => void) | undefined;
  private profileWatcher: FSWatcher | undefined;
  private profileSettle: NodeJS.Timeout | undefined;
  private stopped = false;
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
  /** BH-N-004 over unix sockets: connections to the engine's own API sockets, and mounts exposing them. */
  readonly engineSockets: EngineSocketWatch;

  constructor(private readonly options: NetMonitorOptions) {
    this.source = new ContainerSource(options.docker);
    this.profiles = new NetworkProfiles(options.profilesDir);
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

  /**
   * Migrates old network profiles, follows the Engine's events and the profile directory, runs the first cycle
   * (tables applied, readers listening) before it resolves; then polls every intervalMs.
   */
  async start(): Promise<void> {
    this.migrate();
    if (this.options.engineEvents ?? true) await this.followEngine();
    if (this.options.mode !== 'learn') this.followProfiles();
    await this.cycle();
    const interval = this.options.intervalMs ?? 1000;
    const tick = (): void => {
      this.running = this.cycle()
        .catch((error: unknown) => {
          this.emit({
            kind: 'enforcement',
            verdict: 'info',
            message: `network cycle failed: ${describeError(error)}`,
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
    this.stopped = true;
    const timer = this.timer;
    this.timer = undefined;
    if (timer !== undefined) clearTimeout(timer);
    this.stopEvents?.();
    this.stopEvents = undefined;
    this.profileWatcher?.close();
    this.profileWatcher = undefined;
    if (this.profileSettle !== undefined) clearTimeout(this.profileSettle);
    await this.running;
    await this.exclusive(async () => {
      if (this.options.mode === 'learn') this.learn(true);
      for (const state of this.states.values()) await this.release(state);
      this.states.clear();
      this.flush();
    });
  }

  /** Runs tasks that touch namespaces and tables one after another, in the order they were asked for. */
  private exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.serial.then(task);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private migrate(): void {
    const outcomes = migrateLegacyNetworkProfiles(this.options.profilesDir, this.options.legacyProfileDirs);
    for (const o of outcomes)
      this.emit(
        o.ok
          ? {
              kind: 'profile',
              verdict: 'info',
              message: `migrated the old network profile ${o.file} into ${o.into.join(' and ')} (the old layout enforced what it learned, so the section is in the enforced profile too); the old file is kept as ${o.renamedTo}`,
            }
          : {
              kind: 'profile',
              verdict: 'alerted',
              message: `${o.message}\n  (not migrated: the file is left as it is and tried again on the next start)`,
            },
      );
    this.flush();
  }

  /** The Engine's start and die events: a new container gets its table now, not on the next poll. */
  private async followEngine(): Promise<void> {
    this.stopEvents = await followContainerEvents(
      this.options.docker,
      (action, id, atMs) => {
        if (this.stopped) return;
        if (action === 'start') this.pendingStarts.set(id, atMs);
        this.exclusive(() => this.onEngineEvent(action, id)).catch((error: unknown) => {
          this.emit({
            kind: 'enforcement',
            verdict: 'info',
            message: `container ${action} event not handled (the next poll catches up): ${describeError(error)}`,
          });
        });
      },
      (error) => {
        if (this.stopped) return;
        this.emit({
          kind: 'enforcement',
          verdict: 'info',
          message: `Engine event stream ended (${error.message}): new containers get their table on the next poll`,
        });
      },
    );
  }

  private async onEngineEvent(action: 'start' | 'die', id: string): Promise<void> {
    if (this.stopped) return;
    await this.refreshContainers(action === 'start' ? id : undefined);
    this.resolver = new Resolver({ units: this.units, networks: this.networks, polls: this.polls });
    this.refreshProfiles();
    await this.enforceAll();
    this.pendingStarts.delete(id); // not watched, or it joined a namespace whose table was in place already
    this.flush();
  }

  /** A promoted or edited profile (the directory's inotify events) re-plans its image's namespaces at once. */
  private followProfiles(): void {
    const dir = this.options.profilesDir;
    try {
      mkdirSync(dir, { recursive: true });
      this.profileWatcher = watchDirectory(dir, (_event, name) => {
        if (typeof name !== 'string' || !/^[0-9a-f]{64}\.yaml$/.test(name) || this.stopped) return;
        if (this.profileSettle !== undefined) clearTimeout(this.profileSettle);
        this.profileSettle = setTimeout(() => {
          this.profileSettle = undefined;
          this.exclusive(() => this.onProfilesChanged()).catch((error: unknown) => {
            this.emit({
              kind: 'enforcement',
              verdict: 'info',
              message: `profile change not applied (the next poll retries): ${describeError(error)}`,
            });
          });
        }, PROFILE_SETTLE_MS);
      });
      this.profileWatcher.on('error', (error) => {
        this.emit({
          kind: 'enforcement',
          verdict: 'info',
          message: `profile directory ${dir} not followed (${error.message}): promoted profiles take effect on the next poll`,
        });
      });
    } catch (error) {
      this.emit({
        kind: 'enforcement',
        verdict: 'info',
        message: `profile directory ${dir} not followed (${describeError(error)}): promoted profiles take effect on the next poll`,
      });
    }
  }

  private async onProfilesChanged(): Promise<void> {
    if (this.stopped) return;
    this.refreshProfiles();
    if (this.profileChanges.size > 0) await this.enforceAll();
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
      startToTableMs: {
        n: this.startToTable.length,
        p50: median(this.startToTable),
        max: this.startToTable.reduce((m, v) => Math.max(m, v), 0),
      },
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
  cycle(): Promise<void> {
    return this.exclusive(() => this.runCycle());
  }

  /**
   * Re-lists the containers and networks, groups them by namespace, reports the unobservable ones and releases
   * namespaces that are gone (the poll and the Engine's events share this).
   */
  private async refreshContainers(started?: string): Promise<NamespaceUnit[]> {
    const only = this.options.containers ?? [];
    const withStarted = started === undefined ? undefined : await this.source.withStarted(started, only);
    if (withStarted !== undefined) {
      // a start event: one inspect (the daemon is still busy starting it, every call costs); the networks again
      // only when the container is on one not seen yet
      this.containers = withStarted;
      const known = new Set(this.networks.map((n) => n.name));
      if (withStarted.some((c) => c.addresses.some((a) => !known.has(a.network))))
        this.networks = await this.source.networks();
    } else
      [this.containers, this.networks] = await Promise.all([this.source.list(only), this.source.networks()]);
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
    this.units = grouping.units;
    return grouping.units;
  }

  private async runCycle(): Promise<void> {
    if (this.stopped) return;
    const units = await this.refreshContainers();
    const live = new Set(units.map((u) => u.inode));
    await this.engineSockets.refresh();
    const scanStart = process.hrtime.bigint();
    const scan = scanProcesses(live, this.options.procRoot);
    const now = Date.now();
    const observations: FlowObservation[] = [];
    for (const unit of units) {
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
    const unixConnections = this.engineSockets.poll(units, scan);
    const pollUs = Number(process.hrtime.bigint() - scanStart) / 1000;
    for (const { container, mount } of this.engineSockets.mounts(this.containers))
      this.judge({ kind: 'socket-mount', container, mount });
    for (const { container, connection } of unixConnections)
      this.judge({ kind: 'unix-connect', container, connection });
    for (const message of this.engineSockets.takeNotes())
      this.emit({ kind: 'enforcement', verdict: 'info', message });
    this.resolver = new Resolver({ units: units, networks: this.networks, polls: this.polls });
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
    this.refreshProfiles();
    await this.enforceAll();
    if (this.options.mode === 'learn') this.learn(false);
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
    return this.profiles.enforcedOf(container.imageId).section;
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

  /**
   * Allowed edges of every container in the namespace, resolved to the peers' current addresses. A namespace none of
   * whose images has an enforced network section is observed, not enforced (no profile is no allow-list, as for
   * execs); the enforcement event says so.
   */
  planFor(unit: NamespaceUnit): TablePlan {
    if (this.options.mode !== 'deny') return { mode: 'observe' };
    if (unit.containers.every((m) => this.profiles.enforcedOf(m.imageId).section === undefined))
      return { mode: 'observe' };
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
      const section = this.profiles.enforcedOf(member.imageId).section ?? emptySection();
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

  /** Re-reads the enforced profiles of the watched images (alert and deny mode); remembers which changed. */
  private refreshProfiles(): void {
    if (this.options.mode === 'learn') return;
    const refresh = this.profiles.refresh(this.containers.map((c) => c.imageId));
    for (const digest of refresh.changed) this.profileChanges.add(digest);
    for (const message of refresh.errors) this.emit({ kind: 'profile', verdict: 'alerted', message });
  }

  /** Brings every namespace's table in line with its plan, then forgets the profile changes it acted on. */
  private async enforceAll(): Promise<void> {
    for (const unit of this.units) await this.ensureUnit(unit);
    for (const digest of this.profileChanges) {
      const { version } = this.profiles.enforcedOf(digest);
      const touched = this.units.filter((u) => u.containers.some((c) => c.imageId === digest));
      if (touched.length === 0 || this.options.mode !== 'alert') continue;
      this.emit({
        kind: 'profile',
        verdict: 'info',
        message: `network profile ${version === undefined ? 'removed' : `v${version}`} of ${this.imageLabel(digest)} in force for alerts (${touched.flatMap((u) => u.containers.map((c) => c.name)).join(', ')})`,
      });
    }
    this.profileChanges.clear();
  }

  private imageLabel(digest: string): string {
    return this.containers.find((c) => c.imageId === digest)?.image ?? digest;
  }

  /** Why a table is being (re)applied, for its enforcement event. */
  private applyReason(unit: NamespaceUnit): { text: string; startedAt: number | undefined } {
    for (const member of unit.containers) {
      const at = this.pendingStarts.get(member.id);
      if (at !== undefined) return { text: `on ${member.name}'s start event`, startedAt: at };
    }
    const changed = unit.containers.find((c) => this.profileChanges.has(c.imageId));
    if (changed !== undefined) {
      const { version } = this.profiles.enforcedOf(changed.imageId);
      return {
        text: `rebuilt for ${version === undefined ? 'the removed profile' : `profile v${version}`} of ${changed.image} (promoted or edited)`,
        startedAt: undefined,
      };
    }
    return { text: '', startedAt: undefined };
  }

  /**
   * The namespace's table in line with its plan (applied only when the plan changed), then its NFLOG reader: the
   * table first, so a container that just started is filtered as early as possible.
   */
  private async ensureUnit(unit: NamespaceUnit): Promise<void> {
    let state = this.states.get(unit.inode);
    if (state === undefined) {
      state = { unit, reader: undefined, applied: undefined };
      this.states.set(unit.inode, state);
    }
    state.unit = unit;
    if (!this.useTables) return;
    await this.applyPlan(unit, state);
    if (state.reader === undefined) await this.startReader(unit, state);
  }

  private async applyPlan(unit: NamespaceUnit, state: UnitState): Promise<void> {
    const plan = this.planFor(unit);
    const json = JSON.stringify(plan);
    const members = unit.containers.map((c) => c.name).join(', ');
    if (state.applied === json) {
      const changed = unit.containers.find((c) => this.profileChanges.has(c.imageId));
      if (changed !== undefined && this.options.mode === 'deny')
        this.emit({
          kind: 'profile',
          verdict: 'info',
          containerId: unit.primary.id,
          container: unit.primary.name,
          message: `${unit.primary.name}: profile v${this.profiles.enforcedOf(changed.imageId).version ?? '-'} of ${changed.image} in force; its table is unchanged (the same ${plan.mode === 'deny' ? `${plan.allow.length} allowed edge rule(s)` : 'observation'}) in namespace ${unit.inode} (${members})`,
        });
      return;
    }
    const reason = this.applyReason(unit);
    try {
      await applyTable(unit.pid, plan);
      state.applied = json;
      const afterStart =
        reason.startedAt === undefined ? undefined : Math.max(0, Date.now() - reason.startedAt);
      if (afterStart !== undefined) {
        this.startToTable.push(afterStart);
        if (this.startToTable.length > 10_000) this.startToTable.shift();
      }
      for (const member of unit.containers) this.pendingStarts.delete(member.id);
      const what =
        plan.mode === 'deny'
          ? `enforcing ${plan.allow.length} allowed edge rule(s)`
          : this.options.mode === 'deny'
            ? `observing new connections only — NOT ENFORCED: no network section in the enforced profile of ${[...new Set(unit.containers.map((c) => c.image))].join(', ')} (learn with \`watch net --mode learn\`, then \`watch profile promote\`)`
            : 'observing new connections';
      const why =
        reason.text === ''
          ? ''
          : ` — ${reason.text}${afterStart === undefined ? '' : `, in place ${afterStart.toFixed(0)} ms after it`}`;
      this.emit({
        kind: 'enforcement',
        verdict: plan.mode === 'observe' && this.options.mode === 'deny' ? 'alerted' : 'info',
        containerId: unit.primary.id,
        container: unit.primary.name,
        message: `${unit.primary.name}: bulkhead table ${what} in namespace ${unit.inode} (${members})${why}`,
      });
    } catch (error) {
      this.emit({
        kind: 'enforcement',
        verdict: this.options.mode === 'deny' ? 'alerted' : 'info',
        container: unit.primary.name,
        message: `${unit.primary.name}: ${this.options.mode === 'deny' ? 'NOT ENFORCED' : 'table not applied'}: ${describeError(error)}`,
      });
    }
  }

  private async startReader(unit: NamespaceUnit, state: UnitState): Promise<void> {
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
        message: `${unit.primary.name}: short connections and denials not seen: ${describeError(error)}`,
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

  /**
   * Learns into each watched image's section and writes the images with news (all of them when `force`, on stop)
   * into their learned profiles: only the network section, merged under the file's lock (NetworkProfiles).
   */
  private learn(force: boolean): void {
    const edges = this.graph.list();
    const byImage = new Map<string, NetContainer[]>();
    // only containers whose namespace is observed: a gVisor or --network host container would learn an empty
    // section for its image, which promoted is an allow-list that allows nothing
    for (const c of this.units.flatMap((u) => u.containers)) {
      const list = byImage.get(c.imageId);
      if (list === undefined) byImage.set(c.imageId, [c]);
      else list.push(c);
      let names = this.imageNames.get(c.imageId);
      if (names === undefined) this.imageNames.set(c.imageId, (names = new Set()));
      if (!c.image.startsWith('sha256:')) names.add(c.image);
    }
    const listening = [...this.polls.values()].flatMap((p) => p.listening);
    const imageOf = (id: string): string | undefined => this.containers.find((c) => c.id === id)?.image;
    for (const [imageId, members] of byImage) {
      const learned = this.profiles.learnedOf(imageId);
      if (learned.error !== undefined) this.reportProfileError(learned.error);
      if (learnInto(learned.section, members, listening, edges, imageOf) > 0) this.dirtyImages.add(imageId);
    }
    const due = force ? [...this.imageNames.keys()] : [...this.dirtyImages];
    for (const imageId of due) {
      try {
        this.profiles.saveLearned(
          imageId,
          [...(this.imageNames.get(imageId) ?? [])],
          this.profiles.learnedOf(imageId).section,
        );
        this.dirtyImages.delete(imageId);
      } catch (error) {
        this.reportProfileError(describeError(error));
      }
    }
  }

  private reportProfileError(message: string): void {
    if (this.reportedProfileErrors.has(message)) return;
    this.reportedProfileErrors.add(message);
    this.emit({
      kind: 'profile',
      verdict: 'alerted',
      message: `${message}\n  (learning goes on in memory and is written once the file validates)`,
    });
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
