// The watch event store: one SQLite file (better-sqlite3, WAL), writes batched into one transaction (at the end
// of the event loop's turn, at most one commit per FLUSH_MS), a retention limit in rows trimmed in the same
// transaction; shared by process events (watch) and flow events (watch flows).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { BulkheadError } from '../shared/errors.js';

/** Where `bulkhead watch` and its network stage store events unless told otherwise (--db). */
export const DEFAULT_EVENT_DB = '/var/lib/bulkhead/watch/events.db';

export const VERDICTS = ['allowed', 'alerted', 'killed', 'denied'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** exec/open from the gate and proc connector; container = observability notes; stall = watchdog; flow = src/net. */
export const EVENT_KINDS = ['exec', 'open', 'container', 'stall', 'flow'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface WatchEvent {
  /** ISO time of the kernel event. */
  readonly time: string;
  readonly kind: EventKind;
  readonly containerId: string | null;
  readonly containerName: string | null;
  readonly imageDigest: string | null;
  readonly pid: number | null;
  readonly ppid: number | null;
  readonly exe: string | null;
  /** The path as invoked (exec) or opened (open). */
  readonly path: string | null;
  readonly argv: readonly string[];
  readonly uid: number | null;
  readonly verdict: Verdict;
  /** The rule that decided the verdict (first hit), null when none hit. */
  readonly ruleId: string | null;
  /** Every rule that hit. */
  readonly rules: readonly string[];
  readonly profileVersion: number | null;
  readonly message: string;
  /** Kind-specific data (flow endpoints, parent exe), JSON-serialisable. */
  readonly detail: Readonly<Record<string, unknown>>;
  /** Microseconds from the kernel event to the moment the event was handed to the store. */
  readonly latencyUs: number | null;
}

const rowSchema = z.object({
  id: z.number(),
  time: z.string(),
  kind: z.enum(EVENT_KINDS),
  container_id: z.string().nullable(),
  container_name: z.string().nullable(),
  image_digest: z.string().nullable(),
  pid: z.number().nullable(),
  ppid: z.number().nullable(),
  exe: z.string().nullable(),
  path: z.string().nullable(),
  argv: z.string(),
  uid: z.number().nullable(),
  verdict: z.enum(VERDICTS),
  rule_id: z.string().nullable(),
  rules: z.string(),
  profile_version: z.number().nullable(),
  message: z.string(),
  detail: z.string(),
  latency_us: z.number().nullable(),
  stored_ns: z.number().nullable(),
});

export interface StoredEvent extends WatchEvent {
  readonly id: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  kind TEXT NOT NULL,
  container_id TEXT,
  container_name TEXT,
  image_digest TEXT,
  pid INTEGER,
  ppid INTEGER,
  exe TEXT,
  path TEXT,
  argv TEXT NOT NULL,
  uid INTEGER,
  verdict TEXT NOT NULL,
  rule_id TEXT,
  rules TEXT NOT NULL,
  profile_version INTEGER,
  message TEXT NOT NULL,
  detail TEXT NOT NULL,
  latency_us REAL,
  stored_ns INTEGER
);
CREATE INDEX IF NOT EXISTS events_time ON events(time);
CREATE INDEX IF NOT EXISTS events_container ON events(container_name, time);
CREATE TABLE IF NOT EXISTS status (id INTEGER PRIMARY KEY CHECK (id = 1), updated TEXT NOT NULL, body TEXT NOT NULL);
`;

/** Kernel event -> committed row, for events whose detail carries the kernel's CLOCK_MONOTONIC `timeNs`. */
export interface DetectionLatency {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The WAL checkpoint runs on a worker thread with its own connection, not after a commit on the event thread:
 * SQLite's automatic checkpoint (every 1,000 WAL pages, with an fsync) made a commit of 4 rows cost ~60 µs a row
 * instead of ~13 (and put the copy and the fsync inside the detection latency). PASSIVE every CHECKPOINT_MS; when
 * a steady stream keeps the WAL from being reset and it passes CHECKPOINT_RESTART_PAGES, a RESTART (which waits
 * for the writer's current transaction) so the WAL starts over.
 */
const CHECKPOINT_MS = 250;
const CHECKPOINT_RESTART_PAGES = 16_384;
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 2000 });
let stopped = false;
const checkpoint = () => {
  if (stopped) return;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  stopped = true;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Commits are at least this far apart under a steady stream (the first after a quiet spell goes at once). */
const FLUSH_MS = 2;
/** A batch this large goes at the end of the current turn whatever the time since the last commit. */
const FLUSH_ROWS = 4096;
/** Detection latency histogram: 100 µs buckets up to 100 ms, then one overflow bucket (max kept apart). */
const BUCKET_US = 100;
const BUCKETS = 1000;

export interface EventQuery {
  readonly since?: Date;
  readonly container?: string;
  readonly limit?: number;
  readonly kinds?: readonly EventKind[];
}

export interface StoreOptions {
  /** Rows kept; older rows are deleted as new ones arrive. */
  readonly retentionRows?: number;
  readonly readonly?: boolean;
}

function hasEventTables(db: Database.Database): boolean {
  const rows = z
    .array(z.object({ name: z.string() }))
    .parse(
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'status')")
        .all(),
    );
  return rows.length === 2;
}

function decodeRow(raw: unknown): StoredEvent {
  const r = rowSchema.parse(raw);
  return {
    id: r.id,
    time: r.time,
    kind: r.kind,
    containerId: r.container_id,
    containerName: r.container_name,
    imageDigest: r.image_digest,
    pid: r.pid,
    ppid: r.ppid,
    exe: r.exe,
    path: r.path,
    argv: z.array(z.string()).parse(JSON.parse(r.argv)),
    uid: r.uid,
    verdict: r.verdict,
    ruleId: r.rule_id,
    rules: z.array(z.string()).parse(JSON.parse(r.rules)),
    profileVersion: r.profile_version,
    message: r.message,
    detail: z.record(z.string(), z.unknown()).parse(JSON.parse(r.detail)),
    latencyUs: r.latency_us,
  };
}

export class EventStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly retention: number;
  private pending: WatchEvent[] = [];
  private scheduled:
    { readonly immediate: NodeJS.Immediate } | { readonly timeout: NodeJS.Timeout } | undefined;
  private lastCommitMs = 0;
  private readonly insert: Database.Statement;
  private readonly trim: Database.Statement;
  private readonly writeBatch: (events: readonly WatchEvent[]) => void;
  private sinceTrim = 0;
  private readonly latency = new Uint32Array(BUCKETS + 1);
  private latencyN = 0;
  private latencyMaxUs = 0;
  /** Listeners see each batch after it is committed (the CLI's --json lines, benchmarks). */
  private readonly listeners: ((events: readonly WatchEvent[]) => void)[] = [];
  private checkpointer: Worker | undefined;

  constructor(file: string, options: StoreOptions = {}) {
    this.file = file;
    this.retention = options.retentionRows ?? 1_000_000;
    try {
      if (options.readonly !== true) mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file, options.readonly === true ? { readonly: true, fileMustExist: true } : {});
      if (options.readonly === true && !hasEventTables(this.db)) {
        // a file only the network stage has written yet (its net_ tables): no watch events, no status
        this.db.close();
        this.db = new Database(':memory:');
        this.db.exec(SCHEMA);
      }
      if (options.readonly !== true) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.exec(SCHEMA);
        this.db.pragma('wal_autocheckpoint = 0');
      }
    } catch (error) {
      throw new BulkheadError(
        options.readonly === true ? 'DB_MISSING' : 'DB_CORRUPT',
        `cannot open the watch event database ${file}: ${error instanceof Error ? error.message : String(error)}`,
        {
          subject: file,
          hint:
            options.readonly === true
              ? 'start `bulkhead watch` first, or pass its --db FILE'
              : 'pass a writable --db FILE',
          cause: error,
        },
      );
    }
    this.insert = this.db.prepare(
      `INSERT INTO events (time, kind, container_id, container_name, image_digest, pid, ppid, exe, path, argv, uid,
        verdict, rule_id, rules, profile_version, message, detail, latency_us, stored_ns)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.trim = this.db.prepare('DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?');
    if (options.readonly !== true) this.startCheckpointer();
    this.writeBatch = this.db.transaction((events: readonly WatchEvent[]) => {
      const storedNs = Number(process.hrtime.bigint());
      for (const e of events) {
        this.insert.run(
          e.time,
          e.kind,
          e.containerId,
          e.containerName,
          e.imageDigest,
          e.pid,
          e.ppid,
          e.exe,
          e.path,
          JSON.stringify(e.argv),
          e.uid,
          e.verdict,
          e.ruleId,
          JSON.stringify(e.rules),
          e.profileVersion,
          e.message,
          JSON.stringify(e.detail),
          e.latencyUs,
          storedNs,
        );
      }
      this.sinceTrim += events.length;
      if (this.sinceTrim >= 1000) {
        this.sinceTrim = 0;
        this.trim.run(this.retention);
      }
    });
  }

  /**
   * Queues an event. The batch is written at the end of the current turn of the event loop, or FLUSH_MS after
   * the previous commit when that was more recent (one transaction per batch, a bounded commit rate).
   */
  append(event: WatchEvent): void {
    this.pending.push(event);
    const s = this.scheduled;
    if (s !== undefined && (this.pending.length < FLUSH_ROWS || 'immediate' in s)) return;
    const wait = this.pending.length >= FLUSH_ROWS ? 0 : this.lastCommitMs + FLUSH_MS - performance.now();
    this.unschedule();
    const run = (): void => {
      this.flush();
    };
    this.scheduled =
      wait <= 0 ? { immediate: setImmediate(run) } : { timeout: setTimeout(run, Math.ceil(wait)) };
  }

  private unschedule(): void {
    const s = this.scheduled;
    if (s === undefined) return;
    if ('immediate' in s) clearImmediate(s.immediate);
    else clearTimeout(s.timeout);
    this.scheduled = undefined;
  }

  /** Kernel event -> committed row so far (events with a detail.timeNs), in µs. */
  detectionLatency(): DetectionLatency {
    const at = (q: number): number => {
      const rank = Math.ceil(this.latencyN * q);
      let seen = 0;
      for (let i = 0; i <= BUCKETS; i += 1) {
        seen += this.latency[i] ?? 0;
        if (seen >= rank) return i === BUCKETS ? this.latencyMaxUs : (i + 1) * BUCKET_US;
      }
      return this.latencyMaxUs;
    };
    return {
      n: this.latencyN,
      p50: this.latencyN === 0 ? 0 : at(0.5),
      p99: this.latencyN === 0 ? 0 : at(0.99),
      max: Math.round(this.latencyMaxUs),
    };
  }

  private recordLatency(events: readonly WatchEvent[]): void {
    const committedNs = Number(process.hrtime.bigint());
    for (const e of events) {
      const timeNs = e.detail['timeNs'];
      if (typeof timeNs !== 'number') continue;
      const us = (committedNs - timeNs) / 1000;
      const bucket = Math.min(BUCKETS, Math.max(0, Math.floor(us / BUCKET_US)));
      this.latency[bucket] = (this.latency[bucket] ?? 0) + 1;
      this.latencyN += 1;
      if (us > this.latencyMaxUs) this.latencyMaxUs = us;
    }
  }

  onCommit(listener: (events: readonly WatchEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** Writes everything queued now (also called on shutdown). */
  flush(): void {
    this.unschedule();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writeBatch(batch);
    this.lastCommitMs = performance.now();
    this.recordLatency(batch);
    for (const listener of this.listeners) listener(batch);
  }

  query(q: EventQuery = {}): StoredEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.since !== undefined) {
      where.push('time >= ?');
      params.push(q.since.toISOString());
    }
    if (q.container !== undefined) {
      where.push('(container_name = ? OR container_id LIKE ?)');
      params.push(q.container, `${q.container}%`);
    }
    if (q.kinds !== undefined && q.kinds.length > 0) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(',')})`);
      params.push(...q.kinds);
    }
    const sql = `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    params.push(q.limit ?? 10_000);
    const rows = this.db.prepare(sql).all(...params);
    return rows.reverse().map(decodeRow);
  }

  /** Events with an id above `afterId`, oldest first, at most `limit` (a reader's cursor: `bulkhead agent`). */
  after(afterId: number, limit: number): StoredEvent[] {
    return this.db
      .prepare('SELECT * FROM events WHERE id > ? ORDER BY id ASC LIMIT ?')
      .all(afterId, limit)
      .map(decodeRow);
  }

  /** The highest event id stored (0 when empty): a cursor above it means the file was recreated. */
  maxId(): number {
    return (
      z.object({ n: z.number().nullable() }).parse(this.db.prepare('SELECT MAX(id) AS n FROM events').get())
        .n ?? 0
    );
  }

  count(): number {
    return z.object({ n: z.number() }).parse(this.db.prepare('SELECT COUNT(*) AS n FROM events').get()).n;
  }

  /** The running watcher's counters, replaced as a whole (read by `watch status`). */
  writeStatus(body: unknown): void {
    this.db
      .prepare(
        'INSERT INTO status (id, updated, body) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET updated = excluded.updated, body = excluded.body',
      )
      .run(new Date().toISOString(), JSON.stringify(body));
  }

  readStatus(): { updated: string; body: unknown } | undefined {
    const row = this.db.prepare('SELECT updated, body FROM status WHERE id = 1').get();
    if (row === undefined) return undefined;
    const r = z.object({ updated: z.string(), body: z.string() }).parse(row);
    return { updated: r.updated, body: JSON.parse(r.body) };
  }

  private startCheckpointer(): void {
    const worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: {
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.file,
        everyMs: CHECKPOINT_MS,
        restartPages: CHECKPOINT_RESTART_PAGES,
      },
    });
    // never what keeps a process alive; close() stops it
    worker.unref();
    worker.on('message', (m: unknown) => {
      const parsed = z.object({ error: z.string() }).safeParse(m);
      if (parsed.success)
        process.emitWarning(`watch event database ${this.file}: checkpoint failed: ${parsed.data.error}`);
    });
    worker.on('error', (error) => {
      process.emitWarning(`watch event database ${this.file}: checkpoint thread failed: ${error.message}`);
      // the writer checkpoints for itself again (SQLite's default)
      this.checkpointer = undefined;
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    });
    this.checkpointer = worker;
  }

  close(): void {
    this.flush();
    // the checkpoint thread's connection closes first, so closing the last one checkpoints and removes the WAL
    if (this.checkpointer !== undefined) {
      this.checkpointer.postMessage('stop');
      this.checkpointer = undefined;
      this.db.pragma('wal_checkpoint(PASSIVE)');
    }
    this.db.close();
  }
}
