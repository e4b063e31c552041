// The authorization plugin server: Docker's plugin protocol (/Plugin.Activate, /AuthZPlugin.AuthZReq,
// /AuthZPlugin.AuthZRes; docs.docker.com/engine/extend/plugin_api) over a unix socket, with an internal deadline
// (dockerd waits forever on a stuck plugin), a JSON-lines decision log without secrets, and policy hot reload
// that keeps the previous policy when the new one is invalid.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
  type FSWatcher,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { basename, dirname } from 'node:path';
import { BulkheadError, describeError } from '../shared/errors.js';
import { evaluate, type Decision } from './evaluate.js';
import type { LearnedPaths } from './engine-paths.js';
import { loadPolicy, withSensitivePaths, type Policy } from './policy.js';
import { activateResponse, authzRequestSchema, PLUGIN_CONTENT_TYPE, type AuthzResponse } from './protocol.js';
import { decodeRequest, identityName, type DecodedRequest } from './request.js';
import { INTERNAL_HEADER, type Resolver } from './resolver.js';

/** The read-only lookups the plugin's own resolver makes through dockerd, allowed without the policy. */
const INTERNAL_ACTIONS = new Set([
  'container_inspect',
  'exec_inspect',
  'container_list',
  'volume_list',
  'system_info',
]);

export const DEFAULT_SOCKET = '/run/docker/plugins/bulkhead.sock';
export const DEFAULT_IDLE_TIMEOUT_MS = 30000;
/** dockerd forwards bodies under 1 MiB, base64-encoded, plus headers and certificates. */
const MAX_PLUGIN_REQUEST = 4 * 1024 * 1024;

export interface AuthzServerOptions {
  readonly policyFile: string;
  readonly resolver: Resolver;
  /** Secret header value of the resolver's own lookups, allowed without policy. */
  readonly internalToken?: string | undefined;
  readonly deadlineMs: number;
  /** Receives one JSON document per line: decisions and policy events. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /**
   * Learns the engine's data root, exec root and sockets (engine-paths.ts), at start, on every policy reload and,
   * until /info has answered once, before container create/start and volume create (retried in the background
   * too). What is learned is added to every profile's sensitivePaths; until then the static defaults apply.
   */
  readonly learnPaths?: () => Promise<LearnedPaths>;
  /** Before a host-path decision, try again to learn when the last attempt is older than this (default 1000 ms). */
  readonly relearnAfterMs?: number;
  /** Operator messages (stderr): engine-path learning failed / succeeded, policy warnings on reload. */
  readonly warn?: (text: string) => void;
}

/** The actions that judge host paths: they wait for a first learning of the engine's paths. */
const HOST_PATH_ACTIONS = new Set(['container_create', 'container_start', 'volume_create']);
const LEARN_RETRY_MS = [1000, 2000, 5000, 10000, 30000] as const;

export interface DecisionRecord {
  readonly time: string;
  readonly phase: 'req' | 'res';
  readonly user: string;
  readonly authn: string;
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: 'allow' | 'deny';
  readonly rule: string;
  readonly msg?: string;
  readonly latency_ms: number;
}

function timeout<T>(ms: number, value: () => T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      resolve(value());
    }, ms);
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
    },
  };
}

