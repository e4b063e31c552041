// The event store: batched writes land in one transaction, queries filter by time and container, the
// retention limit trims the oldest rows, and the status row is replaced as a whole.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
