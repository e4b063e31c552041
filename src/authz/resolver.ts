// Resolves a container reference (name, full id or id prefix) and an exec id to what dockerd will act on, in
// dockerd's own lookup order (daemon.GetContainer: full id, then name, then unique id prefix). The engine
// resolver asks dockerd itself over its socket; its requests carry a per-process secret header so the plugin
// recognises and allows its own lookups instead of recursing through the policy.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { z } from 'zod';
import { UsageError } from '../shared/errors.js';

/** A host path a container mounts: a bind, or a local volume whose options bind a host path. */
export interface HostMount {
  readonly source: string;
  /** Writable inside the container. */
  readonly rw: boolean;
}

export interface ContainerInfo {
  readonly id: string;
  /** Names without the leading "/". */
  readonly names: readonly string[];
  /** The namespace modes dockerd will apply at start ("" = the daemon's default). */
  readonly pidMode?: string;
  readonly ipcMode?: string;
  readonly networkMode?: string;
  /** Host paths the container mounts (bind sources as dockerd stored them at create). */
  readonly hostMounts?: readonly HostMount[];
}

/** Host paths mounted by some container, for the "no bind source under another container's writable tree" rule. */
export interface MountInUse extends HostMount {
  readonly containerId: string;
  readonly container: string;
}

export interface ExecInfo {
  readonly id: string;
  readonly containerId: string;
  readonly user: string;
  readonly privileged: boolean;
}

export interface Resolver {
  /** undefined when dockerd has no such container (the request would fail); throws when it cannot tell. */
  container(ref: string): Promise<ContainerInfo | undefined>;
  exec(id: string): Promise<ExecInfo | undefined>;
  /** Every host path mounted by any container, running or not (binds and bind-type local volumes). */
  mountsInUse(): Promise<readonly MountInUse[]>;
  /** Local volumes whose options bind a host path: volume name -> host path. */
  volumeBinds(): Promise<ReadonlyMap<string, string>>;
}

export const INTERNAL_HEADER = 'X-Bulkhead-Authz';

/** Resolution over a fixed list (authz test cases, unit tests), with dockerd's order and ambiguity rule. */
export class StaticResolver implements Resolver {
  constructor(
    private readonly containers: readonly ContainerInfo[],
    private readonly execs: readonly ExecInfo[] = [],
    private readonly volumes: ReadonlyMap<string, string> = new Map(),
  ) {}

  volumeBinds(): Promise<ReadonlyMap<string, string>> {
    return Promise.resolve(this.volumes);
  }

  container(ref: string): Promise<ContainerInfo | undefined> {
    return Promise.resolve(lookupContainer(this.containers, ref));
  }

  exec(id: string): Promise<ExecInfo | undefined> {
    return Promise.resolve(this.execs.find((e) => e.id === id));
  }

  mountsInUse(): Promise<readonly MountInUse[]> {
    return Promise.resolve(
      this.containers.flatMap((c) =>
        (c.hostMounts ?? []).map((m) => ({ ...m, containerId: c.id, container: c.names[0] ?? c.id })),
      ),
    );
  }
}

export function lookupContainer(
  containers: readonly ContainerInfo[],
  ref: string,
): ContainerInfo | undefined {
  if (ref === '') return undefined;
  const byId = containers.find((c) => c.id === ref);
  if (byId !== undefined) return byId;
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const byName = containers.find((c) => c.names.includes(name));
  if (byName !== undefined) return byName;
  const prefixed = containers.filter((c) => c.id.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

const mountSchema = z.object({
  Type: z.string().nullish(),
  Source: z.string().nullish(),
  Name: z.string().nullish(),
  Driver: z.string().nullish(),
  RW: z.boolean().nullish(),
});
const containerInspectSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  HostConfig: z
    .object({
      PidMode: z.string().nullish(),
      IpcMode: z.string().nullish(),
      NetworkMode: z.string().nullish(),
    })
    .nullish(),
  Mounts: z.array(mountSchema).nullish(),
});
const containerListSchema = z.array(
  z.object({ Id: z.string(), Names: z.array(z.string()).nullish(), Mounts: z.array(mountSchema).nullish() }),
);
const volumeListSchema = z.object({
  Volumes: z
    .array(
      z.object({
        Name: z.string(),
        Driver: z.string().nullish(),
        Options: z.record(z.string(), z.string()).nullish(),
      }),
    )
    .nullish(),
});

