// `db update`: downloads the configured feeds (defaults: the real upstream URLs), then builds a new database from
// them next to the target and renames it into place. Every download finishes before the build starts, and any
// failure leaves the existing database untouched.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BulkheadError, InputError, UsageError } from '../shared/errors.js';
import { buildVulnDb, checkDbTarget, listSources } from './db.js';
import { detectFeed, FeedImporter, MAX_FEED_BYTES, type ImportReport } from './import.js';

export type SourceGroup = 'debian' | 'alpine' | 'osv' | 'redhat';
export const SOURCE_GROUPS: readonly SourceGroup[] = ['debian', 'alpine', 'osv', 'redhat'];

export interface FeedUrl {
  readonly group: SourceGroup;
  readonly url: string;
  /** A default feed that may not exist (an Alpine branch, a support list): a 404 skips it instead of failing. */
  readonly optional: boolean;
  /** The URL answers with the name of the real feed, relative to it (Red Hat's VEX archive_latest.txt). */
  readonly indirect?: boolean;
}

const REDHAT_SECURITY_DATA = 'https://security.access.redhat.com/data';

const SALSA = 'https://salsa.debian.org';
const ALPINE_BRANCHES = [
  'v3.16',
  'v3.17',
  'v3.18',
  'v3.19',
  'v3.20',
  'v3.21',
  'v3.22',
  'v3.23',
  'v3.24',
  'edge',
];

/** The upstream feeds `db update` reads when no --source overrides a group. */
export const DEFAULT_FEEDS: Readonly<Record<SourceGroup, readonly FeedUrl[]>> = {
  debian: [
    { group: 'debian', url: 'https://security-tracker.debian.org/tracker/data/json', optional: false },
    ...['DSA', 'DLA'].map((kind) => ({
      group: 'debian' as const,
      url: `${SALSA}/security-tracker-team/security-tracker/-/raw/master/data/${kind}/list`,
      optional: false,
    })),
    // a support list for a release that has none yet (or any more) is skipped, not fatal
    ...['deb11', 'deb12', 'deb13'].map((release) => ({
      group: 'debian' as const,
      url: `${SALSA}/debian/debian-security-support/-/raw/master/security-support-ended.${release}`,
      optional: true,
    })),
  ],
  alpine: ALPINE_BRANCHES.flatMap((branch) =>
    ['main', 'community'].map((repo) => ({
      group: 'alpine' as const,
      url: `https://secdb.alpinelinux.org/${branch}/${repo}.json`,
      optional: true,
    })),
  ),
  osv: ['Debian', 'Alpine', 'Ubuntu'].map((eco) => ({
    group: 'osv',
    url: `https://osv-vulnerabilities.storage.googleapis.com/${eco}/all.zip`,
    optional: false,
  })),
  // AlmaLinux and Rocky publish OSV; Red Hat publishes CSAF VEX (one .tar.zst of every CVE, named by
  // archive_latest.txt) and the content-set -> CPE map its products need
  redhat: [
    ...['AlmaLinux', 'Rocky%20Linux'].map((eco) => ({
      group: 'redhat' as const,
      url: `https://osv-vulnerabilities.storage.googleapis.com/${eco}/all.zip`,
      optional: false,
    })),
    {
      group: 'redhat',
      url: `${REDHAT_SECURITY_DATA}/csaf/v2/vex/archive_latest.txt`,
      optional: false,
      indirect: true,
    },
    { group: 'redhat', url: `${REDHAT_SECURITY_DATA}/metrics/repository-to-cpe.json`, optional: false },
  ],
};

/** Parses --only and --source NAME=URL into the list of feeds to fetch; --source replaces a group's defaults. */
export function resolveFeeds(sources: readonly string[], only: readonly string[] | undefined): FeedUrl[] {
  const groups = only === undefined || only.length === 0 ? SOURCE_GROUPS : only;
  for (const g of groups) {
    if (!(SOURCE_GROUPS as readonly string[]).includes(g)) {
      throw new UsageError(`unknown source group "${g}" in --only`, {
        hint: `use ${SOURCE_GROUPS.join(', ')}`,
      });
    }
  }
  const overrides = new Map<SourceGroup, FeedUrl[]>();
  for (const spec of sources) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq);
    const url = spec.slice(eq + 1);
    if (eq <= 0 || !(SOURCE_GROUPS as readonly string[]).includes(name)) {
      throw new UsageError(`bad --source ${JSON.stringify(spec)}`, {
        hint: `write NAME=URL with NAME one of ${SOURCE_GROUPS.join(', ')} (repeat --source for several URLs)`,
      });
    }
    if (!/^(https?|file):\/\//.test(url)) {
      throw new UsageError(`bad --source URL ${JSON.stringify(url)}`, {
        hint: 'use an http://, https:// or file:// URL',
      });
    }
    const group = name as SourceGroup;
    overrides.set(group, [...(overrides.get(group) ?? []), { group, url, optional: false }]);
  }
  return (groups as readonly SourceGroup[]).flatMap((g) => overrides.get(g) ?? DEFAULT_FEEDS[g]);
}

export interface DownloadProgress {
  readonly url: string;
  readonly received: number;
  /** Content-Length when the server sent one. */
  readonly total: number | undefined;
  readonly done: boolean;
}

