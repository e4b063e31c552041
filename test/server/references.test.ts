// Inventory references (docs/server.md "Inventory references"), on SQLite and a real PostgreSQL (initdb'd here),
// through the HTTP server and the agent's own functions: a host's second report sends every image as a reference
// {digest, inventoryHash}; a reference to an inventory the server does not store is refused (422
// unknown-inventory, no row) and the agent re-sends the full report once; a forged reference (another digest's
// inventory hash) is refused, so it cannot hide the digest's findings; the signed question is bounded and checked.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  deliverReport,
  enrol,
  flushOutbox,
  loadIdentity,
  queueReport,
  referenceKnownInventories,
  signReport,
  type AgentState,
} from '../../src/agent/agent.js';
import { createEnrolmentToken, createTenant, tenantForToken, type Tenant } from '../../src/server/access.js';
import { hostsWithCve } from '../../src/server/queries.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { envelopeSchema, signEnvelope } from '../../src/shared/dsse.js';
import {
  INVENTORY_QUERY_PAYLOAD_TYPE,
  REPORT_SCHEMA,
  type FleetReport,
  type ImageInventory,
} from '../../src/shared/fleet-report.js';
import { inventoryHash } from '../../src/shared/inventory-hash.js';
import { AFFECTED_PACKAGES, CLEAN_PACKAGES, SYNTHETIC_OS, syntheticServerWorld } from '../harness/fleet.js';

const CVE = 'CVE-2099-0003';
const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const inventory = (d: string, packages: ImageInventory['packages']): ImageInventory => ({
  digest: d,
  ref: 'app:1',
  os: SYNTHETIC_OS,
  packages,
});

let clock = Date.UTC(2026, 0, 1);
function report(name: string, images: readonly ImageInventory[]): FleetReport {
  clock += 1000;
  return {
    schema: REPORT_SCHEMA,
    agentVersion: 'test',
    createdAt: new Date(clock).toISOString(),
    host: { name, labels: {} },
    audit: { findings: [] },
    containers: images.map((i, n) => ({
      id: (clock + n).toString(16).padStart(64, '0'),
      name: `${name}-c${n}`,
      image: i.ref,
      digest: i.digest,
      running: true,
    })),
    images: [...images],
    authz: [],
    events: [],
  };
}

/** The reports in the outbox, decoded from their signed envelopes (oldest first). */
function queued(state: AgentState): FleetReport[] {
  const dir = join(state.dir, 'outbox');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const envelope = envelopeSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as FleetReport;
    });
}

