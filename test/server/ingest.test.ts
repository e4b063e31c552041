// Ingest of shared image rows. Concurrency on a real PostgreSQL (initdb'd here, unix socket only): many hosts push at
// once reports that share new image digests listed in different orders (the bench/server deadlock, 40P01); every
// report is stored exactly once with consistent shared rows. Inventory poisoning, on SQLite and PostgreSQL: a
// differing inventory for a known digest is kept and flagged and can add findings, never hide them (rematch too).
import { strict as assert } from 'node:assert';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createEnrolmentToken, createTenant, tenantForToken } from '../../src/server/access.js';
import { enrolHost, ingestReport } from '../../src/server/ingest.js';
import { hostsWithCve, imageDetail } from '../../src/server/queries.js';
import { rematchStore } from '../../src/server/rematch.js';
import { openStore, type Store } from '../../src/server/store.js';
import { REPORT_PAYLOAD_TYPE, signEnvelope } from '../../src/shared/dsse.js';
import { REPORT_SCHEMA, type FleetReport, type ImageInventory } from '../../src/shared/fleet-report.js';
import { openVulnDb } from '../../src/vulndb/db.js';
import { AFFECTED_PACKAGES, CLEAN_PACKAGES, SYNTHETIC_OS, syntheticServerWorld } from '../harness/fleet.js';
import { startPostgres, type Postgres } from '../harness/postgres.js';

const HOSTS = 24;
const IMAGES = 40;
const PER_HOST = 30;
const PACKAGES = 60;

const hex = (n: number): string => n.toString(16).padStart(64, '0');

function image(i: number): ImageInventory {
  return {
    digest: `sha256:${hex(i + 1)}`,
    ref: `registry.example/app-${i}:1`,
    os: { family: 'debian', id: 'debian', versionId: '12', codename: 'bookworm', evidence: 'etc/os-release' },
    packages: Array.from({ length: PACKAGES }, (_, p) => ({
      name: `pkg-${i}-${p}`,
      version: '1.0-1',
      sourceName: `src-${p}`,
      sourceVersion: '1.0-1',
      format: 'dpkg' as const,
    })),
  };
}

