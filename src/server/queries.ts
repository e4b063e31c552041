// Read side of the server: every query starts from the hosts a tenant may see (label grants) and only reaches
// containers, images, findings, decisions and events through those hosts, so no route can leak another tenant's data.
import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { auditFindingSchema, containerSchema } from '../shared/fleet-report.js';
import { SEVERITIES, type Severity } from '../shared/severity.js';
import { hostVisible, parseJsonLabels, type Labels, type Tenant } from './access.js';
import { eventBuckets, INFO_RANK, openCves, type CveTable } from './findings-cache.js';
import type { ServerDb } from './schema.js';

export interface HostSummary {
  readonly id: string;
  readonly name: string;
  readonly labels: Labels;
  readonly lastSeen: string | null;
  readonly enrolledAt: string;
  /** Open vulnerabilities (distinct CVE x package) over the images its containers run, by severity. */
  readonly vulnerabilities: Record<Severity, number>;
  readonly audit: Record<Severity, number>;
  readonly worst: Severity | 'none';
  readonly containers: number;
  readonly stale: boolean;
}

const severityRank = (s: string): number => {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i === -1 ? SEVERITIES.length : i;
};
const emptyCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
const countsSchema = z.record(z.string(), z.number());
const asSeverity = (s: string): Severity => SEVERITIES[severityRank(s)] ?? 'info';

export interface QueryOptions {
  readonly now?: Date;
  /** An agent not heard from for this long is stale (default 24 h). */
  readonly staleMs?: number;
}

interface VisibleHost {
  readonly id: string;
  readonly name: string;
  readonly labels: Labels;
  readonly last_seen: string | null;
  readonly enrolled_at: string;
  readonly audit_counts: string;
  readonly last_report: string | null;
  readonly worst_rank: number;
}

export async function visibleHosts(db: ServerDb, tenant: Tenant): Promise<VisibleHost[]> {
  const rows = await db
    .selectFrom('hosts')
    .select(['id', 'name', 'labels', 'last_seen', 'enrolled_at', 'audit_counts', 'last_report', 'worst_rank'])
    .orderBy('name')
    .execute();
  return rows
    .map((r) => ({ ...r, labels: parseJsonLabels(r.labels) }))
    .filter((r) => hostVisible(tenant.grants, r.labels));
}

interface HostImages {
  /** hosts.last_report when read: ingest replaces a host's containers in the transaction that moves it. */
  readonly report: string | null;
  readonly images: readonly { readonly digest: string; readonly n: number }[];
  /** Each image's digest as a small integer (digestSlots), in the order of `images`. */
  readonly slots: Int32Array;
}

// Each host's (digest, containers) kept between requests until its last_report moves: reading them for 1,000
// hosts (50,000 containers) was ~110 ms of every fleet page view, and a fleet reports a few hosts at a time.
const hostImageCaches = new WeakMap<ServerDb, Map<string, HostImages>>();
// Every digest a host ran, numbered in the order first seen: "hosts with CVE X" marks the CVE's digests in a typed
// array and walks each host's slots (50,000 at 1,000 hosts), where string-keyed Set lookups took 5-14 ms a request.
const digestSlotCaches = new WeakMap<ServerDb, Map<string, number>>();

function digestSlots(db: ServerDb): Map<string, number> {
  let slots = digestSlotCaches.get(db);
  if (slots === undefined) {
    slots = new Map();
    digestSlotCaches.set(db, slots);
  }
  return slots;
}

