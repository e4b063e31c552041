// The network stage's tables in watch's SQLite event store file (better-sqlite3, WAL): edges with counts and
// first/last seen, network events (new flows, rule alerts, denials, unobservable namespaces). Writes are batched
// per poll cycle in one transaction.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { BulkheadError } from '../shared/errors.js';
import type { Edge, Endpoint } from './types.js';

/** `profile`: migration of old network profiles, a profile that does not validate, a profile put in force. */
export const NET_EVENT_KINDS = [
  'flow',
  'listen',
  'alert',
  'denied',
  'unobservable',
  'enforcement',
  'profile',
] as const;
export type NetEventKind = (typeof NET_EVENT_KINDS)[number];

export interface NetEvent {
  readonly time: number;
  readonly kind: NetEventKind;
  readonly ruleId: string | undefined;
  readonly severity: string | undefined;
  readonly verdict: 'allowed' | 'alerted' | 'denied' | 'info';
  readonly containerId: string | undefined;
  readonly container: string | undefined;
  readonly peer: string | undefined;
  readonly port: number | undefined;
  readonly proto: string | undefined;
  readonly message: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS net_edges (
  key TEXT PRIMARY KEY, client TEXT NOT NULL, server TEXT NOT NULL, port INTEGER NOT NULL, proto TEXT NOT NULL,
  network TEXT, count INTEGER NOT NULL, denied INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS net_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, kind TEXT NOT NULL, rule_id TEXT, severity TEXT,
  verdict TEXT NOT NULL, container_id TEXT, container TEXT, peer TEXT, port INTEGER, proto TEXT, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS net_events_time ON net_events(time);
`;

const endpointSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('container'), id: z.string(), name: z.string(), workload: z.string() }),
  z.object({ kind: z.literal('address'), addr: z.string(), network: z.string().optional() }),
]);

const edgeRowSchema = z.object({
  key: z.string(),
  client: z.string(),
  server: z.string(),
  port: z.number(),
  proto: z.enum(['tcp', 'udp']),
  network: z.string().nullable(),
  count: z.number(),
  denied: z.number(),
  first_seen: z.number(),
  last_seen: z.number(),
});

const eventRowSchema = z.object({
  time: z.number(),
  kind: z.enum(NET_EVENT_KINDS),
  rule_id: z.string().nullable(),
  severity: z.string().nullable(),
  verdict: z.enum(['allowed', 'alerted', 'denied', 'info']),
  container_id: z.string().nullable(),
  container: z.string().nullable(),
  peer: z.string().nullable(),
  port: z.number().nullable(),
  proto: z.string().nullable(),
  message: z.string(),
});

function parseEndpoint(text: string): Endpoint {
  const parsed = endpointSchema.parse(JSON.parse(text));
  return parsed.kind === 'container'
    ? parsed
    : { kind: 'address', addr: parsed.addr, network: parsed.network };
}

/** Filters of `watch net-events` and `watch events`: newer than, naming a container (name, id prefix or peer). */
export interface NetEventQuery {
  readonly sinceMs?: number;
  readonly container?: string;
  /** The most recent this many. */
  readonly limit?: number;
}

export class NetStore {
  private readonly db: Database.Database;
  /** Opened read-only on a file the network stage never wrote: no tables, no events. */
  private readonly empty: boolean;

  constructor(
    readonly path: string,
    options: { readonly create: boolean; readonly retention?: number; readonly readonly?: boolean } = {
      create: true,
    },
  ) {
    try {
      if (options.create) mkdirSync(dirname(path), { recursive: true });
      if (options.readonly === true) {
        this.db = new Database(path, { readonly: true, fileMustExist: true });
        this.empty =
          this.db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'net_events'")
            .get() === undefined;
      } else {
        this.db = new Database(path, { fileMustExist: !options.create });
        this.db.pragma('journal_mode = WAL');
        this.db.exec(SCHEMA);
        this.empty = false;
      }
    } catch (error) {
      throw new BulkheadError('DB_MISSING', `cannot open the watch database ${path}`, {
        subject: path,
        hint: options.create
          ? 'check the directory is writable'
          : 'run `bulkhead watch` first, or pass --db FILE',
        cause: error,
      });
    }
    this.retention = options.retention ?? 1_000_000;
  }

  private readonly retention: number;

  /** Writes one cycle's edges and events in a single transaction; keeps at most `retention` events. */
  write(edges: readonly Edge[], events: readonly NetEvent[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO net_edges (key, client, server, port, proto, network, count, denied, first_seen, last_seen)
       VALUES (@key, @client, @server, @port, @proto, @network, @count, @denied, @firstSeen, @lastSeen)
       ON CONFLICT(key) DO UPDATE SET count = MAX(count, excluded.count), denied = MAX(denied, excluded.denied),
         first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)`,
    );
    const insert = this.db.prepare(
      `INSERT INTO net_events (time, kind, rule_id, severity, verdict, container_id, container, peer, port, proto, message)
       VALUES (@time, @kind, @ruleId, @severity, @verdict, @containerId, @container, @peer, @port, @proto, @message)`,
    );
    this.db.transaction(() => {
      for (const e of edges)
        upsert.run({
          key: e.key,
          client: JSON.stringify(e.client),
          server: JSON.stringify(e.server),
          port: e.port,
          proto: e.proto,
          network: e.network ?? null,
          count: e.count,
          denied: e.denied,
          firstSeen: Math.round(e.firstSeen),
          lastSeen: Math.round(e.lastSeen),
        });
      for (const ev of events)
        insert.run({
          time: Math.round(ev.time),
          kind: ev.kind,
          ruleId: ev.ruleId ?? null,
          severity: ev.severity ?? null,
          verdict: ev.verdict,
          containerId: ev.containerId ?? null,
          container: ev.container ?? null,
          peer: ev.peer ?? null,
          port: ev.port ?? null,
          proto: ev.proto ?? null,
          message: ev.message,
        });
      if (events.length > 0)
        this.db
          .prepare('DELETE FROM net_events WHERE id <= (SELECT MAX(id) FROM net_events) - ?')
          .run(this.retention);
    })();
  }

  edges(): Edge[] {
    const rows = z.array(edgeRowSchema).parse(this.db.prepare('SELECT * FROM net_edges ORDER BY key').all());
    return rows.map((r) => ({
      key: r.key,
      client: parseEndpoint(r.client),
      server: parseEndpoint(r.server),
      port: r.port,
      proto: r.proto,
      network: r.network ?? undefined,
      count: r.count,
      denied: r.denied,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
    }));
  }

  events(sinceMs = 0): NetEvent[] {
    return this.query({ sinceMs });
  }

  /** Events oldest first, filtered in SQL (the container by name, id prefix or as the peer). */
  query(q: NetEventQuery = {}): NetEvent[] {
    if (this.empty) return [];
    const where = ['time >= ?'];
    const params: (string | number)[] = [q.sinceMs ?? 0];
    if (q.container !== undefined) {
      where.push('(container = ? OR peer = ? OR container_id LIKE ?)');
      params.push(q.container, q.container, `${q.container.replace(/[%_]/g, '')}%`);
    }
    params.push(q.limit ?? -1);
    const rows = z
      .array(eventRowSchema)
      .parse(
        this.db
          .prepare(`SELECT * FROM net_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
          .all(...params),
      )
      .reverse();
    return rows.map((r) => ({
      time: r.time,
      kind: r.kind,
      ruleId: r.rule_id ?? undefined,
      severity: r.severity ?? undefined,
      verdict: r.verdict,
      containerId: r.container_id ?? undefined,
      container: r.container ?? undefined,
      peer: r.peer ?? undefined,
      port: r.port ?? undefined,
      proto: r.proto ?? undefined,
      message: r.message,
    }));
  }

  close(): void {
    this.db.close();
  }
}
