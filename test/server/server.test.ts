// The fleet server end to end, run unchanged against embedded SQLite and a real PostgreSQL (initdb'd here): two
// agents on two fixture hosts and one real test engine push signed reports; "which hosts run CVE X" through the
// API; replayed, tampered, unsigned, oversized and invalid reports refused without a row; tenants see only their
// hosts; a newer feed plus rematch marks findings fixed and new without any agent rescanning.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { loadIdentity } from '../../src/agent/agent.js';
import { buildReport } from '../../src/agent/report.js';
import { REPORT_PAYLOAD_TYPE, signEnvelope } from '../../src/shared/dsse.js';
import { REPORT_SCHEMA, type FleetReport } from '../../src/shared/fleet-report.js';
import type { StoreLocation } from '../../src/server/store.js';
import {
  apiGet,
  CVE_FIXED_LATER,
  CVE_NEW_LATER,
  CVE_OPEN,
  FLEET_IMAGE,
  importFleetImage,
  startFleet,
  type FleetWorld,
} from '../harness/fleet.js';
import { startPostgres, type Postgres } from '../harness/postgres.js';
import { engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const cveAnswer = z.object({
  id: z.string(),
  totals: z.object({ hosts: z.number(), containers: z.number(), images: z.number() }),
  page: z.number(),
  pageSize: z.number(),
  pages: z.number(),
  affected: z.array(
    z.object({
      host: z.string(),
      container: z.string(),
      digest: z.string(),
      package: z.string(),
      fixedVersion: z.string().nullable(),
    }),
  ),
});
const hostsOf = (answer: z.infer<typeof cveAnswer>): string[] => [
  ...new Set(answer.affected.map((h) => h.host)),
];
const hostsAnswer = z.object({
  hosts: z.array(z.object({ id: z.string(), name: z.string(), worst: z.string(), containers: z.number() })),
});
const imageAnswer = z.object({
  findings: z.array(z.object({ vulnerability: z.string(), state: z.string(), package: z.string() })),
});

async function post(
  url: string,
  body: string | object,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, json: text };
  }
}