/** Each host's (digest, containers); reads from the database only the hosts that reported since last time. */
async function hostImages(db: ServerDb, hosts: readonly VisibleHost[]): Promise<Map<string, HostImages>> {
  let cache = hostImageCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    hostImageCaches.set(db, cache);
  }
  const known = cache;
  // no entry reads as undefined, never equal to a report id or null: stale
  const stale = hosts.filter((h) => known.get(h.id)?.report !== h.last_report);
  for (let i = 0; i < stale.length; i += 500) {
    const chunk = stale.slice(i, i + 500);
    const rows = await db
      .selectFrom('host_containers')
      .select(['host_id', 'digest', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where(
        'host_id',
        'in',
        chunk.map((h) => h.id),
      )
      .groupBy(['host_id', 'digest'])
      .execute();
    const images = new Map<string, { digest: string; n: number }[]>(chunk.map((h) => [h.id, []]));
    for (const r of rows) images.get(r.host_id)?.push({ digest: r.digest, n: Number(r.n) });
    const slots = digestSlots(db);
    for (const h of chunk) {
      const mine = images.get(h.id) ?? [];
      known.set(h.id, {
        report: h.last_report,
        images: mine,
        slots: Int32Array.from(mine, (image) => {
          let slot = slots.get(image.digest);
          if (slot === undefined) {
            slot = slots.size;
            slots.set(image.digest, slot);
          }
          return slot;
        }),
      });
    }
  }
  const out = new Map<string, HostImages>();
  for (const h of hosts) {
    const entry = known.get(h.id);
    if (entry !== undefined) out.set(h.id, entry);
  }
  return out;
}

/** One host's part of the fleet page: its CVEs (each once, at its worst severity there) and their containers. */
interface HostCves {
  readonly images: HostImages;
  /** CveTable.ids of the generation the indexes below point into. */
  readonly ids: readonly string[];
  readonly vulnerabilities: Record<Severity, number>;
  readonly containers: number;
  readonly vulns: Int32Array;
  readonly ranks: Uint8Array;
  /** Containers of this host whose image carries the CVE. */
  readonly containersPer: Float64Array;
}

// Per host until its images or the findings generation change: the hosts x digests x CVEs union was ~90 ms of a
// fleet page at 1,000 hosts (50,000 containers, ~15 million typed-array steps) on every view.
const hostCveCaches = new WeakMap<ServerDb, Map<string, HostCves>>();

/** The union of one host's images' CVEs; seen/slotOf are per-request scratch (by CVE index), stamp unique per host. */
function unionHostCves(
  images: HostImages,
  table: CveTable,
  seen: Int32Array,
  slotOf: Int32Array,
  stamp: number,
): HostCves {
  const touched: number[] = [];
  const ranks: number[] = [];
  const containersPer: number[] = [];
  let containers = 0;
  for (const image of images.images) {
    containers += image.n;
    const d = table.byDigest.get(image.digest);
    if (d === undefined) continue;
    for (let k = 0; k < d.vulns.length; k += 1) {
      const v = d.vulns[k] ?? 0;
      const rank = d.ranks[k] ?? INFO_RANK;
      if (seen[v] !== stamp) {
        seen[v] = stamp;
        slotOf[v] = touched.length;
        touched.push(v);
        ranks.push(rank);
        containersPer.push(image.n);
      } else {
        const at = slotOf[v] ?? 0;
        if (rank < (ranks[at] ?? INFO_RANK)) ranks[at] = rank;
        containersPer[at] = (containersPer[at] ?? 0) + image.n;
      }
    }
  }
  // a CVE counts once per host, at its worst severity over the host's images
  const vulnerabilities = emptyCounts();
  for (const rank of ranks) vulnerabilities[SEVERITIES[rank] ?? 'info'] += 1;
  return {
    images,
    ids: table.ids,
    vulnerabilities,
    containers,
    vulns: Int32Array.from(touched),
    ranks: Uint8Array.from(ranks),
    containersPer: Float64Array.from(containersPer),
  };
}

async function openFindings(
  db: ServerDb,
  digests: readonly string[],
): Promise<{ digest: string; vulnerability: string; severity: string }[]> {
  if (digests.length === 0) return [];
  const out: { digest: string; vulnerability: string; severity: string }[] = [];
  for (let i = 0; i < digests.length; i += 1000) {
    const rows = await db
      .selectFrom('findings')
      .select(['digest', 'vulnerability', 'severity'])
      .where('state', '=', 'open')
      .where('digest', 'in', digests.slice(i, i + 1000))
      .execute();
    // one push per row: spreading a result of 100,000+ rows into push() overflows the call stack
    for (const row of rows) out.push(row);
  }
  return out;
}

/** The whole visible fleet's numbers and charts; the hosts themselves come a page at a time (fleetHosts). */
export interface Overview {
  readonly hostCount: number;
  readonly hostsByWorst: Record<Severity | 'none', number>;
  readonly newSinceYesterday: number;
  readonly fixedSinceYesterday: number;
  readonly topCves: { id: string; severity: Severity; hosts: number; containers: number }[];
  readonly staleCount: number;
  readonly trend: { day: string; new: number; fixed: number }[];
}

/** SEVERITIES index, SEVERITIES.length for 'none': the order of hosts.worst_rank. */
const worstRank = (worst: Severity | 'none'): number =>
  worst === 'none' ? SEVERITIES.length : severityRank(worst);

/**
 * Writes hosts.worst_rank where the stored value is not the one just computed, one UPDATE per rank: after a report
 * or a findings change only the hosts whose worst severity moved are written, so most views write nothing. Two
 * replicas computing at once write the same values; one computing from older data is corrected by the next view.
 */
async function syncWorstRanks(
  db: ServerDb,
  hosts: readonly VisibleHost[],
  summaries: ReadonlyMap<string, HostSummary>,
): Promise<void> {
  const moved = new Map<number, string[]>();
  for (const h of hosts) {
    const summary = summaries.get(h.id);
    if (summary === undefined) continue;
    const rank = worstRank(summary.worst);
    if (rank === h.worst_rank) continue;
    const ids = moved.get(rank);
    if (ids === undefined) moved.set(rank, [h.id]);
    else ids.push(h.id);
  }
  for (const [rank, ids] of moved)
    for (let i = 0; i < ids.length; i += 500)
      await db
        .updateTable('hosts')
        .set({ worst_rank: rank })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
}

interface FleetState {
  readonly overview: Overview;
  /** Every visible host's summary, by id. */
  readonly summaries: ReadonlyMap<string, HostSummary>;
  readonly staleBefore: string;
}

export async function fleetOverview(
  db: ServerDb,
  tenant: Tenant,
  options: QueryOptions = {},
): Promise<Overview> {
  return (await fleetState(db, tenant, options)).overview;
}

/** Summaries and numbers of every visible host (from the caches above), with hosts.worst_rank brought up to date. */
async function fleetState(db: ServerDb, tenant: Tenant, options: QueryOptions): Promise<FleetState> {
  const now = options.now ?? new Date();
  const staleBefore = new Date(now.getTime() - (options.staleMs ?? 86_400_000)).toISOString();
  const hosts = await visibleHosts(db, tenant);
  const images = await hostImages(db, hosts);
  const digestSet = new Set<string>();
  for (const entry of images.values()) for (const image of entry.images) digestSet.add(image.digest);
  const digests = [...digestSet];
  // each digest's distinct open CVEs (cached between requests), so the per-host union below is typed-array work:
  // hosts x digests x findings Map/Set operations made the fleet page take 1.4 s at 60 hosts
  const table = await openCves(db, digests);
  const vulnIds = table.ids;
  const infoRank = INFO_RANK;
  const cveCount = vulnIds.length;
  const cveHosts = new Int32Array(cveCount);
  const cveContainers = new Float64Array(cveCount);
  const cveRank = new Uint8Array(cveCount).fill(infoRank);
  let hostCves = hostCveCaches.get(db);
  if (hostCves === undefined) {
    hostCves = new Map();
    hostCveCaches.set(db, hostCves);
  }
  const seen = new Int32Array(cveCount).fill(-1);
  const slotOf = new Int32Array(cveCount);
  const perHost = new Map<string, HostCves>();
  let stamp = 0;
  for (const h of hosts) {
    const mine = images.get(h.id);
    if (mine === undefined) continue;
    let entry = hostCves.get(h.id);
    if (entry?.images !== mine || entry.ids !== vulnIds) {
      entry = unionHostCves(mine, table, seen, slotOf, stamp);
      stamp += 1;
      hostCves.set(h.id, entry);
    }
    perHost.set(h.id, entry);
    for (let k = 0; k < entry.vulns.length; k += 1) {
      const v = entry.vulns[k] ?? 0;
      const rank = entry.ranks[k] ?? infoRank;
      cveHosts[v] = (cveHosts[v] ?? 0) + 1;
      cveContainers[v] = (cveContainers[v] ?? 0) + (entry.containersPer[k] ?? 0);
      if (rank < (cveRank[v] ?? infoRank)) cveRank[v] = rank;
    }
  }
  const summaries: HostSummary[] = hosts.map((h) => {
    const entry = perHost.get(h.id);
    const vulnerabilities = { ...(entry?.vulnerabilities ?? emptyCounts()) };
    const audit = emptyCounts();
    const parsed = countsSchema.safeParse(JSON.parse(h.audit_counts));
    if (parsed.success) for (const [k, v] of Object.entries(parsed.data)) audit[asSeverity(k)] += v;
    const worst = SEVERITIES.find((s) => vulnerabilities[s] + audit[s] > 0) ?? 'none';
    return {
      id: h.id,
      name: h.name,
      labels: h.labels,
      lastSeen: h.last_seen,
      enrolledAt: h.enrolled_at,
      vulnerabilities,
      audit,
      worst,
      containers: entry?.containers ?? 0,
      stale: h.last_seen === null || h.last_seen < staleBefore,
    };
  });
  const hostsByWorst: Record<Severity | 'none', number> = { ...emptyCounts(), none: 0 };
  for (const s of summaries) hostsByWorst[s.worst] += 1;
  const topCves = vulnIds
    .map((id, v) => ({
      id,
      severity: SEVERITIES[cveRank[v] ?? infoRank] ?? 'info',
      hosts: cveHosts[v] ?? 0,
      containers: cveContainers[v] ?? 0,
    }))
    .filter((c) => c.hosts > 0)
    .sort(
      (a, b) =>
        b.hosts - a.hosts ||
        b.containers - a.containers ||
        severityRank(a.severity) - severityRank(b.severity) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, 10);
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString();
  // per digest, kind and hour (cached per findings generation, findings-cache.ts); the hour `yesterday` falls in is
  // counted exactly from the `at` index, so "since yesterday" stays to the millisecond
  const buckets = digests.length === 0 ? [] : await eventBuckets(db, since);
  const yesterdayHour = yesterday.slice(0, 13);
  const hourEnd = new Date(new Date(`${yesterdayHour}:00:00.000Z`).getTime() + 3_600_000).toISOString();
  const boundary =
    digests.length === 0
      ? []
      : await db
          .selectFrom('finding_events')
          .select(['digest', 'kind', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('at', '>=', yesterday)
          .where('at', '<', hourEnd)
          .groupBy(['digest', 'kind'])
          .execute();
  const days = new Map<string, { new: number; fixed: number }>();
  for (let i = 29; i >= 0; i -= 1)
    days.set(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10), { new: 0, fixed: 0 });
  let newSinceYesterday = 0;
  let fixedSinceYesterday = 0;
  const count = (kind: string, n: number): void => {
    if (kind === 'new') newSinceYesterday += n;
    else fixedSinceYesterday += n;
  };
  for (const b of buckets) {
    if (!digestSet.has(b.digest)) continue;
    const day = days.get(b.hour.slice(0, 10));
    if (day !== undefined) {
      if (b.kind === 'new') day.new += b.n;
      else day.fixed += b.n;
    }
    if (b.hour > yesterdayHour) count(b.kind, b.n);
  }
  for (const b of boundary) if (digestSet.has(b.digest)) count(b.kind, Number(b.n));
  const byId = new Map(summaries.map((s) => [s.id, s]));
  await syncWorstRanks(db, hosts, byId);
  return {
    overview: {
      hostCount: summaries.length,
      hostsByWorst,
      newSinceYesterday,
      fixedSinceYesterday,
      topCves,
      staleCount: summaries.filter((s) => s.stale).length,
      trend: [...days.entries()].map(([day, c]) => ({ day, ...c })),
    },
    summaries: byId,
    staleBefore,
  };
}

export interface HostFilter {
  /** The host's worst severity is this one ('none': no open vulnerability and no audit failure). */
  readonly severity?: Severity | 'none' | undefined;
  /** Every one of these labels is on the host. */
  readonly labels?: Labels | undefined;
  /** Only agents not heard from within QueryOptions.staleMs. */
  readonly stale?: boolean | undefined;
  /** Part of the host name, any case. */
  readonly search?: string | undefined;
}

export interface HostPaging {
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

export interface HostPage {
  /** Visible hosts that pass the filter (not only this page's). */
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  /** At least 1, so page 1 always exists; a page past it has no hosts. */
  readonly pages: number;
  /** Worst severity first, then by name. */
  readonly hosts: HostSummary[];
}

export const HOST_PAGE_SIZE = 100;
export const HOST_PAGE_SIZE_MAX = 500;

/** A label k=v on hosts.labels (JSON text): json_extract on SQLite, ->> on PostgreSQL. */
function hasLabel(db: ServerDb, key: string, value: string): RawBuilder<boolean> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<boolean>`(${sql.ref('hosts.labels')}::jsonb ->> ${key}) = ${value}`
    : sql<boolean>`json_extract(${sql.ref('hosts.labels')}, ${`$."${key}"`}) = ${value}`;
}

/** One page of the filtered hosts, counted, ordered and cut by the database (index hosts_worst_name). */
async function hostPage(
  db: ServerDb,
  tenant: Tenant,
  state: FleetState,
  filter: HostFilter,
  paging: HostPaging,
): Promise<HostPage> {
  // the tenant's hosts are the ones summarised (visibleHosts); a tenant granted every host needs no list
  const everyHost = tenant.grants.some((g) => Object.keys(g).length === 0);
  let query = db
    .selectFrom('hosts')
    .where(everyHost ? sql<boolean>`1 = 1` : oneOf(db, 'hosts.id', [...state.summaries.keys()]));
  if (filter.severity !== undefined) query = query.where('worst_rank', '=', worstRank(filter.severity));
  if (filter.stale === true)
    query = query.where((eb) =>
      eb.or([eb('last_seen', 'is', null), eb('last_seen', '<', state.staleBefore)]),
    );
  if (filter.search !== undefined && filter.search !== '') {
    const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    query = query.where(sql<boolean>`lower(${sql.ref('hosts.name')}) like ${pattern} escape '\\'`);
  }
  for (const [key, value] of Object.entries(filter.labels ?? {}))
    query = query.where(hasLabel(db, key, value));
  const counted = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / paging.pageSize));
  const base = { total, page: paging.page, pageSize: paging.pageSize, pages };
  if (total === 0 || paging.page > pages) return { ...base, hosts: [] };
  const rows = await query
    .select('id')
    .orderBy('worst_rank')
    .orderBy('name')
    .orderBy('id')
    .limit(paging.pageSize)
    .offset((paging.page - 1) * paging.pageSize)
    .execute();
  // a host enrolled after the summaries were computed has none yet: it shows from the next view on
  const hosts = rows.flatMap((r) => {
    const summary = state.summaries.get(r.id);
    return summary === undefined ? [] : [summary];
  });
  return { ...base, hosts };
}

