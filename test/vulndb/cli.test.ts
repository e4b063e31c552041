// `bulkhead db update|import|status` as users run them: feeds served from ../shared/data/vulndb by a local HTTP
// server on 127.0.0.1, atomic replacement (a failed update keeps the old database byte for byte), status output.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { runCli } from '../../src/cli/main.js';
import { DEFAULT_FEEDS, downloadFeed, resolveFeeds, updateVulnDb } from '../../src/vulndb/update.js';
import { runBulkhead } from '../harness/cli.js';
import { SHARED_VULNDB, startFeedServer, type FeedServer } from '../harness/feed-server.js';

const work = mkdtempSync(join(tmpdir(), 'bh-db-cli-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const statusSchema = z.object({
  path: z.string(),
  schemaVersion: z.number(),
  advisories: z.number(),
  vulnerabilities: z.number(),
  sources: z.array(
    z.object({ name: z.string(), location: z.string(), records: z.number(), skipped: z.number() }),
  ),
  releases: z.array(z.object({ ecosystem: z.string(), release: z.string(), advisories: z.number() })),
});

describe('bulkhead db update over local HTTP', () => {
  let server: FeedServer;
  let faults = new Map<string, number | 'truncate'>();
  before(async () => {
    server = await startFeedServer({ fault: (path) => faults.get(path) });
  });
  after(async () => {
    await server.close();
  });

  const sources = (): string[] => [
    '--source',
    `debian=${server.url}/debian/bookworm-derived.json`,
    '--source',
    `debian=${server.url}/debian/security-tracker/data/DSA/list`,
    '--source',
    `debian=${server.url}/debian/debian-security-support/security-support-ended.deb12`,
    '--source',
    `alpine=${server.url}/alpine/secdb-legacy-json-derived/v3.9/main.json`,
    '--source',
    `alpine=${server.url}/alpine/secdb-legacy-yaml/v3.10/main.yaml`,
    '--source',
    `osv=${server.url}/osv/debian/DSA-3029-1.json`,
    '--source',
    `osv=${server.url}/osv/ubuntu/vunnel-UBUNTU-CVE-2021-3782.json`,
    '--source',
    `redhat=${server.url}/redhat/vex/cve-2024-24786-illegal-module.json`,
  ];

  it('downloads every configured feed, builds the database and reports each source', async () => {
    const db = join(work, 'update.sqlite');
    const r = await runBulkhead(['db', 'update', '--db', db, ...sources()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^updated .*update\.sqlite \(.*\): \d+ advisories/);
    assert.match(r.stdout, /debian-tracker:bookworm-derived\s+debian-tracker\s+123\s+0/);
    assert.match(r.stdout, /alpine-secdb:3\.9\/main/);
    assert.match(r.stdout, /alpine-secdb:3\.10\/main/);
    assert.match(r.stdout, /debian-support-ended-bookworm/);
    assert.match(r.stdout, /\bosv\s+osv\s+2\b/);
    assert.match(r.stdout, /\bredhat-csaf\s+redhat-csaf\s+1\b/);
    // not a TTY: one plain line per download on stderr, no progress bar escapes
    assert.match(r.stderr, /fetched http:\/\/127\.0\.0\.1:\d+\/debian\/bookworm-derived\.json/);
    assert.equal(r.stderr.includes('\u001b['), false);
    assert.ok(server.requests.includes('/alpine/secdb-legacy-yaml/v3.10/main.yaml'));
    const status = await runBulkhead(['db', 'status', '--db', db, '--json']);
    assert.equal(status.code, 0);
    const meta = statusSchema.parse(JSON.parse(status.stdout));
    assert.equal(meta.schemaVersion, 3);
    assert.deepEqual(
      meta.releases
        .filter((x) => x.advisories > 0 && x.ecosystem !== 'debian-advisory')
        .map((x) => `${x.ecosystem}:${x.release}`)
        .sort(),
      [
        'alpine:3.10',
        'alpine:3.9',
        'debian:bookworm',
        'debian:wheezy',
        'redhat:cpe:/o:redhat:enterprise_linux:8',
        'ubuntu:18.04',
        'ubuntu:20.04',
        'ubuntu:22.04',
        'ubuntu:pro-16.04',
      ],
    );
    assert.ok(meta.sources.every((s) => s.location.startsWith(server.url)));
  });

  it('skips an optional feed (a default Alpine branch) that answers 404, and fails a required one', async () => {
    const skipped: string[] = [];
    const url = `${server.url}/alpine/secdb/v9.99/main.json`;
    const data = await downloadFeed(
      { group: 'alpine', url, optional: true },
      { toolVersion: 't', onSkip: (u) => skipped.push(u) },
    );
    assert.equal(data, undefined);
    assert.deepEqual(skipped, [url]);
    await assert.rejects(
      downloadFeed({ group: 'alpine', url, optional: false }, { toolVersion: 't' }),
      /HTTP 404/,
    );
  });

  it('an optional feed that answers with something else (a login page) is skipped; required feeds still import', async () => {
    const skipped: string[] = [];
    const report = await updateVulnDb(
      join(work, 'optional.sqlite'),
      [
        { group: 'debian', url: `${server.url}/debian/bookworm-derived.json`, optional: false },
        { group: 'debian', url: `${server.url}/SOURCES.md`, optional: true },
      ],
      { toolVersion: 't', onSkip: (u, why) => skipped.push(`${u}: ${why}`) },
    );
    assert.deepEqual(
      report.sources.map((x) => x.name),
      ['debian-tracker:bookworm-derived'],
    );
    assert.equal(skipped.length, 1);
    assert.match(skipped[0] ?? '', /SOURCES\.md: .*not a vulnerability feed/);
  });

  it('draws progress bars on stderr when it is a terminal', async () => {
    let stderr = '';
    let stdout = '';
    const code = await runCli(
      ['node', 'bulkhead', 'db', 'update', '--db', join(work, 'tty.sqlite'), ...sources()],
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        isTTY: true,
        env: process.env,
        cwd: process.cwd(),
      },
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /bookworm-derived\.json\s+\[[█░]+\] 100% 46\.0 KiB/);
    assert.ok(stderr.includes('\u001b['), 'terminal escapes redraw the bars');
    assert.match(stdout, /^updated /);
  });

  it('--quiet prints nothing on stderr; --only limits the groups fetched', async () => {
    const db = join(work, 'only.sqlite');
    const before = server.requests.length;
    const r = await runBulkhead(['db', 'update', '--db', db, '--quiet', '--only', 'alpine', ...sources()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(server.requests.slice(before), [
      '/alpine/secdb-legacy-json-derived/v3.9/main.json',
      '/alpine/secdb-legacy-yaml/v3.10/main.yaml',
    ]);
  });

  for (const row of [
    ['an HTTP 500', '/alpine/secdb-legacy-yaml/v3.10/main.yaml', 500, /HTTP 500/],
    [
      'a truncated download',
      '/debian/bookworm-derived.json',
      'truncate',
      /truncated|terminated|closed|other side/i,
    ],
    ['a missing feed (404)', '/osv/debian/DSA-3029-1.json', 404, /HTTP 404/],
  ] as const) {
    const [label, path, fault, message] = [row[0], row[1], row[2], row[3]];
    it(`a failed update (${label}) exits 2 and keeps the old database intact`, async () => {
      const db = join(work, `keep-${label.replace(/\W+/g, '-')}.sqlite`);
      const first = await runBulkhead(['db', 'update', '--db', db, '--quiet', ...sources()]);
      assert.equal(first.code, 0, first.stderr);
      const digest = sha(db);
      faults = new Map([[path, fault]]);
      try {
        const r = await runBulkhead(['db', 'update', '--db', db, '--quiet', ...sources()]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /bulkhead: cannot download http:\/\/127\.0\.0\.1/);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /existing database was kept/);
      } finally {
        faults = new Map();
      }
      assert.equal(sha(db), digest);
      assert.deepEqual(
        readdirSync(work).filter((f) => f.endsWith('.tmp')),
        [],
      );
      assert.equal((await runBulkhead(['db', 'status', '--db', db])).code, 0);
    });
  }

  it('a feed that is not a feed (an HTML error page, a README) fails the update and keeps the old database', async () => {
    const db = join(work, 'notfeed.sqlite');
    assert.equal((await runBulkhead(['db', 'update', '--db', db, '--quiet', ...sources()])).code, 0);
    const digest = sha(db);
    const r = await runBulkhead([
      'db',
      'update',
      '--db',
      db,
      '--quiet',
      '--only',
      'debian',
      '--source',
      `debian=${server.url}/SOURCES.md`,
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SOURCES\.md: not a vulnerability feed/);
    assert.equal(sha(db), digest);
  });

  it('rejects a malformed --source and an unknown --only group as usage errors', async () => {
    const a = await runBulkhead([
      'db',
      'update',
      '--db',
      join(work, 'x.sqlite'),
      '--source',
      'nvd=http://127.0.0.1:1/x',
    ]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /bad --source "nvd=http:\/\/127\.0\.0\.1:1\/x"/);
    const b = await runBulkhead(['db', 'update', '--db', join(work, 'x.sqlite'), '--only', 'debian,nvd']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /unknown source group "nvd"/);
    assert.equal(existsSync(join(work, 'x.sqlite')), false);
  });

  it('an unreachable server is a clear DB_UPDATE error', async () => {
    const r = await runBulkhead([
      'db',
      'update',
      '--db',
      join(work, 'down.sqlite'),
      '--source',
      'debian=http://127.0.0.1:9/json',
      '--timeout',
      '5',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot download http:\/\/127\.0\.0\.1:9\/json: fetch failed/);
    assert.equal(existsSync(join(work, 'down.sqlite')), false);
  });
});

describe('default feeds', () => {
  it('default to the real upstream feeds; --source replaces one group; --only selects groups', () => {
    const urls = resolveFeeds([], undefined).map((f) => f.url);
    assert.ok(urls.includes('https://security-tracker.debian.org/tracker/data/json'));
    assert.ok(urls.includes('https://secdb.alpinelinux.org/v3.22/main.json'));
    assert.ok(urls.includes('https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip'));
    assert.ok(
      DEFAULT_FEEDS.alpine.every((f) => f.optional),
      'a branch that does not exist yet is skipped',
    );
    const mixed = resolveFeeds(['debian=file:///srv/mirror/json'], ['debian', 'osv']);
    assert.deepEqual(
      mixed.filter((f) => f.group === 'debian').map((f) => f.url),
      ['file:///srv/mirror/json'],
    );
    assert.equal(mixed.filter((f) => f.group === 'osv').length, 3);
    assert.ok(urls.includes('https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip'));
    assert.ok(
      DEFAULT_FEEDS.redhat.some((f) => f.indirect === true && f.url.endsWith('/vex/archive_latest.txt')),
    );
    assert.equal(
      mixed.some((f) => f.group === 'alpine'),
      false,
    );
  });
});

describe('bulkhead db import and status', () => {
  it('imports into the default path under XDG_CACHE_HOME, merging successive imports', async () => {
    const cache = mkdtempSync(join(work, 'xdg-'));
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const a = await runBulkhead(['db', 'import', join(SHARED_VULNDB, 'debian/bookworm-derived.json')], {
      env,
    });
    assert.equal(a.code, 0, a.stderr);
    const path = join(cache, 'bulkhead', 'vulndb.sqlite');
    assert.ok(existsSync(path));
    const b = await runBulkhead(['db', 'import', join(SHARED_VULNDB, 'alpine/fixtures')], { env });
    assert.equal(b.code, 0, b.stderr);
    const status = await runBulkhead(['db', 'status', '--json'], { env });
    const meta = statusSchema.parse(JSON.parse(status.stdout));
    assert.equal(meta.path, path);
    const names = meta.sources.map((s) => s.name);
    assert.ok(names.includes('debian-tracker:bookworm-derived'), names.join(' '));
    assert.ok(names.includes('alpine-secdb:3.15/main'), names.join(' '));
    // --fresh starts over
    const c = await runBulkhead(['db', 'import', '--fresh', join(SHARED_VULNDB, 'alpine/fixtures')], { env });
    assert.equal(c.code, 0);
    const after = statusSchema.parse(
      JSON.parse((await runBulkhead(['db', 'status', '--json'], { env })).stdout),
    );
    assert.equal(
      after.sources.some((s) => s.name.startsWith('debian')),
      false,
    );
  });

  it('status prints a readable summary', async () => {
    const db = join(work, 'status.sqlite');
    assert.equal(
      (
        await runBulkhead([
          'db',
          'import',
          '--db',
          db,
          join(SHARED_VULNDB, 'alpine/secdb-legacy-yaml/v3.9'),
          join(SHARED_VULNDB, 'alpine/secdb-legacy-yaml/v3.10'),
        ])
      ).code,
      0,
    );
    const r = await runBulkhead(['db', 'status', '--db', db]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^database {3}.*status\.sqlite$/m);
    assert.match(r.stdout, /^ {2}alpine {5}3\.9 \(\d+\), 3\.10 \(\d+\)$/m);
    assert.match(r.stdout, /0 hours old/);
  });

  it('skipped records are counted and warned about; a missing path is a clear error', async () => {
    const db = join(work, 'skips.sqlite');
    const r = await runBulkhead([
      'db',
      'import',
      '--db',
      db,
      join(SHARED_VULNDB, 'debian/fixtures/tracker-json/vunnel-debian.json'),
    ]);
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      /warning: debian-tracker:vunnel-debian: skipped 1 bad record\(s\), e\.g\. chromium-browser CVE-2022-0358: malformed entry/,
    );
    const missing = await runBulkhead(['db', 'import', '--db', db, join(work, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.json \(ENOENT\)/);
  });

  it('--db pointing at a directory is a clear error for status, import and update', async () => {
    const dir = mkdtempSync(join(work, 'dbdir-'));
    for (const args of [
      ['db', 'status', '--db', dir],
      ['db', 'import', '--db', dir, join(SHARED_VULNDB, 'alpine/fixtures')],
      ['db', 'update', '--db', dir, '--only', 'debian', '--source', 'debian=file:///nonexistent'],
    ]) {
      const r = await runBulkhead(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(
        r.stderr,
        /is a directory, not a database file\n {2}fix: give --db the path of the database file/,
      );
    }
  });

  it('status on a missing, corrupt or foreign database exits 2 and says how to get one', async () => {
    const missing = await runBulkhead(['db', 'status', '--db', join(work, 'absent.sqlite')]);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /no vulnerability database at .*absent\.sqlite\n {2}fix: run `bulkhead db update`/,
    );
    const corrupt = join(work, 'corrupt.sqlite');
    writeFileSync(corrupt, 'this is not sqlite at all'.repeat(100));
    const r = await runBulkhead(['db', 'status', '--db', corrupt]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a valid bulkhead vulnerability database/);
    // importing into a corrupt database refuses rather than overwriting it
    const imp = await runBulkhead(['db', 'import', '--db', corrupt, join(SHARED_VULNDB, 'alpine/fixtures')]);
    assert.equal(imp.code, 2);
    assert.match(readFileSync(corrupt, 'utf8'), /^this is not sqlite/);
  });
});
