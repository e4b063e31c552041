// `bulkhead watch events` lists watch's events and the network stage's `net_events` of the same SQLite file as one
// time-ordered list, in table, JSON and SARIF, with --since and --container applied to both; a database the network
// stage never wrote still works.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { NetStore, type NetEvent } from '../../src/net/store.js';
import { listEvents } from '../../src/watch/events.js';
import { EventStore, type WatchEvent } from '../../src/watch/store.js';
import { runBulkhead } from '../harness/cli.js';

const NOW = Date.now();
const at = (minutesAgo: number): number => NOW - minutesAgo * 60_000;

const exec = (minutesAgo: number, container: string, ruleId: string | null, path: string): WatchEvent => ({
  time: new Date(at(minutesAgo)).toISOString(),
  kind: 'exec',
  containerId: `${container}${'0'.repeat(20)}`,
  containerName: container,
  imageDigest: `sha256:${'a'.repeat(64)}`,
  pid: 100,
  ppid: 1,
  exe: '/bin/busybox',
  path,
  argv: [path],
  uid: 0,
  verdict: ruleId === null ? 'allowed' : 'alerted',
  ruleId,
  rules: ruleId === null ? [] : [ruleId],
  profileVersion: 1,
  message: ruleId === null ? '' : `${path} is not in the image's process profile`,
  detail: {},
  latencyUs: 1,
});

const net = (
  minutesAgo: number,
  partial: Partial<NetEvent> & Pick<NetEvent, 'kind' | 'verdict' | 'message'>,
): NetEvent => ({
  time: at(minutesAgo),
  ruleId: undefined,
  severity: undefined,
  containerId: undefined,
  container: undefined,
  peer: undefined,
  port: undefined,
  proto: undefined,
  ...partial,
});

const jsonList = z.array(
  z.object({
    source: z.enum(['exec', 'net']),
    time: z.string(),
    containerName: z.string().nullable(),
    kind: z.string(),
  }),
);

