// Runs the fleet server: opens the store, serves the app with @hono/node-server, reopens the vulnerability database
// when `db update` replaces its file and then rematches every stored inventory, and prunes old events daily.
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { BulkheadError, UsageError } from '../shared/errors.js';
import { openVulnDb, type VulnDb } from '../vulndb/db.js';
import { createApp } from './app.js';
import { pruneOld } from './ingest.js';
import { rematchStore, type RematchResult } from './rematch.js';
import { openStore, type StoreLocation, type Store } from './store.js';

export interface ServeOptions {
  readonly listen: string;
  readonly location: StoreLocation;
  readonly vulndbPath: string;
  readonly retentionDays?: number;
  /** How often to look for a replaced vulnerability database (default 60 s). */
  readonly watchMs?: number;
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly store: Store;
  close(): Promise<void>;
}

export function parseListen(raw: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || !Number.isInteger(port) || port > 65535)
    throw new UsageError(`--listen ${raw} is not ADDR:PORT`, {
      hint: 'e.g. --listen 127.0.0.1:8080 or --listen 0.0.0.0:8080',
    });
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** Keeps the newest vulnerability database open; `changed` is true once after its file was replaced. */
export class VulnDbHandle {
  private db: VulnDb | undefined;
  private stamp = '';
  constructor(private readonly path: string) {}

  private fileStamp(): string {
    try {
      const st = statSync(this.path);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  current(): VulnDb | undefined {
    return this.db ?? this.refresh().db;
  }

  /** Reopens when the file changed; returns whether it did. */
  refresh(): { db: VulnDb | undefined; changed: boolean } {
    const stamp = this.fileStamp();
    if (stamp === this.stamp) return { db: this.db, changed: false };
    this.db?.close();
    this.db = undefined;
    this.stamp = stamp;
    if (stamp === '') return { db: undefined, changed: true };
    try {
      this.db = openVulnDb(this.path);
    } catch (error) {
      if (!(error instanceof BulkheadError)) throw error;
    }
    return { db: this.db, changed: true };
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host, port } = parseListen(options.listen);
  const log = options.log ?? ((): void => undefined);
  const store = await openStore(options.location);
  const vulndb = new VulnDbHandle(options.vulndbPath);
  const builtAt = (): string => vulndb.refresh().db?.metadata().builtAt ?? 'none';
  let matchedWith = builtAt();
  if (vulndb.current() === undefined)
    log(
      `no vulnerability database at ${options.vulndbPath}: inventories are stored and matched after \`bulkhead db update\``,
    );
  const app = createApp({ store, vulndb: () => vulndb.refresh().db });
  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      // a database built since the last match (by `db update` on this machine): rematch every inventory once
      const built = builtAt();
      const db = vulndb.current();
      if (built !== matchedWith && db !== undefined) {
        const result: RematchResult | undefined = await rematchStore(store, db);
        if (result !== undefined)
          log(
            `rematched ${result.images} images in ${result.ms} ms: ${result.new} new, ${result.fixed} fixed`,
          );
        matchedWith = built;
      }
      await pruneOld(store.db, options.retentionDays ?? 30);
    } catch (error) {
      log(`background work failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.watchMs ?? 60_000);
  timer.unref();
  return {
    url,
    store,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      vulndb.close();
      await store.close();
    },
  };
}