function hashOf(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

/** Policy evaluation behind the protocol, usable without a socket (tests, bench, `authz test`). */
export class AuthzEngine {
  /** The policy as the file says it, and `current`: that policy with the learned engine paths added. */
  private base: Policy;
  private current: Policy;
  private learned = new Map<string, string>();
  /** /info has answered at least once. */
  private learnedFromInfo = false;
  private learning: Promise<void> | undefined;
  private lastLearnAt = -Infinity;
  private learnFailures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private currentHash: string;
  private failedHash: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(private readonly options: AuthzServerOptions) {
    this.base = loadPolicy(options.policyFile);
    this.current = this.base;
    this.currentHash = hashOf(options.policyFile);
    for (const w of this.base.warnings) options.warn?.(`bulkhead authz: warning: ${w}\n`);
  }

  get policy(): Policy {
    return this.current;
  }

  /** The engine paths learned so far (path -> where it was learned), added to every profile. */
  get enginePaths(): ReadonlyMap<string, string> {
    return this.learned;
  }

  /**
   * Learns the engine's paths once (concurrent callers share the attempt). The set only grows while the plugin
   * runs: a data root dockerd left still holds its images and containers.
   */
  learn(trigger: string): Promise<void> {
    const learner = this.options.learnPaths;
    if (learner === undefined) return Promise.resolve();
    this.learning ??= learner()
      .then((result) => {
        this.applyLearned(trigger, result);
      })
      .catch((error: unknown) => {
        this.applyLearned(trigger, {
          paths: [],
          infoError: error instanceof Error ? error.message : String(error),
          pid: undefined,
        });
      })
      .finally(() => {
        this.learning = undefined;
        this.lastLearnAt = performance.now();
      });
    return this.learning;
  }

  /**
   * Adds what was learned. The decision log gets an `engine_paths` event and stderr a line when paths were added,
   * at the first answer of /info, and at the first failure of a streak (not at every retry).
   */
  private applyLearned(trigger: string, result: LearnedPaths): void {
    const added = result.paths.filter((p) => !this.learned.has(p.path));
    for (const p of added) this.learned.set(p.path, p.why);
    if (added.length > 0) this.current = withSensitivePaths(this.base, [...this.learned.keys()]);
    const ok = result.infoError === undefined;
    const firstFailure = !ok && !this.learnedFromInfo && this.learnFailures === 0;
    if (added.length > 0 || (ok && !this.learnedFromInfo) || firstFailure) {
      this.event({
        event: 'engine_paths',
        trigger,
        ok,
        ...(ok ? {} : { error: result.infoError }),
        ...(result.pid === undefined ? {} : { dockerd_pid: result.pid }),
        added: added.map((p) => p.path),
        paths: [...this.learned.keys()],
      });
    }
    if (ok) {
      if (!this.learnedFromInfo || added.length > 0) {
        this.options.warn?.(
          `bulkhead authz: engine paths${result.pid === undefined ? '' : ` (dockerd ${result.pid})`} protected in every profile: ${[
            ...this.learned,
          ]
            .map(([path, why]) => `${path} [${why}]`)
            .join(', ')}\n`,
        );
      }
      this.learnedFromInfo = true;
      this.learnFailures = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      return;
    }
    if (this.learnedFromInfo) return; // learned before; a reload while dockerd restarts keeps what we know
    if (firstFailure) {
      this.options.warn?.(
        `bulkhead authz: cannot read the engine's /info (${result.infoError}): sensitive paths are the static defaults${
          this.learned.size > 0 ? ` plus ${[...this.learned.keys()].join(' ')}` : ''
        } until it answers (retrying; also before each container create/start and volume create)\n`,
      );
    }
    this.learnFailures += 1;
    if (this.retryTimer === undefined) {
      const delay = LEARN_RETRY_MS[Math.min(this.learnFailures - 1, LEARN_RETRY_MS.length - 1)] ?? 30000;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        void this.learn('retry');
      }, delay);
      this.retryTimer.unref();
    }
  }

  /** Before a decision on host paths: one more learning attempt when /info never answered (at most once a second). */
  private async ensureLearned(req: DecodedRequest): Promise<void> {
    if (this.options.learnPaths === undefined || this.learnedFromInfo) return;
    if (!HOST_PATH_ACTIONS.has(req.action?.name ?? '')) return;
    const after = this.options.relearnAfterMs ?? 1000;
    if (this.learning === undefined && performance.now() - this.lastLearnAt < after) return;
    await this.learn('request');
  }

  stopLearning(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private event(record: Record<string, unknown>): void {
    this.options.log(JSON.stringify({ time: new Date().toISOString(), ...record }));
  }

  /** Re-reads the policy; an invalid one is logged and the old one stays in force. */
  reload(trigger: string): boolean {
    const hash = hashOf(this.options.policyFile);
    try {
      this.base = loadPolicy(this.options.policyFile);
      this.current = withSensitivePaths(this.base, [...this.learned.keys()]);
      this.currentHash = hash;
      this.failedHash = undefined;
      this.event({
        event: 'policy_reload',
        trigger,
        ok: true,
        policy: this.options.policyFile,
        ...(this.base.warnings.length === 0 ? {} : { warnings: this.base.warnings }),
      });
      for (const w of this.base.warnings) this.options.warn?.(`bulkhead authz: warning: ${w}\n`);
      // dockerd may have been restarted with other roots: learn again (the paths learned so far stay)
      void this.learn(trigger);
      return true;
    } catch (error) {
      // remembered, so the watcher logs this content's failure once, not at every event in the directory
      this.failedHash = hash;
      this.event({
        event: 'policy_reload',
        trigger,
        ok: false,
        policy: this.options.policyFile,
        error: describeError(error),
        kept: 'previous policy',
      });
      return false;
    }
  }

  /**
   * Watches the policy's directory, not the file: editors replace files by rename, and mounted ConfigMaps swap a
   * symlinked directory. Only events naming the policy file (or a ConfigMap's "..data" swap) count, so a decision
   * log in the same directory does not trigger re-reads; content that failed once is not re-read until it changes.
   */
  watch(): void {
    const file = this.options.policyFile;
    const name = basename(file);
    this.watcher = watch(dirname(file), (_event, filename) => {
      const changed = filename ?? undefined;
      if (changed !== undefined && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        const hash = hashOf(file);
        if (hash === this.currentHash || hash === this.failedHash) {
          // said, so an operator (and a test) sees the edit was noticed and why nothing happened
          this.event({
            event: 'policy_unchanged',
            trigger: 'file-change',
            policy: file,
            reason:
              hash === this.currentHash
                ? 'same content as the policy in force'
                : 'same content as the policy that failed to load',
          });
          return;
        }
        this.reload('file-change');
      }, 150);
    });
    this.watcher.on('error', (error) => {
      this.event({ event: 'watch_error', error: error.message });
    });
  }

  stopWatching(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private isInternal(
    req: DecodedRequest,
    headers: Readonly<Record<string, string>> | null | undefined,
  ): boolean {
    const token = this.options.internalToken;
    if (token === undefined || headers === null || headers === undefined) return false;
    const value = Object.entries(headers).find(
      ([k]) => k.toLowerCase() === INTERNAL_HEADER.toLowerCase(),
    )?.[1];
    return value === token && req.method === 'GET' && INTERNAL_ACTIONS.has(req.action?.name ?? '');
  }

  /** Answers one plugin call; `path` is the plugin endpoint, `payload` the raw JSON dockerd sent. */
  async handle(path: string, payload: string): Promise<{ status: number; body: unknown }> {
    if (path === '/Plugin.Activate') return { status: 200, body: activateResponse };
    if (path !== '/AuthZPlugin.AuthZReq' && path !== '/AuthZPlugin.AuthZRes') {
      return { status: 404, body: { Err: `unknown plugin endpoint ${path}` } };
    }
    const phase = path === '/AuthZPlugin.AuthZReq' ? 'req' : 'res';
    const started = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      return { status: 200, body: this.malformed(phase, 'the plugin request is not JSON', started) };
    }
    const parsed = authzRequestSchema.safeParse(json);
    if (!parsed.success) {
      return {
        status: 200,
        body: this.malformed(phase, 'the plugin request does not match the AuthZ protocol', started),
      };
    }
    const req = decodeRequest(parsed.data);
    let decision: Decision;
    if (this.isInternal(req, parsed.data.RequestHeaders)) {
      decision = {
        allow: true,
        msg: '',
        rule: 'internal:resolver',
        action: req.action?.name ?? '',
        resource: req.match?.param ?? '',
        user: identityName(req.identity),
      };
    } else if (phase === 'res') {
      // the decision was taken on the request; the response phase lets the answer through unchanged
      decision = {
        allow: true,
        msg: '',
        rule: 'response-phase',
        action: req.action?.name ?? '',
        resource: req.match?.param ?? '',
        user: identityName(req.identity),
      };
    } else {
      decision = await this.decideWithDeadline(req);
    }
    // the response phase always lets the answer through: logging it would only double the log
    if (phase === 'req') this.record(phase, req, decision, started);
    const body: AuthzResponse = { Allow: decision.allow, Msg: decision.msg, Err: '' };
    return { status: 200, body };
  }

  private async decideWithDeadline(req: DecodedRequest): Promise<Decision> {
    const user = identityName(req.identity);
    const ms = this.options.deadlineMs;
    const deadline = timeout<Decision>(ms, () => ({
      allow: false,
      msg: `bulkhead: denied ${user} ${req.action?.name ?? req.path}: no decision within the ${ms} ms deadline (engine lookup or policy evaluation too slow)`,
      rule: 'deadline',
      action: req.action?.name ?? '',
      resource: req.match?.param ?? '',
      user,
    }));
    try {
      return await Promise.race([
        this.ensureLearned(req)
          .then(() => evaluate(this.current, req, this.options.resolver))
          .catch((error: unknown): Decision => ({
            allow: false,
            msg: `bulkhead: denied ${user}: internal error while deciding (${error instanceof Error ? error.message : String(error)})`,
            rule: 'internal-error',
            action: req.action?.name ?? '',
            resource: req.match?.param ?? '',
            user,
          })),
        deadline.promise,
      ]);
    } finally {
      deadline.cancel();
    }
  }

  private malformed(phase: 'req' | 'res', reason: string, started: number): AuthzResponse {
    this.options.log(
      JSON.stringify({
        time: new Date().toISOString(),
        phase,
        decision: 'deny',
        rule: 'protocol',
        msg: reason,
        latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      }),
    );
    return { Allow: false, Msg: `bulkhead: denied: ${reason}`, Err: '' };
  }

  private record(phase: 'req' | 'res', req: DecodedRequest, d: Decision, started: number): void {
    const record: DecisionRecord = {
      time: new Date().toISOString(),
      phase,
      user: d.user,
      authn: req.identity.kind === 'user' ? req.identity.authn : 'none',
      method: req.method,
      // the path only: query strings can carry secrets (build args, registry auth)
      path: req.path,
      action: d.action,
      resource: d.resource,
      decision: d.allow ? 'allow' : 'deny',
      rule: d.rule,
      ...(d.allow ? {} : { msg: d.msg }),
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
    this.options.log(JSON.stringify(record));
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PLUGIN_REQUEST) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Fails when another live process serves the socket; removes a stale one. */
async function claimSocket(socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true });
  if (!existsSync(socketPath)) return;
  if (!statSync(socketPath).isSocket()) {
    throw new BulkheadError('USAGE', `${socketPath} exists and is not a socket`, {
      subject: socketPath,
      hint: 'choose another --socket path or remove the file',
    });
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      resolve(false);
    });
  });
  if (alive) {
    throw new BulkheadError('USAGE', `another process is already serving ${socketPath}`, {
      subject: socketPath,
      hint: 'stop the other plugin instance or pass a different --socket',
    });
  }
  rmSync(socketPath, { force: true });
}

