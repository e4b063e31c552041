// Watch events from agent to dashboard: a real watch event database written by src/watch's EventStore, `bulkhead
// agent` runs (in-process CLI) against a real server on SQLite; every event arrives exactly once across runs, batch
// limits and an outbox held while the server was unreachable; the API and the runtime-events page show them; pruned by age.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createEnrolmentToken, createTenant } from '../../src/server/access.js';
import { pruneOld } from '../../src/server/ingest.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { EventStore, type WatchEvent } from '../../src/watch/store.js';
import { runBulkhead } from '../harness/cli.js';
import { apiGet, FIXTURE_HOSTS } from '../harness/fleet.js';

const eventsAnswer = z.object({
  events: z.array(
    z.object({
      host: z.string(),
      at: z.string(),
      kind: z.string(),
      container: z.string(),
      detail: z.string(),
    }),
  ),
});

function event(n: number, time: Date): WatchEvent {
  return {
    time: time.toISOString(),
    kind: 'exec',
    containerId: 'c'.repeat(64),
    containerName: 'web',
    imageDigest: `sha256:${'a'.repeat(64)}`,
    pid: 1000 + n,
    ppid: 1,
    exe: '/bin/sh',
    path: `/tmp/tool-${n}`,
    argv: ['/tmp/tool', String(n)],
    uid: 0,
    verdict: n % 2 === 0 ? 'alerted' : 'killed',
    ruleId: 'BH-W-003',
    rules: ['BH-W-003'],
    profileVersion: 1,
    message: `exec from a writable path #${n}`,
    detail: { parentExe: '/usr/bin/node' },
    latencyUs: 12,
  };
}

describe('agent ships watch events', () => {
  const work = mkdtempSync(join(tmpdir(), 'bh-agent-watch-'));
  const watchDb = join(work, 'watch', 'events.db');
  const stateDir = join(work, 'agent');
  let server: RunningServer;
  let apiToken: string;
  let enrolToken: string;
  let store: EventStore;
  const started = Date.now() - 3_600_000;
  let written = 0;
  const write = (n: number): void => {
    for (let i = 0; i < n; i += 1) {
      store.append(event(written, new Date(started + written * 1000)));
      written += 1;
    }
    store.flush();
  };
  const agent = (url: string, extra: readonly string[] = []): ReturnType<typeof runBulkhead> =>
    runBulkhead([
      'agent',
      '--server',
      url,
      '--token',
      enrolToken,
      '--once',
      '--root',
      join(FIXTURE_HOSTS, 'hardened'),
      '-H',
      `unix://${join(work, 'no-docker.sock')}`,
      '--state',
      stateDir,
      '--name',
      'watched',
      '--watch-db',
      watchDb,
      ...extra,
    ]);
  const shipped = async (): Promise<z.infer<typeof eventsAnswer>['events']> =>
    eventsAnswer.parse((await apiGet(`${server.url}/api/v1/events?kind=exec`, apiToken)).json).events;

  before(async () => {
    server = await startServer({
      listen: '127.0.0.1:0',
      location: { kind: 'sqlite', dir: join(work, 'server') },
      vulndbPath: join(work, 'none.sqlite'),
      watchMs: 3_600_000,
    });
    apiToken = (await createTenant(server.store.db, 'ops', [{}])).token;
    enrolToken = (await createEnrolmentToken(server.store.db, undefined, {})).token;
    store = new EventStore(watchDb);
  });
  after(async () => {
    store.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('sends each event once across runs, batches and an outbox kept while the server was down', async () => {
    write(5);
    const first = await agent(server.url);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /5 watch events; delivered 1/);
    assert.equal((await shipped()).length, 5);

    // nothing new: the cursor keeps the next report empty
    const second = await agent(server.url);
    assert.match(second.stdout, /0 watch events; delivered 1/);

    // the server is unreachable: the events go into the outbox report and the cursor moves past them
    write(3);
    const down = await agent('http://127.0.0.1:9');
    assert.equal(down.code, 2);
    assert.match(down.stdout, /3 watch events; delivered 0/);

    // back up, with more events than one report may carry: the outbox goes first, the rest waits for the next run
    write(4);
    const back = await agent(server.url, ['--watch-batch', '3']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /3 watch events; delivered 2/);
    assert.match(back.stderr, /more watch events than one report carries \(3\)/);
    const last = await agent(server.url, ['--watch-batch', '3']);
    assert.match(last.stdout, /1 watch events; delivered 1/);

    const events = await shipped();
    assert.equal(events.length, written);
    const paths = events.map((e) => z.object({ path: z.string() }).parse(JSON.parse(e.detail)).path);
    assert.deepEqual(
      [...paths].sort(),
      Array.from({ length: written }, (_, i) => `/tmp/tool-${i}`).sort(),
      'every event exactly once',
    );
    const one = events[0];
    assert.ok(one !== undefined);
    assert.equal(one.host, 'watched');
    assert.equal(one.container, 'web');
    assert.match(one.detail, /"rule":"BH-W-003"/);
    assert.match(one.detail, /"verdict":"(alerted|killed)"/);

    // a report re-sent with the same events (a crash before the cursor was saved) adds no second row
    rmSync(join(stateDir, 'watch-cursor.json'));
    const resent = await agent(server.url, ['--watch-batch', '50000']);
    assert.match(resent.stdout, new RegExp(`${written} watch events; delivered 1`));
    assert.equal((await shipped()).length, written);
  });

  it('shows them on the runtime-events page and prunes them by age', async () => {
    const page = await fetch(`${server.url}/events?kind=exec`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Runtime events/);
    assert.match(html, /watched/);
    assert.match(html, /tool-11/);
    assert.match(html, /BH-W-003/);
    // 30-day retention as the server's daily prune runs it, 30 days and 5.5 s after the first event (one a second)
    const pruned = await pruneOld(server.store.db, 30, new Date(started + 30 * 86_400_000 + 5_500));
    assert.equal(pruned, 6);
    assert.equal((await shipped()).length, written - 6);
  });
});