/** The host path a local volume binds (`o` with bind/rbind and an absolute device), if any. */
export function localVolumeBindSource(
  options: Readonly<Record<string, string>> | null | undefined,
): string | undefined {
  const o = options?.['o'] ?? '';
  const device = options?.['device'] ?? '';
  const bind = o.split(',').some((w) => w === 'bind' || w === 'rbind');
  return bind && device !== '' ? device : undefined;
}

type InspectMount = z.infer<typeof mountSchema>;

function hostMountsOf(
  mounts: readonly InspectMount[] | null | undefined,
  volumeBinds: ReadonlyMap<string, string>,
): HostMount[] {
  const out: HostMount[] = [];
  for (const m of mounts ?? []) {
    const rw = m.RW ?? true;
    if (m.Type === 'bind' && typeof m.Source === 'string' && m.Source !== '')
      out.push({ source: m.Source, rw });
    else if (m.Type === 'volume' && typeof m.Name === 'string') {
      const device = volumeBinds.get(m.Name);
      if (device !== undefined) out.push({ source: device, rw });
    }
  }
  return out;
}
const execInspectSchema = z.object({
  ID: z.string(),
  ContainerID: z.string(),
  ProcessConfig: z.object({ user: z.string().nullish(), privileged: z.boolean().nullish() }).nullish(),
});

export interface EngineResolverOptions {
  readonly socketPath: string;
  readonly timeoutMs: number;
  /** How long an answer may be reused; 0 disables the cache. */
  readonly cacheMs: number;
}

