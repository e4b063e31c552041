// The fleet overview's "new/fixed since yesterday" and 30-day trend (src/server/queries.ts fleetOverview), on
// SQLite and a real PostgreSQL: events are counted per hour from a copy cached per findings generation, and the
// hour that "yesterday" falls in is counted exactly, so the answer is the one a plain count over the events gives.
// And the hosts table: paged, filtered and ordered by the database, through the library and through the routes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTenant, type Tenant } from '../../src/server/access.js';
import { createApp } from '../../src/server/app.js';
import { bumpFindingsGeneration } from '../../src/server/findings-cache.js';
import { fleetOverview, fleetPage, type HostFilter } from '../../src/server/queries.js';
import { SEVERITIES, type Severity } from '../../src/shared/severity.js';
import { openStore, type Store, type StoreLocation } from '../../src/server/store.js';
import { z } from 'zod';
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

let pg: Postgres;
const work = mkdtempSync(join(tmpdir(), 'bh-overview-'));
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg.stop();
  rmSync(work, { recursive: true, force: true });
});
// each test gets a database of its own: a directory for SQLite, a database in the one PostgreSQL
const backends: { name: string; location: (name: string) => Promise<StoreLocation> }[] = [
  { name: 'SQLite', location: (name) => Promise.resolve({ kind: 'sqlite', dir: join(work, name) }) },
  {
    name: 'PostgreSQL',
    location: async (name) => {
      const admin = await openStore({ kind: 'postgres', url: pg.url });
      try {
        await sql.raw(`create database ${name.replaceAll('-', '_')}`).execute(admin.db);
      } finally {
        await admin.close();
      }
      const url = new URL(pg.url);
      url.pathname = `/${name.replaceAll('-', '_')}`;
      return { kind: 'postgres', url: url.toString() };
    },
  },
];

