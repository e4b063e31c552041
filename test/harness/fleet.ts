// A small fleet for server and dashboard tests: Debian tracker feeds written here and served on 127.0.0.1 (an old
// and a newer one), a vulnerability database built from them with `bulkhead db update`, an image with a dpkg
// database on the test engine, a server on a given store, three tenants and two agents on two fixture hosts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { createApiToken, createEnrolmentToken, createTenant } from '../../src/server/access.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import type { StoreLocation } from '../../src/server/store.js';
import type { ImageInventory } from '../../src/shared/fleet-report.js';
import { runBulkhead, type CliResult } from './cli.js';
import { startFeedServer, type FeedServer } from './feed-server.js';
import { startPostgres, type Postgres } from './postgres.js';
import type { SharedEngine } from './shared-engine.js';

export const FLEET_IMAGE = 'bulkhead-test/fleet-debian:1';
export const FIXTURE_HOSTS = join(import.meta.dirname, '..', 'fixtures', 'hosts');

/** CVE-2099-0001: zlib, open in the old feed, fixed (below the installed version) in the new one -> fixed. */
export const CVE_FIXED_LATER = 'CVE-2099-0001';
/** CVE-2099-0002: openssl, fixed upstream in 3.0.99-1 (installed 3.0.11-1~deb12u2) in both feeds -> stays open. */
export const CVE_OPEN = 'CVE-2099-0002';
/** CVE-2099-0003: glibc, only in the new feed -> new after the rematch. */
export const CVE_NEW_LATER = 'CVE-2099-0003';

const entry = (status: string, fixed: string | undefined, urgency: string): Record<string, unknown> => ({
  description: 'synthetic advisory for the fleet tests',
  scope: 'remote',
  releases: {
    bookworm: {
      status,
      ...(fixed === undefined ? {} : { fixed_version: fixed }),
      urgency,
      repositories: { bookworm: '1' },
    },
  },
});

const OLD_FEED = {
  zlib: { [CVE_FIXED_LATER]: entry('open', undefined, 'high') },
  openssl: { [CVE_OPEN]: entry('resolved', '3.0.99-1', 'high') },
};
const NEW_FEED = {
  zlib: { [CVE_FIXED_LATER]: entry('resolved', '1:1.2.12-1', 'high') },
  openssl: { [CVE_OPEN]: entry('resolved', '3.0.99-1', 'high') },
  glibc: { [CVE_NEW_LATER]: entry('open', undefined, 'medium') },
};

const DPKG_STATUS = [
  ['zlib1g', '1:1.2.13.dfsg-1', 'zlib'],
  ['libssl3', '3.0.11-1~deb12u2', 'openssl'],
  ['openssl', '3.0.11-1~deb12u2', 'openssl'],
  ['libc6', '2.36-9+deb12u4', 'glibc'],
  ['base-files', '12.4+deb12u5', 'base-files'],
]
  .map(
    ([name, version, source]) =>
      `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nSource: ${source}\nVersion: ${version}\nDescription: fixture\n`,
  )
  .join('\n');

/** Imports a busybox root with a Debian 12 os-release and a dpkg database (so it can run and be scanned). */
export function importFleetImage(engine: SharedEngine): string {
  const root = mkdtempSync(join(tmpdir(), 'bh-fleet-img-'));
  try {
    for (const sub of ['bin', 'etc', 'tmp', 'var/lib/dpkg']) mkdirSync(join(root, sub), { recursive: true });
    execFileSync('cp', ['/bin/busybox', join(root, 'bin', 'busybox')]);
    for (const applet of ['sh', 'sleep', 'true'])
      execFileSync('ln', ['-s', 'busybox', join(root, 'bin', applet)]);
    writeFileSync(
      join(root, 'etc', 'os-release'),
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
    );
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), DPKG_STATUS);
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    engine.docker(['import', '-', FLEET_IMAGE], tar);
    return engine.docker(['image', 'inspect', '--format', '{{.Id}}', FLEET_IMAGE]).trim();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface FleetAgent {
  readonly name: string;
  readonly stateDir: string;
  readonly root: string;
  /** One agent run against the server (enrols on the first run with the given token). */
  run(extra?: readonly string[]): Promise<CliResult>;
}

