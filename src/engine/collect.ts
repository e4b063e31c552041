// Collects EngineFacts through the Engine API: GET /version, /info, /containers/json?all=1 then one
// /containers/{id}/json per container, /images/json then one /images/{id}/json per image — a fixed, small
// number of requests, plus GET /networks (docker-bench-security runs ~40 CLI calls per container).
import type Docker from 'dockerode';
import type { z } from 'zod';
import { parseSecurityOptions } from '../shared/dockerd.js';
import {
  containerInspectSchema,
  imageInspectSchema,
  infoSchema,
  networkSchema,
  versionSchema,
  type EngineFacts,
} from '../facts/engine.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { BulkheadError, EngineUnreachableError, errnoCode } from '../shared/errors.js';
import { connectEngine, type EngineAddress, type EngineConnectOptions } from './client.js';

export interface EngineCollectOptions extends EngineConnectOptions {
  /** Parallel inspect requests (the daemon serialises little; 16 keeps a 100-container host well under a second). */
  readonly concurrency?: number;
  /** Called after each inspect, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EngineCollectResult {
  readonly facts: EngineFacts;
  readonly diagnostics: Diagnostic[];
}

function unreachable(address: EngineAddress, error: unknown): BulkheadError {
  const code = errnoCode(error);
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `permission denied on ${address.display}: run as root or as a member of the socket's group`
      : code === 'ENOENT'
        ? `no socket at ${address.kind === 'unix' ? address.socketPath : address.display}: is dockerd running, and is this the right --host / DOCKER_HOST?`
        : `${error instanceof Error ? error.message : String(error)}; is dockerd running there, and are the TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) right?`;
  return new EngineUnreachableError(address.display, { cause: error, hint });
}

/** The daemon's own error text ({"message": ...} body) of a dockerode HTTP error. */
function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'json' in error) {
    const json = error.json;
    if (typeof json === 'string' && json.trim() !== '') return json.trim();
    if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string')
      return json.message.trim();
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Runs `work` over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BulkheadError(
      'ENGINE_API',
      `unexpected Engine API answer for ${what}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
      {
        subject: what,
        hint: 'bulkhead supports Engine API 1.24 and later; report this with `bulkhead info --json` output',
      },
    );
  }
  return parsed.data;
}

/** HTTP status of a dockerode error (404 when a container vanished between list and inspect). */
function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = error.statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

export async function collectEngineFacts(options: EngineCollectOptions): Promise<EngineCollectResult> {
  const { docker, address } = connectEngine({ timeoutMs: 30_000, ...options });
  const diagnostics: Diagnostic[] = [];
  let apiCalls = 0;
  const call = async <T>(what: string, request: (d: Docker) => Promise<T>): Promise<T> => {
    apiCalls += 1;
    try {
      return await request(docker);
    } catch (error) {
      // No HTTP status means no answer from the engine: socket missing, refused, TLS handshake failed, timeout.
      const status = statusOf(error);
      if (status === undefined) throw unreachable(address, error);
      if (status === 404 && what !== 'GET /version') throw error; // a container or image vanished; the caller skips it
      throw new BulkheadError(
        'ENGINE_API',
        `${what} on ${address.display} answered HTTP ${status}: ${engineMessage(error)}`,
        {
          subject: address.display,
          hint:
            status === 400 && address.kind === 'tcp' && !address.tls
              ? 'the daemon expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH'
              : status === 403
                ? 'an authorization plugin denied the request: ask for read access (info, containers, images)'
                : 'check that bulkhead talks to a Docker engine at that address',
          cause: error,
        },
      );
    }
  };

  const version = validate(versionSchema, await call('GET /version', (d) => d.version()), 'GET /version');
  const info = validate(infoSchema, await call('GET /info', (d) => d.info()), 'GET /info');
  const summaries = await call('GET /containers/json', (d) => d.listContainers({ all: true }));
  let done = 0;
  const containers = (
    await mapLimit(summaries, options.concurrency ?? 16, async (summary) => {
      try {
        const inspect: unknown = await call(`GET /containers/${summary.Id}/json`, (d) =>
          d.getContainer(summary.Id).inspect(),
        );
        return validate(containerInspectSchema, inspect, `container ${summary.Id.slice(0, 12)}`);
      } catch (error) {
        if (statusOf(error) === 404) return undefined; // removed between list and inspect
        throw error;
      } finally {
        done += 1;
        options.onProgress?.(done, summaries.length);
      }
    })
  ).filter((c) => c !== undefined);

  const imageSummaries = await call('GET /images/json', (d) => d.listImages());
  const images = (
    await mapLimit(imageSummaries, options.concurrency ?? 16, async (summary) => {
      try {
        const inspect: unknown = await call(`GET /images/${summary.Id}/json`, (d) =>
          d.getImage(summary.Id).inspect(),
        );
        return validate(imageInspectSchema, inspect, `image ${summary.Id}`);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    })
  ).filter((i) => i !== undefined);

  const networks = (await call('GET /networks', (d) => d.listNetworks())).map((n: unknown) =>
    validate(networkSchema, n, 'GET /networks'),
  );

  return {
    facts: {
      address: address.display,
      version,
      info,
      securityOptions: parseSecurityOptions(info.SecurityOptions ?? []),
      containers,
      images,
      networks,
      apiCalls,
    },
    diagnostics,
  };
}
