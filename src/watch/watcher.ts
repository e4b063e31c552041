// The watch daemon: native sources -> attribution (exec-gate mark or fork-time cgroup) -> profile and rules ->
// verdict (allowed / alerted / killed / denied) -> event store; keeps gate marks in step with container starts
// and ends (Engine /events), learns profiles, reloads edited ones, and removes every mark on stop.
import type Docker from 'dockerode';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import {
  loadWatchAddon,
  DENY_REASON,
  type NativeCounters,
  type NativeRecord,
  type WatchAddon,
} from '../native/index.js';
import { BulkheadError, describeError } from '../shared/errors.js';
import { parseProcCgroup } from './cgroup.js';
import {
  GVISOR_UNOBSERVABLE,
  daemonRuntimes,
  followContainerEvents,
  inspectExec,
  inspectWatched,
  runningContainerIds,
  type RuntimeInfo,
  type WatchedContainer,
} from './containers.js';
import { discoverGuardTargets, sha256File, type GuardTarget } from './guard.js';
import { GvisorTracer, type GvisorTraceCounters, type SessionChange } from './gvisor-trace.js';
import type { TracePoint } from './gvisor-wire.js';
import { HostControl, PACKAGE_POLL_MS, type HostStatus } from './host.js';
import {
  emptyProfile,
  execAllowList,
  inExecProfile,
  learnExec,
  loadProfile,
  mergeExecSection,
  profileFile,
  updateProfileFile,
  withImageNames,
  type Profile,
  type WatchMode,
} from './profile.js';
import { BASE_FACTS, type ExecFacts } from './rule.js';
import { WATCH_RULES } from './rules/index.js';
import type { DetectionLatency, EventStore, Verdict, WatchEvent } from './store.js';

export interface WatcherOptions {
  readonly docker: Docker;
  readonly mode: WatchMode;
  readonly profilesDir: string;
  readonly store: EventStore;
  /** Watch only these container names (all when empty). */
  readonly containers: readonly string[];
  /** 'auto': runtimes + host processes; 'runtimes': the daemon's runtimes only; 'none'; or explicit paths. */
  readonly guard: 'auto' | 'runtimes' | 'none' | readonly string[];
  readonly watchdogMs?: number;
  /** How often learn mode writes profile files (they are written on stop too). */
  readonly learnFlushMs?: number;
  readonly log: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The event sources (default: the native addon); bench/watch/replay.ts feeds recorded batches through one. */
  readonly addon?: WatchAddon;
  /** Read runsc containers through `runsc trace` (default true); false leaves them reported as not observable. */
  readonly runscTrace?: boolean;
  /** Host application control (watch --host): the host's filesystems are gated too, in the same mode. */
  readonly host?: {
    /** Directories whose filesystems are marked (default: /, /usr, /opt, ... deduplicated by device). */
    readonly paths?: readonly string[] | undefined;
    /** Where the package databases are read (default "/"). */
    readonly packageRoot?: string | undefined;
  };
}

/**
 * How watch sees a container's execs: the host kernel's sources, runsc's trace points (alert only), or, for a runsc
 * container that cannot be traced, only the `docker exec` commands the Engine records (it is then not observable).
 */
type Via = 'host' | 'runsc-trace' | 'engine-exec';

/** Where one judged exec came from, and what can be done to it. */
interface Origin {
  readonly pid: number | null;
  readonly ppid: number | null;
  /** CLOCK_MONOTONIC ns of the kernel event (host sources), for the detection latency. */
  readonly timeNs: number | undefined;
  readonly verdictNs?: number | undefined;
  readonly source: 'proc' | 'gate' | 'runsc-trace' | 'docker-exec';
  /** The pid is a host pid that SIGKILL may be sent to (never a sandbox's). */
  readonly killable: boolean;
  /** The executed file's sha256, for learning. */
  readonly hash: (exe: string) => string | undefined;
}

/** Status text of a runsc container read through its trace points. */
export const RUNSC_TRACE_OBSERVED = 'observed through runsc trace (alert only)';

interface Tracked {
  readonly container: WatchedContainer;
  readonly markId: number | undefined;
  /** Changes when a runsc container's trace session is lost to another tool or created again. */
  via: Via;
  /** Why the container is not observable (via 'engine-exec'). */
  unobservable: string | undefined;
  mode: WatchMode;
}

interface ProfileState {
  enforced: Profile | undefined;
  enforcedMtimeMs: number;
  /** The last load error of the enforced file (the previous good profile stays in force). */
  error: string | undefined;
  learned: Profile | undefined;
  dirty: boolean;
  /** The last error writing the learned file (reported once; the learning stays in memory). */
  saveError: string | undefined;
}

export interface ContainerStatus {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly runtime: string;
  readonly observable: boolean;
  readonly reason?: string | undefined;
  readonly mode: WatchMode;
  readonly profileVersion: number | null;
  readonly profileError?: string | undefined;
}

export interface WatchStatus {
  readonly pid: number;
  readonly startedAt: string;
  readonly mode: WatchMode;
  readonly sources: { readonly proc: string; readonly gate: string };
  readonly containers: readonly ContainerStatus[];
  readonly guarded: readonly GuardTarget[];
  /** Host application control, when watch runs with --host. */
  readonly host?: HostStatus | undefined;
  readonly counters?: NativeCounters | undefined;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly verdictLatencyUs: { readonly avg: number; readonly max: number };
  /** How the thread that judges and stores events is scheduled ('fifo', 'nice -20', ..., 'default'). */
  readonly eventThread?: string | undefined;
  /** Kernel event -> committed SQLite row (exec events), µs. */
  readonly detectionLatencyUs?: DetectionLatency | undefined;
  /** runsc trace sessions (gVisor containers); absent when none was started. */
  readonly runscTrace?: GvisorTraceCounters | undefined;
}

/** The loader's or a script interpreter's open comes within this of its execve's own (same pid and argv). */
const SAME_EXECVE_MS = 200;

/** How long a pid's fork-time parent outlives its exit (for gate records that arrive after it). */
const EXITED_MS = 2000;

const RULE_FOR_REASON: Readonly<Record<number, string>> = {
  [DENY_REASON.drift]: 'BH-W-002',
  [DENY_REASON.profile]: 'BH-W-001',
  [DENY_REASON.guard]: 'BH-W-007',
};

