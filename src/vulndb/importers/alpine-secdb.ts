// Imports Alpine-style secdb files (https://secdb.alpinelinux.org/vX.Y/{main,community}.json, the legacy YAML of
// alpine-secdb, vuln-list's one-package files, and Wolfi/Chainguard security.json). Advisories are keyed by origin
// package; a "0" key means not affected; keys are not in version order; ids are cleaned ("CVE_2019-2426",
// "CVE-2018-8897  XSA-260", "CVE-2018-14468 (FrameRelay)").
import { z } from 'zod';
import { compareVersions } from '../../versioning/index.js';
import type { Ecosystem } from '../types.js';
import { newStats, skip, type AdvisorySink, type ImportStats } from '../types.js';
import { extractIds } from './ids.js';
import { alpineBranch } from '../releases.js';

const pkgSchema = z.object({
  name: z.string().min(1).max(200),
  // a version key with nothing under it reads as null (JSON) or "" (YAML rendered to JSON): no ids
  secfixes: z.record(z.string(), z.union([z.array(z.unknown()), z.null(), z.literal('')])).nullish(),
});
const fileSchema = z.object({
  distroversion: z.string().optional(),
  reponame: z.string().optional(),
  urlprefix: z.string().optional(),
  // an empty branch file has "packages": "" (YAML with nothing under packages:) or null
  packages: z
    .union([z.array(z.unknown()), z.literal(''), z.null()])
    .optional()
    .transform((p) => (p === '' || p === null ? [] : p)),
  // vuln-list's one-package layout
  name: z.string().optional(),
  secfixes: z.unknown().optional(),
});

/** True when a parsed document is a secdb (a packages list of {pkg: {name, secfixes}}) or a one-package file. */
export function looksLikeSecdb(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  if (
    'packages' in doc &&
    (Array.isArray(doc.packages) || doc.packages === '' || doc.packages === null) &&
    ('apkurl' in doc || 'distroversion' in doc || 'urlprefix' in doc)
  ) {
    return true;
  }
  return 'secfixes' in doc && 'name' in doc && ('distroversion' in doc || 'apkurl' in doc);
}

function ecosystemOf(
  file: z.infer<typeof fileSchema>,
): { ecosystem: Ecosystem; release: string } | undefined {
  const prefix = file.urlprefix ?? '';
  if (prefix.includes('wolfi.dev')) return { ecosystem: 'wolfi', release: 'rolling' };
  if (/cgr\.dev|chainguard/.test(prefix) || file.reponame === 'chainguard') {
    return { ecosystem: 'chainguard', release: 'rolling' };
  }
  const branch = file.distroversion === undefined ? undefined : alpineBranch(file.distroversion);
  return branch === undefined ? undefined : { ecosystem: 'alpine', release: branch };
}

export function importSecdb(doc: unknown, sink: AdvisorySink, location: string): ImportStats {
  const stats = newStats();
  const file = fileSchema.safeParse(doc);
  const where = file.success ? ecosystemOf(file.data) : undefined;
  if (!file.success || where === undefined) {
    sink.beginSource(`secdb:${location}`, 'alpine-secdb', location);
    skip(stats, file.success ? 'no distroversion/urlprefix telling the release' : 'not a secdb document');
    sink.endSource(stats);
    return stats;
  }
  const repo = file.data.reponame ?? 'main';
  const packages =
    file.data.packages ??
    (file.data.name === undefined ? [] : [{ pkg: { name: file.data.name, secfixes: file.data.secfixes } }]);
  const sourceName =
    file.data.packages === undefined
      ? `${where.ecosystem}-secdb:${where.release}/${repo}/${file.data.name ?? ''}`
      : `${where.ecosystem}-secdb:${where.release}/${repo}`;
  sink.beginSource(sourceName, 'alpine-secdb', location);
  for (const [index, raw] of packages.entries()) {
    const wrapper = z.object({ pkg: pkgSchema }).safeParse(raw);
    if (!wrapper.success) {
      skip(stats, `packages[${index}]: malformed package entry`);
      continue;
    }
    const { name, secfixes } = wrapper.data.pkg;
    // the same id may be listed under several fixed versions (an incomplete first fix): keep the highest
    const best = new Map<string, { fixed: string; aliases: string[] }>();
    for (const [version, ids] of Object.entries(secfixes ?? {})) {
      const fixed = version.trim();
      const notAffected = fixed === '0';
      if (!notAffected) {
        try {
          compareVersions('apk', fixed, fixed);
        } catch {
          skip(stats, `${name}: unparseable fixed version ${JSON.stringify(fixed.slice(0, 40))}`);
          continue;
        }
      }
      for (const rawId of ids === null || ids === '' ? [] : ids) {
        if (typeof rawId !== 'string' || rawId.length > 200) {
          skip(stats, `${name} ${fixed}: id is not a short string`);
          continue;
        }
        const { cves, others } = extractIds(rawId);
        const primaries = cves.length > 0 ? cves : others.slice(0, 1);
        if (primaries.length === 0) {
          skip(stats, `${name} ${fixed}: no vulnerability id in ${JSON.stringify(rawId)}`);
          continue;
        }
        if (notAffected) {
          stats.notAffected += primaries.length;
          continue;
        }
        const aliases = cves.length > 0 ? others : others.slice(1);
        for (const id of primaries) {
          const seen = best.get(id);
          if (seen === undefined || compareVersions('apk', seen.fixed, fixed) < 0) {
            best.set(id, { fixed, aliases: [...new Set([...(seen?.aliases ?? []), ...aliases])] });
          }
        }
      }
    }
    for (const [id, { fixed, aliases }] of best) {
      sink.addAdvisory({
        ecosystem: where.ecosystem,
        release: where.release,
        package: name,
        vulnerability: id,
        aliases,
        status: 'fixed',
        fixed,
        introduced: '',
        severity: null,
      });
      stats.records++;
    }
  }
  sink.endSource(stats);
  return stats;
}