/** One page of the visible hosts that pass the filter (GET /api/v1/hosts). */
export async function fleetHosts(
  db: ServerDb,
  tenant: Tenant,
  filter: HostFilter,
  paging: HostPaging,
  options: QueryOptions = {},
): Promise<HostPage> {
  return hostPage(db, tenant, await fleetState(db, tenant, options), filter, paging);
}

/** The fleet page: the whole visible fleet's numbers and charts, and one page of its filtered hosts. */
export async function fleetPage(
  db: ServerDb,
  tenant: Tenant,
  filter: HostFilter,
  paging: HostPaging,
  options: QueryOptions = {},
): Promise<{ overview: Overview; hosts: HostPage }> {
  const state = await fleetState(db, tenant, options);
  return { overview: state.overview, hosts: await hostPage(db, tenant, state, filter, paging) };
}

export interface CveHit {
  readonly hostId: string;
  readonly host: string;
  readonly container: string;
  readonly containerId: string;
  readonly image: string;
  readonly digest: string;
  readonly package: string;
  readonly installed: string;
  readonly fixedVersion: string | null;
  readonly severity: string;
  readonly status: string;
}

export interface CvePaging {
  /** 1-based. */
  readonly page: number;
  /** Containers per page. */
  readonly pageSize: number;
}

