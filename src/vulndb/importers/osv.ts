// Imports OSV records (https://ossf.github.io/osv-schema/) for the Debian, Alpine, Ubuntu, AlmaLinux and Rocky Linux
// ecosystems: ECOSYSTEM ranges become one advisory per (introduced, fixed) pair, keyed by the package the record
// names (source package for Debian/Ubuntu/Alpine, binary rpm for AlmaLinux/Rocky). AlmaLinux and Rocky records
// carry their CVEs only in `related` and their severity only as the summary's first word ("Important: ..."); a
// module advisory names its stream only in the summary ("nodejs:22 security update"), so entries whose fixed
// release is a module build ("module_el9", "module+el8") are keyed "module:stream/name" and never match another
// stream. Records for other ecosystems are counted and left out; withdrawn records are dropped.
import { z } from 'zod';
import type { Severity } from '../../shared/severity.js';
import { compareVersions, type VersionScheme } from '../../versioning/index.js';
import { rpmPackageKey, skip, type AdvisorySink, type Ecosystem, type ImportStats } from '../types.js';
import { cvss3BaseScore, cvssRating } from './cvss.js';
import { isCveId, shortDescription } from './ids.js';
import { alpineBranch, DEBIAN_CODENAMES } from '../releases.js';

const eventSchema = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});
const affectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string().min(1).max(200) }).optional(),
  ranges: z.array(z.object({ type: z.string(), events: z.array(eventSchema) })).optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).optional(),
});
const recordSchema = z.object({
  id: z.string().min(1).max(100),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).nullish(),
  related: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).nullish(),
  database_specific: z.unknown().optional(),
  affected: z.array(z.unknown()).nullish(),
});

export function looksLikeOsv(doc: unknown): boolean {
  return (
    typeof doc === 'object' &&
    doc !== null &&
    !Array.isArray(doc) &&
    'id' in doc &&
    ('affected' in doc || 'modified' in doc)
  );
}

interface Target {
  readonly ecosystem: Ecosystem;
  readonly release: string;
  readonly scheme: VersionScheme;
}

/** "Debian:12" -> debian/bookworm, "Alpine:v3.16" -> alpine/3.16, "Ubuntu:22.04:LTS" -> ubuntu/22.04. */
export function osvTarget(ecosystem: string): Target | undefined {
  const parts = ecosystem.split(':');
  const [name, ...rest] = parts;
  switch (name) {
    case 'Debian': {
      const version = rest[0];
      if (version === undefined) return undefined;
      const codename = DEBIAN_CODENAMES[version] ?? (/^[a-z]+$/.test(version) ? version : undefined);
      return codename === undefined ? undefined : { ecosystem: 'debian', release: codename, scheme: 'deb' };
    }
    case 'Alpine': {
      const branch = rest[0] === undefined ? undefined : alpineBranch(rest[0]);
      return branch === undefined ? undefined : { ecosystem: 'alpine', release: branch, scheme: 'apk' };
    }
    case 'Ubuntu': {
      // Ubuntu:Pro:X needs a subscription: kept apart so it never matches a plain Ubuntu X image
      const pro = rest[0] === 'Pro';
      const version = pro ? rest[1] : rest[0];
      if (version === undefined || !/^\d+\.\d+$/.test(version)) return undefined;
      return { ecosystem: 'ubuntu', release: pro ? `pro-${version}` : version, scheme: 'deb' };
    }
    case 'AlmaLinux':
    case 'Rocky Linux': {
      // major version only ("AlmaLinux:9"); a minor ("Rocky Linux:8.6") is not a stream anyone publishes
      const major = rest[0];
      if (major === undefined || !/^\d+$/.test(major)) return undefined;
      return { ecosystem: name === 'AlmaLinux' ? 'almalinux' : 'rocky', release: major, scheme: 'rpm' };
    }
    case 'Wolfi':
      return { ecosystem: 'wolfi', release: 'rolling', scheme: 'apk' };
    case 'Chainguard':
      return { ecosystem: 'chainguard', release: 'rolling', scheme: 'apk' };
    case undefined:
    default:
      return undefined;
  }
}

function severityOf(
  entries: readonly { type: string; score: string }[] | null | undefined,
  dbSpecific: unknown,
): Severity | null {
  for (const e of entries ?? []) {
    if (e.type === 'Ubuntu') {
      const s = e.score.toLowerCase();
      if (s === 'negligible') return 'info';
      if (s === 'low' || s === 'medium' || s === 'high' || s === 'critical') return s;
    }
  }
  let best: number | undefined;
  for (const e of entries ?? []) {
    if (e.type === 'CVSS_V3') {
      const score = cvss3BaseScore(e.score);
      if (score !== undefined && (best === undefined || score > best)) best = score;
    }
  }
  if (best !== undefined) return cvssRating(best);
  if (
    typeof dbSpecific === 'object' &&
    dbSpecific !== null &&
    'severity' in dbSpecific &&
    typeof dbSpecific.severity === 'string'
  ) {
    const s = dbSpecific.severity.toLowerCase();
    if (s === 'low' || s === 'medium' || s === 'high' || s === 'critical') return s;
    if (s === 'moderate') return 'medium';
  }
  return null;
}

/** Red Hat's impact words, as AlmaLinux and Rocky put them first in the summary ("Important: curl security update"). */
export function severityFromSummary(summary: string | undefined): Severity | null {
  const word = /^\s*(Critical|Important|Moderate|Low)\s*:/i.exec(summary ?? '')?.[1]?.toLowerCase();
  switch (word) {
    case 'critical':
      return 'critical';
    case 'important':
      return 'high';
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case undefined:
    default:
      return null;
  }
}

