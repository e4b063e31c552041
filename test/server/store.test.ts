// The PostgreSQL store (src/server/store.ts) against a real PostgreSQL that goes away: idle pool connections the
// database terminates (a restart, a fast shutdown) must not end the server process with an unhandled 'error'.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/server/store.js';
import { startPostgres } from '../harness/postgres.js';

describe('PostgreSQL store', () => {
  it('outlives PostgreSQL terminating its idle connections', async () => {
    const pg = await startPostgres();
    const store = await openStore({ kind: 'postgres', url: pg.url });
    let uncaught: unknown;
    const record = (error: unknown): void => {
      uncaught = error;
    };
    // node:test would report the error too; recording it here makes the failure say what happened
    process.prependOnceListener('uncaughtException', record);
    try {
      // three connections busy at once, then idle in the pool
      await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db)));
      await pg.stop(); // fast shutdown: PostgreSQL terminates the idle connections
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(uncaught, undefined, `the pool's error escaped: ${String(uncaught)}`);
    } finally {
      process.off('uncaughtException', record);
      await store.close().catch(() => undefined);
    }
  });
});
