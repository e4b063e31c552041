// Reads the running watcher's status row back from the event database (`bulkhead watch status`).
import { z } from 'zod';
import type { EventStore } from './store.js';
import type { WatchStatus } from './watcher.js';

const num = z.number();
const statusSchema = z.object({
  pid: num,
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  mode: z.enum(['learn', 'alert', 'kill', 'deny']),
  sources: z.object({ proc: z.string(), gate: z.string() }),
  containers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      image: z.string(),
      runtime: z.string(),
      observable: z.boolean(),
      reason: z.string().optional(),
      mode: z.enum(['learn', 'alert', 'kill', 'deny']),
      profileVersion: num.nullable(),
      profileError: z.string().optional(),
    }),
  ),
  guarded: z.array(z.object({ path: z.string(), source: z.string(), sha256: z.string() })),
  counters: z
    .object({
      procEvents: num,
      procOverflows: num,
      // a status file of a watch from before the counter: unknown, read as 0
      procRcvbuf: num.default(0),
      procDrops: num,
      gateEvents: num,
      gateOverflows: num,
      gateDrops: num,
      stalls: num,
      denied: num,
      verdicts: num,
      verdictNsTotal: num,
      verdictNsMax: num,
      gateActive: num,
      argsMissed: num.default(0),
      infoMissed: num.default(0),
      procSkipped: num.default(0),
      gateSched: num.default(0),
      gateThreads: num.default(1),
      argsWaitNsTotal: num.default(0),
    })
    .optional(),
  host: z
    .object({
      filesystems: z.array(z.object({ path: z.string(), dev: num })),
      mode: z.enum(['learn', 'alert', 'kill', 'deny']),
      profileVersion: num.nullable(),
      profileError: z.string().optional(),
      packages: z.array(z.string()),
      allowed: num.nullable(),
      packageRereads: num.default(0),
      packagesReadAt: z.string().nullable().default(null),
    })
    .optional(),
  events: num,
  eventsPerSecond: num,
  verdictLatencyUs: z.object({ avg: num, max: num }),
  detectionLatencyUs: z.object({ n: num, p50: num, p99: num, max: num }).optional(),
  runscTrace: z
    .object({
      sessions: num,
      lost: num.default(0),
      connections: num,
      messages: num,
      decodeErrors: num,
      oversize: num,
      handshakeErrors: num,
      sentryDropped: num,
      containerMismatch: num,
    })
    .optional(),
});

export interface StoredStatus {
  readonly status: WatchStatus;
  readonly updated: string;
  /** The watcher process is alive and has not written a stop time. */
  readonly running: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readWatchStatus(store: EventStore): StoredStatus | undefined {
  const row = store.readStatus();
  if (row === undefined) return undefined;
  const parsed = statusSchema.parse(row.body);
  return {
    status: parsed,
    updated: row.updated,
    running: parsed.stoppedAt === undefined && alive(parsed.pid),
  };
}