export interface CvePage {
  /** Every visible host, container and image with an open finding for the CVE (not only this page's). */
  readonly totals: { readonly hosts: number; readonly containers: number; readonly images: number };
  readonly page: number;
  readonly pageSize: number;
  /** At least 1, so page 1 always exists. */
  readonly pages: number;
  /** This page's containers (ordered by host name, container name), one row per affected package of each. */
  readonly affected: CveHit[];
}

export const CVE_PAGE_SIZE = 100;
export const CVE_PAGE_SIZE_MAX = 500;

/** `column` is one of `values`, as one bound parameter whatever their number (SQLite allows 32,766 per statement). */
function oneOf(
  db: ServerDb,
  column: 'host_containers.host_id' | 'host_containers.digest' | 'hosts.id',
  values: readonly string[],
): RawBuilder<boolean> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<boolean>`${sql.ref(column)} = any(${values}::text[])`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * "Which hosts run an image with CVE X": the visible containers whose image has an open finding for it, a page at
 * a time. Totals and the page's hosts come from each visible host's (digest, containers) that the fleet page keeps
 * (hostImages, read again only for hosts whose last_report moved, so a replaced report or a deleted host counts at
 * once) and the CVE's affected digests (index findings_vuln_digest); the database then reads only the page's
 * hosts' containers (host_containers_pk). Counting every affected host_containers row in the database took 57 ms of
 * each request on PostgreSQL at 50,000 containers (a hash join, then count(distinct) sorts that spilled to disk),
 * and the page query (hosts by name joined to their containers, LIMIT) was planned badly right after a bulk ingest,
 * before autoanalyze had seen the new rows: 147 ms a request in the benchmark.
 */
