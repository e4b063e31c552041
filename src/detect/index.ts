// Matches installed packages against the vulnerability database, one distro family at a time: packages are
// looked up by source package (Debian/Ubuntu Source:, Alpine/Wolfi origin) and the source version is compared in
// the family's version scheme; rpm families (AlmaLinux, Rocky, RHEL/UBI) are looked up by binary rpm name (a
// modular rpm by "module:stream/name" from its MODULARITYLABEL, so it only meets its own stream's advisories)
// and compared by epoch:version-release (rpm.ts). Statuses (fixed, open, minor, won't fix, end of life) are carried
// into findings.
// Detectors never read files (DESIGN.md): all they get is the OS, the package list and the database.
import type { InstalledPackage, OsInfo } from '../packages/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';
import { compareVersions, VersionError, type VersionScheme } from '../versioning/index.js';
import type { AdvisoryRow, SupportEndedRow, VulnDb } from '../vulndb/db.js';
import { alpineBranch, DEBIAN_CODENAMES } from '../vulndb/releases.js';
import { detectRpm, redhatMajor } from './rpm.js';
import type { DetectInput, DetectResult, Family } from './types.js';

export type { DetectInput, DetectResult, Family } from './types.js';

/** Severity used when a feed gives none (Alpine secdb, untriaged Debian issues): a review is needed. */
export const DEFAULT_SEVERITY: Severity = 'medium';

/** Which advisory ecosystem and release an OS maps to; a string explains why there is none. */
export function familyFor(os: OsInfo): Family | string {
  const version = os.versionId;
  switch (os.family) {
    case 'debian': {
      const major = version?.split('.')[0];
      const codename = os.codename ?? (major === undefined ? undefined : DEBIAN_CODENAMES[major]);
      if (codename === undefined)
        return 'Debian release unknown (no VERSION_ID or VERSION_CODENAME in os-release)';
      return {
        ecosystem: 'debian',
        release: codename,
        scheme: 'deb',
        label: `Debian ${version ?? codename} (${codename})`,
      };
    }
    case 'ubuntu': {
      const release = version === undefined ? undefined : /^\d+\.\d+/.exec(version)?.[0];
      if (release === undefined) return 'Ubuntu release unknown (no VERSION_ID in os-release)';
      return { ecosystem: 'ubuntu', release, scheme: 'deb', label: `Ubuntu ${release}` };
    }
    case 'alpine': {
      const branch = version === undefined ? undefined : alpineBranch(version);
      if (branch === undefined) return `Alpine release ${version ?? '(none)'} is not an Alpine branch`;
      return { ecosystem: 'alpine', release: branch, scheme: 'apk', label: `Alpine ${branch}` };
    }
    case 'wolfi':
      return os.id === 'chainguard'
        ? { ecosystem: 'chainguard', release: 'rolling', scheme: 'apk', label: 'Chainguard OS' }
        : { ecosystem: 'wolfi', release: 'rolling', scheme: 'apk', label: 'Wolfi' };
    case 'alma':
    case 'rocky':
    case 'redhat': {
      const major = redhatMajor(version);
      const name =
        os.family === 'alma'
          ? 'AlmaLinux'
          : os.family === 'rocky'
            ? 'Rocky Linux'
            : 'Red Hat Enterprise Linux';
      if (major === undefined) return `${name} release unknown (no VERSION_ID in os-release)`;
      return {
        ecosystem: os.family === 'alma' ? 'almalinux' : os.family === 'rocky' ? 'rocky' : 'redhat',
        release: major,
        scheme: 'rpm',
        label: `${name} ${major}`,
      };
    }
    case 'amazon':
      return `${os.prettyName ?? os.id} packages are not covered: Amazon Linux advisories (ALAS) are not supported`;
    case 'centos':
    case 'fedora':
    case 'opensuse':
      return `${os.prettyName ?? os.id} packages are not covered: bulkhead has no ${os.family} advisory feed yet`;
    case 'distroless':
      return 'distroless image without a package database the detector can use';
    case 'unknown':
      return `unknown operating system (${os.id || 'no os-release'}): no advisory feed applies`;
    default:
      return os.family satisfies never;
  }
}