export interface UpdateOptions {
  readonly toolVersion: string;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Called for an optional feed that does not exist (404). */
  readonly onSkip?: (url: string, reason: string) => void;
  /** The groups being updated (--only); the sources of the other groups are kept unless `fresh`. */
  readonly groups?: readonly SourceGroup[];
  /** Start from an empty database even when only some groups are updated (drops the other groups). */
  readonly fresh?: boolean;
  /** Called when another writer holds the database and this update waits for it. */
  readonly onWait?: (pid: number) => void;
}

export interface UpdateReport extends ImportReport {
  /** Sources of the existing database this update replaced (a partial update), and those it kept. */
  readonly replaced: string[];
  readonly kept: string[];
}

/** The source group a database source belongs to, from its format (and, for OSV, its ecosystem). */
export function groupOfSource(name: string, format: string): SourceGroup {
  if (format.startsWith('debian')) return 'debian';
  if (format === 'alpine-secdb') return 'alpine';
  if (format.startsWith('redhat')) return 'redhat';
  return /alma|rocky/i.test(name) ? 'redhat' : 'osv';
}

function downloadError(url: string, reason: string, cause?: unknown): BulkheadError {
  return new BulkheadError('DB_UPDATE', `cannot download ${url}: ${reason}`, {
    subject: url,
    hint: 'check the network or point bulkhead at a mirror with --source NAME=URL; the existing database was kept',
    cause,
  });
}

/** Downloads one feed into memory; undefined for a missing optional feed. */
export async function downloadFeed(feed: FeedUrl, options: UpdateOptions): Promise<Buffer | undefined> {
  const report = (received: number, total: number | undefined, done: boolean): void => {
    options.onProgress?.({ url: feed.url, received, total, done });
  };
  if (feed.url.startsWith('file://')) {
    try {
      const data = readFileSync(fileURLToPath(feed.url));
      report(data.length, data.length, true);
      return data;
    } catch (error) {
      throw downloadError(feed.url, error instanceof Error ? error.message : String(error), error);
    }
  }
  let response: Response;
  try {
    response = await fetch(feed.url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 300_000),
      headers: { 'user-agent': `bulkhead/${options.toolVersion}` },
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw downloadError(feed.url, `${error instanceof Error ? error.message : String(error)}${cause}`, error);
  }
  if (response.status === 404 && feed.optional) {
    await response.body?.cancel();
    options.onSkip?.(feed.url, 'not found (404)');
    return undefined;
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw downloadError(feed.url, `HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (received > MAX_FEED_BYTES) {
        await reader.cancel();
        throw downloadError(feed.url, `larger than ${MAX_FEED_BYTES} bytes`);
      }
      chunks.push(value);
      report(received, total, false);
    }
  } catch (error) {
    if (error instanceof BulkheadError) throw error;
    throw downloadError(feed.url, error instanceof Error ? error.message : String(error), error);
  }
  if (total !== undefined && received !== total) {
    throw downloadError(feed.url, `truncated: received ${received} of ${total} bytes`);
  }
  report(received, total, true);
  return Buffer.concat(chunks);
}

/** Downloads every feed, then builds and atomically installs a fresh database at `path`. */
export async function updateVulnDb(
  path: string,
  feeds: readonly FeedUrl[],
  options: UpdateOptions,
): Promise<UpdateReport> {
  checkDbTarget(path);
  const downloaded: { feed: FeedUrl; data: Buffer }[] = [];
  for (const listed of feeds) {
    let feed = listed;
    if (listed.indirect === true) {
      const pointer = await downloadFeed(listed, options);
      if (pointer === undefined) continue;
      const name = pointer.toString('utf8').trim();
      if (!/^[\w.-]{1,200}$/.test(name))
        throw downloadError(
          listed.url,
          `expected the name of a feed file, got ${JSON.stringify(name.slice(0, 80))}`,
        );
      feed = { group: listed.group, url: new URL(name, listed.url).href, optional: listed.optional };
    }
    const data = await downloadFeed(feed, options);
    if (data === undefined) continue;
    if (feed.optional) {
      // best effort: an optional feed answering with something else (a login page) is skipped, not fatal
      try {
        detectFeed(data, feed.url);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        options.onSkip?.(feed.url, error.message);
        continue;
      }
    }
    downloaded.push({ feed, data });
  }
  if (downloaded.length === 0) {
    throw new BulkheadError('DB_UPDATE', 'no feed could be downloaded', {
      hint: 'check the --source URLs and --only groups; the existing database was kept',
    });
  }
  // A partial update (--only some groups) rebuilds from the existing database minus those groups' sources, so
  // `--only debian` refreshes Debian and keeps Alpine, OSV and Red Hat; --fresh starts from nothing.
  const groups = options.groups ?? SOURCE_GROUPS;
  const partial = options.fresh !== true && SOURCE_GROUPS.some((g) => !groups.includes(g));
  const before = partial ? listSources(path) : [];
  const replacing = (name: string, format: string): boolean => groups.includes(groupOfSource(name, format));
  const report = await buildVulnDb(
    path,
    {
      merge: partial,
      prune: true,
      toolVersion: options.toolVersion,
      replace: replacing,
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    },
    (writer) =>
      writer.transaction(() => {
        const importer = new FeedImporter(writer);
        for (const { feed, data } of downloaded) importer.addBuffer(data, feed.url);
        importer.flush('osv');
        return importer.report;
      }),
  );
  return {
    ...report,
    replaced: before.filter((s) => replacing(s.name, s.format)).map((s) => s.name),
    kept: before.filter((s) => !replacing(s.name, s.format)).map((s) => s.name),
  };
}