export async function hostsWithCve(
  db: ServerDb,
  tenant: Tenant,
  cve: string,
  paging: CvePaging = { page: 1, pageSize: CVE_PAGE_SIZE },
): Promise<CvePage> {
  const hosts = await visibleHosts(db, tenant); // in name order
  const images = await hostImages(db, hosts);
  const cveDigests = new Set(
    (
      await db
        .selectFrom('findings')
        .select('digest')
        .distinct()
        .where('vulnerability', '=', cve)
        .where('state', '=', 'open')
        .execute()
    ).map((r) => r.digest),
  );
  // 1: a digest with the CVE, 2: one counted in totals.images already
  const slots = digestSlots(db);
  const mark = new Uint8Array(slots.size);
  for (const digest of cveDigests) {
    const slot = slots.get(digest);
    if (slot !== undefined) mark[slot] = 1;
  }
  const totals = { hosts: 0, containers: 0, images: 0 };
  /** Affected containers per host, by position in `hosts`. */
  const affectedOf = hosts.map((h) => {
    const entry = images.get(h.id);
    if (entry === undefined) return 0;
    let n = 0;
    for (let k = 0; k < entry.slots.length; k += 1) {
      const slot = entry.slots[k] ?? 0;
      const state = mark[slot] ?? 0;
      if (state === 0) continue;
      n += entry.images[k]?.n ?? 0;
      if (state === 1) {
        mark[slot] = 2;
        totals.images += 1;
      }
    }
    if (n > 0) totals.hosts += 1;
    totals.containers += n;
    return n;
  });
  const pages = Math.max(1, Math.ceil(totals.containers / paging.pageSize));
  const base = { totals, page: paging.page, pageSize: paging.pageSize, pages };
  if (totals.containers === 0 || paging.page > pages) return { ...base, affected: [] };
  // the page orders containers by host name, container name, id: walk the hosts in name order, each run of equal
  // names whole (their containers interleave), skip the runs that end before the page and keep those it covers
  const offset = (paging.page - 1) * paging.pageSize;
  let skipped = 0;
  let covered = 0;
  const pageHosts: string[] = [];
  for (let i = 0; i < hosts.length && skipped + covered < offset + paging.pageSize;) {
    const name = hosts[i]?.name;
    let n = 0;
    const run: string[] = [];
    for (; i < hosts.length && hosts[i]?.name === name; i += 1) {
      n += affectedOf[i] ?? 0;
      run.push(hosts[i]?.id ?? '');
    }
    if (n === 0) continue;
    if (skipped + n <= offset) skipped += n;
    else {
      pageHosts.push(...run);
      covered += n;
    }
  }
  const containers = await db
    .selectFrom('host_containers')
    .innerJoin('hosts', 'hosts.id', 'host_containers.host_id')
    .select([
      'host_containers.host_id',
      'hosts.name as host',
      'host_containers.name as container',
      'host_containers.container_id',
      'host_containers.image_ref',
      'host_containers.digest',
    ])
    .where(oneOf(db, 'host_containers.host_id', pageHosts))
    .where(oneOf(db, 'host_containers.digest', [...cveDigests]))
    .orderBy('hosts.name')
    .orderBy('host_containers.name')
    .orderBy('host_containers.container_id')
    .limit(paging.pageSize)
    .offset(offset - skipped)
    .execute();
  const digests = [...new Set(containers.map((c) => c.digest))];
  const findings = await db
    .selectFrom('findings')
    .select(['digest', 'package', 'installed', 'fixed_version', 'severity', 'status'])
    .where('vulnerability', '=', cve)
    .where('state', '=', 'open')
    .where('digest', 'in', digests)
    .orderBy('package')
    .execute();
  const byDigest = new Map<string, typeof findings>();
  for (const f of findings) {
    const list = byDigest.get(f.digest);
    if (list === undefined) byDigest.set(f.digest, [f]);
    else list.push(f);
  }
  const affected = containers.flatMap((c) =>
    (byDigest.get(c.digest) ?? []).map((f) => ({
      hostId: c.host_id,
      host: c.host,
      container: c.container,
      containerId: c.container_id,
      image: c.image_ref,
      digest: c.digest,
      package: f.package,
      installed: f.installed,
      fixedVersion: f.fixed_version,
      severity: f.severity,
      status: f.status,
    })),
  );
  return { ...base, affected };
}