/** Asks dockerd (GET /containers/{ref}/json, GET /exec/{id}/json) over its unix socket. */
export class EngineResolver implements Resolver {
  readonly token = randomBytes(24).toString('hex');
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly options: EngineResolverOptions) {}

  async container(ref: string): Promise<ContainerInfo | undefined> {
    const body = await this.get(`/containers/${encodeURIComponent(ref)}/json`);
    if (body === undefined) return undefined;
    const parsed = containerInspectSchema.safeParse(body);
    if (!parsed.success) throw new Error('unexpected container inspect answer from dockerd');
    const host = parsed.data.HostConfig;
    return {
      id: parsed.data.Id,
      names: [parsed.data.Name.replace(/^\//, '')],
      pidMode: host?.PidMode ?? '',
      ipcMode: host?.IpcMode ?? '',
      networkMode: host?.NetworkMode ?? '',
      hostMounts: hostMountsOf(parsed.data.Mounts, await this.volumeBinds()),
    };
  }

  async mountsInUse(): Promise<readonly MountInUse[]> {
    // never cached: a container created a moment ago must be seen
    const list = containerListSchema.safeParse(await this.fetch('/containers/json?all=1'));
    if (!list.success) throw new Error('unexpected container list answer from dockerd');
    const volumeBinds = await this.volumeBinds();
    return list.data.flatMap((c) =>
      hostMountsOf(c.Mounts, volumeBinds).map((m) => ({
        ...m,
        containerId: c.Id,
        container: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
      })),
    );
  }

  async volumeBinds(): Promise<ReadonlyMap<string, string>> {
    const parsed = volumeListSchema.safeParse(await this.fetch('/volumes'));
    if (!parsed.success) throw new Error('unexpected volume list answer from dockerd');
    const out = new Map<string, string>();
    for (const v of parsed.data.Volumes ?? []) {
      const device = (v.Driver ?? 'local') === 'local' ? localVolumeBindSource(v.Options) : undefined;
      if (device !== undefined) out.set(v.Name, device);
    }
    return out;
  }

  /** GET /info, never cached (the plugin learns the engine's data root from it at start and on reload). */
  info(): Promise<unknown> {
    return this.fetch('/info');
  }

  async exec(id: string): Promise<ExecInfo | undefined> {
    const body = await this.get(`/exec/${encodeURIComponent(id)}/json`);
    if (body === undefined) return undefined;
    const parsed = execInspectSchema.safeParse(body);
    if (!parsed.success) throw new Error('unexpected exec inspect answer from dockerd');
    return {
      id: parsed.data.ID,
      containerId: parsed.data.ContainerID,
      user: parsed.data.ProcessConfig?.user ?? '',
      privileged: parsed.data.ProcessConfig?.privileged ?? false,
    };
  }

  private async get(path: string): Promise<unknown> {
    const now = Date.now();
    const hit = this.cache.get(path);
    if (hit !== undefined && now - hit.at < this.options.cacheMs) return hit.value;
    // concurrent lookups of the same path share one request; failures and "no such" answers are not kept, so a
    // container created a moment after a failed lookup is found at once
    const value = this.fetch(path);
    if (this.options.cacheMs > 0) {
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(path, { at: now, value });
      value.then(
        (found) => {
          if (found === undefined) this.cache.delete(path);
        },
        () => this.cache.delete(path),
      );
    }
    return value;
  }

  private fetch(path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.options.socketPath,
          path,
          method: 'GET',
          headers: { [INTERNAL_HEADER]: this.token, Host: 'docker' },
          timeout: this.options.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 404) {
              resolve(undefined);
              return;
            }
            if (res.statusCode !== 200) {
              reject(new Error(`dockerd answered ${res.statusCode ?? 0} to ${path}`));
              return;
            }
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new Error(`dockerd sent malformed JSON for ${path}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`dockerd did not answer ${path} in ${this.options.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end();
    });
  }
}

/** How the plugin reaches dockerd: the resolver, its secret header, the socket and GET /info (all off for "none"). */
export interface EngineConnection {
  readonly resolver: Resolver;
  readonly internalToken: string | undefined;
  readonly engineSocket: string | undefined;
  readonly engineInfo: (() => Promise<unknown>) | undefined;
}

const NO_ENGINE: Resolver = {
  container: () => Promise.reject(new Error('container resolution is off (--docker-host none)')),
  exec: () => Promise.reject(new Error('exec resolution is off (--docker-host none)')),
  mountsInUse: () => Promise.reject(new Error('mount lookups are off (--docker-host none)')),
  volumeBinds: () => Promise.reject(new Error('volume lookups are off (--docker-host none)')),
};

/**
 * The connection for `--host unix:///path` or `none` (no lookups: a rule that needs one denies); anything else is a
 * UsageError. Lookups give up 50 ms before the decision deadline so the deny still arrives in time.
 */
export function engineConnection(
  dockerHost: string,
  options: { readonly deadlineMs: number; readonly cacheMs: number },
): EngineConnection {
  if (dockerHost === 'none')
    return { resolver: NO_ENGINE, internalToken: undefined, engineSocket: undefined, engineInfo: undefined };
  if (!dockerHost.startsWith('unix://'))
    throw new UsageError(
      `--host/--docker-host must be unix:///path/to/docker.sock or none, got ${dockerHost}`,
      {
        hint: 'the plugin resolves container names through dockerd’s local socket',
      },
    );
  const socketPath = dockerHost.slice('unix://'.length);
  const engine = new EngineResolver({
    socketPath,
    timeoutMs: Math.max(options.deadlineMs - 50, 50),
    cacheMs: options.cacheMs,
  });
  return {
    resolver: engine,
    internalToken: engine.token,
    engineSocket: socketPath,
    engineInfo: () => engine.info(),
  };
}
