// The `bulkhead db` driver (src/vulndb/manage.ts) as a library: import returns its report with the metadata of the
// database it left, an input without feeds is INPUT_INVALID, status reads metadata and releases after SQLite's
// quick_check and says DB_CORRUPT for a damaged file — what cli/commands/db.ts did itself before.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulkheadError } from '../../src/shared/errors.js';
import { openVulnDb } from '../../src/vulndb/db.js';
import { importFeedPaths, readDbStatus } from '../../src/vulndb/manage.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/vulndb');
const ALPINE = join(DATA, 'alpine/fixtures/claircore-v3.10-community.json');

describe('db driver', () => {
  const work = mkdtempSync(join(tmpdir(), 'bh-db-manage-'));
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('imports feed files and returns the report with the new database metadata', async () => {
    const path = join(work, 'a.sqlite');
    const { report, metadata } = await importFeedPaths(path, [ALPINE], { fresh: true, toolVersion: 'test' });
    assert.equal(report.sources.length, 1);
    assert.ok(metadata.advisories > 0);
    const db = openVulnDb(path);
    assert.deepEqual(db.metadata(), metadata);
    db.close();
    const status = readDbStatus(path);
    assert.deepEqual(status.metadata, metadata);
    assert.ok(status.releases.some((r) => r.ecosystem === 'alpine' && r.advisories > 0));
  });

  it('refuses an input that holds no feed', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await assert.rejects(
      importFeedPaths(join(work, 'b.sqlite'), [empty], { fresh: true, toolVersion: 'test' }),
      (e: unknown) =>
        e instanceof BulkheadError &&
        e.code === 'INPUT_INVALID' &&
        e.message.includes('no vulnerability feed'),
    );
  });

  it('says DB_CORRUPT for a database whose pages are damaged', async () => {
    const path = join(work, 'c.sqlite');
    await importFeedPaths(path, [ALPINE], { fresh: true, toolVersion: 'test' });
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    // leave the first pages (header, schema) readable, overwrite a later b-tree page
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 4096 / 2) * 4096);
    closeSync(fd);
    assert.throws(
      () => readDbStatus(path),
      (e: unknown) => e instanceof BulkheadError && e.code === 'DB_CORRUPT',
    );
  });
});
