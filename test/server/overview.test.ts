// The fleet overview's "new/fixed since yesterday" and 30-day trend (src/server/queries.ts fleetOverview), on
// SQLite and a real PostgreSQL: events are counted per hour from a copy cached per findings generation, and the
// hour that "yesterday" falls in is counted exactly, so the answer is the one a plain count over the events gives.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTenant, type Tenant } from '../../src/server/access.js';
import { bumpFindingsGeneration } from '../../src/server/findings-cache.js';
import { fleetOverview } from '../../src/server/queries.js';
import { openStore, type Store, type StoreLocation } from '../../src/server/store.js';
import { startPostgres, type Postgres } from '../harness/postgres.js';

const RUNNING = `sha256:${'a'.repeat(64)}`;
const GONE = `sha256:${'b'.repeat(64)}`; // no container runs it: its events are not the fleet's
const NOW = new Date('2026-06-15T12:30:00.000Z'); // "yesterday" is 2026-06-14T12:30:00.000Z

interface Case {
  readonly digest: string;
  readonly kind: 'new' | 'fixed';
  readonly at: string;
}

const EVENTS: readonly Case[] = [
  { digest: RUNNING, kind: 'new', at: '2026-06-15T10:00:00.000Z' }, // today
  { digest: RUNNING, kind: 'new', at: '2026-06-14T12:45:00.000Z' }, // yesterday's hour, after the cut: recent
  { digest: RUNNING, kind: 'new', at: '2026-06-14T12:10:00.000Z' }, // yesterday's hour, before the cut: trend only
  { digest: RUNNING, kind: 'fixed', at: '2026-06-10T08:00:00.000Z' },
  { digest: RUNNING, kind: 'new', at: '2026-05-01T08:00:00.000Z' }, // older than 30 days
  { digest: GONE, kind: 'new', at: '2026-06-15T11:00:00.000Z' },
];

describe('fleet overview: since yesterday and the 30-day trend', () => {
  let pg: Postgres;
  const work = mkdtempSync(join(tmpdir(), 'bh-overview-'));
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const backends: { name: string; location: () => StoreLocation }[] = [
    { name: 'SQLite', location: () => ({ kind: 'sqlite', dir: join(work, 'sqlite') }) },
    { name: 'PostgreSQL', location: () => ({ kind: 'postgres', url: pg.url }) },
  ];
  for (const backend of backends) {
    it(`counts every event once, to the millisecond at yesterday's cut (${backend.name})`, async () => {
      const store: Store = await openStore(backend.location());
      try {
        const db = store.db;
        const { tenant }: { tenant: Tenant } = await createTenant(db, 'all', [{}]);
        await db
          .insertInto('hosts')
          .values({
            id: 'f'.repeat(64),
            name: 'host-a',
            labels: '{}',
            public_key: 'unused',
            enrolled_at: NOW.toISOString(),
            last_seen: NOW.toISOString(),
            last_report: null,
            last_created_at: null,
            audit_counts: '{}',
          })
          .execute();
        await db
          .insertInto('host_containers')
          .values({
            host_id: 'f'.repeat(64),
            container_id: 'c'.repeat(64),
            name: 'web',
            image_ref: 'web:1',
            digest: RUNNING,
            running: 1,
          })
          .execute();
        const record = async (events: readonly Case[]): Promise<void> => {
          await db.transaction().execute(async (tx) => {
            await tx
              .insertInto('finding_events')
              .values(
                events.map((e, i) => ({
                  id: `${e.at}-${String(i)}-${e.kind}`,
                  finding_id: 'x',
                  digest: e.digest,
                  vulnerability: 'CVE-2026-0001',
                  kind: e.kind,
                  at: e.at,
                })),
              )
              .execute();
            await bumpFindingsGeneration(tx);
          });
        };
        await record(EVENTS);
        const day = (o: Awaited<ReturnType<typeof fleetOverview>>, d: string): string => {
          const t = o.trend.find((x) => x.day === d);
          return `${t?.new ?? -1}/${t?.fixed ?? -1}`;
        };
        const first = await fleetOverview(db, tenant, { now: NOW });
        assert.deepEqual([first.newSinceYesterday, first.fixedSinceYesterday], [2, 0]);
        assert.equal(first.trend.length, 30);
        assert.deepEqual(
          ['2026-06-15', '2026-06-14', '2026-06-10'].map((d) => day(first, d)),
          ['1/0', '2/0', '0/1'],
        );
        assert.equal(
          first.trend.reduce((n, t) => n + t.new + t.fixed, 0),
          4,
          'the May event and the not-running image are in no day',
        );
        // the same answer from the cached copy, and a new generation is seen at once
        assert.deepEqual(await fleetOverview(db, tenant, { now: NOW }), first);
        await record([
          { digest: RUNNING, kind: 'fixed', at: '2026-06-15T12:00:00.000Z' },
          { digest: RUNNING, kind: 'fixed', at: '2026-06-14T12:29:59.999Z' }, // one millisecond before the cut
        ]);
        const second = await fleetOverview(db, tenant, { now: NOW });
        assert.deepEqual([second.newSinceYesterday, second.fixedSinceYesterday], [2, 1]);
        assert.deepEqual(
          ['2026-06-15', '2026-06-14'].map((d) => day(second, d)),
          ['1/1', '2/1'],
        );
        // an hour later the 12:10 and 12:45 events of yesterday are both out of "since yesterday"
        const later = await fleetOverview(db, tenant, { now: new Date('2026-06-15T13:50:00.000Z') });
        assert.deepEqual([later.newSinceYesterday, later.fixedSinceYesterday], [1, 1]);
      } finally {
        await store.close();
      }
    });
  }
});
