// Pending security updates of the host: its own package database (read as `scan rootfs:ROOT` reads it) matched
// against the vulnerability database, keeping only advisories with a fixed version the host has not installed yet
// — what `apt upgrade` / `dnf upgrade --security` would install now (issue 16 item 4, reusing `scan host`).
import { detectVulnerabilities, familyFor } from '../detect/index.js';
import type { PendingUpdates } from '../facts/pending-updates.js';
import { known, unknown, type Known } from '../facts/known.js';
import { RootFs } from '../host/root-fs.js';
import { detectOs, readPackageDatabases, type DatabaseFile } from '../packages/index.js';
import { compareVersions, VersionError } from '../versioning/index.js';
import { compareSeverityDesc, rankSeverity } from '../shared/severity.js';
import type { VulnDb } from '../vulndb/db.js';

/** Larger package databases than this are refused with the reason (never read partly). */
const PACKAGE_DB_CAP = 512 * 1024 * 1024;

export function computePendingUpdates(root: string, db: VulnDb | string): Known<PendingUpdates> {
  if (typeof db === 'string') return unknown(db);
  const fs = new RootFs(root);
  const files: DatabaseFile[] = [];
  const dbPaths = [
    'var/lib/dpkg/status',
    ...(fs.list('/var/lib/dpkg/status.d') ?? []).map((f) => `var/lib/dpkg/status.d/${f}`),
    'lib/apk/db/installed',
    'var/lib/rpm/rpmdb.sqlite',
    'usr/lib/sysimage/rpm/rpmdb.sqlite',
    'var/lib/rpm/Packages',
  ];
  for (const path of dbPaths) {
    const read = fs.readBytes(`/${path}`, PACKAGE_DB_CAP);
    if (read.ok) files.push({ path, content: read.content });
    else if (!read.reason.endsWith('not found'))
      return unknown(`host package database not read: ${read.reason}`);
  }
  const installedPackages = readPackageDatabases(files).packages;
  if (installedPackages.length === 0) return unknown(`no package database found under ${root}`);
  const osInfo = detectOs({
    read: (path) => {
      const r = fs.readBytes(`/${path}`, 1024 * 1024);
      return r.ok ? r.content : undefined;
    },
    hasDpkgStatusD: files.some((f) => f.path.startsWith('var/lib/dpkg/status.d/')),
  });
  const facts = { os: osInfo, packages: installedPackages };
  const result = detectVulnerabilities({ image: `host ${root}`, os: facts.os, packages: facts.packages }, db);
  const family = familyFor(facts.os);
  if (result.unsupported !== undefined || typeof family === 'string')
    return unknown(result.unsupported ?? (typeof family === 'string' ? family : 'unsupported OS'));
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
    if (rankSeverity(finding.severity) > rankSeverity(row.severity)) row.severity = finding.severity;
    byPackage.set(name, row);
  }
  const packages = [...byPackage.values()].sort(
    (a, b) => compareSeverityDesc(a.severity, b.severity) || a.name.localeCompare(b.name),
  );
  const os = facts.os.prettyName ?? facts.os.id;
  return known(
    { os, installed: facts.packages.length, packages },
    `host package database under ${root} + vulnerability database ${db.path}`,
  );
}