export interface RunningServer {
  readonly engine: AuthzEngine;
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Starts serving the plugin protocol on a unix socket (mode 0600: only root, i.e. dockerd, may connect). */
export async function startAuthzServer(
  options: AuthzServerOptions & {
    readonly socketPath: string;
    readonly watch: boolean;
    /** Idle connections are closed after this long (default 30 s). */
    readonly idleTimeoutMs?: number;
  },
): Promise<RunningServer> {
  const engine = new AuthzEngine(options);
  await claimSocket(options.socketPath);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': PLUGIN_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method !== 'POST') {
      send(405, { Err: 'plugin endpoints take POST' });
      return;
    }
    readBody(req)
      .then(async (payload) => {
        if (payload === undefined) {
          send(200, { Allow: false, Msg: 'bulkhead: denied: plugin request larger than 4 MiB', Err: '' });
          return;
        }
        const answer = await engine.handle((req.url ?? '').split('?')[0] ?? '', payload);
        send(answer.status, answer.body);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) {
          send(200, {
            Allow: false,
            Msg: `bulkhead: denied: ${error instanceof Error ? error.message : 'error'}`,
            Err: '',
          });
        }
      });
  });
  server.requestTimeout = Math.max(options.deadlineMs * 4, 5000);
  // a connection that sends nothing for this long is closed (dockerd reconnects; its plugin client retries)
  const idle = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  server.setTimeout(idle, (socket) => {
    socket.destroy();
  });
  server.keepAliveTimeout = Math.min(5000, idle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(options.socketPath, 0o600);
  if (options.watch) engine.watch();
  // not awaited: dockerd usually starts after its plugin; requests that judge host paths wait for an attempt
  void engine.learn('start');
  return {
    engine,
    socketPath: options.socketPath,
    close: async () => {
      engine.stopWatching();
      engine.stopLearning();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      rmSync(options.socketPath, { force: true });
    },
  };
}