/** "Important: nodejs:22 security update" -> nodejs/22; undefined when the summary names no module stream. */
export function moduleStreamFromSummary(
  summary: string | undefined,
): { module: string; stream: string } | undefined {
  const m =
    /(?:^|[\s:])([A-Za-z0-9][A-Za-z0-9_.+-]*):([A-Za-z0-9][A-Za-z0-9_.+-]*)\s+(?:security|bug ?fix|enhancement)/.exec(
      summary ?? '',
    );
  if (m === null) return undefined;
  const [, module = '', stream = ''] = m;
  return { module, stream };
}

/** A module build's release: ".module_el9.8.0+285+5c3b0251" (AlmaLinux) or ".module+el8.6.0+20026+579726f4" (RHEL, Rocky). */
export function isModuleBuild(evr: string): boolean {
  return /\.module[_+]el\d/.test(evr);
}

/** Names one record by its CVE when it is a distribution's wrapper of exactly one CVE (UBUNTU-CVE-..., ...). */
function primaryName(id: string, related: readonly string[]): { name: string; aliases: string[] } {
  const wrapped = /^[A-Z]+-(CVE-\d{4}-\d{4,})$/.exec(id)?.[1];
  const cves = related.filter(isCveId);
  if (wrapped !== undefined) return { name: wrapped, aliases: [id, ...related.filter((a) => a !== wrapped)] };
  if (!isCveId(id) && cves.length === 1 && /^(UBUNTU|ALPINE|DEBIAN)-/.test(id)) {
    return { name: cves[0] ?? id, aliases: [id, ...related.filter((a) => a !== cves[0])] };
  }
  return { name: id, aliases: [...related] };
}

/** Adds one OSV record to the current source; counts into `stats`. */
export function importOsvRecord(doc: unknown, sink: AdvisorySink, stats: ImportStats, where: string): void {
  const parsed = recordSchema.safeParse(doc);
  if (!parsed.success) {
    skip(stats, `${where}: not a valid OSV record`);
    return;
  }
  const record = parsed.data;
  if (record.withdrawn !== undefined) {
    skip(stats, `${record.id}: withdrawn`);
    return;
  }
  const related = [
    ...new Set([
      ...(record.aliases ?? []),
      ...(record.upstream ?? []).filter((u) => /\bCVE-\d{4}-\d{4,}$/.test(u)),
      // AlmaLinux and Rocky put their CVE ids (only) in `related`
      ...(/^(ALSA|ALBA|ALEA|RLSA|RLBA|RLEA)-/.test(record.id) ? (record.related ?? []).filter(isCveId) : []),
    ]),
  ].filter((a) => a.length <= 100);
  const stream = moduleStreamFromSummary(record.summary);
  const { name, aliases } = primaryName(record.id, related);
  const description = shortDescription(record.summary ?? record.details);
  let added = 0;
  let foreign = 0;
  for (const [index, raw] of (record.affected ?? []).entries()) {
    const affected = affectedSchema.safeParse(raw);
    if (!affected.success) {
      skip(stats, `${record.id} affected[${index}]: malformed`);
      continue;
    }
    const pkg = affected.data.package;
    const target = pkg === undefined ? undefined : osvTarget(pkg.ecosystem);
    if (pkg === undefined || target === undefined) {
      foreign++;
      continue;
    }
    const severity =
      target.scheme === 'rpm'
        ? severityFromSummary(record.summary)
        : severityOf(affected.data.severity ?? record.severity, record.database_specific);
    for (const range of affected.data.ranges ?? []) {
      if (range.type !== 'ECOSYSTEM') continue;
      let introduced: string | undefined;
      const emit = (fixed: string | null): void => {
        const from = introduced === undefined || introduced === '0' ? '' : introduced;
        try {
          if (from !== '') compareVersions(target.scheme, from, from);
          if (fixed !== null) compareVersions(target.scheme, fixed, fixed);
        } catch {
          skip(stats, `${record.id} ${pkg.name}: unparseable version in range`);
          return;
        }
        const modular =
          target.scheme === 'rpm' && stream !== undefined && fixed !== null && isModuleBuild(fixed);
        if (target.scheme === 'rpm' && stream === undefined && fixed !== null && isModuleBuild(fixed)) {
          // a module build without a stream in the summary cannot be matched safely against any stream
          skip(stats, `${record.id} ${pkg.name}: module build but no module stream in the summary`);
          return;
        }
        sink.addAdvisory({
          ecosystem: target.ecosystem,
          release: target.release,
          package: modular ? rpmPackageKey(pkg.name, stream) : pkg.name,
          vulnerability: name,
          aliases,
          status: fixed === null ? 'open' : 'fixed',
          fixed,
          introduced: from,
          severity,
          description,
        });
        added++;
      };
      for (const event of range.events) {
        if (event.introduced !== undefined) {
          if (introduced !== undefined) emit(null);
          introduced = event.introduced;
        } else if (event.fixed !== undefined && introduced !== undefined) {
          emit(event.fixed);
          introduced = undefined;
        } else if (event.last_affected !== undefined && introduced !== undefined) {
          // "affected up to and including X": no fixed version is known; report it open (conservative)
          emit(null);
          introduced = undefined;
        }
      }
      if (introduced !== undefined) emit(null);
    }
  }
  if (added > 0) stats.records++;
  else if (foreign > 0) skip(stats, `${record.id}: no Debian, Alpine, Ubuntu, AlmaLinux or Rocky package`);
  else skip(stats, `${record.id}: no ECOSYSTEM range`);
}