describe('inventory references', () => {
  const { work, vulndbPath, backends } = syntheticServerWorld('bh-refs-', CVE);
  for (const backend of backends)
    describe(backend.name, () => {
      let server: RunningServer;
      let tenant: Tenant;
      const agents = new Map<string, AgentState>();
      const agent = async (name: string): Promise<AgentState> => {
        const known = agents.get(name);
        if (known !== undefined) return known;
        const state = loadIdentity(join(work, `${backend.name}-${name}`));
        await enrol(
          state,
          server.url,
          (await createEnrolmentToken(server.store.db, undefined, {})).token,
          name,
          {},
        );
        agents.set(name, state);
        return state;
      };
      const affected = async (d: string): Promise<string[]> =>
        [
          ...new Set(
            (await hostsWithCve(server.store.db, tenant, CVE)).affected
              .filter((h) => h.digest === d)
              .map((h) => h.host),
          ),
        ].sort();
      const reportRows = async (): Promise<number> =>
        (await server.store.db.selectFrom('reports').select('id').execute()).length;
      before(async () => {
        server = await startServer({
          listen: '127.0.0.1:0',
          location: backend.location(),
          vulndbPath,
          watchMs: 3_600_000,
        });
        const found = await tenantForToken(
          server.store.db,
          (await createTenant(server.store.db, 'all', [{}])).token,
        );
        assert.ok(found !== undefined);
        tenant = found;
      });
      after(async () => {
        await server.close();
      });

      it('sends every image of a host’s second report as a reference', async () => {
        const state = await agent('host-a');
        const images = [inventory(digest('a'), AFFECTED_PACKAGES), inventory(digest('b'), CLEAN_PACKAGES)];
        const first = report('host-a', images);
        const sentFirst = await referenceKnownInventories(server.url, state.key, first);
        assert.equal(sentFirst, first, 'the server has none of them yet: the report goes in full');
        queueReport(state, sentFirst, first);
        assert.deepEqual((await flushOutbox(state, server.url)).delivered, 1);

        const second = report('host-a', images);
        const sent = await referenceKnownInventories(server.url, state.key, second);
        queueReport(state, sent, second);
        const [payload] = queued(state);
        assert.deepEqual(payload?.images, [], 'no inventory in the second report');
        assert.deepEqual(payload.references, [
          { digest: digest('a'), inventoryHash: inventoryHash(images[0] ?? inventory('', [])) },
          { digest: digest('b'), inventoryHash: inventoryHash(images[1] ?? inventory('', [])) },
        ]);
        const result = await flushOutbox(state, server.url);
        assert.deepEqual([result.delivered, result.rejected, result.pending], [1, [], 0]);
        assert.deepEqual(readdirSync(join(state.dir, 'outbox')), [], 'the full form is removed with it');
        const host = await server.store.db
          .selectFrom('hosts')
          .select(['id', 'last_created_at'])
          .where('name', '=', 'host-a')
          .executeTakeFirstOrThrow();
        assert.equal(host.last_created_at, second.createdAt, 'the reference report is the newest');
        const containers = await server.store.db
          .selectFrom('host_containers')
          .select('digest')
          .where('host_id', '=', host.id)
          .orderBy('digest')
          .execute();
        assert.deepEqual(
          containers.map((c) => c.digest),
          [digest('a'), digest('b')],
        );
        assert.deepEqual(await affected(digest('a')), ['host-a'], 'findings still reach the host');
      });

      it('refuses a reference to an inventory it does not store (422 unknown-inventory); the agent re-sends in full', async () => {
        const state = await agent('host-b');
        const image = inventory(digest('c'), AFFECTED_PACKAGES);
        const full = report('host-b', [image]);
        const referenced: FleetReport = {
          ...full,
          images: [],
          references: [{ digest: image.digest, inventoryHash: inventoryHash(image) }],
        };
        const rowsBefore = await reportRows();
        const refused = await deliverReport(
          server.url,
          signReport(state.key, referenced).envelope,
          undefined,
        );
        assert.equal(refused.status, 422);
        assert.equal((refused.json as { error?: string }).error, 'unknown-inventory');
        assert.equal(await reportRows(), rowsBefore, 'a refused report leaves no row');
        assert.deepEqual(await affected(image.digest), []);

        queueReport(state, referenced, full);
        const result = await flushOutbox(state, server.url);
        assert.deepEqual([result.delivered, result.rejected, result.pending], [1, [], 0]);
        assert.deepEqual(readdirSync(join(state.dir, 'outbox')), []);
        assert.equal(await reportRows(), rowsBefore + 1, 'the full report, once');
        assert.deepEqual(await affected(image.digest), ['host-b']);
      });

      it('refuses a forged reference naming another digest’s inventory, so findings stay', async () => {
        const state = await agent('poisoner');
        // host-a stored digest a with the vulnerable inventory and digest b with the clean one
        const cleanHash = inventoryHash(inventory(digest('b'), CLEAN_PACKAGES));
        const forged: FleetReport = {
          ...report('poisoner', [inventory(digest('a'), CLEAN_PACKAGES)]),
          images: [],
          references: [{ digest: digest('a'), inventoryHash: cleanHash }],
        };
        const rowsBefore = await reportRows();
        const refused = await deliverReport(server.url, signReport(state.key, forged).envelope, undefined);
        assert.deepEqual(
          [refused.status, (refused.json as { error?: string }).error],
          [422, 'unknown-inventory'],
        );
        assert.equal(await reportRows(), rowsBefore);
        // asking gives the same answer: the clean inventory for digest a is not one the server has
        const asked = await referenceKnownInventories(
          server.url,
          state.key,
          report('poisoner', [inventory(digest('a'), CLEAN_PACKAGES)]),
        );
        assert.equal(asked.references, undefined);
        // the poisoner's only way in is the inventory in full: a variant, whose findings add and never hide
        const full = report('poisoner', [inventory(digest('a'), CLEAN_PACKAGES)]);
        queueReport(state, full);
        assert.equal((await flushOutbox(state, server.url)).delivered, 1);
        assert.deepEqual(await affected(digest('a')), ['host-a', 'poisoner']);
        // a reference to the clean variant it just brought is now stored for digest a, and hides nothing either
        const again = await referenceKnownInventories(
          server.url,
          state.key,
          report('poisoner', [inventory(digest('a'), CLEAN_PACKAGES)]),
        );
        assert.deepEqual(again.references?.length, 1);
        queueReport(state, again);
        assert.equal((await flushOutbox(state, server.url)).delivered, 1);
        assert.deepEqual(await affected(digest('a')), ['host-a', 'poisoner']);
      });

      it('answers the signed question only: unsigned, unknown key or over 1,000 inventories is refused', async () => {
        const state = await agent('host-a');
        const ask = async (body: unknown): Promise<{ status: number; error?: string }> => {
          const response = await fetch(`${server.url}/api/v1/inventories/missing`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const json = (await response.json()) as { error?: string };
          return { status: response.status, ...(json.error === undefined ? {} : { error: json.error }) };
        };
        const question = (n: number): Buffer =>
          Buffer.from(
            JSON.stringify({
              inventories: Array.from({ length: n }, () => ({
                digest: digest('a'),
                inventoryHash: 'f'.repeat(64),
              })),
            }),
          );
        const signed = signEnvelope(INVENTORY_QUERY_PAYLOAD_TYPE, question(1), state.key);
        assert.deepEqual(await ask({ ...signed, signatures: [] }), { status: 401, error: 'unsigned' });
        const stranger = loadIdentity(join(work, `${backend.name}-stranger`));
        assert.deepEqual(await ask(signEnvelope(INVENTORY_QUERY_PAYLOAD_TYPE, question(1), stranger.key)), {
          status: 401,
          error: 'unknown-key',
        });
        assert.deepEqual(await ask(signEnvelope(INVENTORY_QUERY_PAYLOAD_TYPE, question(1001), state.key)), {
          status: 422,
          error: 'invalid',
        });
        const ok = await fetch(`${server.url}/api/v1/inventories/missing`, {
          method: 'POST',
          body: JSON.stringify(signed),
        });
        assert.equal(ok.status, 200);
        assert.deepEqual(await ok.json(), {
          missing: [{ digest: digest('a'), inventoryHash: 'f'.repeat(64) }],
        });
      });
    });
});