function referencesFor(id: string, source: string, release: string): string[] {
  if (source.startsWith('debian')) return [`https://security-tracker.debian.org/tracker/${id}`];
  if (source.startsWith('alpine')) return [`https://security.alpinelinux.org/vuln/${id}`];
  // errata.almalinux.org/8/ALSA-2026-A008.html: the major release in the path, ':' written '-'
  if (/^AL[SBE]A-/.test(id)) return [`https://errata.almalinux.org/${release}/${id.replace(':', '-')}.html`];
  if (/^RL[SB]A-/.test(id)) return [`https://errata.rockylinux.org/${id}`];
  if (source.startsWith('redhat')) return [`https://access.redhat.com/security/cve/${id}`];
  return [`https://osv.dev/vulnerability/${id}`];
}

function statusText(row: AdvisoryRow, family: Family): string {
  switch (row.status) {
    case 'fixed':
      return `fixed in ${row.fixed ?? '?'}`;
    case 'open':
      return 'no fix available yet';
    case 'minor':
      return `no fix planned: ${family.label} rates it minor (no security advisory)`;
    case 'wont-fix':
      return `${family.label} will not fix it`;
    case 'end-of-life':
      return `no fix will come: security support for this package has ended in ${family.label}`;
    default:
      return row.status satisfies never;
  }
}