const reportBodySchema = z.object({
  daemon: z.object({ address: z.string(), version: z.string().optional() }).nullable(),
  audit: z.object({ findings: z.array(auditFindingSchema) }),
  containers: z.array(containerSchema),
});
export type ReportBody = z.infer<typeof reportBodySchema>;

export interface HostDetail {
  readonly host: HostSummary;
  readonly latest: { id: string; createdAt: string; body: ReportBody } | undefined;
  readonly previous: { id: string; createdAt: string; body: ReportBody } | undefined;
  /** Audit findings (rule + target) that appeared or went away since the previous report. */
  readonly diff: {
    added: ReportBody['audit']['findings'];
    removed: ReportBody['audit']['findings'];
    containersAdded: string[];
    containersRemoved: string[];
  };
  readonly images: { digest: string; ref: string; containers: string[]; open: Record<Severity, number> }[];
}

export async function hostDetail(
  db: ServerDb,
  tenant: Tenant,
  hostId: string,
  options: QueryOptions = {},
): Promise<HostDetail | undefined> {
  const host = (await fleetState(db, tenant, options)).summaries.get(hostId);
  if (host === undefined) return undefined;
  const reports = await db
    .selectFrom('reports')
    .select(['id', 'created_at', 'body'])
    .where('host_id', '=', hostId)
    .orderBy('created_at', 'desc')
    .limit(2)
    .execute();
  const decode = (r: { id: string; created_at: string; body: string } | undefined): HostDetail['latest'] => {
    if (r === undefined) return undefined;
    const body = reportBodySchema.safeParse(JSON.parse(r.body));
    return body.success ? { id: r.id, createdAt: r.created_at, body: body.data } : undefined;
  };
  const latest = decode(reports[0]);
  const previous = decode(reports[1]);
  const key = (f: { ruleId: string; target: string }): string => `${f.ruleId}\u0000${f.target}`;
  const before = new Set((previous?.body.audit.findings ?? []).map(key));
  const after = new Set((latest?.body.audit.findings ?? []).map(key));
  const cBefore = new Set((previous?.body.containers ?? []).map((c) => c.name));
  const cAfter = new Set((latest?.body.containers ?? []).map((c) => c.name));
  const containers = await db
    .selectFrom('host_containers')
    .select(['name', 'digest', 'image_ref'])
    .where('host_id', '=', hostId)
    .orderBy('name')
    .execute();
  const byDigest = new Map<string, { ref: string; containers: string[] }>();
  for (const c of containers) {
    const entry = byDigest.get(c.digest) ?? { ref: c.image_ref, containers: [] };
    entry.containers.push(c.name);
    byDigest.set(c.digest, entry);
  }
  const open = new Map([...byDigest.keys()].map((digest) => [digest, emptyCounts()]));
  for (const f of await openFindings(db, [...byDigest.keys()])) {
    const counts = open.get(f.digest);
    if (counts !== undefined) counts[asSeverity(f.severity)] += 1;
  }
  const images = [...byDigest.entries()].map(([digest, e]) => ({
    digest,
    ref: e.ref,
    containers: e.containers,
    open: open.get(digest) ?? emptyCounts(),
  }));
  return {
    host,
    latest,
    previous,
    diff: {
      added:
        previous === undefined ? [] : (latest?.body.audit.findings ?? []).filter((f) => !before.has(key(f))),
      removed: (previous?.body.audit.findings ?? []).filter((f) => !after.has(key(f))),
      containersAdded: previous === undefined ? [] : [...cAfter].filter((c) => !cBefore.has(c)),
      containersRemoved: [...cBefore].filter((c) => !cAfter.has(c)),
    },
    images,
  };
}

