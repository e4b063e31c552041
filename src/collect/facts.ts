// Collects all facts once (the source stage that calls host/ and engine/; facts/ holds only the types): the engine first (its data root helps locate host files), then the host. An
// unreachable engine leaves `engine` unknown with an error diagnostic; host facts are collected regardless.
import { resolveEngineAddress, type EngineAddress } from '../engine/client.js';
import { collectEngineFacts } from '../engine/collect.js';
import { collectHostFacts } from '../host/collect.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { BulkheadError, describeError } from '../shared/errors.js';
import type { Facts } from '../facts/index.js';
import { known, unknown } from '../facts/known.js';
import { openVulnDb, type VulnDb } from '../vulndb/db.js';
import { computeKernelVulnerabilities } from './kernel-vulnerabilities.js';
import { computePendingUpdates } from './pending-updates.js';

export interface CollectOptions {
  /** Host root path ("/" by default). */
  readonly root?: string;
  /** --host value (else DOCKER_HOST, else the default socket). */
  readonly host?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Skip the Engine API entirely (host-only audit). */
  readonly skipEngine?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly now?: Date;
  /** Vulnerability database for the running kernel's advisories: an open handle or a path (missing = unknown). */
  readonly vulnDb?: VulnDb | string;
}

/** Opens the database for a facts run; a missing or unusable one is a reason, not an error (the rules skip). */
function withDb<T>(db: VulnDb | string | undefined, use: (db: VulnDb | string) => T): T {
  if (db === undefined) return use('no vulnerability database given (pass --db or run `bulkhead db update`)');
  if (typeof db !== 'string') return use(db);
  let handle: VulnDb;
  try {
    handle = openVulnDb(db);
  } catch (error) {
    if (!(error instanceof BulkheadError)) throw error;
    return use(`${error.message}; ${error.hint ?? 'run `bulkhead db update`'}`);
  }
  try {
    return use(handle);
  } finally {
    handle.close();
  }
}

export async function collectFacts(options: CollectOptions): Promise<Facts> {
  const diagnostics: Diagnostic[] = [];
  const address: EngineAddress = resolveEngineAddress({ host: options.host, env: options.env });
  let engine: Facts['engine'];
  if (options.skipEngine === true) {
    engine = unknown('engine not queried (--skip-engine)');
  } else {
    try {
      const result = await collectEngineFacts({
        host: options.host,
        env: options.env,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
      engine = known(result.facts, address.display);
      for (const item of result.diagnostics) diagnostics.push(item);
    } catch (error) {
      if (!(error instanceof BulkheadError)) throw error;
      engine = unknown(error.message);
      diagnostics.push({
        level: 'error',
        subject: error.subject ?? address.display,
        message: describeError(error),
      });
    }
  }
  const host = collectHostFacts({
    root: options.root ?? '/',
    address,
    engineDataRoot: engine.state === 'known' ? (engine.value.info.DockerRootDir ?? undefined) : undefined,
  });
  for (const item of host.diagnostics) diagnostics.push(item);
  const root = options.root ?? '/';
  const { kernelVulnerabilities, pendingUpdates } = withDb(options.vulnDb, (db) => ({
    kernelVulnerabilities: computeKernelVulnerabilities(host.facts, db),
    pendingUpdates: computePendingUpdates(root, db),
  }));
  return {
    schemaVersion: 1,
    collectedAt: (options.now ?? new Date()).toISOString(),
    host: host.facts,
    engine,
    kernelVulnerabilities,
    pendingUpdates,
    diagnostics,
  };
}