function remediationFor(pkg: InstalledPackage, row: AdvisoryRow): string {
  if (row.status === 'fixed') {
    return `Upgrade ${pkg.name} to ${row.fixed ?? 'the fixed version'} or later (rebuild the image from an updated base or run the package manager's upgrade in the Dockerfile).`;
  }
  if (row.status === 'end-of-life')
    return `Replace ${pkg.sourceName}: it no longer receives security updates in this release.`;
  return `No fixed package exists yet; remove ${pkg.name} if the image does not need it, mitigate, or record an accepted risk in .bulkheadignore.yaml.`;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/** "UBUNTU-CVE-2021-3782" -> "CVE-2021-3782": distribution wrappers of exactly one CVE. */
function unwrapCve(id: string): string | undefined {
  if (CVE.test(id)) return id;
  const inner = /^[A-Z]+-(CVE-\d{4}-\d{4,})$/.exec(id)?.[1];
  return inner;
}

/** The CVE an advisory row is about, when it is about exactly one. */
function cveKey(row: AdvisoryRow): string | undefined {
  const own = unwrapCve(row.vulnerability);
  if (own !== undefined) return own;
  const cves = [...new Set(row.aliases.map(unwrapCve).filter((c): c is string => c !== undefined))];
  return cves.length === 1 ? cves[0] : undefined;
}

/**
 * One finding per vulnerability: rows about the same CVE (tracker CVE, OSV UBUNTU-CVE, a single-CVE DSA) merge,
 * preferring a CVE-named row from a distribution feed; a multi-CVE advisory (a DSA fixing three CVEs) whose CVEs
 * are all reported becomes an alias of each of them instead of a duplicate finding.
 */
function dedupe(rows: readonly AdvisoryRow[]): AdvisoryRow[] {
  const groups = new Map<string, AdvisoryRow[]>();
  const loose: AdvisoryRow[] = [];
  for (const row of rows) {
    const key = cveKey(row);
    if (key === undefined) loose.push(row);
    else groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const rank = (r: AdvisoryRow): number =>
    (CVE.test(r.vulnerability) ? 0 : 2) + (r.source.startsWith('osv') ? 1 : 0);
  const merged = new Map<string, AdvisoryRow>();
  for (const [key, group] of groups) {
    const best = [...group].sort((a, b) => rank(a) - rank(b))[0];
    if (best === undefined) continue;
    const aliases = [...new Set(group.flatMap((r) => [r.vulnerability, ...r.aliases]))].filter(
      (a) => a !== best.vulnerability,
    );
    merged.set(key, { ...best, aliases });
  }
  const out = [...merged.values()];
  for (const row of loose) {
    const cves = row.aliases.map(unwrapCve).filter((c): c is string => c !== undefined);
    const targets = cves.map((c) => merged.get(c));
    if (cves.length > 0 && targets.every((t) => t !== undefined)) {
      for (const cve of cves) {
        const t = merged.get(cve);
        if (t !== undefined) {
          const next = { ...t, aliases: [...new Set([...t.aliases, row.vulnerability])] };
          merged.set(cve, next);
          out[out.indexOf(t)] = next;
        }
      }
    } else {
      out.push(row);
    }
  }
  return out;
}

function matchesSupportEnded(entry: SupportEndedRow, pkg: InstalledPackage, scheme: VersionScheme): boolean {
  const nameMatches = entry.package.endsWith('.*')
    ? pkg.sourceName.startsWith(entry.package.slice(0, -2))
    : entry.package === pkg.sourceName;
  if (!nameMatches) return false;
  if (entry.lastVersion === '0') return true;
  try {
    // support ended for this version line: the installed version is at or below the last supported one
    return compareVersions(scheme, pkg.sourceVersion, entry.lastVersion) <= 0;
  } catch {
    return true;
  }
}

export function detectVulnerabilities(input: DetectInput, db: VulnDb): DetectResult {
  const family = familyFor(input.os);
  if (typeof family === 'string') return { findings: [], diagnostics: [], unsupported: family };
  if (family.scheme === 'rpm') return detectRpm(input, db, family, toFinding);
  const releaseId = db.releaseId(family.ecosystem, family.release);
  if (releaseId === undefined) {
    const known = db
      .releases()
      .filter((r) => r.ecosystem === family.ecosystem && r.advisories > 0)
      .map((r) => r.release);
    return {
      findings: [],
      diagnostics: [],
      unsupported:
        `the vulnerability database has no advisories for ${family.label}` +
        (known.length > 0 ? ` (it has ${family.ecosystem} ${known.join(', ')})` : '') +
        '; run `bulkhead db update` to fetch current feeds',
    };
  }
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const ended = db.supportEnded(releaseId);
  const cache = new Map<string, readonly AdvisoryRow[]>();
  for (const pkg of input.packages) {
    let rows = cache.get(pkg.sourceName);
    if (rows === undefined) {
      rows = dedupe(db.lookup(releaseId, pkg.sourceName));
      cache.set(pkg.sourceName, rows);
    }
    if (rows.length === 0) continue;
    const supportEnded = ended.find((e) => matchesSupportEnded(e, pkg, family.scheme));
    for (const row of rows) {
      let affected: boolean;
      try {
        const aboveIntroduced =
          row.introduced === '' || compareVersions(family.scheme, pkg.sourceVersion, row.introduced) >= 0;
        affected =
          aboveIntroduced &&
          (row.fixed === null || compareVersions(family.scheme, pkg.sourceVersion, row.fixed) < 0);
      } catch (error) {
        if (!(error instanceof VersionError)) throw error;
        diagnostics.push({
          level: 'warning',
          subject: `${input.image}: ${pkg.name} ${pkg.version}`,
          message: `${row.vulnerability} not checked: ${error.message}`,
        });
        continue;
      }
      if (!affected) continue;
      const effective: AdvisoryRow =
        supportEnded !== undefined && row.status !== 'fixed' ? { ...row, status: 'end-of-life' } : row;
      findings.push(toFinding(input.image, pkg, effective, family));
    }
  }
  return { findings, diagnostics };
}

export function toFinding(image: string, pkg: InstalledPackage, row: AdvisoryRow, family: Family): Finding {
  const installed = `${pkg.name} ${pkg.version}`;
  const source =
    pkg.sourceName !== pkg.name || pkg.sourceVersion !== pkg.version
      ? ` (source ${pkg.sourceName} ${pkg.sourceVersion})`
      : '';
  const expected = row.fixed === null ? 'no fixed version' : `>= ${row.fixed}`;
  const aliases = [
    ...new Set([row.vulnerability.startsWith('CVE-') ? row.vulnerability : undefined, ...row.aliases]),
  ].filter((a): a is string => a !== undefined);
  return {
    ruleId: row.vulnerability,
    aliases,
    severity: row.severity ?? DEFAULT_SEVERITY,
    title:
      row.description === null
        ? `${row.vulnerability} in ${pkg.sourceName}`
        : `${row.vulnerability}: ${row.description}`,
    message: `${installed}${source} is affected by ${row.vulnerability}; ${statusText(row, family)}.`,
    outcome: { kind: 'fail' },
    evidence: [{ source: pkg.database, value: `${installed}${source}`, expected }],
    target: {
      kind: 'package',
      image,
      name: pkg.name,
      version: pkg.version,
      sourceName: pkg.sourceName,
      sourceVersion: pkg.sourceVersion,
      ecosystem: `${family.ecosystem}:${family.release}`,
      ...(pkg.layer === undefined ? {} : { layer: pkg.layer }),
    },
    remediation: remediationFor(pkg, row),
    references: referencesFor(row.vulnerability, row.source, family.release),
    vulnerability: { id: row.vulnerability, fixedVersion: row.fixed, status: row.status, source: row.source },
  };
}
