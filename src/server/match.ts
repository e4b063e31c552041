// Matches a stored package inventory against the vulnerability database with the scanner's own detector
// (src/detect), so the server's findings are exactly what `bulkhead scan` would report for that image.
import { createHash, randomUUID } from 'node:crypto';
import { detectVulnerabilities } from '../detect/index.js';
import type { ImageInventory } from '../shared/fleet-report.js';
import { inventoryHash } from '../shared/inventory-hash.js';
import type { InstalledPackage, OsInfo } from '../packages/types.js';
import type { VulnDb } from '../vulndb/db.js';
import type { FindingTable } from './schema.js';

export interface MatchedFinding {
  readonly vulnerability: string;
  readonly package: string;
  readonly installed: string;
  readonly fixedVersion: string | null;
  readonly status: string;
  readonly severity: string;
  readonly title: string;
}

/** A matched vulnerability as a new open finding row of `digest`, first and last seen at `at` (ingest and rematch). */
export function openFindingRow(digest: string, m: MatchedFinding, at: string): FindingTable {
  return {
    id: randomUUID(),
    digest,
    vulnerability: m.vulnerability,
    package: m.package,
    installed: m.installed,
    fixed_version: m.fixedVersion,
    status: m.status,
    severity: m.severity,
    title: m.title,
    state: 'open',
    first_seen: at,
    last_seen: at,
  };
}

export function matchInventory(inventory: ImageInventory, vulndb: VulnDb | undefined): MatchedFinding[] {
  if (vulndb === undefined) return [];
  const packages: InstalledPackage[] = inventory.packages.map((p) => ({ ...p, database: 'fleet inventory' }));
  const { versionId, codename, prettyName, ...rest } = inventory.os;
  const os: OsInfo = {
    ...rest,
    ...(versionId === undefined ? {} : { versionId }),
    ...(codename === undefined ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
  };
  const result = detectVulnerabilities({ image: inventory.ref, os, packages }, vulndb);
  const seen = new Map<string, MatchedFinding>();
  for (const finding of result.findings) {
    const vuln = finding.vulnerability;
    const target = finding.target;
    if (vuln === undefined || target.kind !== 'package') continue;
    const row: MatchedFinding = {
      vulnerability: vuln.id,
      package: target.name,
      installed: target.version,
      fixedVersion: vuln.fixedVersion,
      status: vuln.status,
      severity: finding.severity,
      title: finding.title,
    };
    seen.set(`${row.vulnerability}\u0000${row.package}`, row);
  }
  return [...seen.values()];
}

// Canonical hashes by a fingerprint of the inventory exactly as it arrived (its JSON, unsorted): an agent sends the
// same list on every run, so the dedupe and sort of inventoryHash (~0.3 ms per 200-package image, 17 ms of a
// 50-image report) run once per distinct list. The fingerprint covers every field inventoryHash reads (sha256, so
// equal fingerprints mean equal inventories); the map is bounded, oldest entry out first.
const HASH_CACHE_MAX = 20_000;
const hashCache = new Map<string, string>();

/** inventoryHash, remembered per exact inventory (same result; a cache miss costs one extra JSON.stringify). */
export function cachedInventoryHash(image: Pick<ImageInventory, 'os' | 'packages'>): string {
  const os = image.os;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([os.family, os.id, os.versionId ?? '', os.codename ?? '', image.packages]))
    .digest('base64');
  const hit = hashCache.get(fingerprint);
  if (hit !== undefined) return hit;
  const hash = inventoryHash(image);
  if (hashCache.size >= HASH_CACHE_MAX) {
    const oldest = hashCache.keys().next();
    if (oldest.done !== true) hashCache.delete(oldest.value);
  }
  hashCache.set(fingerprint, hash);
  return hash;
}

// Matches by canonical inventory hash, per vulnerability database (the one `db update` brings is a new object, so it
// starts empty): the reports that arrive together while a fleet's images are new carry the same inventories, and
// matching every copy (~2 ms per 200-package image, up to 50 per report, 16 reports in flight) was most of the
// server's CPU while a benchmark run's first reports were ingested. Readonly results, shared; bounded, oldest out.
const MATCH_CACHE_MAX = 256;
const matchCaches = new WeakMap<VulnDb, Map<string, readonly MatchedFinding[]>>();

/** matchInventory, remembered per (vulnerability database, canonical inventory hash). */
export function matchInventoryOnce(
  inventory: ImageInventory,
  hash: string,
  vulndb: VulnDb | undefined,
): readonly MatchedFinding[] {
  if (vulndb === undefined) return [];
  let cache = matchCaches.get(vulndb);
  if (cache === undefined) {
    cache = new Map();
    matchCaches.set(vulndb, cache);
  }
  const hit = cache.get(hash);
  if (hit !== undefined) return hit;
  const matched = matchInventory(inventory, vulndb);
  if (cache.size >= MATCH_CACHE_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(hash, matched);
  return matched;
}