export interface ImageDetail {
  readonly digest: string;
  readonly ref: string;
  readonly os: string;
  readonly packages: number;
  readonly findings: {
    vulnerability: string;
    package: string;
    installed: string;
    fixedVersion: string | null;
    status: string;
    severity: string;
    state: string;
    firstSeen: string;
    lastSeen: string;
  }[];
  readonly runsOn: { hostId: string; host: string; container: string }[];
  /** More than one inventory was reported for this digest (docs/server.md "Inventories"): a flag to look at. */
  readonly inventoryConflict: boolean;
  /** The first inventory, then each differing one (the reporting host when the tenant sees it). */
  readonly inventories: { hash: string; packages: number; firstSeen: string; host: string | null }[];
}

/** An image is visible only when it runs on a host the tenant sees. */
export async function imageDetail(
  db: ServerDb,
  tenant: Tenant,
  digest: string,
): Promise<ImageDetail | undefined> {
  const hosts = await visibleHosts(db, tenant);
  const names = new Map(hosts.map((h) => [h.id, h.name]));
  const runs = (
    await db.selectFrom('host_containers').select(['host_id', 'name']).where('digest', '=', digest).execute()
  ).filter((r) => names.has(r.host_id));
  if (runs.length === 0) return undefined;
  const image = await db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
  if (image === undefined) return undefined;
  const findings = await db.selectFrom('findings').selectAll().where('digest', '=', digest).execute();
  const variants = await db
    .selectFrom('image_inventories')
    .select(['inventory_hash', 'package_count', 'first_seen', 'host_id'])
    .where('digest', '=', digest)
    .orderBy('first_seen')
    .execute();
  const os = z.object({ prettyName: z.string().optional(), id: z.string() }).safeParse(JSON.parse(image.os));
  return {
    digest,
    ref: image.ref,
    os: os.success ? (os.data.prettyName ?? os.data.id) : 'unknown',
    packages: image.package_count,
    findings: findings
      .map((f) => ({
        vulnerability: f.vulnerability,
        package: f.package,
        installed: f.installed,
        fixedVersion: f.fixed_version,
        status: f.status,
        severity: f.severity,
        state: f.state,
        firstSeen: f.first_seen,
        lastSeen: f.last_seen,
      }))
      .sort(
        (a, b) =>
          (a.state === b.state ? 0 : a.state === 'open' ? -1 : 1) ||
          severityRank(a.severity) - severityRank(b.severity) ||
          a.vulnerability.localeCompare(b.vulnerability),
      ),
    inventoryConflict: variants.length > 0,
    inventories: [
      { hash: image.inventory_hash, packages: image.package_count, firstSeen: image.first_seen, host: null },
      ...variants.map((v) => ({
        hash: v.inventory_hash,
        packages: v.package_count,
        firstSeen: v.first_seen,
        host: names.get(v.host_id) ?? null,
      })),
    ],
    runsOn: runs
      .map((r) => ({ hostId: r.host_id, host: names.get(r.host_id) ?? r.host_id, container: r.name }))
      .sort((a, b) => a.host.localeCompare(b.host) || a.container.localeCompare(b.container)),
  };
}