/** A deterministic shuffle (so a failure reproduces): host h lists its images in its own order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('concurrent ingest on PostgreSQL', () => {
  let pg: Postgres;
  let store: Store;
  before(async () => {
    pg = await startPostgres();
    store = await openStore({ kind: 'postgres', url: pg.url });
  });
  after(async () => {
    await store.close();
    await pg.stop();
  });

  it('stores every report exactly once when reports share new digests in different orders', async () => {
    const images = Array.from({ length: IMAGES }, (_, i) => image(i));
    const hosts: { key: KeyObject; id: string; report: FleetReport }[] = [];
    for (let h = 0; h < HOSTS; h += 1) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const token = (await createEnrolmentToken(store.db, undefined, {})).token;
      const { hostId } = await enrolHost(store.db, {
        token,
        publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
        name: `host-${h}`,
        labels: {},
      });
      const used = shuffled(images, h + 1).slice(0, PER_HOST);
      hosts.push({
        key: privateKey,
        id: hostId,
        report: {
          schema: REPORT_SCHEMA,
          agentVersion: 'test',
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, h)).toISOString(),
          host: { name: `host-${h}`, labels: {} },
          audit: { findings: [] },
          containers: used.map((img, c) => ({
            id: hex(h * 1000 + c),
            name: `c${c}`,
            image: img.ref,
            digest: img.digest,
            running: true,
          })),
          images: used,
          authz: [],
          events: [],
        },
      });
    }
    const envelopes = hosts.map((h) =>
      signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(h.report)), h.key),
    );
    // all at once, twice each (a retrying agent): the second delivery of each is a duplicate, never a second row
    const results = await Promise.allSettled(
      [...envelopes, ...envelopes].map((e) => ingestReport(store.db, undefined, e, 1)),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    assert.deepEqual(failures, [], 'no ingest failed');
    const statuses = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.status] : []));
    assert.equal(statuses.filter((s) => s === 'stored').length, HOSTS);
    assert.equal(statuses.filter((s) => s === 'duplicate').length, HOSTS);

    const db = store.db;
    const count = async (table: 'reports' | 'images' | 'image_packages'): Promise<number> =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await count('reports'), HOSTS);
    const distinct = new Set(hosts.flatMap((h) => h.report.images.map((i) => i.digest)));
    assert.equal(await count('images'), distinct.size);
    assert.equal(await count('image_packages'), distinct.size * PACKAGES);
    const perDigest = await db
      .selectFrom('images')
      .leftJoin('image_packages', 'image_packages.digest', 'images.digest')
      .select([
        'images.digest',
        'images.package_count',
        (eb) => eb.fn.count<string>('image_packages.name').as('n'),
      ])
      .groupBy(['images.digest', 'images.package_count'])
      .execute();
    for (const row of perDigest) assert.equal(Number(row.n), row.package_count, row.digest);
    for (const h of hosts) {
      const containers = await db
        .selectFrom('host_containers')
        .select(['digest'])
        .where('host_id', '=', h.id)
        .execute();
      assert.deepEqual(
        containers.map((c) => c.digest).sort(),
        h.report.containers.map((c) => c.digest).sort(),
      );
      const row = await db
        .selectFrom('hosts')
        .select('last_created_at')
        .where('id', '=', h.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.last_created_at, h.report.createdAt);
    }
  });
});

const CVE = 'CVE-2099-0002';

describe('inventory poisoning', () => {
  const { vulndbPath, backends } = syntheticServerWorld('bh-ingest-', CVE);
  for (const backend of backends)
    it(`keeps and flags a differing inventory, whose findings add to the digest's (${backend.name})`, async () => {
      const store = await openStore(backend.location());
      const vulndb = openVulnDb(vulndbPath);
      try {
        const db = store.db;
        const tenant = await tenantForToken(db, (await createTenant(db, 'all', [{}])).token);
        assert.ok(tenant !== undefined);
        let clock = Date.UTC(2026, 0, 1);
        const hosts = new Map<string, KeyObject>();
        for (const name of ['poisoner', 'host-a', 'host-b']) {
          const { privateKey } = generateKeyPairSync('ed25519');
          await enrolHost(db, {
            token: (await createEnrolmentToken(db, undefined, {})).token,
            publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
            name,
            labels: {},
          });
          hosts.set(name, privateKey);
        }
        const push = async (
          name: string,
          images: { digest: string; packages: ImageInventory['packages'] }[],
        ): Promise<void> => {
          clock += 1000;
          const report: FleetReport = {
            schema: REPORT_SCHEMA,
            agentVersion: 'test',
            createdAt: new Date(clock).toISOString(),
            host: { name, labels: {} },
            audit: { findings: [] },
            containers: images.map((i, n) => ({
              id: hex(clock + n),
              name: `${name}-c${n}`,
              image: 'app:1',
              digest: i.digest,
              running: true,
            })),
            images: images.map((i) => ({
              digest: i.digest,
              ref: 'app:1',
              os: SYNTHETIC_OS,
              packages: i.packages,
            })),
            authz: [],
            events: [],
          };
          const key = hosts.get(name);
          assert.ok(key !== undefined);
          const result = await ingestReport(
            db,
            vulndb,
            signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(report)), key),
            1,
          );
          assert.equal(result.status, 'stored');
        };
        const first = `sha256:${'d'.repeat(64)}`; // the poisoner reports it first, without the vulnerable package
        const second = `sha256:${'e'.repeat(64)}`; // an honest host first, the poisoner later
        await push('poisoner', [{ digest: first, packages: CLEAN_PACKAGES }]);
        assert.deepEqual(
          (await hostsWithCve(db, tenant, CVE)).affected.map((h) => h.host),
          [],
          'nothing to see yet: only the clean inventory is known',
        );
        await push('host-a', [
          { digest: first, packages: AFFECTED_PACKAGES },
          { digest: second, packages: AFFECTED_PACKAGES },
        ]);
        await push('host-b', [{ digest: first, packages: [...AFFECTED_PACKAGES].reverse() }]); // same inventory, other order
        await push('poisoner', [
          { digest: first, packages: CLEAN_PACKAGES },
          { digest: second, packages: CLEAN_PACKAGES },
        ]);
        const check = async (): Promise<void> => {
          const hits = (await hostsWithCve(db, tenant, CVE)).affected;
          assert.deepEqual(
            [...new Set(hits.filter((h) => h.digest === first).map((h) => h.host))].sort(),
            ['host-a', 'host-b', 'poisoner'],
            'every host running the digest is affected: the honest inventory counts',
          );
          assert.deepEqual([...new Set(hits.filter((h) => h.digest === second).map((h) => h.host))].sort(), [
            'host-a',
            'poisoner',
          ]);
          const poisoned = await imageDetail(db, tenant, first);
          assert.ok(poisoned !== undefined);
          assert.equal(poisoned.inventoryConflict, true);
          assert.deepEqual(
            poisoned.inventories.map((i) => [i.packages, i.host]),
            [
              [1, null],
              [2, 'host-a'],
            ],
            'the first inventory and one variant (host-b sent the same as host-a)',
          );
          assert.deepEqual(
            poisoned.findings.map((f) => [f.vulnerability, f.package, f.state]),
            [[CVE, 'libssl3', 'open']],
          );
          const honestFirst = await imageDetail(db, tenant, second);
          assert.equal(honestFirst?.inventoryConflict, true);
          assert.deepEqual(
            honestFirst.inventories.map((i) => [i.packages, i.host]),
            [
              [2, null],
              [1, 'poisoner'],
            ],
          );
          assert.deepEqual(
            honestFirst.findings.map((f) => [f.vulnerability, f.state]),
            [[CVE, 'open']],
          );
        };
        await check();
        // a rematch matches every inventory of a digest: the clean one does not mark the finding fixed
        const rematch = await rematchStore(store, vulndb);
        assert.deepEqual([rematch?.images, rematch?.fixed, rematch?.new], [2, 0, 0]);
        await check();
        const unflagged = await db
          .selectFrom('images')
          .select('digest')
          .where('inventory_hash', '=', '')
          .execute();
        assert.deepEqual(unflagged, []);
      } finally {
        vulndb.close();
        await store.close();
      }
    });
});
