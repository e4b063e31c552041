// Pending security updates of the host: its own package database (read as `scan rootfs:ROOT` reads it) matched
// against the vulnerability database, keeping only advisories with a fixed version the host has not installed yet
// — what `apt upgrade` / `dnf upgrade --security` would install now (issue 16 item 4, reusing `scan host`).
import { detectVulnerabilities, familyFor } from '../detect/index.js';
import type { PendingUpdates } from '../facts/pending-updates.js';
import { known, unknown, type Known } from '../facts/known.js';
import { readImage } from '../image/index.js';
import { BulkheadError } from '../shared/errors.js';
import { compareVersions, VersionError } from '../versioning/index.js';
import type { VulnDb } from '../vulndb/db.js';

const RANK: Readonly<Record<string, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export async function computePendingUpdates(
  root: string,
  db: VulnDb | string,
): Promise<Known<PendingUpdates>> {
  if (typeof db === 'string') return unknown(db);
  let facts;
  try {
    facts = await readImage(`rootfs:${root}`, { env: {} });
  } catch (error) {
    if (error instanceof BulkheadError) return unknown(`host packages not read: ${error.message}`);
    throw error;
  }
  if (facts.packages.length === 0) return unknown(`no package database found under ${root}`);
  const result = detectVulnerabilities({ image: `host ${root}`, os: facts.os, packages: facts.packages }, db);
  const family = familyFor(facts.os);
  if (result.unsupported !== undefined || typeof family === 'string')
    return unknown(result.unsupported ?? String(family));
  // several advisories for one package: the upgrade that closes them all is the highest fixed version
  const newer = (a: string, b: string): boolean => {
    try {
      return compareVersions(family.scheme, a, b) > 0;
    } catch (error) {
      if (error instanceof VersionError) return false;
      throw error;
    }
  };
  const byPackage = new Map<string, PendingUpdates['packages'][number]>();
  for (const finding of result.findings) {
    const fixed = finding.vulnerability?.fixedVersion ?? null;
    if (finding.vulnerability?.status !== 'fixed' || fixed === null || finding.target.kind !== 'package')
      continue;
    const { name, version } = finding.target;
    const row = byPackage.get(name) ?? {
      name,
      installed: version,
      fixed,
      severity: finding.severity,
      cves: [],
    };
    const id = finding.vulnerability.id;
    if (!row.cves.includes(id)) row.cves.push(id);
    if (newer(fixed, row.fixed)) row.fixed = fixed;
    if ((RANK[finding.severity] ?? 0) > (RANK[row.severity] ?? 0)) row.severity = finding.severity;
    byPackage.set(name, row);
  }
  const packages = [...byPackage.values()].sort(
    (a, b) => (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0) || a.name.localeCompare(b.name),
  );
  const os = facts.os.prettyName ?? facts.os.id;
  return known(
    { os, installed: facts.packages.length, packages },
    `host package database under ${root} + vulnerability database ${db.path}`,
  );
}