export interface DecisionFilter {
  readonly user?: string | undefined;
  readonly action?: string | undefined;
  readonly decision?: string | undefined;
}

export async function authzDecisions(
  db: ServerDb,
  tenant: Tenant,
  filter: DecisionFilter,
  limit = 200,
): Promise<{ host: string; at: string; user: string; action: string; decision: string; reason: string }[]> {
  const hosts = await visibleHosts(db, tenant);
  if (hosts.length === 0) return [];
  const names = new Map(hosts.map((h) => [h.id, h.name]));
  let query = db
    .selectFrom('authz_decisions')
    .selectAll()
    .where('host_id', 'in', [...names.keys()]);
  if (filter.user !== undefined && filter.user !== '') query = query.where('user', '=', filter.user);
  if (filter.action !== undefined && filter.action !== '') query = query.where('action', '=', filter.action);
  if (filter.decision !== undefined && filter.decision !== '')
    query = query.where('decision', '=', filter.decision);
  const rows = await query.orderBy('at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    host: names.get(r.host_id) ?? r.host_id,
    at: r.at,
    user: r.user,
    action: r.action,
    decision: r.decision,
    reason: r.reason,
  }));
}

export async function runtimeEvents(
  db: ServerDb,
  tenant: Tenant,
  kind: string | undefined,
  limit = 200,
): Promise<{ host: string; at: string; kind: string; container: string; detail: string }[]> {
  const hosts = await visibleHosts(db, tenant);
  if (hosts.length === 0) return [];
  const names = new Map(hosts.map((h) => [h.id, h.name]));
  let query = db
    .selectFrom('runtime_events')
    .selectAll()
    .where('host_id', 'in', [...names.keys()]);
  if (kind !== undefined && kind !== '') query = query.where('kind', '=', kind);
  const rows = await query.orderBy('at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    host: names.get(r.host_id) ?? r.host_id,
    at: r.at,
    kind: r.kind,
    container: r.container,
    detail: r.detail,
  }));
}
