// `bulkhead server rematch` is flags -> rematchFromFiles -> one line: a missing vulnerability database is DB_MISSING
// with the way to get one, a damaged one DB_CORRUPT (the CLI's own VulnDbHandle said "no vulnerability database" for
// both), and a good one rematches the store (SQLite here; the PostgreSQL path is test/server/server.test.ts's).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { importFeedPaths } from '../../src/vulndb/manage.js';
import { runBulkhead } from '../harness/cli.js';

const ALPINE = resolve(
  import.meta.dirname,
  '../../../shared/data/vulndb/alpine/fixtures/claircore-v3.10-community.json',
);

describe('bulkhead server rematch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-rematch-cli-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const rematch = (db: string): ReturnType<typeof runBulkhead> =>
    runBulkhead(['server', 'rematch', '--data', join(dir, 'server'), '--db', db]);

  it('names a missing database and how to get one', async () => {
    const r = await rematch(join(dir, 'absent.sqlite'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no vulnerability database at .*absent\.sqlite/);
    assert.match(r.stderr, /bulkhead db update/);
  });

  it('says a damaged database is damaged, not missing', async () => {
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, 'not sqlite at all'.repeat(100));
    const r = await rematch(bad);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.sqlite is not a valid bulkhead vulnerability database/);
  });

  it('rematches the stored inventories against a good database', async () => {
    const good = join(dir, 'good.sqlite');
    await importFeedPaths(good, [ALPINE], { fresh: true, toolVersion: 'test' });
    const r = await rematch(good);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^rematched 0 images in \d+ ms: 0 new, 0 fixed, 0 unchanged\n$/);
  });
});
