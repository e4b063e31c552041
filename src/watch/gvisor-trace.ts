// Sees inside gVisor (runsc) containers through runsc's own trace points (gVisor docs "Runtime Monitoring",
// runsc/cmd/trace): for each runsc container, a private SOCK_SEQPACKET listener, then `runsc --root R trace create`
// of a session whose "remote" sink is that socket, with the points sentry/execve, sentry/clone,
// sentry/exit_notify_parent and container/start. One socket per sandbox (remote/README.md: a sandbox must not be
// able to spoof or starve another's stream): a message is attributed to the socket's container, never to the
// container id it claims. Alert only: a trace point reports an exec, it cannot refuse it.
//
// runsc allows one session per sandbox, and only under the name "Default" (pkg/sentry/seccheck/config.go refuses any
// other name, in 20221219 and in gVisor's current tree), so a session of bulkhead's own name is not possible. Watch
// therefore never takes that session from someone else: it creates without --force (runsc then refuses atomically,
// `session "Default" already exists`), deletes only a session whose sink is still connected to it, and notices a
// replacement or removal by its sink's connection closing (the sentry closes it when the session goes). The one
// exception is its own session left behind by a watch that was killed (SIGKILL: no delete ran): each watch records the
// sessions it creates (gvisor-stale.ts), and a later watch deletes and recreates a session whose record still holds
// and whose watch is gone, and only that.
import { execFile } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SeqpacketOps } from '../native/index.js';
import { describeError } from '../shared/errors.js';
import { socketInodes } from '../shared/proc.js';
import {
  DEFAULT_TRACE_DIR,
  parseTraceList,
  probeStaleSession,
  processStart,
  recordPath,
  releaseClaim,
  writeRecord,
  type ListedSession,
} from './gvisor-stale.js';
import {
  MAX_TRACE_MESSAGE,
  decodeHandshake,
  decodeTraceMessage,
  encodeHandshake,
  type TracePoint,
} from './gvisor-wire.js';

/** The session's name: runsc refuses any other ("only a single "Default" session is supported"). */
export const TRACE_SESSION_NAME = 'Default';
const POLL_MS = 20;
/** How often a session another tool holds is tried again (a create without --force, which cannot replace it). */
const RETRY_MS = 10_000;
/** Failed `runsc trace list` runs in a row (one per status tick) before the session counts as lost. */
const LIST_FAILURES = 3;
/** Why a sandbox is not traced while another tool holds its one session. */
export const SESSION_HELD =
  'the sandbox\'s one trace session ("Default") is another tool\'s; bulkhead does not replace it (runsc allows one per sandbox)';
/** Why a traced sandbox stopped being traced: the session bulkhead created was replaced. */
export const SESSION_REPLACED =
  'trace session replaced by another tool (runsc allows one per sandbox; bulkhead does not take it back)';
/** Messages read per connection per poll (the rest wait in the socket until the next one). */
const BATCH = 512;
/** Decode errors logged per container; the rest are only counted. */
const LOGGED_ERRORS = 10;
const COMMAND_TIMEOUT_MS = 15_000;

/** The session config `runsc trace create --config` reads (pkg/sentry/seccheck/config.go SessionConfig). */
export function traceSessionConfig(endpoint: string): Record<string, unknown> {
  const context = ['time', 'thread_id', 'group_id', 'container_id', 'credentials', 'cwd', 'process_name'];
  return {
    trace_session: {
      name: TRACE_SESSION_NAME,
      points: [
        { name: 'container/start', context_fields: ['time', 'group_id', 'container_id'] },
        { name: 'sentry/execve', context_fields: context },
        { name: 'sentry/clone', context_fields: ['group_id', 'container_id'] },
        { name: 'sentry/exit_notify_parent', context_fields: ['group_id', 'container_id'] },
      ],
      sinks: [{ name: 'remote', config: { endpoint } }],
    },
  };
}

/** runsc's --root from a runsc process's argv (`--root=DIR` or `--root DIR`, before the subcommand). */
export function runscRootFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-')) return undefined; // the subcommand: flags after it are its own
    const m = /^--?root(?:=(.*))?$/.exec(arg);
    if (m === null) continue;
    return m[1] ?? argv[i + 1];
  }
  return undefined;
}

