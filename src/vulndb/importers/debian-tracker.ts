// Imports the Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json):
// package -> CVE -> releases -> {status, fixed_version, urgency, nodsa, nodsa_reason}. Advisories are keyed by
// source package, as the tracker is. Statuses follow the tracker's semantics (DESIGN.md "Images and
// vulnerabilities"): resolved + fixed_version (fixed; "0" = not affected), open (no fix), open + nodsa (minor, or
// won't fix when nodsa_reason is "ignored"), undetermined (skipped), end-of-life.
import { z } from 'zod';
import type { Severity } from '../../shared/severity.js';
import { compareVersions } from '../../versioning/index.js';
import type { AdvisoryStatus } from '../schema.js';
import { skip, newStats, type AdvisorySink, type ImportStats } from '../types.js';
import { shortDescription } from './ids.js';

const releaseSchema = z.object({
  status: z.string(),
  fixed_version: z.string().optional(),
  urgency: z.string().optional(),
  nodsa: z.string().optional(),
  nodsa_reason: z.string().optional(),
});
const entrySchema = z.object({
  description: z.string().optional(),
  releases: z.record(z.string(), z.unknown()),
});

/** Tracker urgency -> severity; "**" marks an urgency taken from NVD. Unknown urgencies give null. */
export function urgencyToSeverity(urgency: string | undefined): Severity | null {
  const u = (urgency ?? '').replace(/\*+$/, '').trim().toLowerCase();
  switch (u) {
    case 'unimportant':
      return 'info';
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    case 'critical':
    case 'emergency':
      return 'critical';
    default:
      return null;
  }
}

type Decision =
  | { kind: 'advisory'; status: AdvisoryStatus; fixed: string | null }
  | { kind: 'not-affected' }
  | { kind: 'skip'; why: string };

function decide(r: z.infer<typeof releaseSchema>): Decision {
  const urgency = (r.urgency ?? '').replace(/\*+$/, '').trim().toLowerCase();
  const openStatus = (): AdvisoryStatus => {
    const reason = (r.nodsa_reason ?? '').trim().toLowerCase();
    if (urgency === 'end-of-life') return 'end-of-life';
    if (reason === 'ignored') return 'wont-fix';
    if (r.nodsa !== undefined || reason === 'postponed') return 'minor';
    if (urgency === 'unimportant') return 'minor';
    return 'open';
  };
  switch (r.status) {
    case 'resolved':
      if (r.fixed_version === undefined || r.fixed_version.trim() === '') {
        return { kind: 'skip', why: 'resolved without fixed_version' };
      }
      if (r.fixed_version.trim() === '0') return { kind: 'not-affected' };
      return { kind: 'advisory', status: 'fixed', fixed: r.fixed_version.trim() };
    case 'open':
      return { kind: 'advisory', status: openStatus(), fixed: null };
    case 'not-affected':
      return { kind: 'not-affected' };
    case 'no-dsa':
    case 'postponed':
      return { kind: 'advisory', status: 'minor', fixed: null };
    case 'ignored':
      return { kind: 'advisory', status: 'wont-fix', fixed: null };
    case 'end-of-life':
      return { kind: 'advisory', status: 'end-of-life', fixed: null };
    case 'undetermined':
      return { kind: 'skip', why: 'undetermined' };
    default:
      return { kind: 'skip', why: `unknown status ${JSON.stringify(r.status.slice(0, 40))}` };
  }
}

/** True when the parsed JSON looks like the tracker's: {package: {ID: {releases: {...}}}}. */
export function looksLikeDebianTracker(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  for (const pkg of Object.values(doc as Record<string, unknown>).slice(0, 5)) {
    if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) return false;
    for (const entry of Object.values(pkg as Record<string, unknown>).slice(0, 3)) {
      if (typeof entry === 'object' && entry !== null && 'releases' in entry) return true;
    }
  }
  return false;
}

export function importDebianTracker(
  doc: unknown,
  sink: AdvisorySink,
  location: string,
  name = 'debian-tracker',
): ImportStats {
  const stats = newStats();
  sink.beginSource(name, 'debian-tracker-json', location);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    skip(stats, 'top level is not an object');
    sink.endSource(stats);
    return stats;
  }
  for (const [pkg, entries] of Object.entries(doc)) {
    if (!/^[a-z0-9][a-z0-9+.-]*$/.test(pkg)) {
      skip(stats, `package ${JSON.stringify(pkg.slice(0, 60))}: not a Debian source package name`);
      continue;
    }
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      skip(stats, `package ${pkg}: not an object`);
      continue;
    }
    for (const [id, raw] of Object.entries(entries as Record<string, unknown>)) {
      const entry = entrySchema.safeParse(raw);
      if (!entry.success || !/^(CVE-\d{4}-\d{4,}|TEMP-\d+-[0-9A-F]+|[A-Z]+-\d[\w-]*)$/.test(id)) {
        skip(stats, `${pkg} ${id.slice(0, 40)}: ${entry.success ? 'malformed id' : 'malformed entry'}`);
        continue;
      }
      const description = shortDescription(entry.data.description);
      for (const [release, rawRelease] of Object.entries(entry.data.releases)) {
        const parsed = releaseSchema.safeParse(rawRelease);
        if (!parsed.success || !/^[a-z][a-z0-9-]*$/.test(release)) {
          skip(stats, `${pkg} ${id} ${release.slice(0, 30)}: malformed release entry`);
          continue;
        }
        const d = decide(parsed.data);
        if (d.kind === 'not-affected') {
          stats.notAffected++;
          continue;
        }
        if (d.kind === 'skip') {
          skip(stats, `${pkg} ${id} ${release}: ${d.why}`);
          continue;
        }
        if (d.fixed !== null) {
          try {
            compareVersions('deb', d.fixed, d.fixed);
          } catch {
            skip(
              stats,
              `${pkg} ${id} ${release}: unparseable fixed_version ${JSON.stringify(d.fixed.slice(0, 40))}`,
            );
            continue;
          }
        }
        sink.addAdvisory({
          ecosystem: 'debian',
          release,
          package: pkg,
          vulnerability: id,
          aliases: [],
          status: d.status,
          fixed: d.fixed,
          introduced: '',
          severity: urgencyToSeverity(parsed.data.urgency),
          description,
        });
        stats.records++;
      }
    }
  }
  sink.endSource(stats);
  return stats;
}
