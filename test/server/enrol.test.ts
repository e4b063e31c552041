// Enrolment tokens of N uses with an expiry, through the HTTP API on embedded SQLite and a real PostgreSQL (initdb'd
// here): each use enrols one distinct key, the same key again burns none, an exhausted or expired token is a 401
// with its own code and leaves no row; parallel enrolments racing for the last uses on PostgreSQL never overshoot.
// `server token create` checks --uses/--expires (exit 2); `server token list` shows what is left, never a secret.
import { strict as assert } from 'node:assert';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createEnrolmentToken, hashToken, revokeEnrolmentToken } from '../../src/server/access.js';
import { migrateTo } from '../../src/server/migrations.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import type { StoreLocation } from '../../src/server/store.js';
import { keyIdOf, REPORT_PAYLOAD_TYPE, signEnvelope } from '../../src/shared/dsse.js';
import { REPORT_SCHEMA, type FleetReport } from '../../src/shared/fleet-report.js';
import { runBulkhead } from '../harness/cli.js';
import { startPostgres, type Postgres } from '../harness/postgres.js';

const newKey = (): string =>
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** POSTs a minimal report signed by `privateKey` (what an enrolled agent sends); answers the HTTP status. */
async function report(url: string, privateKey: KeyObject, name: string): Promise<number> {
  const body: FleetReport = {
    schema: REPORT_SCHEMA,
    agentVersion: 'test',
    createdAt: new Date().toISOString(),
    host: { name, labels: {} },
    audit: { findings: [] },
    containers: [],
    images: [],
    authz: [],
    events: [],
  };
  const response = await fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(body)), privateKey)),
  });
  await response.arrayBuffer();
  return response.status;
}

interface Answer {
  readonly status: number;
  readonly body: { hostId?: string; error?: string; message?: string };
}