export interface FleetWorld {
  readonly server: RunningServer;
  readonly url: string;
  readonly work: string;
  readonly vulndbPath: string;
  readonly tokens: { readonly admin: string; readonly a: string; readonly b: string };
  readonly agents: { readonly a: FleetAgent; readonly b: FleetAgent };
  readonly digest: string;
  /** Rebuilds the server's vulnerability database from the old or the newer feed (`bulkhead db update --fresh`). */
  updateDb(feed: 'old' | 'new'): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startFleet(
  location: StoreLocation | ((work: string) => StoreLocation),
  engine: SharedEngine,
  digest: string,
): Promise<FleetWorld> {
  const work = mkdtempSync(join(tmpdir(), 'bh-fleet-'));
  const feeds = join(work, 'feeds');
  mkdirSync(feeds);
  writeFileSync(join(feeds, 'old.json'), JSON.stringify(OLD_FEED));
  writeFileSync(join(feeds, 'new.json'), JSON.stringify(NEW_FEED));
  const feedServer: FeedServer = await startFeedServer({ root: feeds });
  const vulndbPath = join(work, 'vulndb.sqlite');
  const updateDb = (feed: 'old' | 'new'): Promise<CliResult> =>
    runBulkhead([
      'db',
      'update',
      '--quiet',
      '--db',
      vulndbPath,
      '--only',
      'debian',
      '--source',
      `debian=${feedServer.url}/${feed}.json`,
    ]);
  const first = await updateDb('old');
  if (first.code !== 0) throw new Error(`db update failed: ${first.stderr}`);
  const server = await startServer({
    listen: '127.0.0.1:0',
    location: typeof location === 'function' ? location(work) : location,
    vulndbPath,
    watchMs: 3_600_000,
  });
  const db = server.store.db;
  const admin = (await createTenant(db, 'admin', [{}])).token;
  const a = (await createTenant(db, 'team-a', [{ team: 'a' }])).token;
  const b = (await createTenant(db, 'team-b', [{ team: 'b' }])).token;
  await createApiToken(db, 'team-a');
  const agent = async (name: string, fixture: 'weak' | 'hardened', team: string): Promise<FleetAgent> => {
    const token = (await createEnrolmentToken(db, `team-${team}`, { team })).token;
    const stateDir = join(work, `agent-${name}`);
    const root = join(FIXTURE_HOSTS, fixture);
    return {
      name,
      stateDir,
      root,
      run: (extra = []) =>
        runBulkhead([
          'agent',
          '--server',
          server.url,
          '--token',
          token,
          '--once',
          '--root',
          root,
          '-H',
          engine.host,
          '--state',
          stateDir,
          '--name',
          name,
          '--label',
          'site=lab',
          ...extra,
        ]),
    };
  };
  const agents = { a: await agent('host-a', 'weak', 'a'), b: await agent('host-b', 'hardened', 'b') };
  return {
    server,
    url: server.url,
    work,
    vulndbPath,
    tokens: { admin, a, b },
    agents,
    digest,
    updateDb: async (feed) => {
      const r = await updateDb(feed);
      if (r.code !== 0) throw new Error(`db update failed: ${r.stderr}`);
      return r;
    },
    close: async () => {
      await server.close();
      await feedServer.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** GET with a bearer token; returns status and parsed JSON. */
export async function apiGet(
  url: string,
  token: string | undefined,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(
    url,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, json: text };
  }
}

/** The OS of the synthetic inventories below (Debian 12, as syntheticServerWorld's advisory is for bookworm). */
export const SYNTHETIC_OS = {
  family: 'debian',
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  evidence: 'etc/os-release',
} as const;
const dpkg = (name: string, version: string, source: string): ImageInventory['packages'][number] => ({
  name,
  version,
  sourceName: source,
  sourceVersion: version,
  format: 'dpkg',
});
/** Affected by syntheticServerWorld's advisory (libssl3 3.0.11-1 from openssl, fixed in 3.0.99-1): one finding. */
export const AFFECTED_PACKAGES = [
  dpkg('base-files', '12.4', 'base-files'),
  dpkg('libssl3', '3.0.11-1', 'openssl'),
];
/** Not affected by it. */
export const CLEAN_PACKAGES = [dpkg('base-files', '12.4', 'base-files')];

/** Where a server test runs: one store per backend, each in its own place. */
export interface ServerBackend {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly location: () => StoreLocation;
}

/**
 * The engine-free world of the ingest-level server tests, set up and torn down by hooks on the calling describe():
 * a temp dir, a private PostgreSQL, a vulnerability database with one synthetic bookworm advisory (openssl before
 * 3.0.99-1 is affected by `cve`, urgency high), and the two backends every such test runs against.
 */
export function syntheticServerWorld(
  prefix: string,
  cve: string,
): { readonly work: string; readonly vulndbPath: string; readonly backends: readonly ServerBackend[] } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const vulndbPath = join(work, 'vulndb.sqlite');
  let pg: Postgres | undefined;
  before(async () => {
    pg = await startPostgres();
    const feed = join(work, 'feed.json');
    writeFileSync(
      feed,
      JSON.stringify({
        openssl: {
          [cve]: {
            description: 'synthetic',
            scope: 'remote',
            releases: {
              bookworm: {
                status: 'resolved',
                fixed_version: '3.0.99-1',
                urgency: 'high',
                repositories: { bookworm: '1' },
              },
            },
          },
        },
      }),
    );
    const imported = await runBulkhead(['db', 'import', '--quiet', '--db', vulndbPath, feed]);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const postgresUrl = (): string => {
    if (pg === undefined) throw new Error('PostgreSQL is not started yet (use the backend inside a test)');
    return pg.url;
  };
  return {
    work,
    vulndbPath,
    backends: [
      { name: 'SQLite', location: () => ({ kind: 'sqlite', dir: join(work, 'sqlite') }) },
      { name: 'PostgreSQL', location: () => ({ kind: 'postgres', url: postgresUrl() }) },
    ],
  };
}