describe('watch events merges net_events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-events-'));
  const db = join(dir, 'events.db');
  const execOnly = join(dir, 'exec-only.db');
  const netOnly = join(dir, 'net-only.db');

  before(() => {
    const store = new EventStore(db);
    store.append(exec(50, 'web', 'BH-W-001', '/bin/ls'));
    store.append(exec(20, 'web', null, '/bin/true'));
    store.append(exec(5, 'api', 'BH-W-004', '/bin/sh'));
    store.close();
    const netStore = new NetStore(db);
    netStore.write(
      [],
      [
        net(40, {
          kind: 'flow',
          verdict: 'allowed',
          container: 'api',
          peer: 'web',
          port: 8080,
          proto: 'tcp',
          message: 'new edge api -> web:8080/tcp',
        }),
        net(30, {
          kind: 'denied',
          verdict: 'denied',
          ruleId: 'BH-N-003',
          severity: 'high',
          containerId: `intruder${'0'.repeat(20)}`,
          container: 'intruder',
          peer: 'web',
          port: 8080,
          proto: 'tcp',
          message: 'denied intruder -> web:8080/tcp (inbound to web, not in its profile)',
        }),
        net(10, {
          kind: 'alert',
          verdict: 'alerted',
          ruleId: 'BH-N-001',
          severity: 'medium',
          container: 'api',
          port: 9000,
          proto: 'tcp',
          message: 'api listens on 9000/tcp, not in its profile',
        }),
      ],
    );
    netStore.close();
    const onlyNet = new NetStore(netOnly);
    onlyNet.write(
      [],
      [
        net(3, {
          kind: 'denied',
          verdict: 'denied',
          ruleId: 'BH-N-002',
          container: 'intruder',
          peer: 'web',
          port: 8080,
          proto: 'tcp',
          message: 'denied intruder -> web:8080/tcp',
        }),
      ],
    );
    onlyNet.close();
    const other = new EventStore(execOnly);
    other.append(exec(1, 'web', 'BH-W-001', '/bin/ls'));
    other.close();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('table: both sides in time order, allowed ones only with --all', async () => {
    const r = await runBulkhead(['watch', 'events', '--db', db]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n').slice(1);
    assert.deepEqual(
      lines.map((l) => l.split(/\s{2,}/)[2]),
      ['exec', 'net-denied', 'net-alert', 'exec'],
    );
    assert.match(
      r.stdout,
      /intruder\s+net-denied\s+denied\s+BH-N-003\s+-\s+-\s+denied intruder -> web:8080\/tcp/,
    );
    const all = await runBulkhead(['watch', 'events', '--all', '--db', db]);
    assert.deepEqual(
      all.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s{2,}/)[2]),
      ['exec', 'net-flow', 'net-denied', 'exec', 'net-alert', 'exec'],
    );
  });

  it('listEvents is the one call behind the command: filters, limit and notable-only on both sides', () => {
    const kinds = (list: ReturnType<typeof listEvents>): string[] =>
      list.map((e) => `${e.source}:${e.event.kind}`);
    assert.deepEqual(kinds(listEvents(db, { limit: 1000, all: false })), [
      'exec:exec',
      'net:denied',
      'net:alert',
      'exec:exec',
    ]);
    assert.deepEqual(kinds(listEvents(db, { limit: 2, all: true })), ['net:alert', 'exec:exec']);
    assert.deepEqual(kinds(listEvents(db, { since: new Date(at(15)), limit: 1000, all: true })), [
      'net:alert',
      'exec:exec',
    ]);
    assert.deepEqual(kinds(listEvents(netOnly, { container: 'intruder', limit: 1000, all: false })), [
      'net:denied',
    ]);
  });

  it('json: one array in time order, each item with its source', async () => {
    const r = await runBulkhead(['watch', 'events', '--all', '-f', 'json', '--db', db]);
    const list = jsonList.parse(JSON.parse(r.stdout));
    assert.deepEqual(
      list.map((e) => `${e.source}:${e.kind}`),
      ['exec:exec', 'net:flow', 'net:denied', 'exec:exec', 'net:alert', 'exec:exec'],
    );
    const times = list.map((e) => Date.parse(e.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });

  it('--since and --container apply to both sides', async () => {
    const recent = await runBulkhead(['watch', 'events', '--since', '15m', '-f', 'json', '--db', db]);
    assert.deepEqual(
      jsonList.parse(JSON.parse(recent.stdout)).map((e) => `${e.source}:${e.kind}`),
      ['net:alert', 'exec:exec'],
    );
    const web = await runBulkhead([
      'watch',
      'events',
      '--all',
      '--container',
      'web',
      '-f',
      'json',
      '--db',
      db,
    ]);
    // web's execs, and the network events that name web as the peer (the flow to it, the denial)
    assert.deepEqual(
      jsonList.parse(JSON.parse(web.stdout)).map((e) => `${e.source}:${e.kind}:${e.containerName ?? ''}`),
      ['exec:exec:web', 'net:flow:api', 'net:denied:intruder', 'exec:exec:web'],
    );
    const intruder = await runBulkhead(['watch', 'events', '--container', 'intruder', '--db', db]);
    assert.equal(intruder.stdout.trim().split('\n').length, 2, intruder.stdout);
    const byId = await runBulkhead(['watch', 'events', '--container', 'intruder000', '--db', db]);
    assert.match(byId.stdout, /BH-N-003/);
  });

  it('sarif: a result per rule-decided event of either side', async () => {
    const r = await runBulkhead(['watch', 'events', '-f', 'sarif', '--db', db]);
    const sarif = z
      .object({ runs: z.array(z.object({ results: z.array(z.object({ ruleId: z.string() })) })) })
      .parse(JSON.parse(r.stdout));
    assert.deepEqual(
      sarif.runs[0]?.results.map((x) => x.ruleId),
      ['BH-W-001', 'BH-N-003', 'BH-N-001', 'BH-W-004'],
    );
  });

  it('a database only the network stage wrote lists its events (and watch status says no status yet)', async () => {
    const r = await runBulkhead(['watch', 'events', '--db', netOnly]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /intruder\s+net-denied\s+denied\s+BH-N-002/);
    const status = await runBulkhead(['watch', 'status', '--db', netOnly]);
    assert.equal(status.code, 1, status.stderr);
    assert.match(status.stdout, /has not written a status yet/);
  });

  it('a database the network stage never wrote lists watch events alone', async () => {
    const r = await runBulkhead(['watch', 'events', '--db', execOnly]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /web\s+exec\s+alerted\s+BH-W-001/);
  });
});