describe('fleet overview: since yesterday and the 30-day trend', () => {
  for (const backend of backends) {
    it(`counts every event once, to the millisecond at yesterday's cut (${backend.name})`, async () => {
      const store: Store = await openStore(await backend.location('trend'));
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

// 23 hosts: the audit failures give host i the worst severity AUDIT[i % 6], except host-10, whose container runs an
// image with an open critical CVE; every 4th agent (and host-05, never seen) is stale; env=prod on even hosts; the
// last one is web_1, for the LIKE escapes
const AUDIT: readonly (Severity | 'none')[] = [...SEVERITIES, 'none'];
const HOSTS = Array.from({ length: 23 }, (_, i) => ({
  id: i.toString(16).padStart(64, '0'),
  name: i === 22 ? 'web_1' : `host-${String(i).padStart(2, '0')}`,
  labels: { env: i % 2 === 0 ? 'prod' : 'dev', team: i % 3 === 0 ? 'a' : 'b' },
  worst: i === 10 ? 'critical' : (AUDIT[i % 6] ?? 'none'),
  lastSeen: i === 5 ? null : i % 4 === 0 ? '2026-06-13T12:00:00.000Z' : NOW.toISOString(),
}));
type TestHost = (typeof HOSTS)[number];
const rank = (h: TestHost): number => AUDIT.indexOf(h.worst);
/** What the database must answer: worst severity first, then by name. */
const expected = (keep: (h: TestHost) => boolean): string[] =>
  HOSTS.filter(keep)
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1))
    .map((h) => h.name);
const stale = (h: TestHost): boolean => h.lastSeen !== NOW.toISOString();

describe('fleet hosts: paged, filtered and sorted by the database', () => {
  for (const backend of backends) {
    it(`pages every filter exactly, totals per tenant, the routes' query string (${backend.name})`, async () => {
      const store = await openStore(await backend.location('hosts-paged'));
      try {
        const db = store.db;
        const { tenant: admin, token: adminToken } = await createTenant(db, 'all', [{}]);
        const { tenant: prod, token: prodToken } = await createTenant(db, 'prod', [{ env: 'prod' }]);
        await db
          .insertInto('hosts')
          .values(
            HOSTS.map((h) => ({
              id: h.id,
              name: h.name,
              labels: JSON.stringify(h.labels),
              public_key: 'unused',
              enrolled_at: NOW.toISOString(),
              last_seen: h.lastSeen,
              last_report: null,
              last_created_at: null,
              audit_counts:
                h.worst === 'none' || h.name === 'host-10' ? '{}' : JSON.stringify({ [h.worst]: 2 }),
            })),
          )
          .execute();
        await db
          .insertInto('host_containers')
          .values({
            host_id: HOSTS[10]?.id ?? '',
            container_id: 'c'.repeat(64),
            name: 'web',
            image_ref: 'web:1',
            digest: RUNNING,
            running: 1,
          })
          .execute();
        await db
          .insertInto('images')
          .values({
            digest: RUNNING,
            ref: 'web:1',
            os: '{"id":"debian"}',
            package_count: 1,
            first_seen: NOW.toISOString(),
          })
          .execute();
        await db
          .insertInto('findings')
          .values({
            id: 'f1',
            digest: RUNNING,
            vulnerability: 'CVE-2026-0001',
            package: 'openssl',
            installed: '1',
            fixed_version: '2',
            status: 'fixed',
            severity: 'critical',
            title: 't',
            state: 'open',
            first_seen: NOW.toISOString(),
            last_seen: NOW.toISOString(),
          })
          .execute();
        const options = { now: NOW };
        const names = async (filter: HostFilter, page: number, pageSize: number, tenant = admin) => {
          const r = await fleetPage(db, tenant, filter, { page, pageSize }, options);
          return { ...r, names: r.hosts.hosts.map((h) => h.name) };
        };
        const all = expected(() => true);
        assert.equal(all[0], 'host-00');
        const p1 = await names({}, 1, 10);
        assert.deepEqual([p1.hosts.total, p1.hosts.pages, p1.hosts.page], [23, 3, 1]);
        assert.deepEqual(p1.names, all.slice(0, 10));
        assert.ok(p1.names.includes('host-10'), 'host-10 is critical through its image, not its audit');
        // the numbers and charts are the whole fleet's, whatever the page
        assert.equal(p1.overview.hostCount, 23);
        assert.equal(p1.overview.staleCount, HOSTS.filter(stale).length);
        assert.deepEqual(
          p1.overview.hostsByWorst,
          Object.fromEntries(AUDIT.map((s) => [s, HOSTS.filter((h) => h.worst === s).length])),
        );
        assert.deepEqual(
          p1.overview.topCves.map((c) => [c.id, c.hosts]),
          [['CVE-2026-0001', 1]],
        );
        const p2 = await names({}, 2, 10);
        const p3 = await names({}, 3, 10);
        assert.deepEqual(p3.names, all.slice(20), 'the last page holds the rest: 3 hosts');
        assert.deepEqual([...p1.names, ...p2.names, ...p3.names], all, 'every host once, in order');
        const past = await names({}, 4, 10);
        assert.deepEqual(
          [past.names, past.hosts.total, past.hosts.pages],
          [[], 23, 3],
          'past the last: empty',
        );
        assert.deepEqual(past.overview, p1.overview);

        // filters, alone and together, with paging
        const high = await names({ severity: 'high' }, 2, 2);
        assert.deepEqual(
          [high.hosts.total, high.names],
          [4, expected((h) => h.worst === 'high').slice(2, 4)],
        );
        const none = await names({ severity: 'none' }, 1, 10);
        assert.deepEqual(
          none.names,
          expected((h) => h.worst === 'none'),
        );
        const combined = (h: TestHost): boolean =>
          h.labels.env === 'prod' && h.labels.team === 'a' && stale(h) && h.name.startsWith('host-');
        const both = await names({ labels: { env: 'prod', team: 'a' }, stale: true, search: 'HOST-' }, 1, 2);
        assert.deepEqual(
          [both.hosts.total, both.names],
          [expected(combined).length, expected(combined).slice(0, 2)],
        );
        assert.ok(both.hosts.total >= 2, 'the case has more than one host');
        assert.deepEqual(
          (await names({ search: '_' }, 1, 10)).names,
          ['web_1'],
          '_ is a character, not a wildcard',
        );
        assert.deepEqual((await names({ search: '%' }, 1, 10)).hosts.total, 0);

        // a tenant granted env=prod: its totals, charts and pages count its hosts only
        const mine = (h: TestHost): boolean => h.labels.env === 'prod';
        const t1 = await names({}, 1, 5, prod);
        assert.deepEqual([t1.hosts.total, t1.hosts.pages, t1.overview.hostCount], [12, 3, 12]);
        assert.equal(
          Object.values(t1.overview.hostsByWorst).reduce((a, b) => a + b, 0),
          12,
        );
        const t3 = await names({}, 3, 5, prod);
        assert.deepEqual([...t1.names, ...(await names({}, 2, 5, prod)).names, ...t3.names], expected(mine));
        assert.equal((await names({ labels: { env: 'dev' } }, 1, 5, prod)).hosts.total, 0);
        assert.equal(
          (await names({ severity: 'high' }, 1, 5, prod)).hosts.total,
          HOSTS.filter((h) => mine(h) && h.worst === 'high').length,
        );

        // a report that changes a host's worst severity moves it on the next view
        await db
          .updateTable('hosts')
          .set({ audit_counts: '{"critical":1}' })
          .where('name', '=', 'host-03')
          .execute();
        const moved = await names({ severity: 'critical' }, 1, 10);
        assert.deepEqual(moved.names, ['host-00', 'host-03', 'host-06', 'host-10', 'host-12', 'host-18']);

        // the routes: the same query string for the API and the page, 400 for what cannot be a page
        const app = createApp({ store, vulndb: () => undefined, query: options });
        const get = (path: string, token = adminToken) =>
          app.request(path, { headers: { authorization: `Bearer ${token}` } });
        const api = await get('/api/v1/hosts?page=2&pageSize=10&label=env=prod', adminToken);
        assert.equal(api.status, 200);
        const body = z
          .object({
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
            pages: z.number(),
            hosts: z.array(z.object({ name: z.string() })),
          })
          .parse(await api.json());
        assert.deepEqual(
          [body.total, body.page, body.pageSize, body.pages, body.hosts.map((h) => h.name)],
          [12, 2, 10, 2, expected(mine).slice(10)],
        );
        const restricted = z
          .object({ total: z.number() })
          .parse(await (await get('/api/v1/hosts?label=env=dev', prodToken)).json());
        assert.equal(restricted.total, 0, 'a tenant filtering for hosts it may not see gets none');
        for (const bad of [
          'page=0',
          'page=x',
          'pageSize=501',
          'pageSize=0',
          'severity=urgent',
          'label=env',
          'stale=2',
        ]) {
          const r = await get(`/api/v1/hosts?${bad}`);
          assert.equal(r.status, 400, bad);
          assert.equal(z.object({ error: z.string() }).parse(await r.json()).error, 'bad-query', bad);
        }
        const html = await (await get('/?severity=critical&pageSize=2&page=2')).text();
        assert.match(html, /Showing 3–4 of 6 hosts matching the filters/);
        assert.match(html, /href="\/\?severity=critical&amp;pageSize=2&amp;page=3" rel="next"/);
        assert.match(html, /href="\/\?severity=critical&amp;pageSize=2" rel="prev"/);
        assert.match(html, /<option value="critical" selected/);
        assert.equal((html.match(/<tr><td><a href="\/hosts\//g) ?? []).length, 2, 'two host rows');
        assert.match(await (await get('/?pageSize=9999')).text(), /role="alert">pageSize must be/);
        assert.match(await (await get('/?page=9')).text(), /No hosts on page 9: 23 hosts fit on 1 page/);
      } finally {
        await store.close();
      }
    });
  }
});
