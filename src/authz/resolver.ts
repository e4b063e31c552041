// Resolves a container reference (name, full id or id prefix) and an exec id to what dockerd will act on, in
// dockerd's own lookup order (daemon.GetContainer: full id, then name, then unique id prefix). The engine
// resolver asks dockerd itself over its socket; its requests carry a per-process secret header so the plugin
// recognises and allows its own lookups instead of recursing through the policy.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { z } from 'zod';

export interface ContainerInfo {
  readonly id: string;
  /** Names without the leading "/". */
  readonly names: readonly string[];
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
}

export const INTERNAL_HEADER = 'X-Bulkhead-Authz';

/** Resolution over a fixed list (authz test cases, unit tests), with dockerd's order and ambiguity rule. */
export class StaticResolver implements Resolver {
  constructor(
    private readonly containers: readonly ContainerInfo[],
    private readonly execs: readonly ExecInfo[] = [],
  ) {}

  container(ref: string): Promise<ContainerInfo | undefined> {
    return Promise.resolve(lookupContainer(this.containers, ref));
  }

  exec(id: string): Promise<ExecInfo | undefined> {
    return Promise.resolve(this.execs.find((e) => e.id === id));
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

const containerInspectSchema = z.object({ Id: z.string(), Name: z.string() });
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
    return { id: parsed.data.Id, names: [parsed.data.Name.replace(/^\//, '')] };
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
