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
import { loadPolicy, type Policy } from './policy.js';
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
}

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
  private current: Policy;
  private currentHash: string;
  private failedHash: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(private readonly options: AuthzServerOptions) {
    this.current = loadPolicy(options.policyFile);
    this.currentHash = hashOf(options.policyFile);
  }

  get policy(): Policy {
    return this.current;
  }

  private event(record: Record<string, unknown>): void {
    this.options.log(JSON.stringify({ time: new Date().toISOString(), ...record }));
  }

  /** Re-reads the policy; an invalid one is logged and the old one stays in force. */
  reload(trigger: string): boolean {
    const hash = hashOf(this.options.policyFile);
    try {
      this.current = loadPolicy(this.options.policyFile);
      this.currentHash = hash;
      this.failedHash = undefined;
      this.event({ event: 'policy_reload', trigger, ok: true, policy: this.options.policyFile });
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
        if (hash === this.currentHash || hash === this.failedHash) return;
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
        evaluate(this.current, req, this.options.resolver).catch((error: unknown): Decision => ({
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
  return {
    engine,
    socketPath: options.socketPath,
    close: async () => {
      engine.stopWatching();
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