async function enrol(url: string, token: string, publicKey: string, name: string): Promise<Answer> {
  const response = await fetch(`${url}/api/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, publicKey, name, labels: {} }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function count(server: RunningServer, table: 'hosts' | 'enrolment_token_uses'): Promise<number> {
  const row = await server.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function usedOf(server: RunningServer, token: string): Promise<number> {
  const row = await server.store.db
    .selectFrom('enrolment_tokens')
    .select('used')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirstOrThrow();
  return row.used;
}

describe('enrolment tokens with uses and an expiry', () => {
  let work: string;
  let pg: Postgres;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulkhead-enrol-'));
    pg = await startPostgres();
  });
  after(async () => {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const backends: { name: string; location: () => StoreLocation }[] = [
    { name: 'SQLite', location: () => ({ kind: 'sqlite', dir: join(work, 'server') }) },
    { name: 'PostgreSQL', location: () => ({ kind: 'postgres', url: pg.url }) },
  ];

  for (const backend of backends) {
    describe(`on ${backend.name}`, () => {
      let server: RunningServer;
      before(async () => {
        server = await startServer({
          listen: '127.0.0.1:0',
          location: backend.location(),
          vulndbPath: join(work, 'none.sqlite'),
          watchMs: 3_600_000,
        });
      });
      after(async () => {
        await server.close();
      });

      it('enrols one distinct key per use; the same key again burns no use; then refuses with token-used', async () => {
        const { token } = await createEnrolmentToken(server.store.db, undefined, { pool: 'a' }, { uses: 2 });
        const hostsBefore = await count(server, 'hosts');
        const [a, b, c] = [newKey(), newKey(), newKey()];
        const first = await enrol(server.url, token, a, 'node-a');
        assert.equal(first.status, 201, JSON.stringify(first.body));
        const again = await enrol(server.url, token, a, 'node-a');
        assert.equal(again.status, 201, JSON.stringify(again.body));
        assert.equal(again.body.hostId, first.body.hostId);
        assert.equal(await usedOf(server, token), 1);
        const second = await enrol(server.url, token, b, 'node-b');
        assert.equal(second.status, 201, JSON.stringify(second.body));
        assert.notEqual(second.body.hostId, first.body.hostId);
        const third = await enrol(server.url, token, c, 'node-c');
        assert.equal(third.status, 401);
        assert.equal(third.body.error, 'token-used');
        assert.match(third.body.message ?? '', /used by 2 agents, all it allows.*--uses N/);
        // still idempotent for a key it enrolled, after it is used up
        assert.equal((await enrol(server.url, token, b, 'node-b')).status, 201);
        assert.equal(await usedOf(server, token), 2);
        assert.equal((await count(server, 'hosts')) - hostsBefore, 2);
      });

      it('a one-time token (the default) enrols one key and says so to the second', async () => {
        const { token, uses } = await createEnrolmentToken(server.store.db, undefined, {});
        assert.equal(uses, 1);
        assert.equal((await enrol(server.url, token, newKey(), 'one')).status, 201);
        const refused = await enrol(server.url, token, newKey(), 'two');
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error, 'token-used');
        assert.match(refused.body.message ?? '', /already used/);
      });

      it('refuses an expired token with token-expired and writes no row', async () => {
        const { token, expiresAt } = await createEnrolmentToken(
          server.store.db,
          undefined,
          {},
          { uses: 5, ttlMs: 3_600_000, now: new Date(Date.now() - 2 * 3_600_000) },
        );
        const [hosts, uses] = [await count(server, 'hosts'), await count(server, 'enrolment_token_uses')];
        const refused = await enrol(server.url, token, newKey(), 'late');
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error, 'token-expired');
        assert.match(refused.body.message ?? '', new RegExp(`expired at ${expiresAt.replace(/\./g, '\\.')}`));
        assert.equal(await count(server, 'hosts'), hosts);
        assert.equal(await count(server, 'enrolment_token_uses'), uses);
        assert.equal(await usedOf(server, token), 0);
      });

      it('a revoked token is refused with token-revoked and writes no row; a host it enrolled still reports', async () => {
        const { token, id } = await createEnrolmentToken(server.store.db, undefined, {}, { uses: 100 });
        const enrolled = generateKeyPairSync('ed25519');
        const enrolledPem = enrolled.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        assert.equal((await enrol(server.url, token, enrolledPem, 'before')).status, 201);
        assert.equal(await report(server.url, enrolled.privateKey, 'before'), 201);

        const first = await revokeEnrolmentToken(server.store.db, id);
        assert.equal(first.already, false);
        const again = await revokeEnrolmentToken(server.store.db, id);
        assert.deepEqual(again, { revokedAt: first.revokedAt, already: true });

        const [hosts, uses] = [await count(server, 'hosts'), await count(server, 'enrolment_token_uses')];
        const refused = await enrol(server.url, token, newKey(), 'after');
        assert.equal(refused.status, 401, JSON.stringify(refused.body));
        assert.equal(refused.body.error, 'token-revoked');
        assert.match(
          refused.body.message ?? '',
          new RegExp(`revoked at ${first.revokedAt.replace(/\./g, '\\.')}`),
        );
        // the key it enrolled re-enrolling is refused too (its agent keeps its enrolment.json and never needs to)
        assert.equal((await enrol(server.url, token, enrolledPem, 'before')).body.error, 'token-revoked');
        assert.equal(await count(server, 'hosts'), hosts);
        assert.equal(await count(server, 'enrolment_token_uses'), uses);
        assert.equal(await usedOf(server, token), 1);
        // the host enrolled before the revocation stays enrolled: its next report is stored
        assert.equal(await report(server.url, enrolled.privateKey, 'before'), 201);
      });

      it('revoking an unknown id is a usage error naming it', async () => {
        await assert.rejects(
          revokeEnrolmentToken(server.store.db, 'no-such-id'),
          /no enrolment token has id no-such-id/,
        );
      });

      it('parallel enrolments never take more uses than the token has', async () => {
        // rounds of a two-use token with six keys at once, and a one-use token with two keys at once (the last use)
        for (const [uses, keys] of [
          [2, 6],
          [1, 2],
          [1, 2],
          [1, 2],
          [3, 12],
        ] as const) {
          const { token } = await createEnrolmentToken(server.store.db, undefined, {}, { uses });
          const hosts = await count(server, 'hosts');
          const answers = await Promise.all(
            Array.from({ length: keys }, (_, i) => enrol(server.url, token, newKey(), `race-${i}`)),
          );
          const ok = answers.filter((a) => a.status === 201);
          assert.equal(ok.length, uses, JSON.stringify(answers.map((a) => [a.status, a.body.error])));
          assert.equal(new Set(ok.map((a) => a.body.hostId)).size, uses);
          assert.ok(
            answers.every((a) => a.status === 201 || (a.status === 401 && a.body.error === 'token-used')),
          );
          assert.equal(await usedOf(server, token), uses);
          assert.equal((await count(server, 'hosts')) - hosts, uses);
        }
      });

      it('the same key enrolling twice at once takes one use', async () => {
        const { token } = await createEnrolmentToken(server.store.db, undefined, {}, { uses: 3 });
        const key = newKey();
        const answers = await Promise.all([1, 2, 3, 4].map(() => enrol(server.url, token, key, 'twin')));
        assert.deepEqual(
          answers.map((a) => a.status),
          [201, 201, 201, 201],
        );
        assert.equal(new Set(answers.map((a) => a.body.hostId)).size, 1);
        assert.equal(await usedOf(server, token), 1);
      });
    });
  }
});

describe('migration 0005 over tokens made before it', () => {
  let work: string;
  let pgOld: Postgres;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulkhead-enrol-old-'));
    pgOld = await startPostgres();
  });
  after(async () => {
    await pgOld.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const backends: { name: string; old: () => Kysely<unknown>; location: () => StoreLocation }[] = [
    {
      name: 'SQLite',
      old: () =>
        new Kysely<unknown>({
          dialect: new SqliteDialect({
            database: new Database(join(work, 'server', 'bulkhead-server.sqlite')),
          }),
        }),
      location: () => ({ kind: 'sqlite', dir: join(work, 'server') }),
    },
    {
      name: 'PostgreSQL',
      old: () =>
        new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgOld.url, max: 1 }) }),
        }),
      location: () => ({ kind: 'postgres', url: pgOld.url }),
    },
  ];

  for (const backend of backends)
    it(`on ${backend.name}: a used token keeps its host as its one use; an unused one keeps one use, no expiry`, async () => {
      mkdirSync(join(work, 'server'), { recursive: true });
      const old = backend.old();
      await migrateTo(old, '0004-cve-indexes');
      const [oldKey, key] = [newKey(), newKey()];
      const oldHost = keyIdOf(createPublicKey(oldKey));
      const [usedToken, freshToken] = ['bhe_old_used', 'bhe_old_fresh'];
      await sql`insert into hosts (id, name, labels, public_key, enrolled_at, audit_counts)
        values (${oldHost}, 'old-host', '{}', ${oldKey}, '2026-01-01T00:00:00.000Z', '{}')`.execute(old);
      await sql`insert into enrolment_tokens (id, token_hash, tenant_id, labels, created_at, used_at, used_by)
        values ('t-used', ${hashToken(usedToken)}, null, '{}', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', ${oldHost}),
               ('t-fresh', ${hashToken(freshToken)}, null, '{}', '2026-01-01T00:00:00.000Z', null, null)`.execute(
        old,
      );
      await old.destroy();

      const server = await startServer({
        listen: '127.0.0.1:0',
        location: backend.location(),
        vulndbPath: join(work, 'none.sqlite'),
        watchMs: 3_600_000,
      });
      try {
        const rows = await server.store.db
          .selectFrom('enrolment_tokens')
          .select(['id', 'uses', 'used', 'expires_at'])
          .orderBy('id')
          .execute();
        assert.deepEqual(rows, [
          { id: 't-fresh', uses: 1, used: 0, expires_at: null },
          { id: 't-used', uses: 1, used: 1, expires_at: null },
        ]);
        assert.deepEqual(
          await server.store.db.selectFrom('enrolment_token_uses').select(['token_id', 'host_id']).execute(),
          [{ token_id: 't-used', host_id: oldHost }],
        );
        // the used token: its host again is idempotent, another key is refused
        const again = await enrol(server.url, usedToken, oldKey, 'old-host');
        assert.equal(again.status, 201, JSON.stringify(again.body));
        assert.equal(again.body.hostId, oldHost);
        assert.equal((await enrol(server.url, usedToken, key, 'new')).body.error, 'token-used');
        // the unused one: one use, no expiry
        assert.equal((await enrol(server.url, freshToken, key, 'new')).status, 201);
        assert.equal((await enrol(server.url, freshToken, newKey(), 'other')).body.error, 'token-used');
      } finally {
        await server.close();
      }
    });
});

describe('bulkhead server token create / list', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'bulkhead-token-cli-'));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('checks --uses and --expires (exit 2, naming the flag)', async () => {
    const data = join(work, 'bad');
    for (const [flags, message] of [
      [['--uses', '0'], /--uses must be a whole number from 1 to 100000, got 0/],
      [['--uses', '2.5'], /--uses must be a whole number from 1 to 100000, got 2\.5/],
      [['--uses', 'many'], /--uses must be a whole number/],
      [['--uses', '100001'], /--uses must be a whole number from 1 to 100000/],
      [['--expires', 'tomorrow'], /--expires must be a whole number and a unit/],
      [['--expires', '0s'], /--expires must be a whole number and a unit/],
      [['--expires', '500ms'], /--expires must be from 1s to 366d, got 500ms/],
      [['--expires', '367d'], /--expires must be from 1s to 366d, got 367d/],
    ] as const) {
      const r = await runBulkhead(['server', 'token', 'create', '--data', data, ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  it('prints the token alone on stdout, and lists tokens with uses left and expiry, never the token', async () => {
    const data = join(work, 'ok');
    const before = Date.now();
    const fleet = await runBulkhead([
      'server',
      'token',
      'create',
      '--data',
      data,
      '--labels',
      'env=prod',
      '--uses',
      '40',
      '--expires',
      '2h',
    ]);
    assert.equal(fleet.code, 0, fleet.stderr);
    assert.match(fleet.stdout, /^bhe_[A-Za-z0-9_-]{43}\n$/);
    const stated = /enrolment token ([0-9a-f-]{36}): 40 uses, expires (\S+)\n/.exec(fleet.stderr);
    assert.ok(stated !== null, fleet.stderr);
    const expires = Date.parse(stated[2] ?? '');
    assert.ok(expires >= before + 2 * 3_600_000 && expires <= Date.now() + 2 * 3_600_000, stated[2]);
    const single = await runBulkhead(['server', 'token', 'create', '--data', data]);
    assert.equal(single.code, 0, single.stderr);
    assert.match(single.stderr, /: 1 use, expires /);

    const list = await runBulkhead(['server', 'token', 'list', '--data', data]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+TENANT\s+LABELS\s+USES LEFT\s+EXPIRES\s+STATE$/);
    assert.equal(lines.length, 3);
    const row = lines.find((l) => l.startsWith(stated[1] ?? '?'));
    assert.match(row ?? '', new RegExp(`\\s+-\\s+env=prod\\s+40/40\\s+${stated[2] ?? ''}\\s+valid$`));
    for (const secret of [fleet.stdout.trim(), single.stdout.trim()]) {
      assert.ok(!list.stdout.includes(secret));
      assert.ok(!list.stdout.includes(hashToken(secret)));
    }
    const json = await runBulkhead(['server', 'token', 'list', '--data', data, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { id: string; uses: number; left: number; state: string }[];
    assert.deepEqual(parsed.map((t) => [t.uses, t.left, t.state]).sort(), [
      [1, 1, 'valid'],
      [40, 40, 'valid'],
    ]);
    assert.ok(!json.stdout.includes(fleet.stdout.trim()));
  });

  it('revoke: the token lists as revoked; twice says already revoked (exit 0); an unknown id exits 2 naming it', async () => {
    const data = join(work, 'revoke');
    const created = await runBulkhead(['server', 'token', 'create', '--data', data, '--uses', '5']);
    assert.equal(created.code, 0, created.stderr);
    const id = /enrolment token ([0-9a-f-]{36}):/.exec(created.stderr)?.[1] ?? '?';
    const revoked = await runBulkhead(['server', 'token', 'revoke', id, '--data', data]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(
      revoked.stdout,
      new RegExp(`enrolment token ${id} revoked at \\S+; hosts it enrolled stay enrolled\n$`),
    );
    const twice = await runBulkhead(['server', 'token', 'revoke', id, '--data', data]);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, new RegExp(`enrolment token ${id} was already revoked at `));
    const list = await runBulkhead(['server', 'token', 'list', '--data', data]);
    assert.match(list.stdout, new RegExp(`^${id}\\s+-\\s+-\\s+5/5\\s+\\S+\\s+revoked$`, 'm'));
    const json = await runBulkhead(['server', 'token', 'list', '--data', data, '--json']);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { state: string }[]).map((t) => t.state),
      ['revoked'],
    );
    const unknown = await runBulkhead(['server', 'token', 'revoke', 'f00-no-such', '--data', data]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /no enrolment token has id f00-no-such/);
    assert.equal(unknown.stdout, '');
  });
});
