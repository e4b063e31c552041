// Reads `bulkhead watch`'s event database (src/watch/store.ts) read-only for the fleet report: events after the
// agent's cursor, oldest first, in bounded batches, mapped to the report's runtime events (docs/server.md "Reports").
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { FleetReport } from '../shared/fleet-report.js';
import { EventStore, type StoredEvent } from '../watch/store.js';

/** Events per report by default; the rest follow in the next reports (the schema allows 50,000). */
export const WATCH_BATCH = 5_000;

const cursorSchema = z.object({ file: z.string(), lastId: z.number().int().min(0) });
export type WatchCursor = z.infer<typeof cursorSchema>;

const CURSOR_FILE = 'watch-cursor.json';

/** The last watch event id queued in the outbox, for this event database file (0 when none yet). */
export function readWatchCursor(stateDir: string, file: string): WatchCursor {
  const path = join(stateDir, CURSOR_FILE);
  if (!existsSync(path)) return { file, lastId: 0 };
  const parsed = cursorSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  // another file (the operator moved watch's --db): start from its beginning
  return parsed.success && parsed.data.file === file ? parsed.data : { file, lastId: 0 };
}

/** Saved only after the report holding the events is in the outbox, so a crash re-sends (deduplicated by id). */
export function writeWatchCursor(stateDir: string, cursor: WatchCursor): void {
  const path = join(stateDir, CURSOR_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(cursor)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

const clip = (s: string | null, max: number): string | null => (s === null ? null : s.slice(0, max));

function toRuntimeEvent(e: StoredEvent): FleetReport['events'][number] | undefined {
  const at = new Date(e.time);
  if (Number.isNaN(at.getTime())) return undefined;
  const detail: Record<string, unknown> = {
    verdict: e.verdict,
    rule: e.ruleId,
    rules: e.rules.slice(0, 16).map((r) => r.slice(0, 64)),
    message: e.message.slice(0, 1024),
    exe: clip(e.exe, 512),
    path: clip(e.path, 512),
    argv: e.argv.slice(0, 16).map((a) => a.slice(0, 256)),
    uid: e.uid,
    pid: e.pid,
    image: e.imageDigest,
  };
  const extra = JSON.stringify(e.detail);
  if (extra !== '{}' && extra.length <= 2048) detail['extra'] = e.detail;
  return {
    // the time makes the id unique again if the watch database is recreated and its ids restart
    id: `${e.id}@${e.time}`.slice(0, 128),
    at: at.toISOString(),
    kind: e.kind,
    container: (e.containerName ?? e.containerId ?? '').slice(0, 256),
    detail,
  };
}

export interface WatchBatch {
  readonly events: FleetReport['events'];
  /** Where the next report starts (write it once this batch is queued). */
  readonly cursor: WatchCursor;
  /** More events wait after this batch. */
  readonly more: boolean;
}

/** Reads up to `limit` events after the cursor; a missing or unreadable database is a warning, not a failure. */
export function readWatchEvents(
  file: string,
  cursor: WatchCursor,
  limit: number,
  diagnostics: Diagnostic[],
): WatchBatch {
  let store: EventStore;
  try {
    store = new EventStore(file, { readonly: true });
  } catch (error) {
    diagnostics.push({
      level: 'warning',
      subject: file,
      message: `watch events not read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { events: [], cursor, more: false };
  }
  try {
    let after = cursor.lastId;
    if (store.maxId() < after) {
      diagnostics.push({
        level: 'warning',
        subject: file,
        message:
          'the watch event database is newer than the agent cursor (recreated): reading it from the start',
      });
      after = 0;
    }
    const rows = store.after(after, limit + 1);
    const batch = rows.slice(0, limit);
    const events = batch.flatMap((e) => toRuntimeEvent(e) ?? []);
    const lastId = batch.at(-1)?.id ?? after;
    return { events, cursor: { file, lastId }, more: rows.length > limit };
  } catch (error) {
    diagnostics.push({
      level: 'warning',
      subject: file,
      message: `watch events not read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { events: [], cursor, more: false };
  } finally {
    store.close();
  }
}
