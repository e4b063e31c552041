// `bulkhead watch events` as one library call: watch's own events and the network stage's (`net_events` of the same
// SQLite file), read with the same filters and merged into one time-ordered list.
import { NetStore, type NetEvent } from '../net/store.js';
import { EventStore, type StoredEvent } from './store.js';

/** One line of `watch events`: an event of watch's exec side or of the network stage. */
export type ListedEvent =
  | { readonly source: 'exec'; readonly event: StoredEvent }
  | { readonly source: 'net'; readonly event: NetEvent };

export function listedTime(e: ListedEvent): number {
  return e.source === 'exec' ? Date.parse(e.event.time) : e.event.time;
}

/** Whether an event is something to look at (the default listing, and exit code 1). */
export function isNotable(e: ListedEvent): boolean {
  if (e.source === 'exec') return e.event.verdict !== 'allowed';
  return e.event.verdict === 'alerted' || e.event.verdict === 'denied' || e.event.kind === 'unobservable';
}

/** Both sides in time order (a stable sort: each side keeps its own order on ties), the most recent `limit`. */
export function mergeEvents(
  exec: readonly StoredEvent[],
  net: readonly NetEvent[],
  limit: number,
): ListedEvent[] {
  const all: ListedEvent[] = [
    ...exec.map((event) => ({ source: 'exec' as const, event })),
    ...net.map((event) => ({ source: 'net' as const, event })),
  ];
  all.sort((a, b) => listedTime(a) - listedTime(b));
  return all.slice(Math.max(0, all.length - limit));
}

export interface EventsQuery {
  readonly since?: Date;
  readonly container?: string;
  /** The most recent this many events of both sides together. */
  readonly limit: number;
  /** Every event, not only the notable ones. */
  readonly all: boolean;
}

/** Reads both sides of the event database at `file` (read-only) and lists them in time order. */
export function listEvents(file: string, query: EventsQuery): ListedEvent[] {
  const store = new EventStore(file, { readonly: true });
  let net: NetStore | undefined;
  try {
    net = new NetStore(file, { create: false, readonly: true });
    const { since, container, limit } = query;
    const list = mergeEvents(
      store.query({
        ...(since === undefined ? {} : { since }),
        ...(container === undefined ? {} : { container }),
        limit,
      }),
      net.query({
        ...(since === undefined ? {} : { sinceMs: since.getTime() }),
        ...(container === undefined ? {} : { container }),
        limit,
      }),
      limit,
    );
    return query.all ? list : list.filter(isNotable);
  } finally {
    net?.close();
    store.close();
  }
}