async function reportCount(world: FleetWorld): Promise<number> {
  const row = await world.server.store.db
    .selectFrom('reports')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function minimalReport(createdAt: string): FleetReport {
  return {
    schema: REPORT_SCHEMA,
    agentVersion: 'test',
    createdAt,
    host: { name: 'x', labels: {} },
    audit: { findings: [] },
    containers: [],
    images: [],
    authz: [],
    events: [],
  };
}

describe('fleet server', engineSuite, () => {
  let engine: SharedEngine;
  let digest: string;
  let pg: Postgres | undefined;
  before(async () => {
    engine = sharedEngine();
    digest = importFleetImage(engine);
    engine.docker(['run', '-d', '--network', 'none', '--name', 'fleet-web', FLEET_IMAGE, 'sleep', '3600']);
    engine.docker(['create', '--network', 'none', '--name', 'fleet-job', FLEET_IMAGE, 'true']);
    pg = await startPostgres();
  });
  after(async () => {
    engine.docker(['rm', '-f', 'fleet-web', 'fleet-job']);
    await pg?.stop();
  });

  const backends: { name: string; location: () => StoreLocation | ((work: string) => StoreLocation) }[] = [
    { name: 'SQLite', location: () => (work: string) => ({ kind: 'sqlite', dir: join(work, 'server') }) },
    { name: 'PostgreSQL', location: () => ({ kind: 'postgres', url: pg?.url ?? '' }) },
  ];

  for (const backend of backends) {
    describe(`on ${backend.name}`, () => {
      let world: FleetWorld;
      before(async () => {
        world = await startFleet(backend.location(), engine, digest);
      });
      after(async () => {
        await world.close();
      });

      it('two agents enrol and push; a used enrolment token is refused', async () => {
        // the first agent brings the image's inventory; the second sends it by reference (the server has it)
        for (const [agent, byReference] of [
          [world.agents.a, ''],
          [world.agents.b, '; 1 sent by reference'],
        ] as const) {
          const r = await agent.run();
          assert.equal(r.code, 0, r.stderr);
          assert.match(
            r.stdout,
            new RegExp(
              `report [0-9a-f]{12}: \\d+ audit failures, 2 containers, 1 images \\(5 packages${byReference}\\), 0 authz decisions, 0 watch events; delivered 1`,
            ),
          );
        }
        // a second host trying the first agent's token: one-time tokens work once
        const other = generateKeyPairSync('ed25519')
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString();
        const enrolled = await post(`${world.url}/api/v1/enrol`, {
          token: 'bhe_nope',
          publicKey: other,
          name: 'intruder',
          labels: {},
        });
        assert.equal(enrolled.status, 401);
        assert.equal(await reportCount(world), 2);
      });

      it('answers "which hosts run an image with CVE X" for each tenant', async () => {
        const all = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}`, world.tokens.admin)).json,
        );
        assert.deepEqual(hostsOf(all), ['host-a', 'host-b']);
        assert.deepEqual(all.totals, { hosts: 2, containers: 4, images: 1 });
        assert.deepEqual([all.page, all.pageSize, all.pages], [1, 100, 1]);
        assert.deepEqual([...new Set(all.affected.map((h) => h.container))].sort(), [
          'fleet-job',
          'fleet-web',
        ]);
        assert.ok(all.affected.every((h) => h.digest === digest && h.fixedVersion === '3.0.99-1'));
        assert.deepEqual([...new Set(all.affected.map((h) => h.package))].sort(), ['libssl3', 'openssl']);
        const a = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}`, world.tokens.a)).json,
        );
        assert.deepEqual(hostsOf(a), ['host-a']);
        assert.deepEqual(a.totals, { hosts: 1, containers: 2, images: 1 });
        const b = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}`, world.tokens.b)).json,
        );
        assert.deepEqual(hostsOf(b), ['host-b']);
        const none = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/CVE-1999-0001`, world.tokens.admin)).json,
        );
        assert.deepEqual(hostsOf(none), []);
        assert.deepEqual([none.totals.containers, none.pages], [0, 1]);
      });

      it('pages the CVE answer by container and refuses a bad page or limit', async () => {
        const at = async (query: string, token = world.tokens.admin): Promise<z.infer<typeof cveAnswer>> =>
          cveAnswer.parse((await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}?${query}`, token)).json);
        const second = await at('page=2&limit=1');
        assert.deepEqual([second.page, second.pageSize, second.pages], [2, 1, 4]);
        assert.deepEqual(second.totals, { hosts: 2, containers: 4, images: 1 });
        // host name, then container name: host-a's fleet-job, host-a's fleet-web, host-b's ...; one row per package
        assert.deepEqual(
          second.affected.map((h) => `${h.host} ${h.container} ${h.package}`),
          ['host-a fleet-web libssl3', 'host-a fleet-web openssl'],
        );
        const pages = await Promise.all([1, 2, 3, 4].map((n) => at(`page=${n}&limit=1`)));
        assert.deepEqual(
          pages.map((p) => `${p.affected[0]?.host ?? ''} ${p.affected[0]?.container ?? ''}`),
          ['host-a fleet-job', 'host-a fleet-web', 'host-b fleet-job', 'host-b fleet-web'],
        );
        const past = await at('page=5&limit=1');
        assert.deepEqual([past.affected.length, past.pages], [0, 4]);
        const tenantA = await at('page=2&limit=1', world.tokens.a);
        assert.deepEqual([tenantA.pages, tenantA.affected[0]?.host], [2, 'host-a']);
        for (const query of [
          'page=0',
          'page=-1',
          'page=1.5',
          'page=x',
          'limit=0',
          'limit=501',
          'limit=',
          'page=',
        ]) {
          const response = await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}?${query}`, world.tokens.admin);
          assert.equal(response.status, 400, query);
          assert.equal(z.object({ error: z.string() }).parse(response.json).error, 'bad-page', query);
        }
        assert.equal(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_OPEN}?limit=500`, world.tokens.admin)).status,
          200,
        );
      });

      it('keeps tenants apart on every API route', async () => {
        const hostsA = hostsAnswer.parse(
          (await apiGet(`${world.url}/api/v1/hosts`, world.tokens.a)).json,
        ).hosts;
        assert.deepEqual(
          hostsA.map((h) => h.name),
          ['host-a'],
        );
        const all = hostsAnswer.parse(
          (await apiGet(`${world.url}/api/v1/hosts`, world.tokens.admin)).json,
        ).hosts;
        const idB = all.find((h) => h.name === 'host-b')?.id ?? '';
        assert.equal(all.length, 2);
        assert.equal((await apiGet(`${world.url}/api/v1/hosts/${idB}`, world.tokens.a)).status, 404);
        assert.equal((await apiGet(`${world.url}/api/v1/hosts/${idB}`, world.tokens.b)).status, 200);
        assert.equal((await apiGet(`${world.url}/api/v1/hosts`, undefined)).status, 401);
        assert.equal((await apiGet(`${world.url}/api/v1/hosts`, 'bha_forged')).status, 401);
        assert.equal((await post(`${world.url}/api/v1/rematch`, {}, world.tokens.a)).status, 403);
        // a page asked with tenant A's token for host B answers 404, like a host that does not exist
        const page = await fetch(`${world.url}/hosts/${idB}`, {
          headers: { authorization: `Bearer ${world.tokens.a}` },
        });
        assert.equal(page.status, 404);
        assert.doesNotMatch(await page.text(), /host-b/);
      });

      it('refuses replayed, tampered, unsigned, foreign-signed, invalid and oversized reports without writing a row', async () => {
        const before = await reportCount(world);
        const state = loadIdentity(world.agents.a.stateDir);
        // a replay of an old report: signed correctly, but older than the last one accepted
        const old = signEnvelope(
          REPORT_PAYLOAD_TYPE,
          Buffer.from(JSON.stringify(minimalReport('2020-01-01T00:00:00.000Z'))),
          state.key,
        );
        const replay = await post(`${world.url}/api/v1/reports`, old);
        assert.equal(replay.status, 409);
        assert.match(JSON.stringify(replay.json), /replay/);
        // tampered: one byte of the signed payload changed
        const fresh = signEnvelope(
          REPORT_PAYLOAD_TYPE,
          Buffer.from(JSON.stringify(minimalReport(new Date(Date.now() + 60_000).toISOString()))),
          state.key,
        );
        const body = Buffer.from(fresh.payload, 'base64').toString().replace('"test"', '"evil"');
        const tampered = await post(`${world.url}/api/v1/reports`, {
          ...fresh,
          payload: Buffer.from(body).toString('base64'),
        });
        assert.equal(tampered.status, 401);
        assert.match(JSON.stringify(tampered.json), /bad-signature/);
        const unsigned = await post(`${world.url}/api/v1/reports`, { ...fresh, signatures: [] });
        assert.equal(unsigned.status, 401);
        assert.match(JSON.stringify(unsigned.json), /unsigned/);
        const stranger = signEnvelope(
          REPORT_PAYLOAD_TYPE,
          Buffer.from(JSON.stringify(minimalReport(new Date().toISOString()))),
          generateKeyPairSync('ed25519').privateKey,
        );
        assert.equal((await post(`${world.url}/api/v1/reports`, stranger)).status, 401);
        // signed by the enrolled key but not a valid report: a container whose image has no inventory
        const invalid = {
          ...minimalReport(new Date(Date.now() + 120_000).toISOString()),
          containers: [
            { id: 'a'.repeat(64), name: 'x', image: 'x', digest: `sha256:${'b'.repeat(64)}`, running: true },
          ],
        };
        const bad = await post(
          `${world.url}/api/v1/reports`,
          signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(invalid)), state.key),
        );
        assert.equal(bad.status, 422);
        const wrongShape = await post(
          `${world.url}/api/v1/reports`,
          signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify({ schema: 'nope' })), state.key),
        );
        assert.equal(wrongShape.status, 422);
        assert.equal((await post(`${world.url}/api/v1/reports`, 'not json')).status, 400);
        assert.equal((await post(`${world.url}/api/v1/reports`, 'x'.repeat(33 * 1024 * 1024))).status, 413);
        assert.equal(await reportCount(world), before);
      });

      it('is idempotent: the same envelope twice is stored once', async () => {
        const state = loadIdentity(world.agents.a.stateDir);
        const { report } = await buildReport({
          root: world.agents.a.root,
          host: engine.host,
          env: process.env,
          name: 'host-a',
          labels: {},
        });
        const envelope = signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(report)), state.key);
        const before = await reportCount(world);
        assert.equal((await post(`${world.url}/api/v1/reports`, envelope)).status, 201);
        const again = await post(`${world.url}/api/v1/reports`, envelope);
        assert.equal(again.status, 409);
        assert.match(JSON.stringify(again.json), /duplicate/);
        assert.equal(await reportCount(world), before + 1);
      });

      it('keeps reports in the outbox while the server is unreachable', async () => {
        const r = await world.agents.b.run(['--server', 'http://127.0.0.1:9']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /stays in the outbox/);
        const outbox = readdirSync(join(world.agents.b.stateDir, 'outbox')).filter((f) =>
          f.endsWith('.json'),
        );
        assert.equal(outbox.length, 1);
        assert.ok(JSON.parse(readFileSync(join(world.agents.b.stateDir, 'outbox', outbox[0] ?? ''), 'utf8')));
        const delivered = await world.agents.b.run();
        assert.equal(delivered.code, 0, delivered.stderr);
        assert.match(delivered.stdout, /delivered 2/);
      });

      it('rematches stored inventories after db update with a newer feed: fixed and new findings, no rescan', async () => {
        const reports = await reportCount(world);
        const image = (): Promise<z.infer<typeof imageAnswer>> =>
          apiGet(`${world.url}/api/v1/images/${digest}`, world.tokens.admin).then((r) =>
            imageAnswer.parse(r.json),
          );
        const state = (f: z.infer<typeof imageAnswer>, id: string): string[] =>
          f.findings.filter((x) => x.vulnerability === id).map((x) => x.state);
        // the fleet overview keeps each digest's open CVEs in memory (findings-cache.ts): read it before the update
        // so the copy exists, and check after the rematch that it was not served stale
        const topCves = async (): Promise<string[]> =>
          z
            .object({ topCves: z.array(z.object({ id: z.string() })) })
            .parse((await apiGet(`${world.url}/api/v1/overview`, world.tokens.admin)).json)
            .topCves.map((c) => c.id);
        const topBefore = await topCves();
        assert.ok(topBefore.includes(CVE_FIXED_LATER), topBefore.join(' '));
        assert.ok(!topBefore.includes(CVE_NEW_LATER), topBefore.join(' '));
        const beforeUpdate = await image();
        assert.deepEqual(state(beforeUpdate, CVE_FIXED_LATER), ['open']);
        assert.deepEqual(state(beforeUpdate, CVE_NEW_LATER), []);
        await world.updateDb('new');
        const rematchedAt = new Date().toISOString();
        const rematch = await post(`${world.url}/api/v1/rematch`, {}, world.tokens.admin);
        assert.equal(rematch.status, 200, JSON.stringify(rematch.json));
        const counts = z
          .object({ images: z.number(), new: z.number(), fixed: z.number() })
          .parse(rematch.json);
        // the agents inventory every container on the shared test engine, so other test files' Debian images
        // (debootstrap, with real glibc and zlib) may be stored too: the counts cover every stored image, and this
        // image's share is exactly one new and one fixed finding
        const stored = await world.server.store.db
          .selectFrom('images')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow();
        const rematchEvents = await world.server.store.db
          .selectFrom('finding_events')
          .select(['digest', 'kind', 'vulnerability'])
          .where('at', '>=', rematchedAt)
          .execute();
        const mine = rematchEvents
          .filter((e) => e.digest === digest)
          .map((e) => `${e.kind} ${e.vulnerability}`);
        assert.equal(counts.images, Number(stored.n));
        assert.deepEqual(mine.sort(), [`fixed ${CVE_FIXED_LATER}`, `new ${CVE_NEW_LATER}`]);
        assert.equal(rematchEvents.filter((e) => e.kind === 'new').length, counts.new);
        assert.equal(rematchEvents.filter((e) => e.kind === 'fixed').length, counts.fixed);
        const afterUpdate = await image();
        assert.deepEqual(state(afterUpdate, CVE_FIXED_LATER), ['fixed']);
        assert.deepEqual(state(afterUpdate, CVE_NEW_LATER), ['open']);
        assert.deepEqual(state(afterUpdate, CVE_OPEN).sort(), ['open', 'open']);
        const fixedHosts = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_FIXED_LATER}`, world.tokens.admin)).json,
        );
        assert.deepEqual(hostsOf(fixedHosts), []);
        const newHosts = cveAnswer.parse(
          (await apiGet(`${world.url}/api/v1/cves/${CVE_NEW_LATER}`, world.tokens.admin)).json,
        );
        assert.deepEqual(hostsOf(newHosts), ['host-a', 'host-b']);
        const events = await world.server.store.db
          .selectFrom('finding_events')
          .select(['vulnerability', 'kind'])
          .where('vulnerability', 'in', [CVE_FIXED_LATER, CVE_NEW_LATER])
          .execute();
        assert.deepEqual(events.map((e) => `${e.vulnerability} ${e.kind}`).sort(), [
          `${CVE_FIXED_LATER} fixed`,
          `${CVE_FIXED_LATER} new`,
          `${CVE_NEW_LATER} new`,
        ]);
        const topAfter = await topCves();
        assert.ok(topAfter.includes(CVE_NEW_LATER), topAfter.join(' '));
        assert.ok(!topAfter.includes(CVE_FIXED_LATER), topAfter.join(' '));
        assert.equal(await reportCount(world), reports, 'no agent ran');
      });

      it('lets only one rematch run at a time (advisory lock on PostgreSQL, a queue on SQLite)', async () => {
        // the first holder signals once it is inside and stays until released: no sleep guesses how long the
        // advisory lock takes to acquire on a loaded machine
        let inside = 0;
        let entered = (): void => undefined;
        const isInside = new Promise<void>((done) => (entered = done));
        let release = (): void => undefined;
        const released = new Promise<void>((done) => (release = done));
        const held = world.server.store.withLock('rematch', true, async () => {
          inside += 1;
          entered();
          await released;
          return 'first';
        });
        await isInside;
        const second = await world.server.store.withLock('rematch', false, () => Promise.resolve('second'));
        assert.equal(second, undefined);
        release();
        assert.equal(await held, 'first');
        assert.equal(inside, 1);
        assert.equal(
          await world.server.store.withLock('rematch', false, () => Promise.resolve('third')),
          'third',
        );
      });
    });
  }
});