/** What the verdict thread does itself when an exec is drift or outside the profile. */
function enforceOf(mode: WatchMode): 0 | 1 | 2 {
  return mode === 'deny' ? 1 : mode === 'kill' ? 2 : 0;
}

/** The PATH runc and runsc give a process whose spec has none (the OCI default of `docker exec`). */
const DEFAULT_CONTAINER_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

function splitArgv(cmdline: string | undefined): string[] {
  if (cmdline === undefined || cmdline === '') return [];
  return cmdline.replace(/\0$/, '').split('\0');
}

let isoAt = -1;
let isoText = '';

/** The time as ISO text, formatted once per millisecond (every event carries it; thousands per second). */
function nowIso(): string {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

export class Watcher {
  private readonly options: WatcherOptions;
  private addon: WatchAddon | undefined;
  private procState = 'not started';
  private gateState = 'not started';
  private readonly tracked = new Map<string, Tracked>();
  private readonly byMark = new Map<number, Tracked>();
  private readonly unobservable = new Map<string, WatchedContainer>();
  /** Containers whose attach is in flight (a start event and the initial listing may both name one). */
  private readonly attaching = new Set<string>();
  private tracer: GvisorTracer | undefined;
  /** Why runsc containers cannot be traced at all (no seqpacket support in the addon, or turned off). */
  private traceUnavailable: string | undefined;
  /** Per traced container: sandbox thread group -> its parent's, from sentry/clone points. */
  private readonly sandboxParents = new Map<string, Map<number, number>>();
  private readonly profiles = new Map<string, ProfileState>();
  /** pid -> container id (null: host), recorded at fork from the parent, corrected at exec from the cgroup. */
  private readonly owners = new Map<number, string | null>();
  /**
   * pid -> parent tgid from the proc connector's fork records: the ppid of a gated exec whose task was gone before
   * the addon read it after the answer. Exits are kept EXITED_MS (the gate's batch can arrive after the exit's).
   */
  private readonly parents = new Map<number, number>();
  private readonly exited = new Map<number, number>();
  /** Gate records with no ppid whose fork record has not arrived yet (two native threads, two queues). */
  private awaitingParent: { readonly r: NativeRecord; readonly at: number }[] = [];
  private readonly lastGate = new Map<
    number,
    { cmdline: string | undefined; ino: number | undefined; at: number }
  >();
  private readonly hashes = new Map<string, string>();
  /** The watchdog closed the exec gate: the proc connector then reports what the gate used to. */
  private gateClosed = false;
  /** /proc/<pid>/cgroup text -> container id (null: host): a few distinct texts, one per container and slice. */
  private readonly cgroupOwners = new Map<string, string | null>();
  private runtimes: RuntimeInfo[] = [];
  private defaultRuntime = 'runc';
  private guarded: GuardTarget[] = [];
  private nextMark = 1;
  private stopEvents: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly startedAt = nowIso();
  private eventCount = 0;
  private rateWindow: { at: number; count: number } = { at: Date.now(), count: 0 };
  private eventsPerSecond = 0;
  private stopped = false;
  /** How the JS (event) thread is scheduled: 'fifo', 'nice -20', 'nice -20, autogroup -20' or 'default'. */
  private jsSched = 'default';
  /** The session's autogroup nice before watch raised it (restored on stop). */
  private autogroupNice: number | undefined;
  private readonly host: HostControl | undefined;

  constructor(options: WatcherOptions) {
    this.options = options;
    this.host =
      options.host === undefined
        ? undefined
        : new HostControl({
            paths: options.host.paths,
            packageRoot: options.host.packageRoot ?? '/',
            profilesDir: options.profilesDir,
            mode: options.mode,
            log: options.log,
            env: options.env,
          });
  }

  async start(): Promise<void> {
    const load =
      this.options.addon === undefined ? loadWatchAddon() : { ok: true as const, addon: this.options.addon };
    if (!load.ok)
      throw new BulkheadError('INTERNAL', `bulkhead watch cannot observe anything: ${load.reason}`, {
        hint: 'build the addon, then start watch again',
      });
    const addon = load.addon;
    // host deny refuses to start (exit 2) before any mark exists when its allow-list lacks what the host needs
    this.host?.prepare();
    this.addon = addon;
    ({ runtimes: this.runtimes, defaultRuntime: this.defaultRuntime } = await daemonRuntimes(
      this.options.docker,
    ));
    this.seedOwners();
    if (this.options.addon === undefined) this.raiseJsPriority(addon);
    try {
      addon.procStart((batch) => {
        this.onProc(batch);
      });
      this.procState = 'proc connector';
      // 8 MiB asked for (the kernel reports twice that); SO_RCVBUF alone is capped at net.core.rmem_max
      const rcvbuf = addon.counters().procRcvbuf;
      if (rcvbuf < 16 * 1024 * 1024)
        this.options.log(
          `bulkhead watch: proc connector receive buffer ${Math.round(rcvbuf / 2048)} KiB, not 8 MiB (SO_RCVBUFFORCE needs CAP_NET_ADMIN; or raise net.core.rmem_max): a burst of execs may overflow it (watch status counts overflows)`,
        );
    } catch (error) {
      this.procState = `unavailable: ${describeError(error)} (needs CONFIG_PROC_EVENTS and CAP_NET_ADMIN)`;
      this.options.log(`bulkhead watch: process tree ${this.procState}`);
    }
    try {
      addon.gateStart((batch) => {
        this.onGate(batch);
      }, this.options.watchdogMs ?? 2000);
      this.gateState = 'fanotify';
      // test hook (test/watch/watchdog.test.ts): a verdict thread that holds its events, as a hung one would
      const stall = this.options.env['BULKHEAD_WATCH_TEST_VERDICT_DELAY_MS'];
      if (stall !== undefined && stall !== '') addon.setVerdictDelayForTest(Number(stall));
    } catch (error) {
      this.gateState = `unavailable: ${describeError(error)} (needs CONFIG_FANOTIFY_ACCESS_PERMISSIONS and CAP_SYS_ADMIN); running alert-only from the proc connector`;
      this.options.log(`bulkhead watch: exec gate ${this.gateState}`);
    }
    if (this.gateState === 'fanotify') this.addGuards();
    if (this.options.runscTrace === false)
      this.traceUnavailable = 'runsc trace is turned off (--no-runsc-trace)';
    else if (addon.seqpacket === undefined)
      this.traceUnavailable = 'the watch addon has no SOCK_SEQPACKET support (rebuild it)';
    else
      this.tracer = new GvisorTracer({
        ops: addon.seqpacket,
        log: this.options.log,
        onPoint: (id, point) => {
          this.onTracePoint(id, point);
        },
        onSessionChange: (id, change) => {
          this.onTraceSessionChange(id, change);
        },
      });
    if (this.host !== undefined) {
      if (this.gateState !== 'fanotify' && this.options.mode === 'deny')
        throw new BulkheadError(
          'INTERNAL',
          `watch --host --mode deny needs the exec gate: ${this.gateState}`,
          {
            hint: 'run as root on a kernel with CONFIG_FANOTIFY_ACCESS_PERMISSIONS, or use --mode alert',
          },
        );
      if (this.gateState === 'fanotify') {
        this.host.attach(addon, () => this.nextMark++);
        this.host.learnRunning([...this.owners].filter(([, owner]) => owner === null).map(([pid]) => pid));
        const host = this.host;
        // on a timer of its own, not the verdict path: the verdict thread keeps answering from the current allow-set
        this.timers.push(
          setInterval(() => {
            host.followPackages('poll');
          }, PACKAGE_POLL_MS),
        );
        this.options.log(
          `bulkhead watch --host: ${this.options.mode} mode on ${this.host.filesystems.map((f) => f.path).join(', ')}`,
        );
      }
    }
    this.stopEvents = await followContainerEvents(
      this.options.docker,
      (action, id) => {
        if (action === 'start') void this.attach(id);
        else this.detach(id);
      },
      (error) => {
        if (!this.stopped) this.options.log(`bulkhead watch: Engine event stream ended: ${error.message}`);
      },
      (id, execId) => {
        void this.onEngineExec(id, execId);
      },
    );
    for (const id of await runningContainerIds(this.options.docker)) await this.attach(id);
    this.timers.push(
      setInterval(() => {
        this.tick();
      }, 1000),
    );
    this.timers.push(
      setInterval(() => {
        this.flushLearned();
      }, this.options.learnFlushMs ?? 5000),
    );
    this.tick();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.stopEvents?.();
    // let batches already queued by the native threads arrive before the sources go
    await new Promise((r) => setTimeout(r, 50));
    this.addon?.gateStop();
    this.addon?.procStop();
    await this.tracer?.stop();
    this.releaseAwaiting(true);
    this.flushLearned();
    this.options.store.flush();
    this.options.store.writeStatus({ ...this.status(), stoppedAt: nowIso() });
    this.restoreAutogroup();
  }

  /**
   * The JS thread judges and commits every event: at the default nice 0 on a loaded host it waited in the run queue
   * 4.7x as long as it ran (schedstat, bench/watch/ab.ts at load 4: 2.3 s waiting for 0.48 s running in a 5.3 s
   * round), behind the nice -20 proc reader, the FIFO verdict thread and every exec'ing task; events then sat
   * 10-70 ms in the addon's queue before JS took them. nice -20 alone did not help (with sched_autogroup nice only
   * counts inside the session), so it takes the verdict thread's SCHED_FIFO 1 (reset on fork); where that is refused,
   * nice -20 and the session's autogroup -20. BULKHEAD_WATCH_JS_SCHED=normal|nice|autogroup picks a policy (A/B).
   */
  private raiseJsPriority(addon: WatchAddon): void {
    const how = this.options.env['BULKHEAD_WATCH_JS_SCHED'];
    if (how === 'normal') return;
    if (how !== 'nice' && how !== 'autogroup' && addon.raiseEventThread !== undefined) {
      const rc = addon.raiseEventThread();
      if (rc === 1) {
        this.jsSched = 'fifo';
        return;
      }
      this.options.log(
        `bulkhead watch: SCHED_FIFO refused for the event thread (errno ${-rc}); taking nice -20`,
      );
    }
    try {
      setPriority(-20);
      this.jsSched = 'nice -20';
    } catch (error) {
      this.options.log(
        `bulkhead watch: cannot raise the event thread's priority (${describeError(error)}; needs CAP_SYS_NICE): detection latency suffers under load`,
      );
    }
    if (how === 'nice') return;
    try {
      const text = readFileSync('/proc/self/autogroup', 'utf8');
      const m = /nice (-?\d+)/.exec(text);
      if (m?.[1] !== undefined && Number(m[1]) > -20) {
        writeFileSync('/proc/self/autogroup', '-20');
        this.autogroupNice = Number(m[1]);
        this.jsSched = `${this.jsSched}, autogroup -20`;
      }
    } catch (error) {
      this.options.log(
        `bulkhead watch: cannot raise the session's autogroup priority: ${describeError(error)}`,
      );
    }
  }

  private restoreAutogroup(): void {
    if (this.autogroupNice === undefined) return;
    try {
      writeFileSync('/proc/self/autogroup', String(this.autogroupNice));
    } catch {
      // the session keeps -20 until it ends
    }
    this.autogroupNice = undefined;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  status(): WatchStatus {
    const counters = this.addon?.counters();
    const containers: ContainerStatus[] = [];
    for (const t of this.tracked.values()) {
      const p = this.profiles.get(t.container.imageDigest);
      containers.push({
        id: t.container.id,
        name: t.container.name,
        image: t.container.imageNames[0] ?? t.container.imageDigest,
        runtime: t.container.runtime,
        observable: t.via !== 'engine-exec',
        reason:
          t.via === 'engine-exec'
            ? t.unobservable
            : t.via === 'runsc-trace'
              ? RUNSC_TRACE_OBSERVED
              : t.markId === undefined
                ? 'no exec gate (proc connector only)'
                : undefined,
        mode: t.mode,
        profileVersion: p?.enforced?.version ?? null,
        profileError: p?.error,
      });
    }
    for (const c of this.unobservable.values())
      containers.push({
        id: c.id,
        name: c.name,
        image: c.imageNames[0] ?? c.imageDigest,
        runtime: c.runtime,
        observable: false,
        reason: c.unobservable,
        mode: this.options.mode,
        profileVersion: null,
        profileError: undefined,
      });
    const verdicts = counters?.verdicts ?? 0;
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      mode: this.options.mode,
      sources: { proc: this.procState, gate: this.gateState },
      containers: containers.sort((a, b) => (a.name < b.name ? -1 : 1)),
      guarded: this.guarded,
      ...(this.host === undefined ? {} : { host: this.host.status() }),
      counters,
      events: this.eventCount,
      eventsPerSecond: this.eventsPerSecond,
      verdictLatencyUs: {
        avg: verdicts === 0 ? 0 : Math.round((counters?.verdictNsTotal ?? 0) / verdicts / 1000),
        max: Math.round((counters?.verdictNsMax ?? 0) / 1000),
      },
      detectionLatencyUs: this.options.store.detectionLatency(),
      eventThread: this.jsSched,
      runscTrace: this.tracer?.counters(),
    };
  }

  /** The containers being watched, by name (tests and the CLI's start-up line). */
  watchedNames(): string[] {
    return [...this.tracked.values()].map((t) => t.container.name);
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = (now - this.rateWindow.at) / 1000;
    if (elapsed >= 1) {
      this.eventsPerSecond = Math.round((this.eventCount - this.rateWindow.count) / elapsed);
      this.rateWindow = { at: now, count: this.eventCount };
    }
    this.releaseAwaiting(false);
    this.tracer?.check().catch((error: unknown) => {
      this.options.log(`bulkhead watch: runsc trace session check: ${describeError(error)}`);
    });
    for (const digest of this.profiles.keys()) this.reloadEnforced(digest);
    this.host?.reload(this.addon);
    this.options.store.writeStatus(this.status());
  }

  // ---------- containers ----------

  private wanted(name: string): boolean {
    return this.options.containers.length === 0 || this.options.containers.includes(name);
  }

  private async attach(id: string): Promise<void> {
    if (this.tracked.has(id) || this.unobservable.has(id) || this.attaching.has(id) || this.stopped) return;
    this.attaching.add(id);
    try {
      await this.attachOnce(id);
    } finally {
      this.attaching.delete(id);
    }
  }

  private async attachOnce(id: string): Promise<void> {
    const found = await inspectWatched(this.options.docker, id, this.runtimes, this.defaultRuntime);
    // stop() may have run while the inspect was in flight
    if (found === undefined || !this.wanted(found.name) || this.isStopped()) return;
    const c = found;
    if (c.gvisor) {
      await this.attachGvisor(c);
      return;
    }
    if (c.unobservable !== undefined) {
      this.unobservable.set(id, c);
      this.emit({
        ...this.baseEvent(c),
        kind: 'container',
        verdict: 'alerted',
        message: `${c.name}: ${c.unobservable}`,
        detail: { runtime: c.runtime },
      });
      this.options.log(`bulkhead watch: ${c.name} ${c.unobservable}`);
      return;
    }
    this.ensureProfile(c.imageDigest, c.imageNames);
    const mode = this.modeFor(c.imageDigest);
    let markId: number | undefined;
    if (this.gateState === 'fanotify' && c.merged !== undefined && this.addon !== undefined) {
      markId = this.nextMark++;
      try {
        this.addon.markSet(markId, c.merged, c.upper ?? '', enforceOf(mode), this.allowList(c.imageDigest));
      } catch (error) {
        this.options.log(`bulkhead watch: cannot gate ${c.name}: ${describeError(error)}`);
        markId = undefined;
      }
    }
    const t: Tracked = { container: c, markId, mode, via: 'host', unobservable: undefined };
    this.tracked.set(id, t);
    if (mode === 'learn') this.learnRunning(t);
    if (markId !== undefined) this.byMark.set(markId, t);
    this.emit({
      ...this.baseEvent(c),
      kind: 'container',
      verdict: 'allowed',
      message: `${c.name}: watched in ${mode} mode${markId === undefined ? ' (no exec gate)' : ''}`,
      detail: { runtime: c.runtime, mode },
    });
  }

  /**
   * A runsc container: read through its trace points, or, when that cannot start (turned off, no --root, another
   * tool's session), reported not observable and judged only on the `docker exec` commands the Engine records. Its
   * profile loads either way, so status and events name the version in force.
   */
  private async attachGvisor(c: WatchedContainer): Promise<void> {
    const traced =
      this.tracer === undefined
        ? { ok: false as const, reason: this.traceUnavailable ?? 'not started' }
        : await this.tracer.attach({ id: c.id, name: c.name, runtimePath: c.runtimePath, pid: c.pid });
    if (this.isStopped()) {
      this.tracer?.detach(c.id);
      return;
    }
    this.ensureProfile(c.imageDigest, c.imageNames);
    const t: Tracked = {
      container: { ...c, unobservable: undefined },
      markId: undefined,
      mode: this.modeFor(c.imageDigest),
      via: traced.ok ? 'runsc-trace' : 'engine-exec',
      unobservable: traced.ok ? undefined : `${GVISOR_UNOBSERVABLE}; runsc trace: ${traced.reason}`,
    };
    this.tracked.set(c.id, t);
    this.sandboxParents.set(c.id, new Map());
    this.announceGvisor(t, undefined);
  }

  /** The container event and log line that say how a runsc container is seen now. */
  private announceGvisor(t: Tracked, note: string | undefined): void {
    const c = t.container;
    const profileVersion = this.profiles.get(c.imageDigest)?.enforced?.version ?? null;
    if (t.via === 'engine-exec') {
      const message = `${c.name}: ${t.unobservable ?? GVISOR_UNOBSERVABLE}; \`docker exec\` commands are judged from the Engine's exec records (profile ${profileVersion === null ? 'none' : `v${profileVersion}`})`;
      this.emit({
        ...this.baseEvent(c),
        kind: 'container',
        verdict: 'alerted',
        profileVersion,
        message,
        detail: { runtime: c.runtime, mode: t.mode, source: 'docker-exec' },
      });
      this.options.log(`bulkhead watch: ${message}`);
      return;
    }
    const capped =
      t.mode === 'kill' || t.mode === 'deny'
        ? `; ${t.mode} acts as alert: a trace point cannot refuse an exec`
        : '';
    const again = note === undefined ? '' : `; ${note}`;
    this.emit({
      ...this.baseEvent(c),
      kind: 'container',
      verdict: 'allowed',
      profileVersion,
      message: `${c.name}: ${RUNSC_TRACE_OBSERVED}, ${t.mode} mode${capped}${again}`,
      detail: { runtime: c.runtime, mode: t.mode, source: 'runsc-trace' },
    });
    this.options.log(`bulkhead watch: ${c.name} ${RUNSC_TRACE_OBSERVED}${capped}${again}`);
  }

  /** Another tool replaced or removed a traced container's session, or watch created it again. */
  private onTraceSessionChange(id: string, change: SessionChange): void {
    const t = this.tracked.get(id);
    if (t === undefined || t.via === 'host' || this.isStopped()) return;
    if (change.observed) {
      t.via = 'runsc-trace';
      t.unobservable = undefined;
      this.sandboxParents.set(id, new Map());
      this.announceGvisor(t, change.note);
    } else {
      t.via = 'engine-exec';
      t.unobservable = `${GVISOR_UNOBSERVABLE}; runsc trace: ${change.reason}`;
      this.announceGvisor(t, undefined);
    }
    this.options.store.writeStatus(this.status());
  }

  /** One validated trace point of a traced runsc container (attributed by the socket it came on). */
  private onTracePoint(id: string, point: TracePoint): void {
    const t = this.tracked.get(id);
    const parents = this.sandboxParents.get(id);
    if (t?.via !== 'runsc-trace' || parents === undefined) return;
    const tgid = point.type === 'other' ? undefined : point.context.threadGroupId;
    if (point.type === 'clone') {
      // a new thread of the same group is not a new process
      if (tgid !== undefined && point.createdThreadGroupId !== tgid && point.createdThreadGroupId > 0) {
        if (parents.size >= 65_536) parents.clear();
        parents.set(point.createdThreadGroupId, tgid);
      }
    } else if (point.type === 'exit') {
      if (tgid !== undefined) parents.delete(tgid);
    } else if (point.type === 'exec') {
      const exe = point.binaryPath;
      const argv0 = point.argv[0] ?? '';
      const path = argv0.startsWith('/')
        ? argv0
        : argv0 !== '' && !argv0.includes('/') && exe.startsWith('/')
          ? `${exe.slice(0, exe.lastIndexOf('/'))}/${argv0}`
          : exe;
      const facts: ExecFacts = {
        ...BASE_FACTS,
        path,
        exe,
        argv: point.argv,
        uid: point.context.effectiveUid ?? point.context.realUid ?? 0,
        tty: false,
        parent: point.context.processName,
        inProfile: this.inProfile(t.container.imageDigest, path),
        volumes: t.container.volumes,
        imageUser: t.container.imageUser,
      };
      this.judge(
        t,
        facts,
        {
          pid: tgid ?? null,
          ppid: tgid === undefined ? null : (parents.get(tgid) ?? null),
          timeNs: undefined,
          source: 'runsc-trace',
          killable: false,
          hash: (file) => this.hashInContainer(t, file),
        },
        'allowed',
        undefined,
      );
    }
  }

  /**
   * `docker exec` into a runsc container: runsc starts that process from its control server, not by execve(2), so
   * no sentry/execve point names it (runsc 20221219; Kernel.CreateProcess has no trace point): the Engine's exec
   * record says what was started. Execs it makes later come as trace points, when the container is traced.
   */
  private async onEngineExec(id: string, execId: string): Promise<void> {
    const t = this.tracked.get(id);
    if (t === undefined || t.via === 'host') return;
    const exec = await inspectExec(this.options.docker, execId);
    if (exec === undefined || this.isStopped() || this.tracked.get(id) !== t) return;
    const file = this.resolveInContainer(t, exec.argv[0] ?? '');
    const user = exec.user === '' ? t.container.imageUser : exec.user;
    const name = user.split(':')[0] ?? '';
    const uid = name === '' || name === 'root' ? 0 : /^\d+$/.test(name) ? Number(name) : -1;
    const facts: ExecFacts = {
      ...BASE_FACTS,
      path: file,
      exe: file,
      argv: exec.argv,
      uid,
      tty: exec.tty,
      parent: '(docker exec)',
      inProfile: this.inProfile(t.container.imageDigest, file),
      volumes: t.container.volumes,
      imageUser: t.container.imageUser,
    };
    this.judge(
      t,
      facts,
      {
        pid: null,
        ppid: null,
        timeNs: undefined,
        source: 'docker-exec',
        killable: false,
        hash: (exe) => this.hashInContainer(t, exe),
      },
      'allowed',
      undefined,
    );
  }

  /**
   * A `docker exec` command without a slash, looked up as the runtime does: in the container's PATH (the default one;
   * the Engine's exec record has no environment), inside MergedDir, without following symlinks out of it.
   */
  private resolveInContainer(t: Tracked, command: string): string {
    const merged = t.container.merged;
    if (command.includes('/') || command === '' || merged === undefined) return command;
    for (const dir of DEFAULT_CONTAINER_PATH) {
      try {
        lstatSync(join(merged, dir, command));
        return `${dir}/${command}`;
      } catch {
        // not in this directory
      }
    }
    return command;
  }

  /** sha256 of a file of the container's filesystem by its path inside it (never outside MergedDir). */
  private hashInContainer(t: Tracked, exe: string): string | undefined {
    const merged = t.container.merged;
    if (merged === undefined || !exe.startsWith('/') || exe.split('/').includes('..') || exe.includes('\0'))
      return undefined;
    const key = `${t.container.id}:${exe}`;
    const cached = this.hashes.get(key);
    if (cached !== undefined) return cached;
    try {
      const hash = sha256File(join(merged, exe));
      if (this.hashes.size > 10_000) this.hashes.clear();
      this.hashes.set(key, hash);
      return hash;
    } catch {
      return undefined;
    }
  }

  /** Processes the container already runs when learning starts (its entrypoint) belong in the profile too. */
  private learnRunning(t: Tracked): void {
    const state = this.profiles.get(t.container.imageDigest);
    if (state?.learned === undefined) return;
    for (const [pid, owner] of this.owners) {
      if (owner !== t.container.id) continue;
      try {
        const exe = readlinkSync(`/proc/${pid}/exe`);
        const argv = splitArgv(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
        const argv0 = argv[0] ?? '';
        if (!exe.startsWith('/') || exe === '/') continue; // runc's init, outside the container's filesystem
        const path = argv0.startsWith('/')
          ? argv0
          : argv0 !== ''
            ? `${exe.slice(0, exe.lastIndexOf('/'))}/${argv0}`
            : exe;
        const uid = statSync(`/proc/${pid}`).uid;
        const sha256 =
          t.container.merged === undefined ? undefined : sha256File(join(t.container.merged, exe));
        state.learned = learnExec(state.learned, { path, exe, sha256, uid, parent: undefined }, new Date());
        state.dirty = true;
      } catch {
        // exited meanwhile
      }
    }
  }

  private detach(id: string): void {
    this.unobservable.delete(id);
    this.sandboxParents.delete(id);
    this.tracer?.detach(id);
    const t = this.tracked.get(id);
    if (t === undefined) return;
    this.tracked.delete(id);
    if (t.markId !== undefined) {
      this.byMark.delete(t.markId);
      this.addon?.markRemove(t.markId);
    }
  }

  private modeFor(digest: string): WatchMode {
    if (this.options.mode === 'learn') return 'learn';
    return this.profiles.get(digest)?.enforced?.mode ?? this.options.mode;
  }

  private allowList(digest: string): string[] | null {
    // a network-only profile (learned by `watch net`) has no exec section: no allow-list, nothing judged BH-W-001
    return execAllowList(this.profiles.get(digest)?.enforced);
  }

  // ---------- profiles ----------

  private ensureProfile(digest: string, names: readonly string[]): void {
    if (this.profiles.has(digest)) return;
    const state: ProfileState = {
      enforced: undefined,
      enforcedMtimeMs: 0,
      error: undefined,
      learned: undefined,
      dirty: false,
      saveError: undefined,
    };
    this.profiles.set(digest, state);
    this.reloadEnforced(digest);
    if (this.options.mode === 'learn') {
      const file = profileFile(this.options.profilesDir, digest, 'learned');
      try {
        state.learned = existsSync(file)
          ? withImageNames(loadProfile(file), names)
          : emptyProfile(digest, names, new Date());
      } catch (error) {
        this.options.log(
          `bulkhead watch: ${describeError(error)}; learning in memory (the file is left as it is and written once it validates)`,
        );
        state.learned = emptyProfile(digest, names, new Date());
      }
      state.dirty = true;
    }
  }

  /** Re-reads an enforced profile whose file changed; a broken file is reported and the last good one kept. */
  private reloadEnforced(digest: string): void {
    const state = this.profiles.get(digest);
    if (state === undefined) return;
    const file = profileFile(this.options.profilesDir, digest, 'enforced');
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs === state.enforcedMtimeMs) return;
    state.enforcedMtimeMs = mtimeMs;
    try {
      state.enforced = loadProfile(file);
      state.error = undefined;
    } catch (error) {
      state.error = describeError(error);
      const kept =
        state.enforced === undefined
          ? 'no profile in force'
          : `version ${state.enforced.version} stays in force`;
      this.options.log(`bulkhead watch: ${state.error}\n  (${kept})`);
      return;
    }
    for (const t of this.tracked.values()) {
      if (t.container.imageDigest !== digest) continue;
      t.mode = this.modeFor(digest);
      if (t.markId !== undefined && t.container.merged !== undefined)
        this.addon?.markSet(
          t.markId,
          t.container.merged,
          t.container.upper ?? '',
          enforceOf(t.mode),
          this.allowList(digest),
        );
    }
  }

  /**
   * Writes each changed learned profile: only its exec section, merged under the file's lock into what the file has
   * (the network stage writes the network section of the same file, in this process or another). A file that does
   * not parse is left alone and reported once; the learning stays in memory and is written once it is fixed.
   */
  private flushLearned(): void {
    this.host?.flush();
    for (const [digest, state] of this.profiles) {
      const learned = state.learned;
      if (!state.dirty || learned === undefined) continue;
      try {
        updateProfileFile(profileFile(this.options.profilesDir, digest, 'learned'), (current) =>
          mergeExecSection(current, learned),
        );
        state.dirty = false;
        state.saveError = undefined;
      } catch (error) {
        const message = describeError(error);
        if (message !== state.saveError)
          this.options.log(
            `bulkhead watch: ${message}\n  (learning kept in memory; written once the file validates)`,
          );
        state.saveError = message;
      }
    }
  }

  // ---------- process tree (proc connector) ----------

  private seedOwners(): void {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        this.owners.set(
          Number(entry),
          parseProcCgroup(readFileSync(`/proc/${entry}/cgroup`, 'utf8'))?.containerId ?? null,
        );
      } catch {
        // exited meanwhile
      }
    }
  }

  private onProc(batch: readonly NativeRecord[]): void {
    const now = Date.now();
    for (const [pid, at] of this.exited) {
      if (now - at < EXITED_MS) break;
      this.exited.delete(pid);
      this.parents.delete(pid);
    }
    for (const r of batch) {
      if (r.kind === 'fork') {
        if (r.pid === r.tgid) {
          this.owners.set(r.pid, this.owners.get(r.ptgid) ?? null);
          this.parents.set(r.pid, r.ptgid);
          this.exited.delete(r.pid);
        }
      } else if (r.kind === 'exit') {
        if (r.pid === r.tgid) {
          this.owners.delete(r.pid);
          this.lastGate.delete(r.pid);
          if (this.parents.has(r.pid)) {
            this.exited.delete(r.pid);
            this.exited.set(r.pid, now);
          }
        }
      } else if (r.kind === 'exec') {
        if (r.cgroup !== undefined) this.owners.set(r.pid, this.cgroupOwner(r.cgroup));
        this.onProcExec(r);
      }
    }
    this.releaseAwaiting(false);
  }

  /** Judges the waiting gate records whose fork record came (or did not come within EXITED_MS), in arrival order. */
  private releaseAwaiting(all: boolean): void {
    if (this.awaitingParent.length === 0) return;
    const now = Date.now();
    const waiting = this.awaitingParent;
    this.awaitingParent = [];
    for (const w of waiting) {
      // a later record of the same pid must not overtake an earlier one still waiting
      if (all || this.parents.has(w.r.pid) || now - w.at >= EXITED_MS) this.onGateExec(w.r, true);
      else this.awaitingParent.push(w);
    }
  }

  private cgroupOwner(text: string): string | null {
    let owner = this.cgroupOwners.get(text);
    if (owner === undefined) {
      owner = parseProcCgroup(text)?.containerId ?? null;
      if (this.cgroupOwners.size >= 4096) this.cgroupOwners.clear();
      this.cgroupOwners.set(text, owner);
    }
    return owner;
  }

  /** An exec the gate did not see (no gate, or a file outside the container's overlay, e.g. on a volume). */
  private onProcExec(r: NativeRecord): void {
    const owner = this.owners.get(r.pid);
    if (owner === undefined || owner === null) return;
    const t = this.tracked.get(owner);
    if (t === undefined) return;
    const argv = splitArgv(r.cmdline);
    const file = argv[0] ?? '';
    const onVolume = t.container.volumes.some((v) => file.startsWith(`${v}/`));
    if (t.markId !== undefined && !onVolume && !this.gateClosed) return;
    if (argv.length === 0) {
      // the process was gone before its facts could be read: still attributed, still counted
      this.judge(
        t,
        {
          ...BASE_FACTS,
          path: `(exited) ${r.comm ?? ''}`.trim(),
          exe: '',
          argv: [],
          uid: r.uid,
          inProfile: undefined,
        },
        this.nativeOrigin(t, r),
        'allowed',
        undefined,
      );
      return;
    }
    const facts: ExecFacts = {
      ...BASE_FACTS,
      path: file.startsWith('/') ? file : `/${r.comm ?? file}`,
      exe: file,
      argv,
      uid: r.uid,
      tty: r.tty !== 0,
      parent: undefined,
      inProfile: this.inProfile(t.container.imageDigest, file),
      volumes: t.container.volumes,
      imageUser: t.container.imageUser,
    };
    this.judge(t, facts, this.nativeOrigin(t, r), 'allowed', undefined);
  }

  // ---------- exec gate (fanotify) ----------

  private onGate(batch: readonly NativeRecord[]): void {
    for (const r of batch) {
      if (r.kind === 'stall') {
        this.gateClosed = true;
        this.gateState = `closed by the watchdog after a ${Math.round((r.verdictNs ?? 0) / 1e6)} ms stall; pending execs were allowed`;
        this.options.log(`bulkhead watch: exec gate ${this.gateState}`);
        this.emit({
          ...this.baseEvent(undefined),
          kind: 'stall',
          verdict: 'allowed',
          message: `verdict loop stalled; the watchdog closed the fanotify group (${this.gateState})`,
          detail: { timeNs: r.timeNs },
        });
      } else if (r.kind === 'gate-open') this.onGuardOpen(r);
      else if (r.kind === 'gate-exec') this.onGateExec(r);
    }
  }

  private inProfile(digest: string, path: string): boolean | undefined {
    return inExecProfile(this.profiles.get(digest)?.enforced, path);
  }

  private hashOf(t: Tracked, r: NativeRecord, exe: string): string | undefined {
    const key = `${r.dev ?? 0}:${r.ino ?? 0}`;
    const cached = this.hashes.get(key);
    if (cached !== undefined) return cached;
    if (t.container.merged === undefined) return undefined;
    try {
      const hash = sha256File(join(t.container.merged, exe));
      if (this.hashes.size > 10_000) this.hashes.clear();
      this.hashes.set(key, hash);
      return hash;
    } catch {
      return undefined;
    }
  }

  private onGateExec(r: NativeRecord, waited = false): void {
    if (this.host?.isHostMark(r.markId) === true) {
      const event = this.host.judge(r, this.baseEvent(undefined));
      if (event !== undefined) this.emit(event);
      return;
    }
    const t = r.markId === undefined ? undefined : this.byMark.get(r.markId);
    if (t === undefined) return;
    // the addon skips the proc connector's /proc reads (cgroup included) of a gated exec: the mark is its owner
    if (this.owners.has(r.pid)) this.owners.set(r.pid, t.container.id);
    // the addon reads ppid after the answer; a task gone by then has the parent of its fork record
    if (!waited && this.awaitingParent.some((w) => w.r.pid === r.pid)) {
      // keep one pid's records in order (the loader's open follows its execve's)
      this.awaitingParent.push({ r, at: Date.now() });
      return;
    }
    if (r.ppid === 0) {
      const ppid = this.parents.get(r.pid);
      if (ppid === undefined && !waited) {
        this.awaitingParent.push({ r, at: Date.now() });
        return;
      }
      r = { ...r, ppid: ppid ?? 0 };
    }
    // the dynamic loader or a script's interpreter is opened by the same execve: one exec, not two
    const last = this.lastGate.get(r.pid);
    const now = Date.now();
    this.rememberGate(r, now);
    // (another file, same pid and argv, within the same execve: the loader or interpreter; a reused pid
    // running the same program again is a new exec and counts)
    if (
      r.verdict === 0 &&
      last !== undefined &&
      last.cmdline === r.cmdline &&
      last.ino !== r.ino &&
      now - last.at < SAME_EXECVE_MS
    )
      return;
    const exe = r.path ?? '';
    // the addon derives the invoked path (it checks the same key against the profile in deny mode)
    const path = r.invoked ?? exe;
    const facts: ExecFacts = {
      ...BASE_FACTS,
      kind: 'exec',
      path,
      exe,
      argv: splitArgv(r.cmdline),
      uid: r.uid,
      tty: r.tty !== 0,
      setid: r.setid === 1,
      drift: r.drift === 1,
      // runc's own binary is outside the container's mount namespace: the kernel names it "/"
      parent: r.parent === '/' ? '(container runtime)' : r.parent,
      inProfile: this.inProfile(t.container.imageDigest, path),
      guardHit: false,
      volumes: t.container.volumes,
      imageUser: t.container.imageUser,
    };
    const native: Verdict = r.verdict === 1 ? 'denied' : r.verdict === 2 ? 'killed' : 'allowed';
    this.judge(
      t,
      facts,
      this.nativeOrigin(t, r),
      native,
      native === 'allowed' ? undefined : RULE_FOR_REASON[r.reason ?? 0],
    );
  }

  /**
   * Keeps lastGate in recency order and drops what is older than SAME_EXECVE_MS: an exit deletes its pid's entry,
   * but the gate's batch can arrive after the proc connector's (two native threads), and an entry written after
   * its pid's exit would stay forever (1M replayed execs: heap 30 -> 359 MiB).
   */
  private rememberGate(r: NativeRecord, now: number): void {
    this.lastGate.delete(r.pid);
    this.lastGate.set(r.pid, { cmdline: r.cmdline, ino: r.ino, at: now });
    for (const [pid, entry] of this.lastGate) {
      if (now - entry.at < SAME_EXECVE_MS) break;
      this.lastGate.delete(pid);
    }
  }

  private onGuardOpen(r: NativeRecord): void {
    if (r.verdict !== 1) return;
    const owner = r.cgroup === undefined ? undefined : parseProcCgroup(r.cgroup)?.containerId;
    const t = owner === undefined ? undefined : this.tracked.get(owner);
    const facts: ExecFacts = {
      ...BASE_FACTS,
      kind: 'open',
      path: r.path ?? '',
      exe: r.path ?? '',
      uid: r.uid,
      guardHit: true,
      parent: r.comm,
    };
    const hits = WATCH_RULES.flatMap((rule) => {
      const message = rule.check(facts);
      return message === undefined ? [] : [{ id: rule.meta.id, message }];
    });
    this.emit({
      ...this.baseEvent(t?.container),
      containerId: owner ?? null,
      kind: 'open',
      pid: r.pid,
      ppid: r.ppid,
      exe: null,
      path: r.path ?? null,
      uid: r.uid,
      verdict: 'denied',
      ruleId: 'BH-W-007',
      rules: hits.map((h) => h.id),
      message: hits[0]?.message ?? `open of ${r.path ?? ''} from a container denied`,
      detail: { timeNs: r.timeNs, comm: r.comm ?? null },
      latencyUs: (Number(process.hrtime.bigint()) - r.timeNs) / 1000,
    });
  }

  /** Rules, verdict (learn / alert / kill / deny), learning, and the event. */
  private judge(
    t: Tracked,
    facts: ExecFacts,
    r: Origin,
    native: Verdict,
    nativeRule: string | undefined,
  ): void {
    const hits = WATCH_RULES.flatMap((rule) => {
      const message = rule.check(facts);
      return message === undefined ? [] : [{ id: rule.meta.id, message }];
    });
    if (nativeRule !== undefined && !hits.some((h) => h.id === nativeRule))
      hits.unshift({ id: nativeRule, message: `${facts.path} denied by the exec gate` });
    const first = nativeRule === undefined ? hits[0] : hits.find((h) => h.id === nativeRule);
    let verdict: Verdict = native;
    if (native === 'allowed' && hits.length > 0 && t.mode !== 'learn') {
      verdict = 'alerted';
      if (t.mode === 'kill' && r.killable && r.pid !== null) {
        try {
          process.kill(r.pid, 'SIGKILL');
          verdict = 'killed';
        } catch {
          verdict = 'alerted';
        }
      }
    }
    const digest = t.container.imageDigest;
    const state = this.profiles.get(digest);
    let sha256: string | undefined;
    // a profile holds absolute paths only (a relative `docker exec` command that could not be resolved is not learned)
    if (
      t.mode === 'learn' &&
      native === 'allowed' &&
      facts.exe.startsWith('/') &&
      facts.path.startsWith('/') &&
      state?.learned !== undefined
    ) {
      sha256 = r.hash(facts.exe);
      state.learned = learnExec(
        state.learned,
        { path: facts.path, exe: facts.exe, sha256, uid: facts.uid, parent: facts.parent },
        new Date(),
      );
      state.dirty = true;
    }
    this.emit({
      ...this.baseEvent(t.container),
      kind: 'exec',
      pid: r.pid,
      ppid: r.ppid,
      exe: facts.exe === '' ? null : facts.exe,
      path: facts.path,
      argv: facts.argv,
      uid: facts.uid,
      verdict,
      ruleId: first?.id ?? null,
      rules: hits.map((h) => h.id),
      profileVersion: state?.enforced?.version ?? null,
      message: first === undefined ? '' : first.message,
      detail: {
        timeNs: r.timeNs,
        parent: facts.parent ?? null,
        tty: facts.tty,
        source: r.source,
        ...(sha256 === undefined ? {} : { sha256 }),
        ...(r.verdictNs === undefined ? {} : { verdictUs: r.verdictNs / 1000 }),
      },
      latencyUs: r.timeNs === undefined ? null : (Number(process.hrtime.bigint()) - r.timeNs) / 1000,
    });
  }

  /** A host-kernel record (proc connector or exec gate): host pids, monotonic time, hash by dev:ino. */
  private nativeOrigin(t: Tracked, r: NativeRecord): Origin {
    return {
      pid: r.pid,
      ppid: r.ppid,
      timeNs: r.timeNs,
      verdictNs: r.verdictNs,
      source: r.kind === 'exec' ? 'proc' : 'gate',
      killable: true,
      hash: (exe) => this.hashOf(t, r, exe),
    };
  }

  private baseEvent(c: WatchedContainer | undefined): WatchEvent {
    return {
      time: nowIso(),
      kind: 'exec',
      containerId: c?.id ?? null,
      containerName: c?.name ?? null,
      imageDigest: c?.imageDigest ?? null,
      pid: null,
      ppid: null,
      exe: null,
      path: null,
      argv: [],
      uid: null,
      verdict: 'allowed',
      ruleId: null,
      rules: [],
      profileVersion: null,
      message: '',
      detail: {},
      latencyUs: null,
    };
  }

  private emit(event: WatchEvent): void {
    this.eventCount += 1;
    this.options.store.append(event);
  }

  // ---------- runtime-binary guard ----------

  private addGuards(): void {
    const g = this.options.guard;
    if (g === 'none' || this.addon === undefined) return;
    const targets =
      typeof g === 'string'
        ? discoverGuardTargets(this.runtimes, {
            hostProcesses: g === 'auto',
            pathEnv: this.options.env['PATH'],
          })
        : g.map((path) => ({ path, source: 'command line', sha256: sha256File(path) }));
    for (const target of targets) {
      try {
        this.addon.guardAdd(target.path);
        this.guarded.push(target);
      } catch (error) {
        this.options.log(`bulkhead watch: cannot guard ${target.path}: ${describeError(error)}`);
      }
    }
    this.timers.push(
      setInterval(() => {
        this.checkGuardHashes();
      }, 60_000),
    );
  }

  private checkGuardHashes(): void {
    for (const target of this.guarded) {
      let now: string;
      try {
        now = sha256File(target.path);
      } catch {
        now = 'unreadable';
      }
      if (now === target.sha256) continue;
      this.emit({
        ...this.baseEvent(undefined),
        kind: 'open',
        path: target.path,
        verdict: 'alerted',
        ruleId: 'BH-W-007',
        rules: ['BH-W-007'],
        message: `runtime binary ${target.path} changed on disk (sha256 ${target.sha256.slice(0, 12)} -> ${now.slice(0, 12)})`,
      });
    }
  }
}