/**
 * The runsc state root of a running sandbox, from its process (Engine `State.Pid`: runsc-sandbox) and checked on
 * disk: a root-owned directory, not writable by others, that holds this container's state file. The sandbox runs
 * the untrusted kernel and could rewrite its own argv, hence the check.
 */
export function findRunscRoot(
  pid: number,
  containerId: string,
): { ok: true; root: string } | { ok: false; reason: string } {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  } catch (error) {
    return {
      ok: false,
      reason: `cannot read the sandbox's command line (pid ${pid}): ${describeError(error)}`,
    };
  }
  const root = runscRootFromArgv(argv);
  if (!root?.startsWith('/'))
    return { ok: false, reason: `no --root in the sandbox's command line (pid ${pid})` };
  try {
    const st = statSync(root);
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0)
      return { ok: false, reason: `runsc root ${root} is not a root-owned directory closed to others` };
    if (!readdirSync(root).some((f) => f.endsWith(`:${containerId}.state`)))
      return { ok: false, reason: `runsc root ${root} has no state for ${containerId.slice(0, 12)}` };
  } catch (error) {
    return { ok: false, reason: `runsc root ${root}: ${describeError(error)}` };
  }
  return { ok: true, root };
}

export interface TraceTarget {
  readonly id: string;
  readonly name: string;
  /** The runtime's binary as the daemon has it (runsc, or a path to it). */
  readonly runtimePath: string;
  /** The sandbox's host pid (Engine State.Pid). */
  readonly pid: number;
}

export interface GvisorTraceCounters {
  readonly sessions: number;
  readonly connections: number;
  readonly messages: number;
  /** Messages that failed validation (header, type, protobuf). */
  readonly decodeErrors: number;
  /** Messages longer than MAX_TRACE_MESSAGE, discarded unread. */
  readonly oversize: number;
  readonly handshakeErrors: number;
  /** Sandboxes whose one session another tool holds or took over (their containers are reported not observable). */
  readonly lost: number;
  /** Points the sentry could not write to us (its own count, from the message headers). */
  readonly sentryDropped: number;
  /** Messages whose container id is not their socket's container (attributed to the socket's). */
  readonly containerMismatch: number;
}

interface Conn {
  readonly fd: number;
  handshaken: boolean;
  dropped: number;
}

/** Ours: created by this tracer; lost: another tool holds the sandbox's one session (retried at retryAt). */
type SessionState =
  { readonly kind: 'ours' } | { readonly kind: 'lost'; readonly reason: string; readonly retryAt: number };

interface Session {
  readonly target: TraceTarget;
  readonly root: string;
  readonly socket: string;
  readonly config: string;
  readonly listenFd: number;
  readonly conns: Conn[];
  errors: number;
  /** Dropped counts of connections already closed. */
  droppedClosed: number;
  state: SessionState;
  /** The sentry's sink connected (handshake done) since the last create. */
  sinkConnected: boolean;
  /** `runsc trace list` failures in a row while the sandbox runs. */
  listFailures: number;
  /** A check (runsc trace list/create) is in flight. */
  checking: boolean;
  /** This tracer wrote the sandbox's session record (removed again when the session is deleted or left). */
  recorded: boolean;
}

/** A traced sandbox's session went (another tool replaced or removed it), or came back (bulkhead recreated it). */
export type SessionChange =
  { readonly observed: false; readonly reason: string } | { readonly observed: true; readonly note: string };

export interface GvisorTracerOptions {
  readonly ops: SeqpacketOps;
  /** Where sockets, configs and session records live (DEFAULT_TRACE_DIR); one directory for every watch. */
  readonly dir?: string;
  readonly log: (line: string) => void;
  readonly onPoint: (containerId: string, point: TracePoint) => void;
  readonly onSessionChange?: (containerId: string, change: SessionChange) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function run(
  file: string,
  args: readonly string[],
): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: stderr.trim() || (error?.message ?? '') });
    });
  });
}

export class GvisorTracer {
  private readonly options: GvisorTracerOptions;
  private readonly sessions = new Map<string, Session>();
  private readonly dir: string;
  private dirChecked = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly stats: Mutable<
    Omit<GvisorTraceCounters, 'sessions' | 'lost' | 'connections' | 'sentryDropped'>
  > = {
    messages: 0,
    decodeErrors: 0,
    oversize: 0,
    handshakeErrors: 0,
    containerMismatch: 0,
  };

