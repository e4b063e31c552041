// Opens the server's store: embedded SQLite under --data DIR (better-sqlite3, WAL) or PostgreSQL from a
// postgres:// URL (pg pool), both through kysely with one schema; also the cross-replica lock used by rematch.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { BulkheadError, errnoCode } from '../shared/errors.js';
import { migrateToLatest } from './migrations.js';
import type { ServerDatabase, ServerDb } from './schema.js';

export type StoreLocation =
  { readonly kind: 'sqlite'; readonly dir: string } | { readonly kind: 'postgres'; readonly url: string };

export interface Store {
  readonly db: ServerDb;
  readonly dialect: 'sqlite' | 'postgres';
  /** Where it is, for messages (never the password). */
  readonly where: string;
  /**
   * Runs fn while holding the named lock: a PostgreSQL session advisory lock (every replica over the same
   * database), or an in-process queue for SQLite (one process owns the file). Returns undefined when `wait` is
   * false and another holder has it.
   */
  withLock<T>(name: string, wait: boolean, fn: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}

/** The advisory lock key for a name: a stable signed 32-bit hash (PostgreSQL takes bigint; 32 bits is plenty). */
function lockKey(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of `bulkhead:${name}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

function openSqlite(dir: string): Store {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new BulkheadError(
      'INPUT_UNREADABLE',
      `cannot create the data directory ${dir} (${errnoCode(error) ?? 'error'})`,
      {
        subject: dir,
        hint: 'pass --data DIR with a directory the server may write',
        cause: error,
      },
    );
  }
  const file = join(dir, 'bulkhead-server.sqlite');
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database }) });
  const held = new Map<string, Promise<unknown>>();
  return {
    db,
    dialect: 'sqlite',
    where: file,
    async withLock<T>(name: string, wait: boolean, fn: () => Promise<T>): Promise<T | undefined> {
      const previous = held.get(name);
      if (previous !== undefined && !wait) return undefined;
      const run = (previous ?? Promise.resolve()).catch(() => undefined).then(fn);
      held.set(name, run);
      try {
        return await run;
      } finally {
        if (held.get(name) === run) held.delete(name);
      }
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // An idle connection that PostgreSQL drops (restart, failover, a fast shutdown) errors on the pool, and an
  // 'error' without a listener ends the process: the pool has already discarded that client and the next query
  // connects again, so there is nothing else to do.
  pool.on('error', () => undefined);
  const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    where: redact(url),
    async withLock<T>(name: string, wait: boolean, fn: () => Promise<T>): Promise<T | undefined> {
      // A session lock lives on one connection: hold a dedicated client for the whole critical section.
      const client = await pool.connect();
      const key = lockKey(name);
      try {
        if (wait) await client.query('select pg_advisory_lock($1)', [key]);
        else {
          const result = await client.query<{ locked: boolean }>(
            'select pg_try_advisory_lock($1) as locked',
            [key],
          );
          if (result.rows[0]?.locked !== true) return undefined;
        }
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

/** Opens and migrates the store; a PostgreSQL that cannot be reached is a clear error naming the URL. */
export async function openStore(location: StoreLocation): Promise<Store> {
  const store = location.kind === 'sqlite' ? openSqlite(location.dir) : openPostgres(location.url);
  try {
    await sql`select 1`.execute(store.db);
    await migrateToLatest(store.db as unknown as Kysely<unknown>, store.where);
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof BulkheadError) throw error;
    throw new BulkheadError(
      'INPUT_UNREADABLE',
      `cannot open the server database ${store.where}: ${error instanceof Error ? error.message : String(error)}`,
      {
        subject: store.where,
        hint:
          location.kind === 'postgres'
            ? 'check the postgres:// URL, that the server runs and that the user may create tables'
            : 'check --data DIR',
        cause: error,
      },
    );
  }
  return store;
}

/** Opens the store, runs `fn` on it and closes it, also when `fn` throws (the one-shot server commands). */
export async function withStore<T>(location: StoreLocation, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
