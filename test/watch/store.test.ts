// The event store: batched writes land in one transaction, queries filter by time and container, the
// retention limit trims the oldest rows, and the status row is replaced as a whole.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EventStore, type WatchEvent } from '../../src/watch/store.js';

const event = (i: number, container: string): WatchEvent => ({
  time: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
  kind: 'exec',
  containerId: `${container}-id`,
  containerName: container,
  imageDigest: null,
  pid: 100 + i,
  ppid: 1,
  exe: '/bin/busybox',
  path: '/bin/true',
  argv: ['/bin/true', String(i)],
  uid: 0,
  verdict: 'allowed',
  ruleId: null,
  rules: [],
  profileVersion: null,
  message: '',
  detail: { n: i },
  latencyUs: 5,
});

describe('EventStore', () => {
  it('checkpoints the WAL on its own thread, not after a commit on the writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-store-ckpt-'));
    const file = join(dir, 'events.db');
    try {
      const store = new EventStore(file);
      const empty = statSync(file).size;
      // ~2 MB of rows: under SQLite's automatic threshold (1,000 pages), so only the checkpoint thread copies
      // them into the database file while the writer is idle
      for (let i = 0; i < 5000; i += 1) store.append(event(i % 60, 'a'));
      store.flush();
      assert.ok(statSync(`${file}-wal`).size > 1_000_000, 'the rows are in the WAL');
      // a complete checkpoint leaves the database file at the size of the latest snapshot
      const checkpointed = async (): Promise<number> => {
        const reader = new Database(file, { readonly: true });
        const full =
          Number(reader.pragma('page_count', { simple: true })) *
          Number(reader.pragma('page_size', { simple: true }));
        reader.close();
        const deadline = Date.now() + 10_000;
        while (statSync(file).size < full && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        assert.ok(statSync(file).size >= full, `database file ${statSync(file).size} of ${full} bytes`);
        return full;
      };
      assert.ok((await checkpointed()) > empty + 1_000_000);
      // the next writes start the WAL over (everything in it is in the database now), so it does not grow; a
      // write that meets the checkpoint thread's next run appends instead, and the one after it starts over
      let reused = false;
      for (let attempt = 0; attempt < 5 && !reused; attempt += 1) {
        if (attempt > 0) await checkpointed();
        const walSize = statSync(`${file}-wal`).size;
        for (let i = 0; i < 2000; i += 1) store.append(event(i % 60, 'b'));
        store.flush();
        reused = statSync(`${file}-wal`).size === walSize;
      }
      assert.ok(reused, 'the WAL was started over');
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes batches, filters, trims to the retention limit, keeps status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-store-'));
    try {
      const store = new EventStore(join(dir, 'events.db'), { retentionRows: 1500 });
      const committed: number[] = [];
      store.onCommit((batch) => committed.push(batch.length));
      for (let i = 0; i < 2000; i += 1) store.append(event(i % 60, i % 2 === 0 ? 'a' : 'b'));
      assert.equal(store.count(), 0, 'nothing written before the turn ends');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(committed, [2000]);
      assert.equal(store.count(), 1500);
      const onlyA = store.query({ container: 'a', since: new Date(Date.UTC(2026, 11, 1, 10, 0, 30)) });
      assert.ok(
        onlyA.length > 0 && onlyA.every((e) => e.containerName === 'a' && e.time >= '2026-12-01T10:00:30'),
      );
      assert.deepEqual(onlyA[0]?.detail, { n: Number(onlyA[0]?.argv[1]) });
      store.writeStatus({ watched: 1 });
      store.writeStatus({ watched: 2 });
      assert.deepEqual(store.readStatus()?.body, { watched: 2 });
      store.close();
      const reader = new EventStore(join(dir, 'events.db'), { readonly: true });
      assert.equal(reader.count(), 1500);
      reader.close();
      assert.throws(
        () => new EventStore(join(dir, 'none.db'), { readonly: true }),
        /start `bulkhead watch` first|cannot open/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
