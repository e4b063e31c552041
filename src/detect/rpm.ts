// Detection for the rpm families (AlmaLinux, Rocky Linux, RHEL/UBI): advisories keyed by binary rpm name, a modular
// package (MODULARITYLABEL "name:stream:version:context") keyed "name:stream/pkg" so it only meets advisories of its
// own stream, epoch:version-release ordering as rpm's rpmvercmp. Red Hat advisories are per product CPE: the image's
// content sets map to CPEs (Red Hat's repository-to-cpe.json, imported into the database), and only advisories of
// products matching those CPEs apply, so EUS streams (cpe .../rhel_eus:9.2) stay apart from mainline
// (.../enterprise_linux:9). Where several rows of one product set speak about one CVE, a fix that the installed
// version reaches wins, then the highest fixed version, then "will not fix", then "affected" (no fix yet).
import type { InstalledPackage } from '../packages/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import { compareRpmVersions } from '../versioning/rpm.js';
import type { AdvisoryRow, VulnDb } from '../vulndb/db.js';
import { rpmPackageKey } from '../vulndb/types.js';
import type { DetectInput, DetectResult, Family } from './types.js';

/** "9.4" -> "9"; undefined when VERSION_ID does not start with a number. */
export function redhatMajor(versionId: string | undefined): string | undefined {
  return versionId === undefined ? undefined : /^(\d+)/.exec(versionId)?.[1];
}

/** "nodejs:22:9080020250101:abcd1234" -> nodejs / 22 (module name and stream are the first two fields). */
export function moduleStream(label: string | undefined): { module: string; stream: string } | undefined {
  if (label === undefined) return undefined;
  const [module, stream] = label.split(':');
  if (module === undefined || module === '' || stream === undefined || stream === '') return undefined;
  return { module, stream };
}

interface Cpe {
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly edition: string;
}

/** CPE 2.2 URI "cpe:/o:redhat:enterprise_linux:8::baseos" -> its parts (the part letter o/a is not compared). */
export function parseCpe(text: string): Cpe | undefined {
  if (!text.startsWith('cpe:/')) return undefined;
  const [, vendor = '', product = '', version = '', , edition = ''] = text.slice(5).split(':');
  if (vendor === '' || product === '') return undefined;
  return { vendor, product, version, edition };
}

/** Does an advisory's product CPE cover an image CPE? Empty fields of the advisory CPE match anything. */
export function cpeCovers(advisory: string, image: string): boolean {
  const a = parseCpe(advisory);
  const i = parseCpe(image);
  if (a === undefined || i === undefined) return false;
  return (
    a.vendor === i.vendor &&
    a.product === i.product &&
    (a.version === '' || a.version === i.version) &&
    (a.edition === '' || a.edition === i.edition)
  );
}