  constructor(options: GvisorTracerOptions) {
    this.options = options;
    this.dir = options.dir ?? DEFAULT_TRACE_DIR;
  }

  /**
   * Starts a trace session for one runsc container; the reason when it cannot. When another tool holds the
   * sandbox's session, the socket stays open and check() tries again every RETRY_MS, without replacing it.
   */
  async attach(target: TraceTarget): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.sessions.has(target.id)) return { ok: true };
    const found = findRunscRoot(target.pid, target.id);
    if (!found.ok) return found;
    const opened = this.listen(target, found.root);
    if (!opened.ok) return opened;
    const session = this.sessions.get(target.id);
    if (session === undefined) return { ok: false, reason: 'the trace socket closed while opening' };
    const created = await this.create(session);
    if (created.ok) return { ok: true };
    if (created.held && this.sessions.get(target.id) === session) {
      session.state = { kind: 'lost', reason: SESSION_HELD, retryAt: Date.now() + RETRY_MS };
      this.options.log(
        `bulkhead watch: ${target.name}: ${SESSION_HELD}${created.why === undefined ? '' : ` (not a stale bulkhead session: ${created.why})`}; if it is a leftover, delete it: ${target.runtimePath} --root ${found.root} trace delete --name ${TRACE_SESSION_NAME} ${target.id}`,
      );
      return { ok: false, reason: SESSION_HELD };
    }
    this.detach(target.id);
    return { ok: false, reason: created.reason };
  }

  /**
   * `runsc trace list` of the sandbox: not ok (with runsc's last line) when it fails; sessions undefined (and logged)
   * when it prints something bulkhead does not recognise.
   */
  private async list(
    s: Session,
  ): Promise<{ ok: false; error: string } | { ok: true; sessions: ListedSession[] | undefined }> {
    const listed = await this.runsc(s, ['trace', 'list', s.target.id]);
    if (listed.code !== 0) return { ok: false, error: listed.stderr.split('\n').slice(-1).join('') };
    const parsed = parseTraceList(listed.stdout);
    if (parsed.ok) return { ok: true, sessions: parsed.sessions };
    this.error(s, `${parsed.error}; creating without --force (runsc refuses if a session exists)`);
    return { ok: true, sessions: undefined };
  }

  /**
   * `runsc trace list`, then `runsc trace create` without --force when the sandbox has no session: the create fails,
   * and destroys nothing, if one appeared meanwhile. The list comes first because a refused create still leaves its
   * sink connection open in the sandbox (runsc 20221219: the connection to us never closed), one per attempt. A
   * session the list shows is deleted first only when it is a stale one of bulkhead's own (gvisor-stale.ts).
   */
  private async create(
    s: Session,
    listedEmpty = false,
  ): Promise<{ ok: true; tookBack: boolean } | { ok: false; held: boolean; reason: string; why?: string }> {
    let tookBack = false;
    if (!listedEmpty) {
      const listed = await this.list(s);
      const sessions = listed.ok ? listed.sessions : undefined;
      if (sessions !== undefined && sessions.length > 0) {
        const taken = await this.takeBackStale(s, sessions);
        if (!taken.ok)
          return {
            ok: false,
            held: true,
            reason: SESSION_HELD,
            ...(taken.why === undefined ? {} : { why: taken.why }),
          };
        tookBack = true;
      }
    }
    s.sinkConnected = false;
    const before = socketInodes(s.target.pid);
    // the sink connects and waits for our handshake while this runs: the poll timer answers it
    const r = await this.runsc(s, ['trace', 'create', '--config', s.config, s.target.id]);
    if (r.code === 0) {
      s.state = { kind: 'ours' };
      this.record(s, before);
      return { ok: true, tookBack };
    }
    // the refused create's sink connection belongs to no session: it would hold this sandbox as "ours" forever
    for (const c of s.conns) {
      s.droppedClosed += c.dropped;
      this.closeFd(c.fd);
    }
    s.conns.length = 0;
    s.sinkConnected = false;
    return {
      ok: false,
      held: r.stderr.includes('already exists'),
      reason: `\`${s.target.runtimePath} --root ${s.root} trace create\` failed (exit ${r.code}): ${r.stderr.split('\n').slice(-2).join(' ')}`,
    };
  }

  /**
   * Deletes the sandbox's session when it is one a killed bulkhead watch left (its record claimed by this watch), and
   * says so in one line; anything else is left alone (`why` says why, when a record exists).
   */
  private async takeBackStale(
    s: Session,
    sessions: readonly ListedSession[],
  ): Promise<{ ok: true } | { ok: false; why?: string }> {
    const probe = probeStaleSession({
      dir: this.dir,
      containerId: s.target.id,
      sandboxPid: s.target.pid,
      sessions,
      connect: (path) => this.options.ops.connect(path),
      closeFd: (fd) => {
        this.closeFd(fd);
      },
    });
    if (!probe.stale) return probe.why === undefined ? { ok: false } : { ok: false, why: probe.why };
    const old = probe.record;
    const r = await this.runsc(s, ['trace', 'delete', '--name', TRACE_SESSION_NAME, s.target.id]);
    if (r.code !== 0) {
      // the session is still the stale one: put its record back for the next attempt
      releaseClaim(probe.claim, this.dir, s.target.id);
      return {
        ok: false,
        why: `deleting the stale session failed: ${r.stderr.split('\n').slice(-1).join('')}`,
      };
    }
    rmSync(probe.claim, { force: true });
    rmSync(old.socket, { force: true });
    rmSync(old.socket.replace(/\.sock$/, '.json'), { force: true });
    this.options.log(
      `bulkhead watch: ${s.target.name}: replaced a stale bulkhead trace session (its watch, pid ${old.watchPid}, is gone and its socket ${old.socket} refuses connections); execs since that watch ended were not seen`,
    );
    return { ok: true };
  }

  /** The record of the session just created: the sink's connection is the socket the sandbox gained meanwhile. */
  private record(s: Session, before: Set<string> | undefined): void {
    const after = socketInodes(s.target.pid);
    const watchStart = processStart(process.pid);
    const sandboxStart = processStart(s.target.pid);
    if (!/^[0-9a-f]{64}$/.test(s.target.id) || watchStart === undefined || sandboxStart === undefined) return;
    try {
      writeRecord(this.dir, {
        version: 1,
        containerId: s.target.id,
        watchPid: process.pid,
        watchStart,
        socket: s.socket,
        sandboxPid: s.target.pid,
        sandboxStart,
        sinkInodes:
          before === undefined || after === undefined
            ? []
            : [...after].filter((i) => !before.has(i)).slice(0, 16),
      });
      s.recorded = true;
    } catch (error) {
      this.error(
        s,
        `cannot record the trace session (a restarted watch will not take it back): ${describeError(error)}`,
      );
    }
  }

  private runsc(s: Session, args: readonly string[]): ReturnType<typeof run> {
    return run(s.target.runtimePath, ['--root', s.root, ...args]);
  }

  /**
   * On watch's status tick: a session of ours whose sink connection closed while its sandbox runs was replaced or
   * removed by someone else (`runsc trace list` says which); a removed one is created again, a replaced one is left
   * to its owner and reported. A session another tool holds is tried again every RETRY_MS. Spawns runsc only then.
   */
  async check(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.sessions.values()].map(async (s) => {
        if (s.checking) return;
        const due =
          s.state.kind === 'lost'
            ? now >= s.state.retryAt
            : s.sinkConnected && !s.conns.some((c) => c.handshaken);
        if (!due || !existsSync(`/proc/${s.target.pid}`)) return; // a sandbox that ended is the Engine's to report
        s.checking = true;
        try {
          await this.recheck(s);
        } finally {
          s.checking = false;
        }
      }),
    );
  }

  private async recheck(s: Session): Promise<void> {
    const previous = s.state;
    const wasOurs = previous.kind === 'ours';
    if (wasOurs) {
      const listed = await this.list(s);
      if (this.sessions.get(s.target.id) !== s) return;
      // ours is gone (its sink closed): our record no longer names the sandbox's session
      this.unrecord(s);
      if (!listed.ok) {
        // a sandbox going away fails the list too, and its end comes from the Engine: report only a lasting failure
        s.listFailures += 1;
        if (s.listFailures >= LIST_FAILURES)
          this.lose(s, `cannot list the sandbox's trace sessions: ${listed.error}`);
        return;
      }
      s.listFailures = 0;
      if (listed.sessions !== undefined && listed.sessions.length > 0) {
        this.lose(s, SESSION_REPLACED);
        return;
      }
    }
    const created = await this.create(s, wasOurs);
    if (this.sessions.get(s.target.id) !== s) return;
    if (created.ok) {
      const note = wasOurs
        ? 'trace session recreated (another tool had removed it; execs meanwhile were not seen)'
        : created.tookBack
          ? 'trace session created (it replaced a stale one of a bulkhead watch that is gone)'
          : "trace session created (the other tool's session is gone)";
      this.options.log(`bulkhead watch: ${s.target.name}: ${note}`);
      this.options.onSessionChange?.(s.target.id, { observed: true, note });
      return;
    }
    if (!existsSync(`/proc/${s.target.pid}`)) return;
    this.lose(
      s,
      created.held
        ? previous.kind === 'lost'
          ? previous.reason
          : SESSION_REPLACED
        : wasOurs
          ? `trace session removed by another tool and not recreated: ${created.reason}`
          : `trace session cannot be created: ${created.reason}`,
    );
  }

  private lose(s: Session, reason: string): void {
    const reported = s.state.kind === 'lost' && s.state.reason === reason;
    s.state = { kind: 'lost', reason, retryAt: Date.now() + RETRY_MS };
    if (reported) return;
    this.options.log(`bulkhead watch: ${s.target.name}: ${reason}`);
    this.options.onSessionChange?.(s.target.id, { observed: false, reason });
  }

  /**
   * The listening socket and session config for one container (attach runs `runsc trace create` on them; tests
   * connect to `socket` as the sentry would).
   */
  listen(
    target: TraceTarget,
    root: string,
  ):
    | { ok: true; session: { readonly socket: string; readonly config: string } }
    | { ok: false; reason: string } {
    const dir = this.checkDir();
    if (!dir.ok) return dir;
    // <watch pid>-<container>: unique per watch, and under 108 bytes (sun_path) for the default directory
    const base = `${process.pid}-${target.id.slice(0, 12)}`;
    const socket = join(this.dir, `${base}.sock`);
    const config = join(this.dir, `${base}.json`);
    let listenFd: number;
    try {
      listenFd = this.options.ops.listen(socket);
    } catch (error) {
      return { ok: false, reason: `cannot listen on ${socket}: ${describeError(error)}` };
    }
    writeFileSync(config, JSON.stringify(traceSessionConfig(socket), null, 2), { mode: 0o600 });
    const session: Session = {
      target,
      root,
      socket,
      config,
      listenFd,
      conns: [],
      errors: 0,
      droppedClosed: 0,
      state: { kind: 'ours' },
      sinkConnected: false,
      listFailures: 0,
      checking: false,
      recorded: false,
    };
    this.sessions.set(target.id, session);
    this.timer ??= setInterval(() => {
      this.poll();
    }, POLL_MS);
    return { ok: true, session };
  }

  /**
   * The trace directory, created 0700 on first use: the records in it decide which sessions are deleted, so it must
   * be this user's and closed to everyone else.
   */
  private checkDir(): { ok: true } | { ok: false; reason: string } {
    if (this.dirChecked) return { ok: true };
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const st = lstatSync(this.dir);
      const uid = process.getuid?.() ?? 0;
      if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0)
        return {
          ok: false,
          reason: `trace directory ${this.dir} is not a directory of uid ${uid} closed to others (mode ${(st.mode & 0o777).toString(8)}, uid ${st.uid}); remove it or \`chmod 700\` it`,
        };
    } catch (error) {
      return { ok: false, reason: `cannot create the trace directory ${this.dir}: ${describeError(error)}` };
    }
    this.dirChecked = true;
    return { ok: true };
  }

  private unrecord(s: Session): void {
    if (!s.recorded) return;
    s.recorded = false;
    rmSync(recordPath(this.dir, s.target.id), { force: true });
  }

  /** The container ended: its sandbox and session are gone; close our side. */
  detach(id: string): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.close(s);
  }

  /**
   * Deletes our session from every sandbox still running, closes every socket, removes the directory. A session is
   * deleted only while its sink is connected to us: one whose connection closed is someone else's by now.
   */
  async stop(): Promise<void> {
    const open = [...this.sessions.values()];
    this.poll();
    await Promise.all(
      open
        .filter((s) => s.state.kind === 'ours' && s.conns.some((c) => c.handshaken))
        .map(async (s) => {
          const r = await this.runsc(s, ['trace', 'delete', '--name', TRACE_SESSION_NAME, s.target.id]);
          if (r.code !== 0 && !/not found|does not exist|no such|cannot/i.test(r.stderr))
            this.options.log(
              `bulkhead watch: runsc trace delete for ${s.target.name}: ${r.stderr.split('\n').slice(-1).join('')}`,
            );
        }),
    );
    for (const s of open) this.close(s);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  counters(): GvisorTraceCounters {
    let connections = 0;
    let sentryDropped = 0;
    let lost = 0;
    for (const s of this.sessions.values()) {
      if (s.state.kind === 'lost') lost += 1;
      connections += s.conns.length;
      sentryDropped += s.droppedClosed + s.conns.reduce((sum, c) => sum + c.dropped, 0);
    }
    return { ...this.stats, sessions: this.sessions.size - lost, lost, connections, sentryDropped };
  }

  private close(s: Session): void {
    this.sessions.delete(s.target.id);
    this.unrecord(s);
    for (const c of s.conns) this.closeFd(c.fd);
    s.conns.length = 0;
    this.closeFd(s.listenFd);
    rmSync(s.socket, { force: true });
    rmSync(s.config, { force: true });
    if (this.sessions.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private closeFd(fd: number): void {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  private error(s: Session, what: string): void {
    s.errors += 1;
    if (s.errors <= LOGGED_ERRORS)
      this.options.log(
        `bulkhead watch: runsc trace of ${s.target.name}: ${what}${s.errors === LOGGED_ERRORS ? ' (further errors are only counted)' : ''}`,
      );
  }

  /** Accepts, answers handshakes, reads and decodes what every connection has; never throws. */
  poll(): void {
    for (const s of [...this.sessions.values()]) {
      try {
        this.pollSession(s);
      } catch (error) {
        this.error(s, describeError(error));
      }
    }
  }

  private pollSession(s: Session): void {
    const ops = this.options.ops;
    for (let fd = ops.accept(s.listenFd); fd >= 0; fd = ops.accept(s.listenFd))
      s.conns.push({ fd, handshaken: false, dropped: 0 });
    for (const c of [...s.conns]) {
      const read = ops.recv(c.fd, MAX_TRACE_MESSAGE, c.handshaken ? BATCH : 1);
      for (const len of read.oversize) {
        this.stats.oversize += 1;
        this.error(s, `message of ${len} bytes exceeds ${MAX_TRACE_MESSAGE}, discarded`);
      }
      let ok = true;
      for (const message of read.messages) {
        if (!c.handshaken) {
          const hs = decodeHandshake(message);
          if (!hs.ok) {
            this.stats.handshakeErrors += 1;
            this.error(s, `${hs.error}; connection closed`);
            ok = false;
            break;
          }
          ops.send(c.fd, encodeHandshake());
          c.handshaken = true;
          s.sinkConnected = true;
          continue;
        }
        this.stats.messages += 1;
        const d = decodeTraceMessage(message);
        if (!d.ok) {
          this.stats.decodeErrors += 1;
          this.error(s, d.error);
          continue;
        }
        c.dropped = d.dropped;
        const point = d.point;
        if (point.type === 'other') continue;
        const claimed = point.context.containerId;
        if (claimed !== undefined && claimed !== '' && claimed !== s.target.id) {
          this.stats.containerMismatch += 1;
          this.error(s, `a point claims container ${claimed.slice(0, 64)}; attributed to ${s.target.name}`);
        }
        this.options.onPoint(s.target.id, point);
      }
      if (!ok || read.eof) {
        s.droppedClosed += c.dropped;
        this.closeFd(c.fd);
        s.conns.splice(s.conns.indexOf(c), 1);
      }
    }
  }
}