/** The release ids (product CPEs for Red Hat) whose advisories apply, or a reason there are none. */
function releaseIdsFor(
  input: DetectInput,
  db: VulnDb,
  family: Family,
  diagnostics: Diagnostic[],
): number[] | string {
  const knownOf = (): string => {
    const known = db
      .releases()
      .filter((r) => r.ecosystem === family.ecosystem && r.advisories > 0)
      .map((r) => r.release);
    return known.length > 0 && family.ecosystem !== 'redhat'
      ? ` (it has ${family.ecosystem} ${known.join(', ')})`
      : '';
  };
  const fetchHint = '; run `bulkhead db update` to fetch current feeds';
  if (family.ecosystem !== 'redhat') {
    const id = db.releaseId(family.ecosystem, family.release);
    return id === undefined
      ? `the vulnerability database has no advisories for ${family.label}${knownOf()}${fetchHint}`
      : [id];
  }
  let imageCpes: string[];
  const sets = input.os.contentSets ?? [];
  if (sets.length > 0) {
    const mapped = db.repositoryCpes(sets);
    const unknown = sets.filter((s) => (mapped.get(s) ?? []).length === 0);
    imageCpes = [...new Set([...mapped.values()].flat())];
    if (unknown.length > 0) {
      diagnostics.push({
        level: 'warning',
        subject: input.image,
        message: `content sets not in Red Hat's repository-to-CPE map (packages from them may be misjudged): ${unknown.join(', ')}`,
      });
    }
    if (imageCpes.length === 0)
      return `none of the image's content sets (${sets.join(', ')}) maps to a Red Hat product CPE in the vulnerability database${fetchHint}`;
  } else {
    // no content manifest (a hand-built RHEL root, an old UBI): judge against the mainline BaseOS and AppStream
    imageCpes = [
      `cpe:/o:redhat:enterprise_linux:${family.release}::baseos`,
      `cpe:/a:redhat:enterprise_linux:${family.release}::appstream`,
    ];
    diagnostics.push({
      level: 'warning',
      subject: input.image,
      message: `no Red Hat content manifest: packages judged as RHEL ${family.release} mainline BaseOS/AppStream`,
    });
  }
  const ids: number[] = [];
  for (const release of db.releases()) {
    if (release.ecosystem !== 'redhat' || release.advisories === 0) continue;
    if (!imageCpes.some((cpe) => cpeCovers(release.release, cpe))) continue;
    const id = db.releaseId('redhat', release.release);
    if (id !== undefined) ids.push(id);
  }
  if (ids.length === 0)
    return `the vulnerability database has no Red Hat advisories for the products ${imageCpes.join(', ')}${fetchHint}`;
  return ids;
}

/** Picks the one row that speaks for a CVE among rows of several matching products (see the file comment). */
function decide(rows: readonly AdvisoryRow[], installed: string): AdvisoryRow | undefined {
  const fixed = rows.filter((r) => r.status === 'fixed' && r.fixed !== null);
  if (fixed.length > 0) {
    let best: AdvisoryRow | undefined;
    for (const r of fixed)
      if (best === undefined || compareRpmVersions(r.fixed ?? '', best.fixed ?? '') > 0) best = r;
    if (best === undefined || compareRpmVersions(installed, best.fixed ?? '') >= 0) return undefined;
    return best;
  }
  return rows.find((r) => r.status === 'wont-fix') ?? rows.find((r) => r.status !== 'fixed');
}

type ToFinding = (image: string, pkg: InstalledPackage, row: AdvisoryRow, family: Family) => Finding;

export function detectRpm(
  input: DetectInput,
  db: VulnDb,
  family: Family,
  toFinding: ToFinding,
): DetectResult {
  const diagnostics: Diagnostic[] = [];
  const releases = releaseIdsFor(input, db, family, diagnostics);
  if (typeof releases === 'string') return { findings: [], diagnostics, unsupported: releases };
  const lookup = (key: string): AdvisoryRow[] => releases.flatMap((id) => [...db.lookup(id, key)]);
  const findings: Finding[] = [];
  for (const pkg of input.packages) {
    if (pkg.format !== 'rpm') continue;
    const stream = moduleStream(pkg.modularityLabel);
    const byVuln = new Map<string, AdvisoryRow[]>();
    for (const row of lookup(rpmPackageKey(pkg.name, stream)))
      byVuln.set(row.vulnerability, [...(byVuln.get(row.vulnerability) ?? []), row]);
    // Red Hat names unfixed components by source package ("red_hat_enterprise_linux_8:vim"): a binary with no
    // row of its own for a CVE takes its source package's rows
    if (family.ecosystem === 'redhat' && pkg.sourceName !== pkg.name) {
      const fromSource = new Map<string, AdvisoryRow[]>();
      for (const row of lookup(rpmPackageKey(pkg.sourceName, stream)))
        if (!byVuln.has(row.vulnerability))
          fromSource.set(row.vulnerability, [...(fromSource.get(row.vulnerability) ?? []), row]);
      for (const [vuln, rows] of fromSource) byVuln.set(vuln, rows);
    }
    for (const rows of byVuln.values()) {
      const row = decide(rows, pkg.version);
      if (row !== undefined) findings.push(toFinding(input.image, pkg, row, family));
    }
  }
  return { findings, diagnostics };
}
